/// <reference path="../.pocketbase/types.d.ts" />

// The partial profile edit may cost a billed getuserphonenumber call, as the full one does, so it
// gets the same limit per client IP. Placed before the catch-all "/api/wechat/" rule so that it
// applies. Converges on re-runs; ops tune it in Settings → Rate limits.

const PROFILE_FIELDS_RATE_LIMIT = { label: "POST /api/wechat/profile/fields", maxRequests: 60, duration: 30, audience: "" };

migrate(
  (app) => {
    const settings = app.settings();
    const others = settings.rateLimits.rules.filter((rule) => rule.label !== PROFILE_FIELDS_RATE_LIMIT.label);
    const catchAll = others.findIndex((rule) => rule.label === "/api/wechat/");
    others.splice(catchAll === -1 ? 0 : catchAll, 0, PROFILE_FIELDS_RATE_LIMIT);
    settings.rateLimits.rules = others;
    app.save(settings);
  },
  (app) => {
    const settings = app.settings();
    settings.rateLimits.rules = settings.rateLimits.rules.filter((rule) => rule.label !== PROFILE_FIELDS_RATE_LIMIT.label);
    app.save(settings);
  },
);
