// Compile-time only: request() types a POST to a path of the contract by that path. Every call marked
// as an expected error must fail to compile: `npm run typecheck` fails if one compiles.
import type { BaiAuthClient } from "../src/client";

export async function requestTypes(client: BaiAuthClient): Promise<void> {
  const login = await client.request("/api/wechat/login", { body: { users_wx_code: "code" } });
  const token: string = login.token;
  await client.request("/api/wechat/logout", { method: "POST", body: { scope: "all" } });
  await client.request("/api/wechat/profile/fields", { body: { users_name: "张三" } });
  await client.request("/api/wechat/identities", { method: "GET" });
  await client.request("/api/wechat/identities");
  await client.request("/api/collections/posts/records", { method: "POST", body: { anything: 1 } });
  await client.request<{ things: unknown[] }>("/api/things");

  // @ts-expect-error: a key the login does not take
  await client.request("/api/wechat/login", { body: { users_wx_code: "code", wechat_code: "code" } });
  // @ts-expect-error: users_wx_code is a string
  await client.request("/api/wechat/login", { body: { users_wx_code: 1 } });
  // @ts-expect-error: the login needs users_wx_code
  await client.request("/api/wechat/login", { body: {} });
  // @ts-expect-error: scope is current or all
  await client.request("/api/wechat/logout", { method: "POST", body: { scope: "everywhere" } });
  // @ts-expect-error: a misspelt field of the profile
  await client.request("/api/wechat/profile/fields", { body: { user_name: "张三" } });
  // @ts-expect-error: the login answers its token as a string
  const notANumber: number = login.token;
  void token;
  void notANumber;
}
