// @ts-check
App({});
