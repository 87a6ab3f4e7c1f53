// The WeChat apps one person may sign in through. WECHAT_APPID/WECHAT_SECRET are the primary
// mini-program; WECHAT_APPS adds the others as one JSON list:
//   [{"appid": "wx…", "secret": "…", "kind": "official_account"}, …]
// An environment variable rather than a collection: a secret in a collection shows in the admin
// UI and API to every superuser, in backups and in PocketBase's request logs of staff edits; the
// environment is where ops already keep WECHAT_SECRET. A change needs a restart, like any setting.
import { failures } from "../errors";

export const APP_KINDS = ["miniprogram", "official_account", "website", "app"] as const;
export type AppKind = (typeof APP_KINDS)[number];

export interface WechatApp {
  appId: string;
  secret: string;
  kind: AppKind;
  primary: boolean;
}

export interface WechatApps {
  apps: WechatApp[];
  // What was wrong with WECHAT_APPS, for the start-up log: never a secret.
  problems: string[];
}

const APPID = /^[A-Za-z0-9_-]{1,64}$/;

export function readWechatApps(getenv: (name: string) => string = $os.getenv): WechatApps {
  const apps: WechatApp[] = [];
  const problems: string[] = [];
  const primaryAppId = getenv("WECHAT_APPID").trim();
  const primarySecret = getenv("WECHAT_SECRET").trim();
  if (primaryAppId !== "" && primarySecret !== "") apps.push({ appId: primaryAppId, secret: primarySecret, kind: "miniprogram", primary: true });

  const raw = getenv("WECHAT_APPS").trim();
  if (raw === "") return { apps, problems };
  let entries: unknown;
  try {
    entries = JSON.parse(raw);
  } catch {
    return { apps, problems: ["WECHAT_APPS is not JSON: it must be a list of {appid, secret, kind}"] };
  }
  if (!Array.isArray(entries)) return { apps, problems: ["WECHAT_APPS must be a JSON list of {appid, secret, kind}"] };
  entries.forEach((entry, index) => {
    const where = `WECHAT_APPS[${index}]`;
    if (entry === null || typeof entry !== "object") return problems.push(`${where} is not an object`);
    const { appid, secret, kind } = entry as Record<string, unknown>;
    if (typeof appid !== "string" || !APPID.test(appid)) return problems.push(`${where}.appid is missing or not an appid`);
    if (typeof secret !== "string" || secret.trim() === "") return problems.push(`${where} (${appid}) has no secret`);
    if (typeof kind !== "string" || !(APP_KINDS as readonly string[]).includes(kind)) {
      return problems.push(`${where} (${appid}).kind must be one of ${APP_KINDS.join(", ")}`);
    }
    if (apps.some((app) => app.appId === appid)) return problems.push(`${where} (${appid}) is configured twice; the first is kept`);
    apps.push({ appId: appid, secret: secret.trim(), kind: kind as AppKind, primary: false });
  });
  return { apps, problems };
}

export function findApp(apps: readonly WechatApp[], appId: string): WechatApp | undefined {
  return apps.find((app) => app.appId === appId);
}

// The app a login names (the primary mini-program when it names none), if it is configured and of
// a kind the route serves. An appid we don't serve is a field problem, and nobody learns which we do.
export function appForLogin(apps: readonly WechatApp[], appId: string | undefined, kinds: readonly AppKind[]): WechatApp {
  const app = appId === undefined ? apps.find((candidate) => candidate.primary) : findApp(apps, appId);
  if (app && kinds.includes(app.kind)) return app;
  if (appId === undefined) throw failures.wechatNotConfigured();
  throw failures.invalidFields({ appid: { code: "validation_unknown_appid", message: "未配置的 appid" } });
}
