/// <reference path="../.pocketbase/types.d.ts" />

// The 公众号 H5 and website login (POST /api/wechat/oa/login) gets a rate limit of its own, as
// generous as the mini-program's login and counted apart from it, placed right after that one
// (before the "/api/wechat/" catch-all). A rule ops already tuned under this label is kept.

const LABEL = "POST /api/wechat/oa/login";
const OA_LOGIN_RATE_LIMIT = { label: LABEL, maxRequests: 300, duration: 30, audience: "" };

migrate(
  (app) => {
    const settings = app.settings();
    const rules = settings.rateLimits.rules;
    if (rules.some((rule) => rule.label === LABEL)) return;
    const login = rules.findIndex((rule) => rule.label === "POST /api/wechat/login");
    const catchAll = rules.findIndex((rule) => rule.label === "/api/wechat/");
    const at = login !== -1 ? login + 1 : catchAll !== -1 ? catchAll : 0;
    settings.rateLimits.rules = [...rules.slice(0, at), OA_LOGIN_RATE_LIMIT, ...rules.slice(at)];
    app.save(settings);
  },
  (app) => {
    const settings = app.settings();
    settings.rateLimits.rules = settings.rateLimits.rules.filter((rule) => rule.label !== LABEL);
    app.save(settings);
  },
);
