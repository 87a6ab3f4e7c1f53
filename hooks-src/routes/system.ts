import { failures } from "../errors";
import { answer, sendOk } from "../http/responses";

export function health(e: core.RequestEvent): void {
  answer(e, () => {
    try {
      $app.db().newQuery("SELECT 1").execute();
    } catch {
      throw failures.databaseUnavailable();
    }
    sendOk(e, "服务运行正常", { status: "healthy", timestamp: new Date().toISOString() });
  });
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
