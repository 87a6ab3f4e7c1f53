// PocketBase's Application URL (Settings → Application → Application URL) is where avatar URLs
// start, and profiles store them for good. PocketBase's default only loads in a browser on the
// server itself, at port 8090: start-up says so, on the console and in the logs. APPLICATION_URL,
// when set, is written into the setting at every start (npm start and npm run dev set it to the
// address they serve; ops may set it instead of using the admin UI). Whichever way it changes,
// the avatar URLs stored on the old one move to the new one.
import { moveStoredAvatarUrls } from "../avatars/avatars";
import { applicationBaseUrl, normalizeUrl } from "../avatars/avatar-urls";
import { logWarning } from "../log";

export const POCKETBASE_DEFAULT_APP_URL = "http://localhost:8090";

export interface ApplicationUrlPlan {
  // The Application URL to write, or null to keep the one there is.
  set: string | null;
  warning: string | null;
}

export function planApplicationUrl(current: string, fromEnvironment: string): ApplicationUrlPlan {
  const wanted = fromEnvironment.trim();
  if (wanted !== "") {
    if (normalizeUrl(wanted) === null) {
      return { set: null, warning: `APPLICATION_URL "${wanted}" is not an http(s) URL; the Application URL stays ${current === "" ? "empty" : current}.` };
    }
    return { set: applicationBaseUrl(wanted) === applicationBaseUrl(current) ? null : applicationBaseUrl(wanted), warning: null };
  }
  const base = applicationBaseUrl(current);
  if (base !== "" && base !== POCKETBASE_DEFAULT_APP_URL) return { set: null, warning: null };
  return {
    set: null,
    warning:
      `The Application URL is ${base === "" ? "empty" : `PocketBase's default, ${POCKETBASE_DEFAULT_APP_URL}`}: avatar URLs are built on it and ` +
      "stored in profiles, and they load only in a browser on this server. Set it to the address the mini-program uses " +
      "(https://<host>/pb behind the proxy) in Settings → Application, or with APPLICATION_URL; see DEPLOY.md.",
  };
}

function warn(message: string): void {
  logWarning(message);
  console.warn(`[bai] WARNING ${message}`);
}

function moveAvatarUrls(from: string, to: string): void {
  const moved = moveStoredAvatarUrls($app, from, to);
  const message = `Application URL ${from === "" ? "(empty)" : from} → ${to}: ${moved} stored avatar URL${moved === 1 ? "" : "s"} moved to it.`;
  $app.logger().info(message);
  console.log(`[bai] ${message}`);
}

// At start-up, before the migrations: on a first start there are no profiles yet to move.
export function applyApplicationUrl(): void {
  const settings = $app.settings();
  const before = settings.meta.appURL;
  const plan = planApplicationUrl(before, $os.getenv("APPLICATION_URL"));
  if (plan.set !== null) {
    settings.meta.appURL = plan.set;
    $app.save(settings);
    moveAvatarUrls(before, plan.set);
  }
  if (plan.warning !== null) warn(plan.warning);
}

// onSettingsUpdateRequest: staff changed the settings in the admin UI (or PATCH /api/settings).
export function followApplicationUrlChange(e: core.SettingsUpdateRequestEvent): void {
  const before = e.oldSettings!.meta.appURL;
  e.next();
  const after = e.newSettings!.meta.appURL;
  if (applicationBaseUrl(before) !== applicationBaseUrl(after)) moveAvatarUrls(before, after);
}
