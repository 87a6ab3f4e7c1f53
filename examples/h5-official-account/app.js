// The 公众号 H5 login, on POST /api/wechat/oa/login:
// 1. no code in the URL: go to WeChat's authorize page with snsapi_base (silent, no prompt);
// 2. back with ?code=&state=: check the state, then send the code to BAI;
// 3. 409 unionid_required (BAI doesn't know this openid, and a silent login gives no unionid to
//    find the person's mini-program account by): authorize again with snsapi_userinfo, which
//    asks the user, then log in with that code;
// 4. show the signed-in user. The session lives in sessionStorage, for this tab only.
(function () {
  "use strict";
  var config = window.BAI_H5;
  var STATE_KEY = "bai.h5.state";
  var SCOPE_KEY = "bai.h5.scope";
  var SESSION_KEY = "bai.h5.session";

  function $(id) {
    return document.getElementById(id);
  }

  function showStatus(text, isError) {
    $("status").textContent = text;
    $("status").className = isError ? "error" : "";
  }

  function showError(text) {
    showStatus(text, true);
    $("retry").hidden = false;
  }

  function showUser(session) {
    var user = session.user;
    showStatus("已登录");
    $("users-id").textContent = user.users_id;
    $("users-type").textContent = user.users_type;
    $("login-status").textContent = session.status;
    $("user").hidden = false;
    document.body.setAttribute("data-pb-id", user.pb_id);
  }

  function randomState() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // This page's own address, without the code and state WeChat added.
  function pageUrl() {
    var url = new URL(location.href);
    url.searchParams.delete("code");
    url.searchParams.delete("state");
    url.hash = "";
    return url.href;
  }

  // WeChat wants the parameters in this order, and #wechat_redirect at the end.
  function authorize(scope) {
    var state = randomState();
    sessionStorage.setItem(STATE_KEY, state);
    sessionStorage.setItem(SCOPE_KEY, scope);
    location.replace(
      config.authorizeBase + "/connect/oauth2/authorize" +
        "?appid=" + encodeURIComponent(config.appid) +
        "&redirect_uri=" + encodeURIComponent(pageUrl()) +
        "&response_type=code&scope=" + scope +
        "&state=" + state +
        "#wechat_redirect"
    );
  }

  function login(code, scope) {
    return fetch(config.apiBase + "/api/wechat/oa/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code: code, appid: config.appid }),
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.status === 200) {
          var session = { token: body.token, user: body.meta.data.user, status: body.meta.data.status };
          sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
          return showUser(session);
        }
        if (response.status === 409 && body.error === "unionid_required" && scope === "snsapi_base") return authorize("snsapi_userinfo");
        showError(body.msg || "登录失败");
      });
    });
  }

  function start() {
    var params = new URL(location.href).searchParams;
    var code = params.get("code");
    if (!code) {
      var saved = sessionStorage.getItem(SESSION_KEY);
      if (saved) return showUser(JSON.parse(saved));
      return authorize("snsapi_base");
    }
    var expectedState = sessionStorage.getItem(STATE_KEY);
    var scope = sessionStorage.getItem(SCOPE_KEY);
    sessionStorage.removeItem(STATE_KEY);
    // A reload must not send the used code again.
    history.replaceState(null, "", pageUrl());
    if (!expectedState || params.get("state") !== expectedState) return showError("登录请求已失效,请重新登录");
    login(code, scope).catch(function () {
      showError("网络错误,请重试");
    });
  }

  $("retry").addEventListener("click", function () {
    sessionStorage.removeItem(SESSION_KEY);
    authorize("snsapi_base");
  });
  start();
})();
