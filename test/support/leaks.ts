// What must never reach PocketBase's logs or console: the WeChat secrets (every app's),
// session_key, access tokens (the apps' and the users' 网页授权 ones), bearer tokens (JWTs) and
// full mainland phone numbers.
import { OTHER_APPS, WECHAT_SECRET } from "./wechat";

const JWT = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;
const MAINLAND_PHONE = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/;

// places: [where, text] pairs, e.g. ["PocketBase's logs", JSON of every entry].
export function findLeaks(places: Array<[string, string]>, accessTokens: string[]): string[] {
  const leaks: string[] = [];
  for (const [where, text] of places) {
    if (text.includes(WECHAT_SECRET)) leaks.push(`${where} hold the WeChat secret`);
    for (const app of OTHER_APPS) if (text.includes(app.secret)) leaks.push(`${where} hold the secret of ${app.appId}`);
    if (/session_key/i.test(text)) leaks.push(`${where} mention session_key`);
    if (JWT.test(text)) leaks.push(`${where} hold a bearer token: ${JWT.exec(text)![0].slice(0, 20)}…`);
    if (MAINLAND_PHONE.test(text)) leaks.push(`${where} hold a full phone number: ${MAINLAND_PHONE.exec(text)![0].slice(0, 3)}…`);
    for (const token of accessTokens) if (text.includes(token)) leaks.push(`${where} hold a WeChat access token`);
  }
  return leaks;
}
