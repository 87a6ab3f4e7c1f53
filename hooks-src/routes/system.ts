import { appStore } from "../app-store";
import { failures } from "../errors";
import { answer, sendOk, sendOkJson } from "../http/responses";

// Monitors poll this: its handler is a function of the module, not a closure made per request.
export function health(e: core.RequestEvent): void {
  answer(e, answerHealthy);
}

function answerHealthy(e: core.RequestEvent): void {
  const now = Date.now();
  checkDatabase(now);
  sendOkJson(e, "服务运行正常", `{"status":"healthy","timestamp":"${new Date(now).toISOString()}"}`);
}

// A database round trip at most once a second while it succeeds, shared by every VM: a
// monitor still sees an outage within a second, and a flood of health checks doesn't queue
// behind real work. A failed check is never remembered. Each VM also keeps the time it last
// read, so that most checks make no call into Go at all (two $app.store() calls cost more
// than the rest of the request's JS).
const DATABASE_OK_UNTIL_KEY = "bai.health.databaseOkUntil";
const DATABASE_CHECK_INTERVAL_MS = 1000;
let databaseOkUntilInThisVm = 0;

function checkDatabase(now: number): void {
  if (databaseOkUntilInThisVm > now) return;
  const store = appStore();
  const okUntil = store.get(DATABASE_OK_UNTIL_KEY);
  if (okUntil > now) {
    databaseOkUntilInThisVm = okUntil;
    return;
  }
  try {
    $app.db().newQuery("SELECT 1").execute();
  } catch {
    throw failures.databaseUnavailable();
  }
  databaseOkUntilInThisVm = now + DATABASE_CHECK_INTERVAL_MS;
  store.set(DATABASE_OK_UNTIL_KEY, databaseOkUntilInThisVm);
}

export function helloWorld(e: core.RequestEvent): void {
  answer(e, () => {
    sendOk(e, "请求成功", {
      message: "Hello, World!",
      timestamp: new Date().toISOString(),
      status: "success",
      build_time: __BUILD_TIME__,
      version: __APP_VERSION__,
    });
  });
}
