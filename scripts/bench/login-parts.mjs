// Bench-only hook files that rebuild a login piece by piece, so that the CPU (and the
// instructions, under callgrind) of each piece can be read as the difference between two
// routes. Each route does the pieces named in its path, in login's order, with the same
// PocketBase calls our bundle makes:
//
//   body     e.requestInfo() + reading the body again + JSON.parse (readJsonObjectBody)
//   config   the four $os.getenv reads of readWechatConfig
//   claim    the login-code claim in $app.store() (claimLoginCode)
//   wechat   one $http.send to jscode2session + JSON.parse of its answer
//   find     the user by openid (findFirstRecordByData)
//   info     the user object of the answer: 11 getString calls (userInfoOf, isInfoComplete)
//   auth     $apis.recordAuthResponse with the bare record (what native auth-refresh does)
//   meta     … with our {code, msg, data} meta bridged to Go instead
//   bundle   require() of the bundle (cached per VM after the first call)
//   envelope the request also passes a JS middleware, as our envelope routes do

const steps = `
  const parts = new Set(e.request.pathValue("parts").split("+"));
  let openid = "osim_benchexisting";
  let code = "u-benchexisting-" + $security.randomString(12);
  if (parts.has("bundle")) require(__hooks + "/bai_wechat_auth.js");
  if (parts.has("body")) {
    e.requestInfo();
    code = JSON.parse(toString(e.request.body, 16385)).users_wx_code;
  }
  let base = "";
  if (parts.has("config")) {
    base = $os.getenv("WECHAT_API_BASE"); $os.getenv("WECHAT_APPID"); $os.getenv("WECHAT_SECRET"); $os.getenv("WECHAT_TIMEOUT_S");
  } else base = $os.getenv("WECHAT_API_BASE");
  if (parts.has("claim")) {
    const now = Date.now();
    $app.store().setFunc("bai.bench." + code, (until) => (typeof until === "number" && until > now ? until : now + 10000));
  }
  if (parts.has("wechat")) {
    const response = $http.send({ method: "GET", url: base + "/sns/jscode2session?appid=wx_bench_appid&secret=bench_secret&js_code=" + encodeURIComponent(code) + "&grant_type=authorization_code", timeout: 5 });
    openid = JSON.parse(toString(response.body)).openid;
  }
  let user = null;
  if (parts.has("find")) user = $app.findFirstRecordByData("tbl_auth_users", "openid", openid);
  let info = null;
  if (parts.has("info")) {
    info = {};
    for (const field of ["id", "users_id", "users_type", "users_name", "users_phone", "users_picture", "openid", "company_id", "created", "updated", "users_status"]) info[field] = user.getString(field);
  }
  if (parts.has("meta")) return $apis.recordAuthResponse(e, user, "wechat", { code: 200, msg: "登录成功", data: { status: "login_success", is_info_complete: false, user: info } });
  if (parts.has("auth")) return $apis.recordAuthResponse(e, user, "wechat");
  e.json(200, {});
`;

export const loginPartsHooks = {
  "zz_bench_login_parts.pb.js": `// Bench only: login rebuilt piece by piece (scripts/bench/login-parts.mjs).
routerAdd("POST", "/api/bench/parts/{parts}", (e) => {${steps}});
routerAdd("POST", "/api/bench/enveloped/{parts}", () => {}, new Middleware((e) => {
  e.next();
${steps}}, -1001));
routerAdd("POST", "/api/bench/enveloped-native/{parts}", $apis.bodyLimit(0).func, new Middleware((e) => {
  e.next();
${steps}}, -1001));
`,
};

// The rows of the instruction table: login built up one piece at a time.
const ALL = "body+config+claim+wechat+find+info+meta";
export const LOGIN_PARTS = [
  { parts: "none", path: "/api/bench/parts/none", label: "parts: the parts route with no part (its own overhead)" },
  { parts: "wechat", path: "/api/bench/parts/wechat", label: "parts: + one WeChat round trip" },
  { parts: "wechat+find", path: "/api/bench/parts/wechat+find", label: "parts: + find the user by openid" },
  { parts: "wechat+find+auth", path: "/api/bench/parts/wechat+find+auth", label: "parts: + recordAuthResponse, bare (the login floor)" },
  { parts: "body+wechat+find+auth", path: "/api/bench/parts/body+wechat+find+auth", label: "parts: + read the JSON body twice" },
  { parts: "body+config+wechat+find+auth", path: "/api/bench/parts/body+config+wechat+find+auth", label: "parts: + WeChat config from 4 env reads" },
  { parts: "body+config+claim+wechat+find+auth", path: "/api/bench/parts/body+config+claim+wechat+find+auth", label: "parts: + the login-code claim" },
  { parts: "body+config+claim+wechat+find+info+auth", path: "/api/bench/parts/body+config+claim+wechat+find+info+auth", label: "parts: + the user object (11 getString)" },
  { parts: ALL, path: `/api/bench/parts/${ALL}`, label: "parts: + our meta bridged to Go (= login's work)" },
  { parts: `enveloped:${ALL}`, path: `/api/bench/enveloped/${ALL}`, label: "parts: as a JS middleware with a JS route handler (before)" },
  { parts: `enveloped-native:${ALL}`, path: `/api/bench/enveloped-native/${ALL}`, label: "parts: as a JS middleware with a native route handler (now)" },
];
