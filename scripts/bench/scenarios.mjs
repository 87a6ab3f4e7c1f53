// What the benchmark measures: one entry per scenario. Adding a measured route is adding an entry.
//
//   label     the row's name in the table and the chart
//   group     scenarios of one group run alternately (A B C A B C …) within one PocketBase, so
//             that their figures, and the ratios between them, see the same machine conditions
//   method, path
//   hook      optional bench-only hook files (name → source) the bench instances load beside ours
//   prepare   optional: async ({ logIn }) => context, once per instance before the runs, where
//             logIn(wechatName) logs that WeChat user in and returns its token
//   headers   optional: (context) => headers
//   body      optional: (context, n, runTag) => the JSON body of the n-th request of a run, built in
//             the load process (WeChat codes are single-use, and a repeated login code is refused)
const json = { "content-type": "application/json" };
const existingUser = "benchexisting";

export const scenarios = {
  nativeHealth: { label: "native GET /api/health", group: "health", method: "GET", path: "/api/health" },
  hooksHealth: { label: "hooks POST /api/system/health", group: "health", method: "POST", path: "/api/system/health" },
  jsvmFloor: {
    // The floor of any JS route: no bundle, no work, one tiny JSON answer.
    label: "JSVM floor: an empty JS route",
    group: "health",
    method: "POST",
    path: "/api/bench/jsvm-floor",
    hook: { "zz_bench_jsvm_floor.pb.js": `routerAdd("POST", "/api/bench/jsvm-floor", (e) => e.json(200, { code: 200 }));\n` },
  },
  wechatFloor: {
    // The floor of a login: a JS route whose only work is one WeChat round trip.
    label: "WeChat floor: one $http.send from JS",
    group: "auth",
    method: "POST",
    path: "/api/bench/wechat-floor",
    hook: {
      "zz_bench_wechat_floor.pb.js": `routerAdd("POST", "/api/bench/wechat-floor", (e) => {
  const code = "u-benchfloor-" + $security.randomString(16);
  const response = $http.send({ method: "GET", url: $os.getenv("WECHAT_API_BASE") + "/sns/jscode2session?appid=" + $os.getenv("WECHAT_APPID") + "&secret=" + $os.getenv("WECHAT_SECRET") + "&js_code=" + code + "&grant_type=authorization_code", timeout: 5 });
  if (response.statusCode !== 200) throw new Error("jscode2session answered " + response.statusCode);
  e.json(200, {});
});
`,
    },
  },
  nativeRefresh: {
    label: "native auth-refresh",
    group: "auth",
    method: "POST",
    path: "/api/collections/tbl_auth_users/auth-refresh",
    prepare: async ({ logIn }) => ({ token: await logIn(existingUser) }),
    headers: ({ token }) => ({ authorization: token }),
  },
  nativeOwnRecord: {
    // PocketBase's records API as the SDK uses it: a signed-in user reads their own record.
    label: "native view of one's own record",
    group: "auth",
    method: "GET",
    path: ({ id }) => `/api/collections/tbl_auth_users/records/${id}`,
    prepare: async ({ logIn }) => {
      const token = await logIn(existingUser);
      return { token, id: JSON.parse(Buffer.from(token.split(".")[1], "base64url")).id };
    },
    headers: ({ token }) => ({ authorization: token }),
  },
  nativeAuthMethods: {
    // A token-less call of PocketBase's own that every client makes before it signs in.
    label: "native auth-methods, no token",
    group: "health",
    method: "GET",
    path: "/api/collections/tbl_auth_users/auth-methods",
  },
  hooksRefresh: {
    label: "hooks refresh-token",
    group: "auth",
    method: "POST",
    path: "/api/wechat/refresh-token",
    prepare: async ({ logIn }) => ({ token: await logIn(existingUser) }),
    headers: ({ token }) => ({ authorization: `Bearer ${token}` }),
  },
  loginExisting: {
    label: "hooks login, existing user",
    group: "auth",
    method: "POST",
    path: "/api/wechat/login",
    prepare: async ({ logIn }) => {
      await logIn(existingUser); // so that every measured login finds the user
      return {};
    },
    headers: () => json,
    // Same WeChat user every time: openid osim_benchexisting.
    body: (_, n, runTag) => ({ users_wx_code: `u-${existingUser}-${runTag}x${n}` }),
  },
  loginNew: {
    label: "hooks login, new user",
    group: "writes",
    method: "POST",
    path: "/api/wechat/login",
    headers: () => json,
    // A WeChat user never seen before on every request.
    body: (_, n, runTag) => ({ users_wx_code: `u-b${runTag}n${n}-1` }),
  },
  profile: {
    label: "hooks profile",
    group: "writes",
    method: "POST",
    path: "/api/wechat/profile",
    prepare: async ({ logIn }) => ({ token: await logIn("benchprofile") }),
    headers: ({ token }) => ({ ...json, authorization: `Bearer ${token}` }),
    body: (_, n, runTag) => ({ users_name: "压测用户", users_phone_code: `p-13800138000-${runTag}x${n}`, users_picture: "https://example.com/avatar.png" }),
  },
};

// The pool-size runs and the fresh-VM runs measure these two.
export const POOL_SCENARIO = "loginExisting";
export const FRESH_VM_SCENARIO = "hooksHealth";

export const benchHooks = () => Object.assign({}, ...Object.values(scenarios).map((scenario) => scenario.hook ?? {}));

// The cost as the user table grows (npm run bench -- --million): each runs against a copy of
// pb_data seeded with 1,000 users and one seeded with a million (bench/seed-users.mjs), alternating.
// prepare and body get the seeded count as context.seededUsers.
const randomSeededUser = (seededUsers) => `m${1 + Math.floor(Math.random() * seededUsers)}`;
export const growthScenarios = {
  growthLogin: {
    label: "login, a random existing user",
    method: "POST",
    path: "/api/wechat/login",
    prepare: ({ seededUsers }) => ({ seededUsers }),
    headers: () => json,
    body: ({ seededUsers }, n, runTag) => ({ users_wx_code: `u-${randomSeededUser(seededUsers)}-${runTag}x${n}` }),
  },
  growthRegistration: { ...scenarios.loginNew, label: "registration of a new user" },
  growthRefresh: {
    ...scenarios.hooksRefresh,
    label: "refresh-token of a seeded user",
    prepare: async ({ logIn, seededUsers }) => ({ token: await logIn(randomSeededUser(seededUsers)) }),
  },
  growthProfile: { ...scenarios.profile, label: "profile update" },
};
