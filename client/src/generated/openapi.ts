// Generated from spec/openapi.yaml by client/scripts/generate-types.mjs. Do not edit.

export interface paths {
    "/api/system/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * 健康检查(GET,供监控使用)
         * @description 与 POST 相同。监控服务(UptimeRobot、Kubernetes 探针等)多用 GET 或 HEAD;HEAD 只有状态码。
         */
        get: operations["systemHealthGet"];
        put?: never;
        /**
         * 健康检查
         * @description 执行一次数据库查询(`SELECT 1`),成功即返回 healthy。
         */
        post: operations["systemHealth"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/system/test-helloworld": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * HelloWorld 测试接口
         * @description 返回固定问候语、当前时间、构建时间与版本号,用于确认部署的是哪一次构建。
         */
        post: operations["systemHelloWorld"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * 微信登录/注册合一
         * @description 使用 `wx.login()` 得到的临时凭证 code 调用微信 code2Session 换取 openid。
         *     若 `tbl_auth_users` 中不存在该 openid 的用户,则自动创建(`users_type` 为 `游客`,
         *     `users_id` 自动生成),随后返回 PocketBase 原生 auth 响应;业务结果在 `meta` 中。
         *
         *     处理顺序:校验 Content-Type → 解析 JSON → 校验 `users_wx_code` 与 `consents` → 检查服务端微信配置(及 `appid`) →
         *     同一 code 10 秒内重复提交不调用微信 → 调用微信 → 查找或创建用户。
         *     10 秒内重复提交的回答:微信已对该 code 给出错误码时,与第一次的回答完全相同(状态码与响应体,
         *     如 400 `wechat_code_used`、`wechat_code_invalid`);微信尚未答复或已接受该 code 时为 429。
         *     若与微信的通信失败(连接中断、超时、HTTP 错误、无法解析的应答,即 502/504),微信并未给出对该 code 的答复,
         *     可以立即用同一 code 重试,不会得到 429。
         *
         *     账号状态:`正常` 正常登录;`禁用` 返回 403;`注销中`(注销冷静期内)登录即撤销注销,账号恢复 `正常`,
         *     `meta.data.deletion_cancelled` 为 `true`、`msg` 为 `登录成功,已撤销账号注销`;但请求带
         *     `cancel_deletion: false`(客户端自行发起、并非用户主动的登录,如 SDK 在另一台设备上的自动续期)时不撤销,
         *     返回 403 `账号注销中,重新登录即可撤销注销`,不写入任何数据;`已注销` 的账号个人信息
         *     (含 openid)已清除,同一微信再次登录会注册一个新用户(`register_success`、新的 `users_id`、`游客`)。
         *
         *     **多个微信应用**(`appid`,见 `WECHAT_APPS`):每个 (appid, openid) 是用户的一个身份(`tbl_user_identities`)。
         *     身份已存在即为该用户;否则若微信返回 unionid 且恰有一个用户持有它,新身份关联到该用户(`status` 为 `linked`);
         *     两个及以上用户持有时返回 409 `account_conflict`,不写入任何数据,需管理员合并;都没有则注册新用户。
         *     同一人从两个应用同时首次登录,结果只有一个用户。
         *
         *     **注册策略**(`REGISTRATION_POLICY`,管理员可在 `tbl_settings` 中修改,见 `/api/wechat/phone-login`):
         *     只在要注册新用户时才读取。`open`(默认)照常注册;`phone_match`、`closed` 下未知身份返回 403
         *     `phone_login_required`(请改用手机号登录),不写入任何数据;`approval` 下注册一个 `待审核` 用户并返回 403
         *     `phone_login_required`,请用户以手机号登录以便管理员审核。`待审核` 的用户登录返回 403 `account_pending_approval`,
         *     不签发 token,直到管理员把状态改为 `正常`。
         *
         *     **邀请码**(`invite_code`,可选):在调用微信之前检查,不存在、已过期、已用完返回 400(`invite_code` 字段错误
         *     `invite_invalid`/`invite_expired`/`invite_used_up`),与登录者是谁无关。本次登录注册新用户时,有效邀请码在任何注册策略下都允许注册
         *     (状态 `正常`),用户加入邀请码的公司(`company_id`),并在同一事务中用掉一次;老用户登录不消耗邀请码。
         *
         *     **协议同意**:请求可带 `consents`(同 `POST /api/wechat/consents`),在调用微信之前校验(协议不存在 400,
         *     不是当前版本 409 并在 `data.documents` 给出当前版本);新用户的同意记录与账号在同一事务中写入,老用户的另行写入,
         *     同一版本不重复记录。每个登录应答的 `meta.data.consents_required` 列出用户尚需(重新)同意的协议。
         *
         *     **注册风险检测**(`RISK_CHECK`,默认 `off`):本次登录将创建新用户时(且仅此时;关联到已有用户的新身份、
         *     认领管理员创建的用户、注册策略拒绝的注册都不算),以该小程序的 appid 调用微信 getuserriskrank
         *     (scene 0、客户端 IP、openid)查询风险等级并保存在 `tbl_user_registrations`(仅管理员可见)、写入审计记录。`enforce` 时,
         *     等级不低于 `RISK_BLOCK_RANK`(默认 4)返回 403 `registration_refused`(`账号存在安全风险,暂时无法注册`),不创建用户;
         *     不低于 `RISK_REVIEW_RANK`(默认 3)时以 `待审核` 状态创建用户,回答与注册策略 `approval` 的新用户相同
         *     (403 `phone_login_required`;手机号登录为 `account_pending_approval`),由管理员审核。
         *     查询失败(超时、errcode -1、48001、61010 等)一律放行,等级记为 `未知`。老用户登录从不查询。
         *     风险等级是小程序的接口:经公众号或网站应用(`POST /api/wechat/oa/login`)注册的用户不查询。
         */
        post: operations["wechatLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/oa/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * 公众号网页(H5)与网站应用(扫码)登录
         * @description 公众号网页授权(`snsapi_base` / `snsapi_userinfo`)或网站应用扫码登录(`snsapi_login`)回到页面时带的 `code`,
         *     与该应用的 `appid` 一起提交。服务端调用微信 `sns/oauth2/access_token` 换取用户的 openid;
         *     授权范围允许(`snsapi_userinfo`、`snsapi_login`)且应答中没有 unionid 时,再调用 `sns/userinfo` 取 unionid。
         *     网页授权的 access_token 与 refresh_token 只在本次请求中使用,不保存、不记录日志、不返回。
         *     随后与 `/api/wechat/login` 一样查找或创建用户(同一人的各应用身份按 unionid 关联,见该接口说明),
         *     并以同样的 PocketBase 原生 auth 响应作答(`meta` 相同,`status` 为 `register_success`、`login_success` 或 `linked`)。
         *     协议同意与 `/api/wechat/login` 相同:请求可带 `consents`,新用户的同意记录与账号在同一事务中写入,
         *     应答的 `meta.data.consents_required` 列出尚需同意的协议。注册风险检测(`RISK_CHECK`)是小程序的接口,本接口注册的用户不查询。
         *
         *     处理顺序:校验 Content-Type → 解析 JSON → 校验 `code`、`consents`、`appid`(须为服务端 `WECHAT_APPS` 中配置的公众号
         *     `official_account` 或网站应用 `website`,否则 400 `validation_unknown_appid`,不调用微信)→
         *     同一 code 10 秒内重复提交返回 429(不调用微信)→ 调用微信 → 查找或创建用户。
         *
         *     - **静默授权找不到用户**:`snsapi_base` 不返回 unionid。该 openid 已是某用户的身份时正常登录;
         *       否则返回 409 `unionid_required`,不写入任何数据,页面应改用 `snsapi_userinfo` 重新发起授权后再登录
         *       (不会创建一个永远无法与其他应用关联的用户)。
         *     - **朋友圈快照页**:微信返回 `is_snapshotuser: 1`(虚拟账号)时返回 403 `snapshot_user`,不写入任何数据。
         *     - 微信判定 code 无效(40029)或已被使用(40163)时为 400,字段错误在 `code` 上;与微信通信失败为 502/504,
         *       可以立即用同一 code 重试。
         */
        post: operations["wechatOaLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/phone-login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * 手机号快捷登录(认领管理员创建的用户)
         * @description 一次点击 `<button open-type="getPhoneNumber">` 同时取得 `wx.login()` 的 code(`users_wx_code`)和手机号 code
         *     (`users_phone_code`)。先以 code2Session 确认 openid(及 unionid),再以微信手机号接口换取手机号,随后:
         *
         *     1. 该微信身份已有用户:按 `/api/wechat/login` 的规则登录(`login_success`,或经 unionid 关联的 `linked`);
         *        用户手机号为空时保存本次验证的手机号;不同时保留原手机号,`meta.data.phone_mismatch` 为 `true`。
         *     2. 否则,若恰有一个持有该手机号、且没有任何微信身份的用户(管理员创建的):**认领**该用户
         *        (`meta.data.status` 为 `claimed`):写入微信身份(主小程序时也写入 `openid`),保留其 `users_id`、公司、姓名,
         *        在 `tbl_user_registrations` 记录认领时间(`claimed_at`),写审计事件 `account_claimed`。`禁用` 的用户不会被认领(403)。
         *        两个及以上这样的用户:409 `duplicate_phone_users`,需管理员删除重复记录;
         *        持有该手机号的用户已有其他微信身份:409 `phone_in_use`(手机号会被运营商回收再分配,绝不只凭手机号合并账号)。
         *        两种 409 都不写入任何数据,也不透露这些用户的任何信息。
         *     3. 否则按注册策略:`open` 注册新用户(带手机号,`register_success`);`phone_match` 返回 403 `phone_not_registered`、
         *        `closed` 返回 403 `registration_closed`,都不写入任何数据;`approval` 注册一个带手机号的 `待审核` 用户并返回 403
         *        `account_pending_approval`。有效的 `invite_code` 在任何策略下都允许注册(见 `/api/wechat/login`)。
         *
         *     **先校验,后计费**:微信手机号接口按次计费,因此 Content-Type、JSON、字段、`appid`、邀请码、登录 code 的重复提交检查、
         *     code2Session,以及已知用户的账号状态(`禁用` 403、已有手机号的 `待审核` 403、`cancel_deletion: false` 时的 `注销中` 403)
         *     全部通过后才调用手机号接口;任何一步失败都不调用它、不写入任何数据。
         *     微信对 `users_wx_code` 的错误码落在 `users_wx_code` 字段,对 `users_phone_code` 的落在 `users_phone_code` 字段。
         *     code2Session 成功后登录 code 即已用掉:失败后重试需要新的 `wx.login()` code 和新的手机号 code。
         *
         *     **手机号格式**:中国大陆号码为 11 位数字,不带区号;其他国家和地区为 `+<区号><号码>`(如 `+85261234567`),
         *     与 `/api/wechat/profile` 相同;境外号码永远不会与 11 位的大陆号码相同。管理员创建用户时须按此格式填写手机号。
         *
         *     同一个管理员创建的用户被两个不同的微信同时认领:恰有一个成功(200 `claimed`),另一个为 409 `phone_in_use`。
         *
         *     协议同意(`consents`、`meta.data.consents_required`)与注册风险检测(`RISK_CHECK`,仅在注册新用户时)与
         *     `/api/wechat/login` 相同;`consents` 与其他字段一起在调用微信之前校验。
         */
        post: operations["wechatPhoneLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/profile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * 更新微信用户资料
         * @description 以 `Authorization: Bearer <token>` 识别当前用户,提交姓名、手机号凭证与头像。
         *     后端用 `users_phone_code` 调用微信 getuserphonenumber 换取真实手机号后写入 `users_phone`
         *     (中国大陆号码不带区号,其他地区带区号,如 `+85261234567`),姓名去掉首尾空白后保存。
         *
         *     **校验先于计费调用**:微信手机号接口按次计费,因此依次校验 token → Content-Type → JSON →
         *     三个字段 → 头像地址(指向本服务文件的地址必须是当前用户有效的上传头像)→ 姓名的内容安全检测,
         *     全部通过后才调用微信手机号接口;任何一步失败都不调用该接口、不修改数据。
         *     保存时再次检查账号状态:等待微信手机号期间账号被禁用、发起注销(`注销中`)或已注销时,
         *     分别返回 403、403、410,不修改数据。
         *
         *     **姓名内容安全**(`WECHAT_NICKNAME_CHECK`,默认开启):以微信 msgSecCheck(v2,scene 1,当前用户 openid)检测
         *     `users_name`:`risky` 返回 400(`users_name` 字段错误 `content_risky`);`review` 照常保存并标记供人工复核;
         *     微信检测失败或超时时,按 `WECHAT_CONTENT_CHECK_FAILURE`:`open`(默认)照常保存并标记,`closed` 返回 503。
         *
         *     **头像**:`users_picture` 为 `/api/wechat/avatar` 返回的地址时,该上传成为当前头像,原上传头像随即删除。
         *
         *     **`users_type` 规则**:当且仅当用户当前为 `游客`,且本次更新前 `users_name`、`users_phone`、
         *     `users_picture` 三项全部为空、本次更新后三项全部有值时,`users_type` 变为 `注册用户`;
         *     之后的任何资料修改都不会再改变 `users_type`(三项原本部分有值的游客也保持 `游客`)。
         */
        post: operations["wechatProfile"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/profile/fields": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * 部分更新微信用户资料
         * @description 与 `/api/wechat/profile` 相同,但只更新提交的字段:请求体为 `users_name`、`users_picture`、`users_phone_code`
         *     中任意非空子集,未提交的字段保持原值;其他字段会被忽略。适合小程序逐项填写资料(如先选头像,再填昵称,最后授权手机号)。
         *
         *     每个提交的字段的校验、顺序与 `/api/wechat/profile` 完全相同(token → Content-Type → JSON → 字段 → 头像地址 →
         *     姓名内容安全 → 微信手机号接口),任何一步失败都不修改数据。**只有提交了 `users_phone_code` 时才调用(并计费)
         *     微信手机号接口**;只提交 `users_name` 时只做姓名内容安全检测;只提交 `users_picture` 时不调用微信。
         *     一个已知字段都没有提交(包括空请求体 `{}`)时返回 400,`data` 中三个字段均为 `validation_required`。
         *     提交的字段为 null 或空字符串时与 `/api/wechat/profile` 一样返回该字段的 `validation_required`。
         *
         *     账号状态(禁用 403、注销中 403、已注销 410)在保存时于事务中再次检查;保存时只写入提交的字段,
         *     请求期间管理员对其他字段的修改不会被覆盖。
         *
         *     **`users_type` 规则**:用户当前为 `游客`,且本次更新前 `users_name`、`users_phone`、`users_picture`
         *     三项不全有值、本次更新后三项全部有值时,`users_type` 变为 `注册用户`(即三项第一次全部填齐的那次更新);
         *     之后的修改不再改变 `users_type`。
         */
        post: operations["wechatProfileFields"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/refresh-token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * 刷新 PocketBase 原生 token
         * @description 用仍然有效的 token 换取一个新的 PocketBase 原生 auth token,并返回当前用户信息。
         *     本接口没有请求体(即使传了也会被忽略),不调用微信。
         *     超级管理员签发的模拟登录(impersonate)token 不可刷新,与 PocketBase 自带的 auth-refresh 一致。
         */
        post: operations["wechatRefreshToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * 退出登录
         * @description 使 token 失效。`scope` 为 `current`(默认)时只有本次请求所带的 token 失效,同一用户在其他设备上的
         *     token 不受影响(如手机与电脑上的微信);为 `all` 时该用户已签发的全部 token 一并失效。
         *     失效的 token 在所有接受 token 的地方都返回 401 或按未登录处理:本文档的接口,以及 PocketBase 自带的接口
         *     (查看自己的记录、`auth-refresh`、realtime 订阅;已建立的 realtime 连接随即变为未登录)。
         *     请求体可省略;同一 token 再次退出登录,或使用已失效的 token,返回 401。
         */
        post: operations["wechatLogout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/delete-account": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * 注销账号
         * @description 为当前用户发起注销,该用户的全部 token 立即失效。本接口没有请求体(即使传了也会被忽略)。
         *
         *     - 注销冷静期由服务端 `ACCOUNT_DELETION_COOLOFF_DAYS` 设定(默认 15 天):期间 `users_status` 为 `注销中`,
         *       `data.deletion_due` 为到期时间;期间用同一微信重新登录即撤销注销(见登录接口的 `deletion_cancelled`)。
         *     - 到期后由定时任务清除个人信息:`users_name`、`users_phone`、`users_picture`、`openid`、`unionid`
         *       及该用户的文件,`users_status` 变为 `已注销`。用户记录与 `users_id` 保留,以便业务数据的引用不断。
         *     - 冷静期为 0 时立即清除,`data.status` 为 `account_deleted`。
         */
        post: operations["wechatDeleteAccount"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/identities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * 当前用户的微信身份
         * @description 当前用户在各个微信应用(小程序、公众号网页、网站应用、移动应用)下的身份。openid 只给出掩码,unionid 只说有无。
         */
        get: operations["listIdentities"];
        put?: never;
        /**
         * 绑定另一个微信应用的身份
         * @description 已登录用户绑定另一个微信应用的身份:小程序用它的 `wx.login` code,公众号网页或网站应用用它的网页授权 code
         *     (静默授权 `snsapi_base` 也可,绑定不需要 unionid)。之后从该应用登录即为当前用户。
         *     身份已属于当前用户:200,`status` 为 `already_bound`,不做修改。身份或微信返回的 unionid 属于另一个账号:
         *     409 `bind_conflict`,不会切换账号;如为同一人,由管理员合并用户。
         */
        post: operations["bindIdentity"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/identities/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * 解绑一个微信身份
         * @description 不是当前用户的身份:404 `identity_not_found`。账号唯一的身份且账号未绑定手机号:409 `last_identity`
         *     (否则再也无法登录)。解绑主小程序的身份时,用户的 `openid` 一并清空。
         */
        delete: operations["unbindIdentity"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/admin/merge-users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * 管理员合并两个用户(B 并入 A)
         * @description 仅限 superuser(管理后台的 token)。在一个事务中:B 的全部微信身份,以及任何集合中指向 B 的关联字段,
         *     改为指向 A;A 为空的字段(姓名、手机号、头像、公司、openid、unionid)取 B 的值;B 按注销流程抹除
         *     (`已注销`);A、B 的 token 全部失效;写入一条审计事件 `users_merged`。
         *     拒绝时不写入任何数据:同一用户(400 `merge_same_user`);任一用户不存在(404);任一为 `注销中` 或 `已注销`
         *     (409 `merge_refused_status`);两人的手机号或 unionid 不同且 `winners` 未指明保留哪一方(409 `merge_conflict`)。
         */
        post: operations["mergeUsers"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/avatar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * 上传头像
         * @description 接收 `wx.uploadFile` 上传的头像(`<button open-type="chooseAvatar">` 得到的临时文件):
         *     `wx.uploadFile({url: '<服务地址>/api/wechat/avatar', filePath, name: 'file', header: {Authorization: 'Bearer <token>'}})`。
         *     请求体为 `multipart/form-data`,文件在 `file` 字段;`formData` 中的其他字段会被忽略。
         *
         *     - **只看文件内容**:按文件头识别 JPEG、PNG、WebP、GIF,不看文件名与声明的 Content-Type;
         *       其他内容 400,文件超过 2 MB 为 413(整个请求体上限 2 MB + 64 KB),均不保存任何数据。
         *     - **像素上限**:按文件头中声明的宽高,每边最多 2048 像素、长边不超过短边的 20 倍
         *       (`chooseAvatar` 在手机上给出 132×132 的图片),超出为 400(`validation_image_dimensions`);
         *       文件头残缺或损坏为 400(`validation_invalid_image`)。
         *     - **元数据不保存**:保存的文件去掉 Exif(含 GPS 位置、设备型号)、XMP、注释等元数据,
         *       只保留显示所需的色彩信息与 JPEG 的方向(orientation)。
         *     - **账号状态以写入时为准**:文件上传途中账号被禁用(403)、进入注销冷静期(403)或已注销(410)时,
         *       不保存任何数据,也不提交微信内容安全检测。
         *     - **返回 `data.url`**:可直接用于 `<image src>`(无需 Authorization),并作为 `/api/wechat/profile` 的
         *       `users_picture` 提交。地址基于 PocketBase 的 *Settings → Application → Application URL*
         *       (经 `/pb` 反向代理部署时应设为 `https://<域名>/pb`)。
         *     - **上传不修改 `users_picture`**:只有资料接口提交该地址后才成为头像(`users_type` 规则要求姓名、手机号、
         *       头像在同一次资料更新中从全空变为全有)。
         *     - **只保留在用的文件**:资料换用新头像时删除旧头像文件;上传后 24 小时内未用于资料的文件被自动删除;
         *       每个用户最多保留 3 个未使用的上传(再上传会删除最早的一个);每个用户每小时最多上传 20 次(429)。
         *     - **内容安全**(`WECHAT_AVATAR_CHECK`,默认开启,需配置消息推送):上传后以微信 mediaCheckAsync 提交图片地址,
         *       结果经 `/api/wechat/push` 异步送达;判定违规时头像从资料中移除。提交失败时按 `WECHAT_CONTENT_CHECK_FAILURE`:
         *       `open`(默认)照常返回,`closed` 返回 503 且不保存。
         */
        post: operations["wechatAvatar"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/records/{collection}/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * 更新记录(PocketBase 原生更新,供 wx.request 使用)
         * @description 与 PocketBase 自带的 `PATCH /api/collections/{collection}/records/{id}` **完全相同**,只是方法为 `POST`:
         *     `wx.request` 没有 `PATCH`,`wx.uploadFile` 总是以 `POST` 发送 `multipart/form-data`。
         *     服务端把请求原样(请求体、请求头含 `Authorization`、查询参数、客户端 IP)改为 `PATCH` 交给 PocketBase 自己的路由处理,
         *     因此:集合的更新规则(`updateRule`,含 `@request.body`、`@request.auth`)、字段校验、隐藏字段与系统字段的保护、
         *     字段修饰符(`field+`、`+field`、`field-`)、文件上传、集合的请求体上限与限流、`onRecordUpdateRequest` 等 hooks、
         *     realtime 事件,以及查询参数 `expand`、`fields`,都与原生接口一致。
         *     **更新规则为 null(仅超级管理员)的集合,非超级管理员一律 403**,本接口不会绕过。
         *
         *     **响应是 PocketBase 的原生格式,不是 `{code, msg, data}`**:成功时为记录本身(200),
         *     失败时为 PocketBase 的错误 `{status, message, data}`(`data` 为字段错误 `{<字段名>: {code, message}}` 或 `{}`)。
         *     规则不满足或记录不存在时为 404(与原生接口相同,不区分两者)。
         *
         *     请求体:`application/json`,或 `multipart/form-data`(文件字段用字段名作为 part 名,可多个;
         *     其余字段为普通文本 part,或一个名为 `@jsonPayload` 的 JSON part)。
         *     鉴权:可选,`Authorization: Bearer <token>`(或不带 `Bearer` 的 token),与原生接口相同;
         *     以 `current` 方式退出登录的 token 按未登录处理。
         */
        post: operations["recordUpdate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/push": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * 消息推送地址验证(微信服务器调用)
         * @description 在小程序管理后台「开发 → 开发管理 → 消息推送」保存服务器地址 `https://<域名>/pb/api/wechat/push` 时,
         *     微信服务器发来的验证请求:`signature` 为 Token、`timestamp`、`nonce` 按字典序排序拼接后的 SHA-1。
         *     签名正确且 `timestamp` 与服务器时间相差不超过 300 秒时原样返回 `echostr`(text/plain)。
         *     验证请求同样用掉它的 `timestamp`+`nonce`:同一验证请求再次发来,或以它的签名发来的 POST,均为 401 `重复的推送`。
         *     服务端未设置 `WECHAT_PUSH_TOKEN` 时为 503。不是给小程序调用的接口。
         */
        get: operations["wechatPushHandshake"];
        put?: never;
        /**
         * 接收消息推送事件(微信服务器调用)
         * @description 微信服务器推送的事件,数据格式须选 JSON。目前处理 `wxa_media_check`(头像内容安全异步检测结果,按 `trace_id`
         *     匹配上传的头像:`risky` 时从所有显示该头像的用户资料中移除头像、删除文件并标记「头像违规」,`users_type` 不变;
         *     `review` 标记「头像待复核」),其他事件直接应答 `success`。
         *
         *     - **明文模式**(未设置 `WECHAT_PUSH_AES_KEY`):查询参数 `signature`、`timestamp`、`nonce`,签名同 GET;
         *       请求体为事件 JSON。明文模式的签名不覆盖请求体,建议使用安全模式。
         *     - **安全模式**(设置了 `WECHAT_PUSH_AES_KEY`,即 EncodingAESKey):查询参数除 `signature`(微信在两种模式下都会发送,
         *       安全模式下同样必填)外另有 `encrypt_type=aes` 与
         *       `msg_signature`(Token、timestamp、nonce、`Encrypt` 四项排序拼接的 SHA-1);请求体 `{ToUserName, Encrypt}`,
         *       `Encrypt` 以 AES-256-CBC 解密(密钥为 EncodingAESKey 补 `=` 后 Base64 解码的 32 字节,IV 取其前 16 字节,
         *       PKCS#7 补位到 32 字节),明文中的 appid 必须是本小程序的 `WECHAT_APPID`。只接受服务端配置的那一种模式。
         *     - **校验顺序**:`timestamp`(相差超过 300 秒即 401)→ 查询参数中的 `signature` → 读取请求体 → `timestamp`+`nonce`
         *       → 模式 → `msg_signature` 与解密。`signature` 不符的请求不读取请求体。
         *     - **防重放**:`signature` 通过的请求(包括地址验证的 GET,以及之后因模式、请求体、`msg_signature` 等原因被拒绝
         *       或请求体未收完的请求)都会用掉它的 `timestamp`+`nonce`,此后同一对的任何请求均为 401 `重复的推送`;
         *       记录保存在数据库中,重启后依然有效。
         *       处理失败(500)时,只有请求体完全相同的重试(即微信的重试)可以再次送达一次。
         *     - 请求体上限 64 KB;请求头到达后 5 秒内未收完请求体的,返回 408 并断开连接。
         */
        post: operations["wechatPushEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/consents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * 查询协议同意状态
         * @description 服务端配置的每份协议(`CONSENT_DOCUMENTS`,如 `user_agreement` 用户协议、`privacy_policy` 隐私政策):
         *     当前版本与地址、当前用户同意的版本与时间,以及现在是否需要(重新)同意。
         *     `consent_required` 为 `true` 表示用户从未同意、已撤回,或同意的不是当前版本(协议已更新)。
         *     `enforced` 为 `true`(服务端 `CONSENT_ENFORCEMENT=on`)时,修改资料与上传头像在同意全部当前版本前返回 428。
         */
        get: operations["wechatConsents"];
        put?: never;
        /**
         * 同意或撤回协议
         * @description 记录当前用户对所列协议的同意(`action` 省略或为 `agree`)或撤回(`withdraw`)。每条记录写入只增不改的同意记录
         *     (`bai_consents`):用户、协议、版本、同意或撤回、发生位置(`source`)、小程序 appid、客户端 IP 与时间,
         *     并写入审计记录。全部校验通过才写入,一次请求中的各项在同一事务中写入。
         *
         *     - 协议不存在:400,`data.consents.code` 为 `consent_document_unknown`;
         *     - 同意的不是当前版本:409,`data.documents` 为这些协议的当前版本与地址,小程序应展示新版本后再请求同意;
         *     - 再次同意已同意的同一版本、撤回并未同意的协议:不写入任何记录,照常返回 200;
         *     - 撤回时 `version` 可省略,记录的是被撤回的版本。
         *
         *     返回各协议的最新状态(同查询接口)。
         */
        post: operations["wechatGiveConsents"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/my-data": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * 导出我的个人数据
         * @description 以一个 JSON 文档返回服务端保存的当前用户的全部数据(个人信息查阅、复制权):资料、账号状态(含内容安全标记、
         *     注册时的微信风险等级)、登录身份(openid/unionid 脱敏)、协议同意记录、审计记录(保留期内)、上传头像的地址。
         *     不含其他用户的数据(管理员操作的事件不含管理员身份与 IP),不含任何 token、code 或密钥。
         *     每次导出写入审计记录;同一 IP 每 60 秒最多 20 次(PocketBase 限流规则 `GET /api/wechat/my-data`)。
         */
        get: operations["wechatMyData"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/wechat/admin/audit-export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * 导出审计记录(仅超级管理员)
         * @description 导出一段时间内的审计记录(`bai_audit_events`,默认保留 180 天,`AUDIT_RETENTION_DAYS`),按时间从早到晚,
         *     CSV(默认,UTF-8 带 BOM,可直接用 Excel 打开)或 JSON,作为附件下载。需要超级管理员 token
         *     (`POST /api/collections/_superusers/auth-with-password` 取得,放在 `Authorization` 请求头);
         *     小程序用户的 token 为 403。每次导出本身写入审计记录(`audit_exported`)。不是给小程序调用的接口。
         *
         *     ```sh
         *     TOKEN=$(curl -s -X POST https://<域名>/pb/api/collections/_superusers/auth-with-password \
         *       -H 'Content-Type: application/json' -d '{"identity":"<email>","password":"<password>"}' | jq -r .token)
         *     curl -s -H "Authorization: $TOKEN" -o audit-2026-11.csv \
         *       'https://<域名>/pb/api/wechat/admin/audit-export?from=2026-11-01&to=2026-12-01&format=csv'
         *     ```
         */
        get: operations["adminAuditExport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description 统一响应结构(成功响应)。 */
        ApiResponse: {
            /**
             * @description 业务状态码,与 HTTP 状态码一致
             * @example 200
             */
            code: number;
            /**
             * @description 响应消息,语言按请求头 `Accept-Language`(`zh-CN` 默认,或 `en`,见 `ErrorResponse`)
             * @example 操作成功
             */
            msg: string;
            /** @description 响应数据 */
            data: Record<string, never>;
        };
        /**
         * @description 统一错误响应结构,所有非 2xx 响应都使用它(`/api/wechat/records/{collection}/{id}` 除外,它回答 PocketBase 原生格式)。
         *     键的顺序固定为 `code`、`error`、`msg`、`message`、`data`。
         *
         *     **语言**:`msg`、`message` 与字段错误的 `message` 按请求头 `Accept-Language` 选择简体中文(`zh-CN`,默认)或英文(`en`),
         *     支持 q 值(如 `en;q=0.9, zh-CN;q=0.8`);缺少、无法识别、格式错误或超过 256 个字符的请求头一律按 `zh-CN` 回答,
         *     与引入语言选择之前逐字节相同。所有响应(含成功响应)都带 `Content-Language`(`zh-CN` 或 `en`)与 `Vary: Accept-Language`。
         *     程序应依据 `error`(及字段错误的 `code`)判断,不要比较 `msg` 的文字。
         */
        ErrorResponse: {
            /**
             * @description 与 HTTP 状态码相同
             * @example 400
             */
            code: number;
            /**
             * @description 程序可据以区分的稳定错误标识(snake_case),每个错误响应都有,取值只会增加、不会改变含义:
             *     - 400:`invalid_fields`(字段错误,见 `data`)、`malformed_json`、`body_not_an_object`、
             *       `wechat_code_invalid`、`wechat_code_used`、`wechat_code_blocked`(微信判定登录 code 无效、已使用、用户有风险)、
             *       `wechat_code_wrong_app`(手机号 code 不是本小程序签发的)、`merge_same_user`、
             *       `malformed_multipart`、`file_missing`、`file_empty`、`too_many_files`、`image_type_unsupported`、`image_unreadable`、
             *       `image_dimensions_exceeded`(上传头像;`data.file` 给出字段错误)、
             *       `push_wrong_mode`、`push_unreadable`、`push_undecryptable`(消息推送)
             *     - 401:`missing_token`(没有 `Authorization` 请求头)、`invalid_token`(token 无法使用,见 `Unauthorized`)、
             *       `push_unsigned`、`push_bad_signature`、`push_stale`、`push_replayed`(消息推送)
             *     - 403:`account_disabled`(账号已禁用)、`account_deletion_pending`(账号注销中,用户本人重新登录即可撤销)、
             *       `snapshot_user`(朋友圈快照页)、`superuser_required`(仅限管理员)、
             *       `account_pending_approval`(账号待管理员审核,`待审核`,不签发 token)、
             *       `auth_rule_refused`(账号不满足管理员设置的 Auth rule,不签发 token)、
             *       `phone_login_required`(注册策略要求改用手机号登录 `/api/wechat/phone-login`)、
             *       `phone_not_registered`(`phone_match` 下该手机号没有管理员创建的用户)、
             *       `registration_closed`(注册策略 `closed`)、`registration_refused`(注册风险检测 `RISK_CHECK=enforce` 判定风险过高)
             *     - 404:`user_not_found`、`identity_not_found`
             *     - 405:`method_not_allowed`;408:`request_timeout`
             *     - 409:`account_conflict`、`unionid_required`、`bind_conflict`、`last_identity`、`merge_refused_status`、`merge_conflict`、
             *       `phone_in_use`(该手机号属于已有其他微信身份的用户)、`duplicate_phone_users`(该手机号对应多个管理员创建的用户)、
             *       `consent_version_stale`(同意的不是协议的当前版本,`data.documents` 见 `ConsentErrorResponse`)
             *     - 410:`account_deleted`(账号已注销)
             *     - 428:`consent_required`(须先同意协议的当前版本,`data.documents` 见 `ConsentErrorResponse`)
             *     - 413:`payload_too_large`、`avatar_too_large`;415:`unsupported_media_type`、`multipart_required`
             *     - 429:`duplicate_login_code`、`rate_limited`(PocketBase 限流)、`wechat_rate_limited`(微信 45011)、`avatar_rate_limited`
             *     - 500:`wechat_not_configured`、`wechat_misconfigured`、`internal_error`
             *     - 502:`wechat_unavailable`;504:`wechat_timeout`
             *     - 503:`database_unavailable`、`wechat_access_token_refreshing`、`wechat_access_token_budget_spent`、
             *       `content_check_unavailable`、`push_not_configured`
             *
             *     账号不可用(应结束会话、不再自动重新登录)只看 `error`:`account_disabled`、`account_deletion_pending`、`account_deleted`、`auth_rule_refused`。
             * @enum {string}
             */
            error: "invalid_fields" | "malformed_json" | "body_not_an_object" | "wechat_code_invalid" | "wechat_code_used" | "wechat_code_blocked" | "wechat_code_wrong_app" | "missing_token" | "invalid_token" | "account_disabled" | "account_deletion_pending" | "account_deleted" | "account_pending_approval" | "auth_rule_refused" | "phone_login_required" | "phone_not_registered" | "registration_closed" | "registration_refused" | "phone_in_use" | "duplicate_phone_users" | "consent_version_stale" | "consent_required" | "identity_not_found" | "bind_conflict" | "last_identity" | "merge_same_user" | "merge_refused_status" | "merge_conflict" | "superuser_required" | "account_conflict" | "unionid_required" | "snapshot_user" | "user_not_found" | "method_not_allowed" | "request_timeout" | "payload_too_large" | "unsupported_media_type" | "duplicate_login_code" | "rate_limited" | "wechat_rate_limited" | "wechat_not_configured" | "wechat_misconfigured" | "internal_error" | "wechat_unavailable" | "wechat_timeout" | "database_unavailable" | "wechat_access_token_refreshing" | "wechat_access_token_budget_spent" | "content_check_unavailable" | "multipart_required" | "malformed_multipart" | "file_missing" | "file_empty" | "too_many_files" | "image_type_unsupported" | "image_unreadable" | "image_dimensions_exceeded" | "avatar_too_large" | "avatar_rate_limited" | "push_not_configured" | "push_unsigned" | "push_bad_signature" | "push_stale" | "push_replayed" | "push_wrong_mode" | "push_unreadable" | "push_undecryptable";
            /**
             * @description 错误说明,语言见上(`zh-CN` 或 `en`);微信自己的 errmsg 从不出现在这里,也不翻译
             * @example 参数错误
             */
            msg: string;
            /**
             * @description 与 `msg` 相同。PocketBase 的 JS SDK 读这个字段(`ClientResponseError.message`)
             * @example 参数错误
             */
            message: string;
            /** @description 通常为 `{}`;400 与 `merge_conflict`(409)时可能为字段错误 `{<字段名>: FieldProblem}` */
            data: {
                [key: string]: components["schemas"]["FieldProblem"];
            };
        };
        /** @description 用户的一个微信身份(openid 为掩码) */
        IdentityView: {
            id: string;
            /** @enum {string} */
            kind: "miniprogram" | "official_account" | "website" | "app";
            appid: string;
            openid_masked: string;
            has_unionid: boolean;
            first_login: string;
            last_login: string;
        };
        /** @description 单个字段的错误 */
        FieldProblem: {
            /**
             * @description 错误代码:
             *     - `validation_required`:字段缺失、为 null、为空字符串(姓名为全空白)
             *     - `validation_invalid_type`:不是字符串
             *     - `validation_too_long`:超过长度上限
             *     - `validation_invalid_format`:不是合法的微信 code(只允许 `A-Za-z0-9_-`)
             *     - `validation_invalid_characters`:姓名含控制字符或不可见字符
             *     - `validation_invalid_url`:不是 http(s) 图片地址
             *     - `validation_invalid_value`:不是允许的取值(退出登录的 `scope` 只能是 `current` 或 `all`)
             *     - `wechat_code_invalid`:微信返回 40029,code 无效或已过期
             *     - `wechat_code_used`:微信返回 40163,code 已被使用
             *     - `wechat_code_blocked`:微信返回 40226,用户存在风险被拦截
             *     - `avatar_not_found`:`users_picture` 指向本服务的文件地址,但不是当前用户有效的上传头像(已过期、已替换、属于他人或被判违规)
             *     - `validation_invalid_image`:上传的文件不是 JPEG、PNG、WebP 或 GIF 图片,或文件已损坏、不完整(`file`)
             *     - `validation_image_dimensions`:上传的图片尺寸超出限制:每边最多 2048 像素,长边不超过短边的 20 倍(`file`)
             *     - `validation_too_many_files`:上传了多个 `file`
             *     - `content_risky`:微信内容安全(msgSecCheck)判定 `users_name` 违规
             *     - `wechat_code_wrong_app`:微信手机号接口返回 40013,手机号 code 不是本小程序(appid)签发的
             *     - `validation_unknown_appid`:`appid` 不是服务端配置的、该接口可用的微信应用
             *     - `merge_conflict`:合并用户时两个用户的该字段不同,需在 `winners` 中指明保留 `into` 或 `from` 的值
             *     - `invite_invalid`:邀请码不存在(或格式不对);`invite_expired`:邀请码已过期;`invite_used_up`:邀请码已用完
             *     - `consent_document_unknown`:`consents` 中的协议不是服务端配置的协议
             *
             *     `wechat_code_*` 都表示这个 code 不能再用:小程序应重新调用 `wx.login`(或重新请求手机号授权)取得新 code;
             *     公众号/网站页面应重新发起网页授权(字段为 `code`)。
             *     与微信的通信中断(502/504)后用同一个 code 重试,微信可能已处理过它,此时返回 `wechat_code_used`(登录)
             *     或 `wechat_code_invalid`(手机号)。
             * @example validation_required
             * @enum {string}
             */
            code: "validation_required" | "validation_invalid_type" | "validation_too_long" | "validation_invalid_format" | "validation_invalid_characters" | "validation_invalid_url" | "validation_invalid_value" | "wechat_code_invalid" | "wechat_code_used" | "wechat_code_blocked" | "avatar_not_found" | "validation_invalid_image" | "validation_image_dimensions" | "validation_too_many_files" | "content_risky" | "wechat_code_wrong_app" | "validation_unknown_appid" | "merge_conflict" | "invite_invalid" | "invite_expired" | "invite_used_up" | "consent_document_unknown";
            /**
             * @description 说明,语言与 `msg` 相同(`Accept-Language`,见 `ErrorResponse`)
             * @example 不能为空
             */
            message: string;
        };
        /** @description 空对象 `{}` */
        EmptyObject: Record<string, never>;
        HealthData: {
            /**
             * @example healthy
             * @constant
             */
            status: "healthy";
            /**
             * Format: date-time
             * @description 服务器当前时间(ISO 8601,UTC)
             * @example 2026-03-19T02:00:00.000Z
             */
            timestamp: string;
        };
        HelloWorldData: {
            /**
             * @example Hello, World!
             * @constant
             */
            message: "Hello, World!";
            /**
             * Format: date-time
             * @description 服务器当前时间(ISO 8601,UTC)
             * @example 2026-03-19T02:00:00.000Z
             */
            timestamp: string;
            /**
             * @example success
             * @constant
             */
            status: "success";
            /**
             * Format: date-time
             * @description 构建 hooks 包的时间(ISO 8601,UTC);目前构建脚本总会写入,null 仅为兼容保留
             * @example 2026-03-18T08:30:00.000Z
             */
            build_time: string | null;
            /**
             * @description 应用版本号(语义化版本,取自 package.json)
             * @example 0.2.0
             */
            version: string;
        };
        /** @description 用户所属公司(来自 `tbl_company`),各字段未填写时为空字符串 */
        CompanyInfo: {
            /**
             * @description 公司编号(业务主键)
             * @example C10001
             */
            company_id: string;
            /**
             * @description 公司名称
             * @example 示例科技有限公司
             */
            company_name: string;
            /**
             * @description 公司类型
             * @example 科技服务
             */
            company_type: string;
            /**
             * @description 法人代表
             * @example 李四
             */
            company_entity: string;
            /**
             * @description 统一社会信用代码
             * @example 91330100XXXXXXXXXX
             */
            company_usci: string;
            /**
             * @description 国家/地区
             * @example 中国
             */
            company_nationality: string;
            /**
             * @description 省份
             * @example 浙江省
             */
            company_province: string;
            /**
             * @description 城市
             * @example 杭州市
             */
            company_city: string;
            /**
             * @description 邮政编码
             * @example 310000
             */
            company_postalcode: string;
            /**
             * @description 详细地址
             * @example 某某大道 100 号
             */
            company_add: string;
            /**
             * @description 公司状态
             * @example 正常
             */
            company_status: string;
            /**
             * @description 公司等级
             * @example A
             */
            company_level: string;
            /**
             * @description 备注
             * @example 重点合作客户
             */
            company_remark: string;
        };
        /** @description 用户信息(由 `tbl_auth_users` 记录整理而来);未填写的字符串字段为空字符串 */
        UserInfo: {
            /**
             * @description PocketBase 记录 id
             * @example abc123xyz456789
             */
            pb_id: string;
            /**
             * @description 用户编号,`U` + 注册日期(北京时间 YYYYMMDD)+ 当日序号(至少 4 位)
             * @example U202603190001
             */
            users_id: string;
            /**
             * @description 用户类型。
             *     - `游客`:仅完成微信新号注册,尚未首次完整补充 `users_name`、`users_phone`、`users_picture`
             *     - `注册用户`:用户曾从“三项资料均为空”首次补充为“三项资料均完整”
             * @example 游客
             * @enum {string}
             */
            users_type: "游客" | "注册用户";
            /**
             * @description 用户姓名
             * @example 张三
             */
            users_name: string;
            /**
             * @description 手机号:中国大陆号码为 11 位数字,不带区号;其他国家和地区为 `+<区号><号码>`(如 `+85261234567`)
             * @example 13800138000
             */
            users_phone: string;
            /**
             * @description 脱敏手机号;11 位及以上保留前 3 位和后 4 位,未绑定手机号时为空字符串
             * @example 138****8000
             */
            users_phone_masked: string;
            /**
             * @description 用户头像 URL
             * @example https://example.com/avatar.png
             */
            users_picture: string;
            /**
             * @description 微信小程序 openid
             * @example oAbCdEfGh123456789
             */
            openid: string;
            /**
             * @description 所属公司编号,未关联公司时为空字符串
             * @example C10001
             */
            company_id: string;
            /** @description 所属公司信息;`company_id` 为空或在 `tbl_company` 中找不到时为 null */
            company: components["schemas"]["CompanyInfo"] | null;
            /**
             * @description 创建时间,PocketBase 日期时间格式(UTC,`YYYY-MM-DD HH:mm:ss.SSSZ`)
             * @example 2026-03-19 10:00:00.000Z
             */
            created: string;
            /**
             * @description 更新时间,PocketBase 日期时间格式(UTC,`YYYY-MM-DD HH:mm:ss.SSSZ`)
             * @example 2026-03-19 10:00:00.000Z
             */
            updated: string;
        };
        /** @description PocketBase auth record 原始对象(`tbl_auth_users`,不含密码等隐藏字段;`email` 总是返回) */
        PocketBaseAuthRecord: {
            /** @example pbc_1234567890 */
            collectionId: string;
            /** @constant */
            collectionName: "tbl_auth_users";
            /** @example abc123xyz456789 */
            id: string;
            /**
             * @description PocketBase 日期时间格式(UTC)
             * @example 2026-03-19 10:00:00.000Z
             */
            created: string;
            /**
             * @description PocketBase 日期时间格式(UTC)
             * @example 2026-03-19 10:00:00.000Z
             */
            updated: string;
            /** @example oAbCdEfGh123456789 */
            openid: string;
            /**
             * @description 微信开放平台 unionid,小程序未绑定开放平台时为空字符串
             * @example
             */
            unionid: string;
            /** @example U202603190001 */
            users_id: string;
            /**
             * @example 游客
             * @enum {string}
             */
            users_type: "游客" | "注册用户";
            /**
             * @description 账号状态;能拿到 token 的用户总是 `正常`
             * @example 正常
             * @enum {string}
             */
            users_status: "正常";
            /**
             * @description 注销到期时间,只在 `注销中` 时有值;能拿到 token 的用户总是空字符串
             * @constant
             */
            users_deletion_due: "";
            /** @example  */
            users_name: string;
            /**
             * @description 未脱敏的手机号
             * @example
             */
            users_phone: string;
            /** @example  */
            users_picture: string;
            /**
             * @description 当前头像对应的上传记录 id(`tbl_user_avatars`,头像来自 `/api/wechat/avatar` 时才有),否则为空字符串
             * @example
             */
            users_avatar?: string;
            /** @example  */
            company_id: string;
            /**
             * @description 未使用,通常为空字符串
             * @example
             */
            email: string;
            /** @example false */
            emailVisibility: boolean;
            /** @example false */
            verified: boolean;
        } & {
            [key: string]: unknown;
        };
        /** @description 登录接口的 PocketBase 原生 auth 响应,业务结果在 `meta` 中 */
        PocketBaseAuthResponse: {
            /** @description PocketBase 原生 auth token(JWT) */
            token: string;
            record: components["schemas"]["PocketBaseAuthRecord"];
            meta: {
                /** @constant */
                code: 200;
                /**
                 * @description 新用户为 `注册成功`,老用户为 `登录成功`,撤销了注销的为 `登录成功,已撤销账号注销`(`Accept-Language` 为 `en` 时为 `Registered`、`Logged in`、`Logged in; the account's deletion is cancelled`)
                 * @example 登录成功
                 * @enum {string}
                 */
                msg: "注册成功" | "登录成功" | "登录成功,已撤销账号注销" | "Registered" | "Logged in" | "Logged in; the account's deletion is cancelled";
                data: components["schemas"]["WechatLoginResponseData"];
            };
        };
        WechatLoginResponseData: {
            /**
             * @description 新用户为 `register_success`,老用户为 `login_success`;`linked`:该应用(小程序、公众号或网站)的身份首次登录,
             *     按 unionid 关联到已有用户(同一人在另一个微信应用中注册过),返回的是该已有用户
             * @example login_success
             * @enum {string}
             */
            status: "register_success" | "login_success" | "linked";
            /**
             * @description `users_name`、`users_phone`、`users_picture` 是否均已填写
             * @example true
             */
            is_info_complete: boolean;
            /**
             * @description 本次登录是否撤销了冷静期内的账号注销(账号由 `注销中` 恢复为 `正常`)
             * @example false
             */
            deletion_cancelled: boolean;
            /**
             * @description 用户尚需(重新)同意的协议的当前版本:从未同意、已撤回或协议已更新。为空时无需展示协议;
             *     服务端未配置协议时总为空。同意后调用 `POST /api/wechat/consents`。
             */
            consents_required: components["schemas"]["ConsentDocument"][];
            user: components["schemas"]["UserInfo"];
        };
        /** @description 刷新 token 接口的 PocketBase 原生 auth 响应,业务结果在 `meta` 中 */
        RefreshTokenAuthResponse: {
            /** @description 新的 PocketBase 原生 auth token(JWT) */
            token: string;
            record: components["schemas"]["PocketBaseAuthRecord"];
            meta: {
                /** @constant */
                code: 200;
                /** @enum {string} */
                msg: "token 刷新成功" | "Token refreshed";
                data: components["schemas"]["RefreshTokenResponseData"];
            };
        };
        RefreshTokenResponseData: {
            /**
             * @description `users_name`、`users_phone`、`users_picture` 是否均已填写
             * @example true
             */
            is_info_complete: boolean;
            user: components["schemas"]["UserInfo"];
        };
        /** @description 其他字段会被忽略 */
        WechatLoginRequest: {
            /**
             * @description 微信小程序登录临时凭证 code(`wx.login()` 返回),一次性使用
             * @example 0a1b2c3d4e5f6g
             */
            users_wx_code: string;
            /**
             * @description 账号在注销冷静期内时,本次登录是否撤销注销。用户主动登录时省略(或为 `true`);
             *     客户端自行发起的登录(自动续期、静默重新登录)应传 `false`,此时返回 403 而不撤销。
             * @default true
             * @example false
             */
            cancel_deletion?: boolean;
            /**
             * @description 用户在登录页同意的协议(可省略),每份协议至多一项,版本必须是当前版本(否则 409,不调用微信)。
             *     新用户与账号在同一事务中记录(`source` 为 `login`);已同意的同一版本不重复记录。
             * @example [
             *       {
             *         "document": "user_agreement",
             *         "version": "2026-11-01"
             *       },
             *       {
             *         "document": "privacy_policy",
             *         "version": "2026-12-01"
             *       }
             *     ]
             */
            consents?: components["schemas"]["ConsentItem"][];
            /**
             * @description `users_wx_code` 所属小程序的 appid;省略时为主小程序(`WECHAT_APPID`)。须为服务端 `WECHAT_APPS`
             *     中配置的小程序,否则 400(`appid` 字段错误 `validation_unknown_appid`),不调用微信。
             * @example wx1234567890abcdef
             */
            appid?: string;
            invite_code?: components["schemas"]["InviteCode"];
        };
        /**
         * @description 管理员发放的邀请码(`tbl_invite_codes`),可选。调用微信之前检查:不存在为 `invite_invalid`、已过期为 `invite_expired`、
         *     已用完为 `invite_used_up`(均为 400 `invite_code` 字段错误,不调用微信、不写入数据)。本次登录注册新用户时,
         *     有效邀请码在任何注册策略下都允许注册,用户加入邀请码的公司,并在注册事务中用掉一次。
         * @example TEAM-2026
         */
        InviteCode: string;
        /** @description 其他字段会被忽略 */
        WechatPhoneLoginRequest: {
            /**
             * @description `wx.login()` 返回的登录 code,一次性使用
             * @example 0a1b2c3d4e5f6g
             */
            users_wx_code: string;
            /**
             * @description `<button open-type="getPhoneNumber">` 回调 `e.detail.code`,一次性使用,换取手机号(计费)
             * @example 1a2b3c4d5e6f7g
             */
            users_phone_code: string;
            /**
             * @description 同 `/api/wechat/login`
             * @default true
             */
            cancel_deletion?: boolean;
            /**
             * @description 同 `/api/wechat/login`;手机号 code 须由同一小程序签发
             * @example wx1234567890abcdef
             */
            appid?: string;
            invite_code?: components["schemas"]["InviteCode"];
            /** @description 同 `/api/wechat/login`:用户同意的协议(可省略),在调用微信之前校验 */
            consents?: components["schemas"]["ConsentItem"][];
        };
        /** @description 手机号登录的 PocketBase 原生 auth 响应,业务结果在 `meta` 中 */
        PhoneLoginAuthResponse: {
            /** @description PocketBase 原生 auth token(JWT) */
            token: string;
            record: components["schemas"]["PocketBaseAuthRecord"];
            meta: {
                /** @constant */
                code: 200;
                /**
                 * @example 登录成功
                 * @enum {string}
                 */
                msg: "注册成功" | "登录成功" | "登录成功,已撤销账号注销";
                data: components["schemas"]["WechatPhoneLoginResponseData"];
            };
        };
        WechatPhoneLoginResponseData: {
            /**
             * @description `login_success` 老用户;`linked` 按 unionid 关联到已有用户;`claimed` 认领了管理员创建的、持有该手机号的用户;
             *     `register_success` 注册了新用户(带手机号)
             * @example claimed
             * @enum {string}
             */
            status: "register_success" | "login_success" | "linked" | "claimed";
            /**
             * @description `users_name`、`users_phone`、`users_picture` 是否均已填写
             * @example true
             */
            is_info_complete: boolean;
            /**
             * @description 本次登录是否撤销了冷静期内的账号注销
             * @example false
             */
            deletion_cancelled: boolean;
            /**
             * @description 微信本次验证的手机号与用户已保存的不同;保留已保存的手机号(可经 `/api/wechat/profile` 修改)
             * @example false
             */
            phone_mismatch: boolean;
            /** @description 同 `/api/wechat/login`:用户尚需(重新)同意的协议的当前版本 */
            consents_required: components["schemas"]["ConsentDocument"][];
            user: components["schemas"]["UserInfo"];
        };
        /** @description 其他字段会被忽略 */
        WechatOaLoginRequest: {
            /**
             * @description 网页授权回到页面时 URL 上的 `code`(公众号 `snsapi_base`/`snsapi_userinfo`,或网站应用 `snsapi_login`),一次性使用
             * @example 061aBcDeF2GhIj3KlMnO0PqRs4TuVwXy
             */
            code: string;
            /**
             * @description 发起网页授权的公众号或网站应用的 appid,须为服务端 `WECHAT_APPS` 中 `kind` 为 `official_account` 或 `website` 的应用,
             *     否则 400(`appid` 字段错误 `validation_unknown_appid`),不调用微信。
             * @example wx0a1b2c3d4e5f6a7b
             */
            appid: string;
            /**
             * @description 与 `/api/wechat/login` 相同:账号在注销冷静期内时,本次登录是否撤销注销。
             * @default true
             * @example true
             */
            cancel_deletion?: boolean;
            /** @description 与 `/api/wechat/login` 相同:用户在登录页同意的协议(可省略),记录的 `appid` 为本接口的 `appid`。 */
            consents?: components["schemas"]["ConsentItem"][];
        };
        /** @description 三个字段均为必填字符串;其他字段会被忽略 */
        WechatProfileRequest: {
            /**
             * @description 用户姓名,最多 64 个字符(按 Unicode 码点计),不能全为空白,
             *     不能包含控制字符、零宽字符、双向控制符等不可见字符(组合 emoji 中的零宽连接符除外);保存前去掉首尾空白。
             * @example 张三
             */
            users_name: string & (unknown & unknown);
            /**
             * @description 微信手机号授权凭证 code(`getPhoneNumber` 返回),由后端换取真实手机号
             * @example 2b7d9f2e3c4a5b6d7e8f
             */
            users_phone_code: string;
            /**
             * @description 用户头像 URL:小写 `http://` 或 `https://`;主机为域名(最后一段含字母,如 `example.com`、`localhost`)
             *     或合法 IPv4;可带 1–65535 的端口;路径、查询与片段只允许 RFC 3986 字符和 `%XX` 转义。
             *     不接受 `javascript:`、`data:`、`ftp:` 等。
             * @example https://example.com/avatar.png
             */
            users_picture: string;
        };
        /**
         * @description PocketBase 原生的记录 JSON:`collectionId`、`collectionName`、`id` 与集合的各字段(隐藏字段除外),
         *     `expand` 时另有 `expand` 对象;指定 `fields` 时只有所列字段。
         */
        PocketBaseRecord: {
            [key: string]: unknown;
        };
        /** @description PocketBase 原生的错误响应(仅 `/api/wechat/records/...` 使用;其他接口都是 `{code, msg, data}`) */
        PocketBaseError: {
            /**
             * @description 与 HTTP 状态码相同
             * @example 404
             */
            status: number;
            /**
             * @description PocketBase 的英文错误说明
             * @example The requested resource wasn't found.
             */
            message: string;
            /** @description `{}`,或字段错误 `{<字段名>: {code, message}}` */
            data: {
                [key: string]: {
                    code: string;
                    message: string;
                };
            };
        };
        /** @description `users_name`、`users_picture`、`users_phone_code` 中至少一项;每项的规则与 `WechatProfileRequest` 相同;其他字段会被忽略 */
        WechatProfileFieldsRequest: {
            users_name?: components["schemas"]["WechatProfileRequest"]["users_name"];
            users_phone_code?: components["schemas"]["WechatProfileRequest"]["users_phone_code"];
            users_picture?: components["schemas"]["WechatProfileRequest"]["users_picture"];
        } | {
            users_name: components["schemas"]["WechatProfileRequest"]["users_name"];
        } | {
            users_picture: components["schemas"]["WechatProfileRequest"]["users_picture"];
        } | {
            users_phone_code: components["schemas"]["WechatProfileRequest"]["users_phone_code"];
        };
        /** @description 可省略;其他字段会被忽略 */
        LogoutRequest: {
            /**
             * @description `current`(默认):只让本次请求的 token 失效;`all`:该用户的全部 token 失效
             * @default current
             * @example current
             * @enum {string}
             */
            scope?: "current" | "all";
        };
        LogoutResponseData: {
            /** @constant */
            status: "logout_success";
            /**
             * @example current
             * @enum {string}
             */
            scope: "current" | "all";
        };
        DeleteAccountResponseData: {
            /**
             * @description `deletion_pending`:已进入注销冷静期;`account_deleted`:冷静期为 0,个人信息已清除
             * @example deletion_pending
             * @enum {string}
             */
            status: "deletion_pending" | "account_deleted";
            /**
             * @description 冷静期结束、个人信息将被清除的时间(ISO 8601,UTC);立即注销时为 null
             * @example 2026-04-03T10:00:00.000Z
             */
            deletion_due: string | null;
        };
        AvatarUploadData: {
            /**
             * @description 头像的公开地址(基于 Application URL),可用于 `<image src>` 与资料接口的 `users_picture`
             * @example https://bai-api.blv-oa.com/pb/api/files/tbl_user_avatars/k3j4h5g6f7a8b9c/avatar_x1y2z3w4v5.jpg
             */
            url: string;
        };
        WechatProfileResponseData: {
            /**
             * @example update_success
             * @constant
             */
            status: "update_success";
            user: components["schemas"]["UserInfo"];
        };
        /** @description 一份协议的当前版本(服务端 `CONSENT_DOCUMENTS` 配置) */
        ConsentDocument: {
            /**
             * @description 协议标识,如 `user_agreement`(用户协议)、`privacy_policy`(隐私政策)
             * @example privacy_policy
             */
            document: string;
            /** @example 隐私政策 */
            title: string;
            /**
             * @description 当前版本
             * @example 2026-12-01
             */
            version: string;
            /**
             * @description 当前版本全文的地址
             * @example https://bai.example.com/privacy-2026-12-01.html
             */
            url: string;
        };
        /** @description 一份协议的当前版本,以及当前用户的同意情况 */
        ConsentStatus: {
            /**
             * @description 协议标识,如 `user_agreement`(用户协议)、`privacy_policy`(隐私政策)
             * @example privacy_policy
             */
            document: string;
            /** @example 隐私政策 */
            title: string;
            /**
             * @description 当前版本
             * @example 2026-12-01
             */
            version: string;
            /**
             * @description 当前版本全文的地址
             * @example https://bai.example.com/privacy-2026-12-01.html
             */
            url: string;
            /**
             * @description 用户目前同意的版本;从未同意或已撤回时为 null
             * @example 2026-11-01
             */
            accepted_version: string | null;
            /**
             * @description 同意该版本的时间(PocketBase 日期时间格式,UTC)
             * @example 2026-11-20 08:00:00.000Z
             */
            accepted_at: string | null;
            /**
             * @description 是否需要(重新)同意:`accepted_version` 不是当前版本
             * @example true
             */
            consent_required: boolean;
        };
        ConsentOverview: {
            /** @description 服务端是否要求先同意(`CONSENT_ENFORCEMENT=on`):是则修改资料与上传头像在同意全部当前版本前返回 428 */
            enforced: boolean;
            documents: components["schemas"]["ConsentStatus"][];
        };
        ConsentItem: {
            /**
             * @description 协议标识
             * @example user_agreement
             */
            document: string;
            /**
             * @description 同意的版本,必须是当前版本(否则 409);撤回时可省略
             * @example 2026-11-01
             */
            version?: string;
        };
        /** @description 其他字段会被忽略 */
        ConsentRequest: {
            /**
             * @description `agree` 同意(默认),`withdraw` 撤回
             * @default agree
             * @enum {string}
             */
            action?: "agree" | "withdraw";
            /** @description 每份协议至多一项 */
            consents: components["schemas"]["ConsentItem"][];
            /**
             * @description 在哪里操作:`settings` 设置页(默认),`prompt` 协议更新提示;登录时同意的记为 `login`
             * @default settings
             * @enum {string}
             */
            source?: "settings" | "prompt";
        };
        /** @description 协议同意的错误响应:`data.documents` 为需要用户阅读并同意的协议(当前版本) */
        ConsentErrorResponse: {
            /** @enum {integer} */
            code: 409 | 428;
            /** @enum {string} */
            error: "consent_version_stale" | "consent_required";
            msg: string;
            /** @description 与 `msg` 相同 */
            message: string;
            data: components["schemas"]["ConsentErrorData"];
        };
        /** @description 需要用户阅读并同意的协议(当前版本) */
        ConsentErrorData: {
            documents: components["schemas"]["ConsentDocument"][];
        };
        /** @description 一条审计记录(`bai_audit_events`) */
        AuditEventRow: {
            id: string;
            /** @description 时间(PocketBase 日期时间格式,UTC) */
            created: string;
            /** @description login、registration、login_failed、refresh、profile_updated、logout、deletion_requested、deletion_cancelled、deletion_completed、account_disabled、account_enabled、consent_given、consent_withdrawn、risk_rank、my_data_exported、audit_exported */
            event: string;
            users_id: string;
            pb_id: string;
            /** @enum {string} */
            by: "user" | "staff" | "cron";
            ip: string;
            /** @description 操作的超级管理员 id(`by` 为 staff 时) */
            staff: string;
            /** @description 事件详情(字段名、原因、微信 errcode、协议与版本、风险等级等),从不含字段值、code、token 或手机号 */
            details: Record<string, never>;
        };
        AuditExportData: {
            /** Format: date-time */
            from: string;
            /** Format: date-time */
            to: string;
            events: components["schemas"]["AuditEventRow"][];
        };
        /** @description 服务端保存的当前用户的全部数据 */
        MyData: {
            /** Format: date-time */
            generated_at: string;
            /** @description 用户资料(同 `UserInfo`,openid 见 `identities`) */
            profile: {
                pb_id: string;
                users_id: string;
                users_type: string;
                users_name: string;
                users_phone: string;
                users_phone_masked: string;
                users_picture: string;
                company_id: string;
                company: components["schemas"]["CompanyInfo"] | null;
                created: string;
                updated: string;
            };
            account: {
                /** @example 正常 */
                users_status: string;
                /** @description 注销冷静期的到期时间;不在冷静期时为 null */
                users_deletion_due: string | null;
                /** @description 内容安全标记(供人工复核) */
                users_flags: string[];
                /** @description 注册时微信给出的风险等级(`0`–`4`,`未知` 为查询失败);未查询时为 null */
                risk_rank: string | null;
                risk_checked_at: string | null;
            };
            /**
             * @description 用户的登录身份(掩码):用户记录上主小程序的 openid 与 unionid(`stored_in` 为 `tbl_auth_users`),
             *     以及每个微信应用的身份(`tbl_user_identities`;`provider` 为 `wechat_` 加应用类型,如 `wechat_official_account`)
             */
            identities: {
                /** @example wechat_miniprogram */
                provider: string;
                appid: string;
                /** @example oAb****6789 */
                openid_masked: string;
                unionid_masked: string;
                /** @example tbl_auth_users */
                stored_in: string;
            }[];
            /** @description 协议同意记录,新的在前 */
            consents: {
                document: string;
                version: string;
                /** @enum {string} */
                action: "agree" | "withdraw";
                /** @enum {string} */
                source: "login" | "settings" | "prompt";
                appid: string;
                ip: string;
                created: string;
            }[];
            /** @description 保留期内的审计记录,新的在前 */
            audit_events: {
                created: string;
                event: string;
                /** @enum {string} */
                by: "user" | "staff" | "cron";
                /** @description 用户本人请求的客户端 IP;管理员与定时任务的事件为空字符串 */
                ip: string;
                details: Record<string, never>;
            }[];
            avatars: {
                /** @description 图片地址;判定违规、图片已删除时为 null */
                url: string | null;
                /** @example 使用中 */
                status: string;
                created: string;
            }[];
        };
    };
    responses: {
        /**
         * @description 请求参数错误,`code` 为 400:
         *     - 字段缺失、为 null 或空字符串、不是字符串、超长、格式不对(`msg` 为 `参数错误`,`data` 列出每个有问题的字段);
         *     - 请求体不是合法的 JSON(`请求体不是合法的 JSON`),或不是 JSON 对象(`请求体必须是 JSON 对象`),此时 `data` 为 `{}`;
         *     - 微信判定 code 无效或过期(40029)、已被使用(40163)、用户存在风险被拦截(40226),
         *       `msg` 为对应说明,`data` 中以 `users_wx_code`(登录)、`code`(公众号/网站登录)或 `users_phone_code`(资料)为键。
         */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 400;
                };
            };
        };
        /**
         * @description 未登录或 token 不可用,`code` 为 401:缺少 `Authorization` 请求头(`error` 为 `missing_token`,`缺少 Authorization: Bearer <token>`);
         *     以下 `error` 均为 `invalid_token`:请求头不是 token(`Bearer <token>`,或与 PocketBase 相同、不带 `Bearer ` 的 token 本身)或出现多个;
         *     token 无效、签名不符或已过期;
         *     token 属于其他集合或超级管理员;刷新 token 时使用了不可刷新的模拟登录(impersonate)token。
         *     无法验证的 token(伪造、未签名、用户已删除,或因禁用、注销、退出登录 `all` 导致密钥已轮换)无论指向哪个账号,回答都相同;
         *     以 `current` 方式退出登录的 token 同样回答 401。
         *     除第一种外 `msg` 均为 `token 无效或已过期,请重新登录`。
         */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 401,
                 *       "error": "invalid_token",
                 *       "msg": "token 无效或已过期,请重新登录",
                 *       "message": "token 无效或已过期,请重新登录",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 401;
                    /** @enum {unknown} */
                    error?: "missing_token" | "invalid_token";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /**
         * @description 账号状态不允许,`code` 为 403,以 `error` 区分(二者 `data` 都为 `{}`):
         *     - `account_disabled`,`禁用`(`账号已被禁用,请联系管理员`):登录被拒绝。禁用时该用户已持有的全部 token 立即失效
         *       (修改资料、刷新 token 对其回答 401);只有仍能验证通过的 token(如禁用后管理员签发的模拟登录 token)
         *       才会在这些接口得到 403。
         *     - `account_deletion_pending`,`注销中`(`账号注销中,重新登录即可撤销注销`):同理只回答仍能验证通过的 token;发起注销时全部 token 已失效(401)。
         *     - `superuser_required`(`仅限管理员`):仅限管理员的接口收到了用户的 token;审计导出为 `仅限管理员(superuser)导出审计记录`。
         *     - `account_pending_approval`,`待审核`(`账号待管理员审核,审核通过后即可登录`):注册待管理员审核,登录不签发 token;改为 `待审核` 时已签发的 token 全部失效。
         *     - `auth_rule_refused`(`账号不满足管理员设置的登录条件,请联系管理员`):管理员把 `tbl_auth_users` 的 Auth rule 改得更严后,
         *       不满足的账号登录、刷新 token 不签发 token(PocketBase 改 Auth rule 时已签发的 token 全部失效)。
         *     - 注册策略不允许注册(登录接口,不写入数据,`approval` 除外):`phone_login_required`(请改用手机号登录)、
         *       `phone_not_registered`(`phone_match` 下手机号未登记)、`registration_closed`(`closed`)。
         *     - 注册风险检测(`RISK_CHECK=enforce`):新用户的微信风险等级过高(`error` 为 `registration_refused`,
         *       `账号存在安全风险,暂时无法注册`,未创建用户);风险等级待审核的新用户以 `待审核` 创建,回答同上。
         *     程序应以 `error` 区分这些情况。
         */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 403;
                    /** @enum {unknown} */
                    error?: "account_disabled" | "account_deletion_pending" | "superuser_required" | "account_pending_approval" | "auth_rule_refused" | "phone_login_required" | "phone_not_registered" | "registration_closed" | "registration_refused";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /**
         * @description `code` 为 409,`error` 说明原因:`bind_conflict`、`last_identity`、`merge_refused_status`、
         *     `merge_conflict`(`data` 列出不同的字段)。不写入任何数据。
         */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 409,
                 *       "error": "bind_conflict",
                 *       "msg": "该微信身份已属于另一个账号,如为同一人请联系管理员合并",
                 *       "message": "该微信身份已属于另一个账号,如为同一人请联系管理员合并",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 409;
                    /** @enum {unknown} */
                    error: "bind_conflict" | "last_identity" | "merge_refused_status" | "merge_conflict";
                };
            };
        };
        /**
         * @description `code` 为 409,不写入任何数据,`error` 说明原因:
         *     - `account_conflict`:微信返回的 unionid 属于两个及以上用户,无法确定是哪一个。并记录审计事件;
         *       需管理员合并这些用户后再登录;
         *     - `consent_version_stale`:`consents` 中同意的不是协议的当前版本(见 `ConsentVersionStale`),此时未调用微信,code 仍可使用。
         */
        LoginConflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": (components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 409;
                    /** @constant */
                    error: "account_conflict";
                    data?: components["schemas"]["EmptyObject"];
                }) | (components["schemas"]["ConsentErrorResponse"] & {
                    /** @constant */
                    code?: 409;
                    /** @constant */
                    error?: "consent_version_stale";
                });
            };
        };
        /**
         * @description `code` 为 409,`error` 说明原因,不写入任何数据,也不透露涉及的用户:
         *     - `account_conflict`:微信返回的 unionid 属于两个及以上用户(同 `/api/wechat/login`);
         *     - `phone_in_use`:持有该手机号的用户已有其他微信身份;
         *     - `duplicate_phone_users`:该手机号对应两个及以上管理员创建的用户;
         *     - `consent_version_stale`:`consents` 中同意的不是协议的当前版本(见 `ConsentVersionStale`),未调用微信。
         */
        PhoneConflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 409,
                 *       "error": "duplicate_phone_users",
                 *       "msg": "该手机号对应多个账号,请联系管理员处理",
                 *       "message": "该手机号对应多个账号,请联系管理员处理",
                 *       "data": {}
                 *     }
                 */
                "application/json": (components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 409;
                    /** @enum {unknown} */
                    error: "account_conflict" | "phone_in_use" | "duplicate_phone_users";
                    data?: components["schemas"]["EmptyObject"];
                }) | (components["schemas"]["ConsentErrorResponse"] & {
                    /** @constant */
                    code?: 409;
                    /** @constant */
                    error?: "consent_version_stale";
                });
            };
        };
        /**
         * @description 用户不存在,`code` 为 404:token 验证通过后、资料保存前,该用户被管理员删除(极少见;小程序应重新调用登录接口)。
         *     已删除用户的 token 无法再验证,回答 401。
         */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 404,
                 *       "error": "user_not_found",
                 *       "msg": "用户不存在",
                 *       "message": "用户不存在",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 404;
                    /** @enum {unknown} */
                    error?: "user_not_found" | "identity_not_found";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /**
         * @description 账号已注销,`code` 为 410(`账号已注销`):仍能验证通过的 token(如注销后管理员签发的模拟登录 token)
         *     属于个人信息已被清除的账号;注销时该用户的全部 token 已失效,对它们回答 401。
         *     用同一微信调用登录接口会注册一个新用户。
         */
        Gone: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 410,
                 *       "error": "account_deleted",
                 *       "msg": "账号已注销",
                 *       "message": "账号已注销",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 410;
                    /** @enum {unknown} */
                    error?: "account_deleted";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /**
         * @description 请求体超过 16 KB(按 `Content-Length` 或实际读取的字节数),未读取内容、未调用微信、未写入任何数据,`code` 为 413。
         *     上传头像时上限为文件 2 MB(`头像文件过大,上限 2 MB`)、整个请求体 2 MB + 64 KB。
         */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 413,
                 *       "error": "payload_too_large",
                 *       "msg": "请求体过大,上限 16 KB",
                 *       "message": "请求体过大,上限 16 KB",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 413;
                    /** @enum {unknown} */
                    error?: "payload_too_large" | "avatar_too_large";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /**
         * @description 请求的 `Content-Type` 不是 `application/json`(可带 `; charset=utf-8` 等参数),`code` 为 415;
         *     上传头像时不是 `multipart/form-data`。
         */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 415,
                 *       "error": "unsupported_media_type",
                 *       "msg": "请求体必须为 application/json",
                 *       "message": "请求体必须为 application/json",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 415;
                    /** @enum {unknown} */
                    error?: "unsupported_media_type" | "multipart_required";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /**
         * @description 请求过于频繁,`code` 为 429:
         *     - 登录接口(含手机号登录):10 秒内再次提交同一个 `users_wx_code`,而微信尚未答复或已接受该 code,直接拒绝、不调用微信
         *       (`重复请求过于频繁,请勿重复提交同一登录凭证`);微信已对它给出错误码时回答与第一次相同;
         *       上一次因与微信通信失败(502/504)而结束的 code 除外;
         *     - 微信返回 45011 调用频率超限(`微信接口调用过于频繁,请稍后重试`);
         *     - 同一客户端 IP 超过 PocketBase 限流规则(`请求过于频繁,请稍后重试`;默认登录与刷新 token
         *       每 30 秒 300 次、修改资料和手机号登录每 30 秒 60 次、上传头像每 60 秒 60 次、导出个人数据每 60 秒 20 次,运维可在管理后台 Settings → Rate limits 调整);
         *     - 上传头像:同一用户每小时超过 20 次(`头像上传过于频繁,请稍后重试`)。
         */
        TooManyRequests: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 429,
                 *       "error": "duplicate_login_code",
                 *       "msg": "重复请求过于频繁,请勿重复提交同一登录凭证",
                 *       "message": "重复请求过于频繁,请勿重复提交同一登录凭证",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 429;
                    /** @enum {unknown} */
                    error?: "duplicate_login_code" | "rate_limited" | "wechat_rate_limited" | "avatar_rate_limited";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /**
         * @description 服务端错误,`code` 为 500:服务端未配置微信 appid/secret
         *     (`WeChat is not configured: 服务端未配置微信小程序 appid/secret`);
         *     微信判定 appid/secret、服务器 IP 白名单等配置错误(`服务端微信配置错误`,日志写明运维该修正什么);其他意外错误(`服务器内部错误`,不返回内部细节)。
         */
        InternalError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 500,
                 *       "error": "internal_error",
                 *       "msg": "服务器内部错误",
                 *       "message": "服务器内部错误",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 500;
                    /** @enum {unknown} */
                    error?: "wechat_not_configured" | "wechat_misconfigured" | "internal_error";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /**
         * @description 微信服务不可用,`code` 为 502:无法连接微信、微信系统繁忙(errcode -1)或返回其他未处理的 errcode、
         *     微信返回非 200 的 HTTP 状态、微信的应答无法解析或缺少必要字段。
         */
        BadGateway: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 502,
                 *       "error": "wechat_unavailable",
                 *       "msg": "微信服务暂时不可用,请稍后重试",
                 *       "message": "微信服务暂时不可用,请稍后重试",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 502;
                    /** @enum {unknown} */
                    error?: "wechat_unavailable";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /** @description 微信接口在超时时间(默认 5 秒)内未响应,`code` 为 504。 */
        GatewayTimeout: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 504,
                 *       "error": "wechat_timeout",
                 *       "msg": "微信服务响应超时,请稍后重试",
                 *       "message": "微信服务响应超时,请稍后重试",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 504;
                    /** @enum {unknown} */
                    error?: "wechat_timeout";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /**
         * @description 微信一再拒绝服务端的接口调用凭据(access_token),而服务端此刻不再强制刷新,`code` 为 503:
         *     另一个请求正在强制刷新或 30 秒内刚刷新过(`微信接口凭据正在刷新,请稍后重试`),
         *     或当天的强制刷新次数已用尽(`微信接口凭据今日刷新次数已用尽,请稍后重试`)。未写入任何数据;稍后重试即可。
         *     修改资料时还有:姓名的内容安全检测失败或超时,且服务端设置 `WECHAT_CONTENT_CHECK_FAILURE=closed`
         *     (`内容安全检测暂时不可用,请稍后重试`),此时未调用手机号接口。
         */
        WechatAccessTokenUnavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 503,
                 *       "error": "wechat_access_token_refreshing",
                 *       "msg": "微信接口凭据正在刷新,请稍后重试",
                 *       "message": "微信接口凭据正在刷新,请稍后重试",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 503;
                    /** @enum {unknown} */
                    error?: "wechat_access_token_refreshing" | "wechat_access_token_budget_spent" | "content_check_unavailable";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /** @description 微信内容安全检测失败或超时,且服务端设置 `WECHAT_CONTENT_CHECK_FAILURE=closed`,`code` 为 503:未写入任何数据。 */
        ContentCheckUnavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 503,
                 *       "error": "content_check_unavailable",
                 *       "msg": "内容安全检测暂时不可用,请稍后重试",
                 *       "message": "内容安全检测暂时不可用,请稍后重试",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 503;
                    /** @enum {unknown} */
                    error?: "content_check_unavailable";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /**
         * @description 消息推送签名缺失或不符、`timestamp` 超出 300 秒、或重复推送(同一 `timestamp`+`nonce` 已被签名通过的请求用过,
         *     包括地址验证的 GET),`code` 为 401。
         */
        PushUnauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 401,
                 *       "error": "push_bad_signature",
                 *       "msg": "推送签名无效",
                 *       "message": "推送签名无效",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 401;
                    /** @enum {unknown} */
                    error?: "push_unsigned" | "push_bad_signature" | "push_stale" | "push_replayed";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /** @description 请求头到达后 5 秒内未收完请求体(微信会立即发完整个请求),`code` 为 408;随后服务端断开连接,未写入任何数据。 */
        PushBodyTimeout: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 408,
                 *       "error": "request_timeout",
                 *       "msg": "请求体接收超时",
                 *       "message": "请求体接收超时",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 408;
                    /** @enum {unknown} */
                    error?: "request_timeout";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /** @description 服务端未设置 `WECHAT_PUSH_TOKEN`(或 `WECHAT_PUSH_AES_KEY` 格式不对),消息推送未启用,`code` 为 503。 */
        PushNotConfigured: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 503,
                 *       "error": "push_not_configured",
                 *       "msg": "消息推送未启用",
                 *       "message": "消息推送未启用",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 503;
                    /** @enum {unknown} */
                    error?: "push_not_configured";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /** @description 服务运行正常 */
        Healthy: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 200,
                 *       "msg": "服务运行正常",
                 *       "data": {
                 *         "status": "healthy",
                 *         "timestamp": "2026-03-19T02:00:00.000Z"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["ApiResponse"] & {
                    /** @constant */
                    code?: 200;
                    /** @enum {unknown} */
                    msg?: "服务运行正常" | "The service is running";
                    data?: components["schemas"]["HealthData"];
                };
            };
        };
        /** @description 数据库检查失败,`code` 为 503。 */
        ServiceUnavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 503,
                 *       "error": "database_unavailable",
                 *       "msg": "数据库不可用",
                 *       "message": "数据库不可用",
                 *       "data": {}
                 *     }
                 */
                "application/json": components["schemas"]["ErrorResponse"] & {
                    /** @constant */
                    code?: 503;
                    /** @enum {unknown} */
                    error?: "database_unavailable";
                    data?: components["schemas"]["EmptyObject"];
                };
            };
        };
        /**
         * @description 同意的不是协议的当前版本(协议已更新),`code` 为 409、`error` 为 `consent_version_stale`,未写入任何数据。`data.documents` 为这些协议的当前版本与地址:
         *     小程序应展示新版本,用户同意后以新版本重新提交(登录时亦然,此时未调用微信,`wx.login` 的 code 仍可使用)。
         */
        ConsentVersionStale: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 409,
                 *       "error": "consent_version_stale",
                 *       "msg": "协议已更新,请阅读最新版本后再同意",
                 *       "message": "协议已更新,请阅读最新版本后再同意",
                 *       "data": {
                 *         "documents": [
                 *           {
                 *             "document": "privacy_policy",
                 *             "title": "隐私政策",
                 *             "version": "2026-12-01",
                 *             "url": "https://bai.example.com/privacy-2026-12-01.html"
                 *           }
                 *         ]
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["ConsentErrorResponse"] & {
                    /** @constant */
                    code?: 409;
                    /** @constant */
                    error?: "consent_version_stale";
                };
            };
        };
        /**
         * @description 服务端要求先同意协议(`CONSENT_ENFORCEMENT=on`),而当前用户尚未同意 `data.documents` 所列协议的当前版本,`code` 为 428、`error` 为 `consent_required`,
         *     未写入任何数据。同意后(`POST /api/wechat/consents`)重试即可。登录、刷新 token、退出登录、注销账号与协议接口不受影响。
         */
        ConsentRequired: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "code": 428,
                 *       "error": "consent_required",
                 *       "msg": "请先阅读并同意最新的协议",
                 *       "message": "请先阅读并同意最新的协议",
                 *       "data": {
                 *         "documents": [
                 *           {
                 *             "document": "privacy_policy",
                 *             "title": "隐私政策",
                 *             "version": "2026-12-01",
                 *             "url": "https://bai.example.com/privacy-2026-12-01.html"
                 *           }
                 *         ]
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["ConsentErrorResponse"] & {
                    /** @constant */
                    code?: 428;
                    /** @constant */
                    error?: "consent_required";
                };
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    systemHealthGet: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["Healthy"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    systemHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: components["responses"]["Healthy"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    systemHelloWorld: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 请求成功 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 200,
                     *       "msg": "请求成功",
                     *       "data": {
                     *         "message": "Hello, World!",
                     *         "timestamp": "2026-03-19T02:00:00.000Z",
                     *         "status": "success",
                     *         "build_time": "2026-03-18T08:30:00.000Z",
                     *         "version": "0.2.0"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ApiResponse"] & {
                        /** @constant */
                        code?: 200;
                        /** @enum {unknown} */
                        msg?: "请求成功" | "OK";
                        data?: components["schemas"]["HelloWorldData"];
                    };
                };
            };
        };
    };
    wechatLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WechatLoginRequest"];
            };
        };
        responses: {
            /** @description 登录或注册成功(新用户 `注册成功`/`register_success`,老用户 `登录成功`/`login_success`) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PocketBaseAuthResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["LoginConflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    wechatOaLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WechatOaLoginRequest"];
            };
        };
        responses: {
            /** @description 登录、注册或关联成功,与 `/api/wechat/login` 相同 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PocketBaseAuthResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            /**
             * @description `code` 为 403:
             *     - `error` 为 `snapshot_user`:用户在朋友圈的网页快照页中(微信返回 `is_snapshotuser: 1`,openid 是虚拟账号),
             *       不查找、不创建用户,不写入任何数据;页面应提示用户点击「使用完整服务」后再登录;
             *     - 账号 `禁用`,或 `注销中` 且请求带 `cancel_deletion: false`:与 `/api/wechat/login` 相同(见 `Forbidden`),
             *       `error` 为 `account_disabled` 或 `account_deletion_pending`;
             *     - `error` 为 `account_pending_approval`、`phone_login_required`、`phone_not_registered` 或 `registration_closed`:
             *       账号待审核,或注册策略不允许注册,与 `/api/wechat/login` 相同(见 `Forbidden`)。
             */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"] & {
                        /** @constant */
                        code?: 403;
                        /** @enum {unknown} */
                        error?: "snapshot_user" | "account_disabled" | "account_deletion_pending" | "account_pending_approval" | "auth_rule_refused" | "phone_login_required" | "phone_not_registered" | "registration_closed";
                        data?: components["schemas"]["EmptyObject"];
                    };
                };
            };
            /**
             * @description `code` 为 409,不写入任何数据:
             *     - `error` 为 `unionid_required`:静默授权(`snsapi_base`)的 openid 不是任何用户的身份,而静默授权不返回 unionid,
             *       无法确定这个人是否已在其他应用注册。页面应以 `snsapi_userinfo` 重新发起网页授权,再用新的 code 登录;
             *     - `error` 为 `account_conflict`:unionid 属于两个及以上用户(见 `/api/wechat/login` 的 409);
             *     - `error` 为 `consent_version_stale`:`consents` 中同意的不是协议的当前版本(见 `ConsentVersionStale`),未调用微信。
             */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": (components["schemas"]["ErrorResponse"] & {
                        /** @constant */
                        code?: 409;
                        /** @enum {unknown} */
                        error: "unionid_required" | "account_conflict";
                        data?: components["schemas"]["EmptyObject"];
                    }) | (components["schemas"]["ConsentErrorResponse"] & {
                        /** @constant */
                        code?: 409;
                        /** @constant */
                        error?: "consent_version_stale";
                    });
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    wechatPhoneLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "users_wx_code": "0a1b2c3d4e5f6g",
                 *       "users_phone_code": "1a2b3c4d5e6f7g"
                 *     }
                 */
                "application/json": components["schemas"]["WechatPhoneLoginRequest"];
            };
        };
        responses: {
            /** @description 登录、认领或注册成功;业务结果在 `meta` 中 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PhoneLoginAuthResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["PhoneConflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["WechatAccessTokenUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    wechatProfile: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WechatProfileRequest"];
            };
        };
        responses: {
            /** @description 资料更新成功,返回更新后的完整用户信息 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 200,
                     *       "msg": "资料更新成功",
                     *       "data": {
                     *         "status": "update_success",
                     *         "user": {
                     *           "pb_id": "abc123xyz456789",
                     *           "users_id": "U202603190001",
                     *           "users_type": "注册用户",
                     *           "users_name": "张三",
                     *           "users_phone": "13800138000",
                     *           "users_phone_masked": "138****8000",
                     *           "users_picture": "https://example.com/avatar.png",
                     *           "openid": "oAbCdEfGh123456789",
                     *           "company_id": "C10001",
                     *           "company": {
                     *             "company_id": "C10001",
                     *             "company_name": "示例科技有限公司",
                     *             "company_type": "科技服务",
                     *             "company_entity": "李四",
                     *             "company_usci": "91330100XXXXXXXXXX",
                     *             "company_nationality": "中国",
                     *             "company_province": "浙江省",
                     *             "company_city": "杭州市",
                     *             "company_postalcode": "310000",
                     *             "company_add": "某某大道 100 号",
                     *             "company_status": "正常",
                     *             "company_level": "A",
                     *             "company_remark": "重点合作客户"
                     *           },
                     *           "created": "2026-03-19 10:00:00.000Z",
                     *           "updated": "2026-03-20 09:30:00.000Z"
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ApiResponse"] & {
                        /** @constant */
                        code?: 200;
                        /** @enum {unknown} */
                        msg?: "资料更新成功" | "Profile updated";
                        data?: components["schemas"]["WechatProfileResponseData"];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            428: components["responses"]["ConsentRequired"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["WechatAccessTokenUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    wechatProfileFields: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WechatProfileFieldsRequest"];
            };
        };
        responses: {
            /** @description 资料更新成功,返回更新后的完整用户信息(与 `/api/wechat/profile` 相同) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 200,
                     *       "msg": "资料更新成功",
                     *       "data": {
                     *         "status": "update_success",
                     *         "user": {
                     *           "pb_id": "abc123xyz456789",
                     *           "users_id": "U202603190001",
                     *           "users_type": "注册用户",
                     *           "users_name": "张三",
                     *           "users_phone": "13800138000",
                     *           "users_phone_masked": "138****8000",
                     *           "users_picture": "https://example.com/avatar.png",
                     *           "openid": "oAbCdEfGh123456789",
                     *           "company_id": "C10001",
                     *           "company": {
                     *             "company_id": "C10001",
                     *             "company_name": "示例科技有限公司",
                     *             "company_type": "科技服务",
                     *             "company_entity": "李四",
                     *             "company_usci": "91330100XXXXXXXXXX",
                     *             "company_nationality": "中国",
                     *             "company_province": "浙江省",
                     *             "company_city": "杭州市",
                     *             "company_postalcode": "310000",
                     *             "company_add": "某某大道 100 号",
                     *             "company_status": "正常",
                     *             "company_level": "A",
                     *             "company_remark": "重点合作客户"
                     *           },
                     *           "created": "2026-03-19 10:00:00.000Z",
                     *           "updated": "2026-03-20 09:30:00.000Z"
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ApiResponse"] & {
                        /** @constant */
                        code?: 200;
                        /** @enum {unknown} */
                        msg?: "资料更新成功" | "Profile updated";
                        data?: components["schemas"]["WechatProfileResponseData"];
                    };
                };
            };
            /** @description 同 `BadRequest`;此外一个已知字段都没有提交时,`data` 中三个字段均为 `validation_required`。 */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponse"] & {
                        /** @constant */
                        code?: 400;
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            503: components["responses"]["WechatAccessTokenUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    wechatRefreshToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 刷新成功 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjb2xsZWN0aW9uSWQiOiJwYmNfMTIzNDU2Nzg5MCJ9.c2lnbmF0dXJl",
                     *       "record": {
                     *         "collectionId": "pbc_1234567890",
                     *         "collectionName": "tbl_auth_users",
                     *         "id": "abc123xyz456789",
                     *         "users_id": "U202603190001",
                     *         "users_name": "张三",
                     *         "users_phone": "13800138000",
                     *         "users_type": "注册用户",
                     *         "users_status": "正常",
                     *         "users_deletion_due": "",
                     *         "users_picture": "https://example.com/avatar.png",
                     *         "company_id": "C10001",
                     *         "openid": "oAbCdEfGh123456789",
                     *         "unionid": "",
                     *         "email": "",
                     *         "emailVisibility": false,
                     *         "verified": false,
                     *         "created": "2026-03-19 10:00:00.000Z",
                     *         "updated": "2026-03-20 09:30:00.000Z"
                     *       },
                     *       "meta": {
                     *         "code": 200,
                     *         "msg": "token 刷新成功",
                     *         "data": {
                     *           "is_info_complete": true,
                     *           "user": {
                     *             "pb_id": "abc123xyz456789",
                     *             "users_id": "U202603190001",
                     *             "users_type": "注册用户",
                     *             "users_name": "张三",
                     *             "users_phone": "13800138000",
                     *             "users_phone_masked": "138****8000",
                     *             "users_picture": "https://example.com/avatar.png",
                     *             "openid": "oAbCdEfGh123456789",
                     *             "company_id": "C10001",
                     *             "company": {
                     *               "company_id": "C10001",
                     *               "company_name": "示例科技有限公司",
                     *               "company_type": "科技服务",
                     *               "company_entity": "李四",
                     *               "company_usci": "91330100XXXXXXXXXX",
                     *               "company_nationality": "中国",
                     *               "company_province": "浙江省",
                     *               "company_city": "杭州市",
                     *               "company_postalcode": "310000",
                     *               "company_add": "某某大道 100 号",
                     *               "company_status": "正常",
                     *               "company_level": "A",
                     *               "company_remark": "重点合作客户"
                     *             },
                     *             "created": "2026-03-19 10:00:00.000Z",
                     *             "updated": "2026-03-20 09:30:00.000Z"
                     *           }
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["RefreshTokenAuthResponse"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            410: components["responses"]["Gone"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    wechatLogout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["LogoutRequest"];
            };
        };
        responses: {
            /** @description 已退出登录 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 200,
                     *       "msg": "已退出登录",
                     *       "data": {
                     *         "status": "logout_success",
                     *         "scope": "current"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ApiResponse"] & {
                        /** @constant */
                        code?: 200;
                        /** @enum {unknown} */
                        msg?: "已退出登录" | "Logged out";
                        data?: components["schemas"]["LogoutResponseData"];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    wechatDeleteAccount: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 已发起注销(冷静期内)或已注销(冷静期为 0) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiResponse"] & {
                        /** @constant */
                        code?: 200;
                        /** @enum {unknown} */
                        msg?: "注销申请已提交,冷静期内重新登录即可撤销" | "账号已注销" | "Deletion requested; logging in again within the cooling-off period cancels it" | "Account deleted";
                        data?: components["schemas"]["DeleteAccountResponseData"];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            410: components["responses"]["Gone"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    listIdentities: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 身份列表,按首次登录时间排序 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 200,
                     *       "msg": "获取成功",
                     *       "data": {
                     *         "identities": [
                     *           {
                     *             "id": "k3n9x1q8v2m4p7a",
                     *             "kind": "miniprogram",
                     *             "appid": "wx1234567890abcdef",
                     *             "openid_masked": "oAbC**********6789",
                     *             "has_unionid": true,
                     *             "first_login": "2026-03-19 10:00:00.000Z",
                     *             "last_login": "2026-03-20 09:30:00.000Z"
                     *           }
                     *         ]
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ApiResponse"] & {
                        data?: {
                            identities: components["schemas"]["IdentityView"][];
                        };
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            410: components["responses"]["Gone"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    bindIdentity: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description 要绑定的微信应用的 appid(须在服务端 `WECHAT_APPS` 中配置)
                     * @example wx1234567890abcdef
                     */
                    appid: string;
                    /** @description 该应用的 `wx.login` code(小程序)或网页授权 code(公众号、网站应用) */
                    code: string;
                };
            };
        };
        responses: {
            /** @description 已绑定(`bound`),或本来就是当前用户的身份(`already_bound`) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 200,
                     *       "msg": "绑定成功",
                     *       "data": {
                     *         "status": "bound",
                     *         "identity": {
                     *           "id": "k3n9x1q8v2m4p7a",
                     *           "kind": "miniprogram",
                     *           "appid": "wx1234567890abcdef",
                     *           "openid_masked": "oAbC**********6789",
                     *           "has_unionid": false,
                     *           "first_login": "2026-03-19 10:00:00.000Z",
                     *           "last_login": "2026-03-19 10:00:00.000Z"
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ApiResponse"] & {
                        data?: {
                            /** @enum {string} */
                            status: "bound" | "already_bound";
                            identity: components["schemas"]["IdentityView"];
                        };
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            502: components["responses"]["BadGateway"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    unbindIdentity: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 已解绑 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 200,
                     *       "msg": "已解绑",
                     *       "data": {
                     *         "status": "unbound",
                     *         "id": "k3n9x1q8v2m4p7a"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ApiResponse"] & {
                        data?: {
                            /** @constant */
                            status: "unbound";
                            id: string;
                        };
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            410: components["responses"]["Gone"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    mergeUsers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description 保留的用户 A 的记录 id */
                    into: string;
                    /** @description 并入并抹除的用户 B 的记录 id */
                    from: string;
                    /** @description 两人不同时保留哪一方的值 */
                    winners?: {
                        /** @enum {unknown} */
                        users_phone?: "into" | "from";
                        /** @enum {unknown} */
                        unionid?: "into" | "from";
                    };
                };
            };
        };
        responses: {
            /** @description 已合并 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 200,
                     *       "msg": "合并成功",
                     *       "data": {
                     *         "into": "abc123xyz456789",
                     *         "from": "def456uvw123456",
                     *         "moved_identities": 1,
                     *         "moved_relations": 3
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ApiResponse"] & {
                        data?: {
                            into: string;
                            from: string;
                            moved_identities: number;
                            moved_relations: number;
                        };
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    wechatAvatar: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description 头像图片(JPEG、PNG、WebP、GIF,≤ 2 MB)
                     */
                    file: string;
                };
            };
        };
        responses: {
            /** @description 上传成功 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 200,
                     *       "msg": "头像上传成功",
                     *       "data": {
                     *         "url": "https://bai-api.blv-oa.com/pb/api/files/tbl_user_avatars/k3j4h5g6f7a8b9c/avatar_x1y2z3w4v5.jpg"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ApiResponse"] & {
                        /** @constant */
                        code?: 200;
                        /** @enum {unknown} */
                        msg?: "头像上传成功" | "Avatar uploaded";
                        data?: components["schemas"]["AvatarUploadData"];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            428: components["responses"]["ConsentRequired"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ContentCheckUnavailable"];
        };
    };
    recordUpdate: {
        parameters: {
            query?: {
                /** @description 与 PocketBase 相同:要展开的关联字段,逗号分隔 */
                expand?: string;
                /** @description 与 PocketBase 相同:只返回这些字段,逗号分隔 */
                fields?: string;
            };
            header?: never;
            path: {
                /**
                 * @description 集合名或集合 id
                 * @example tbl_orders
                 */
                collection: string;
                /**
                 * @description 记录 id
                 * @example abc123xyz456789
                 */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "title": "新标题",
                 *       "tags+": "重要"
                 *     }
                 */
                "application/json": Record<string, never>;
                /**
                 * @example {
                 *       "title": "新标题"
                 *     }
                 */
                "multipart/form-data": Record<string, never>;
            };
        };
        responses: {
            /** @description 更新成功,PocketBase 原生的记录 JSON(受 `expand`、`fields` 影响) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "collectionId": "pbc_2287844090",
                     *       "collectionName": "tbl_orders",
                     *       "id": "abc123xyz456789",
                     *       "title": "新标题",
                     *       "tags": [
                     *         "重要"
                     *       ],
                     *       "attachment": [
                     *         "invoice_k2j3h4g5f6.pdf"
                     *       ],
                     *       "created": "2026-03-19 10:00:00.000Z",
                     *       "updated": "2026-03-20 09:30:00.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["PocketBaseRecord"];
                };
            };
            /** @description 请求体无法解析,或字段校验失败(PocketBase 原生格式) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": 400,
                     *       "message": "Failed to update record.",
                     *       "data": {
                     *         "title": {
                     *           "code": "validation_max_text_constraint",
                     *           "message": "Must be less than 20 character(s)."
                     *         }
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["PocketBaseError"];
                };
            };
            /** @description PocketBase 原生的 401(如超级管理员 IP 白名单等) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PocketBaseError"];
                };
            };
            /** @description 更新规则为 null(仅超级管理员),或其他禁止(PocketBase 原生格式) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": 403,
                     *       "message": "Only superusers can perform this action.",
                     *       "data": {}
                     *     }
                     */
                    "application/json": components["schemas"]["PocketBaseError"];
                };
            };
            /** @description 集合或记录不存在,或不满足更新规则(PocketBase 原生格式) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": 404,
                     *       "message": "The requested resource wasn't found.",
                     *       "data": {}
                     *     }
                     */
                    "application/json": components["schemas"]["PocketBaseError"];
                };
            };
            /** @description 请求体超过该集合的上限(32 MB 加上各文件字段的上限) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PocketBaseError"];
                };
            };
            /** @description 限流(PocketBase 原生格式) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PocketBaseError"];
                };
            };
            /** @description 服务器内部错误(PocketBase 原生格式) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PocketBaseError"];
                };
            };
        };
    };
    wechatPushHandshake: {
        parameters: {
            query: {
                /** @description sha1(sort(Token, timestamp, nonce)) */
                signature: string;
                /** @description Unix 时间戳(秒) */
                timestamp: string;
                /** @description 随机数 */
                nonce: string;
                /** @description 需原样返回的随机字符串 */
                echostr: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 验证通过,返回 echostr */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example 7316854 */
                    "text/plain": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["PushUnauthorized"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["PushNotConfigured"];
        };
    };
    wechatPushEvent: {
        parameters: {
            query: {
                /** @description sha1(sort(Token, timestamp, nonce)),两种模式均必填 */
                signature: string;
                /** @description 安全模式必填 */
                msg_signature?: string;
                /** @description 安全模式时为 aes */
                encrypt_type?: "aes";
                /** @description Unix 时间戳(秒) */
                timestamp: string;
                /** @description 随机数 */
                nonce: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description 已处理(或无需处理),应答 success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /** @example success */
                    "text/plain": "success";
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["PushUnauthorized"];
            408: components["responses"]["PushBodyTimeout"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["PushNotConfigured"];
        };
    };
    wechatConsents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 各协议的同意状态 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 200,
                     *       "msg": "请求成功",
                     *       "data": {
                     *         "enforced": true,
                     *         "documents": [
                     *           {
                     *             "document": "user_agreement",
                     *             "title": "用户协议",
                     *             "version": "2026-11-01",
                     *             "url": "https://bai.example.com/agreement-2026-11-01.html",
                     *             "accepted_version": "2026-11-01",
                     *             "accepted_at": "2026-11-20 08:00:00.000Z",
                     *             "consent_required": false
                     *           },
                     *           {
                     *             "document": "privacy_policy",
                     *             "title": "隐私政策",
                     *             "version": "2026-12-01",
                     *             "url": "https://bai.example.com/privacy-2026-12-01.html",
                     *             "accepted_version": "2026-11-01",
                     *             "accepted_at": "2026-11-20 08:00:00.000Z",
                     *             "consent_required": true
                     *           }
                     *         ]
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ApiResponse"] & {
                        /** @constant */
                        code?: 200;
                        /** @constant */
                        msg?: "请求成功";
                        data?: components["schemas"]["ConsentOverview"];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            410: components["responses"]["Gone"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    wechatGiveConsents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConsentRequest"];
            };
        };
        responses: {
            /** @description 已记录(或无需记录),返回各协议的最新状态 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 200,
                     *       "msg": "已记录",
                     *       "data": {
                     *         "enforced": true,
                     *         "documents": [
                     *           {
                     *             "document": "user_agreement",
                     *             "title": "用户协议",
                     *             "version": "2026-11-01",
                     *             "url": "https://bai.example.com/agreement-2026-11-01.html",
                     *             "accepted_version": "2026-11-01",
                     *             "accepted_at": "2026-11-20 08:00:00.000Z",
                     *             "consent_required": false
                     *           },
                     *           {
                     *             "document": "privacy_policy",
                     *             "title": "隐私政策",
                     *             "version": "2026-12-01",
                     *             "url": "https://bai.example.com/privacy-2026-12-01.html",
                     *             "accepted_version": "2026-11-01",
                     *             "accepted_at": "2026-11-20 08:00:00.000Z",
                     *             "consent_required": true
                     *           }
                     *         ]
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ApiResponse"] & {
                        /** @constant */
                        code?: 200;
                        /** @constant */
                        msg?: "已记录";
                        data?: components["schemas"]["ConsentOverview"];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["ConsentVersionStale"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    wechatMyData: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 当前用户的全部数据 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "code": 200,
                     *       "msg": "请求成功",
                     *       "data": {
                     *         "generated_at": "2026-11-22T08:00:00.000Z",
                     *         "profile": {
                     *           "pb_id": "abc123xyz456789",
                     *           "users_id": "U202603190001",
                     *           "users_type": "注册用户",
                     *           "users_name": "张三",
                     *           "users_phone": "13800138000",
                     *           "users_phone_masked": "138****8000",
                     *           "users_picture": "https://bai-api.blv-oa.com/pb/api/files/tbl_user_avatars/k3j4h5g6f7a8b9c/avatar_x1y2z3w4v5.jpg",
                     *           "company_id": "",
                     *           "company": null,
                     *           "created": "2026-03-19 10:00:00.000Z",
                     *           "updated": "2026-03-20 09:30:00.000Z"
                     *         },
                     *         "account": {
                     *           "users_status": "正常",
                     *           "users_deletion_due": null,
                     *           "users_flags": [],
                     *           "risk_rank": "0",
                     *           "risk_checked_at": "2026-03-19 10:00:00.000Z"
                     *         },
                     *         "identities": [
                     *           {
                     *             "provider": "wechat_miniprogram",
                     *             "appid": "wx1234567890abcdef",
                     *             "openid_masked": "oAb****6789",
                     *             "unionid_masked": "",
                     *             "stored_in": "tbl_auth_users"
                     *           },
                     *           {
                     *             "provider": "wechat_miniprogram",
                     *             "appid": "wx1234567890abcdef",
                     *             "openid_masked": "oAb****6789",
                     *             "unionid_masked": "",
                     *             "stored_in": "tbl_user_identities"
                     *           }
                     *         ],
                     *         "consents": [
                     *           {
                     *             "document": "user_agreement",
                     *             "version": "2026-11-01",
                     *             "action": "agree",
                     *             "source": "login",
                     *             "appid": "wx1234567890abcdef",
                     *             "ip": "203.0.113.9",
                     *             "created": "2026-03-19 10:00:00.000Z"
                     *           }
                     *         ],
                     *         "audit_events": [
                     *           {
                     *             "created": "2026-03-20 09:30:00.000Z",
                     *             "event": "profile_updated",
                     *             "by": "user",
                     *             "ip": "203.0.113.9",
                     *             "details": {
                     *               "fields": "users_name,users_phone,users_picture,users_type"
                     *             }
                     *           },
                     *           {
                     *             "created": "2026-03-19 10:00:00.000Z",
                     *             "event": "registration",
                     *             "by": "user",
                     *             "ip": "203.0.113.9",
                     *             "details": {}
                     *           }
                     *         ],
                     *         "avatars": [
                     *           {
                     *             "url": "https://bai-api.blv-oa.com/pb/api/files/tbl_user_avatars/k3j4h5g6f7a8b9c/avatar_x1y2z3w4v5.jpg",
                     *             "status": "使用中",
                     *             "created": "2026-03-20 09:29:00.000Z"
                     *           }
                     *         ]
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ApiResponse"] & {
                        /** @constant */
                        code?: 200;
                        /** @constant */
                        msg?: "请求成功";
                        data?: components["schemas"]["MyData"];
                    };
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            410: components["responses"]["Gone"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
    adminAuditExport: {
        parameters: {
            query: {
                /**
                 * @description 起始时间(含):`YYYY-MM-DD`(北京时间零点)或带时区的时间,如 `2026-11-01T08:00:00+08:00`、`2026-11-01T00:00:00Z`
                 * @example 2026-11-01
                 */
                from: string;
                /**
                 * @description 截止时间(不含),格式同 `from`;省略为现在
                 * @example 2026-12-01
                 */
                to?: string;
                format?: "csv" | "json";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /**
             * @description 审计记录。CSV 的列:`created,event,users_id,pb_id,by,ip,staff,details`(`details` 为 JSON);
             *     以 `=`、`+`、`-`、`@` 开头的单元格前加 `'`,以免被表格软件当作公式。
             */
            200: {
                headers: {
                    /** @example attachment; filename="bai-audit-20261031T160000Z-20261130T160000Z.csv" */
                    "Content-Disposition"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example created,event,users_id,pb_id,by,ip,staff,details
                     *     2026-11-01 02:00:00.000Z,login,U202603190001,abc123xyz456789,user,203.0.113.9,,{}
                     */
                    "text/csv": string;
                    /**
                     * @example {
                     *       "code": 200,
                     *       "msg": "导出成功",
                     *       "data": {
                     *         "from": "2026-10-31T16:00:00.000Z",
                     *         "to": "2026-11-30T16:00:00.000Z",
                     *         "events": [
                     *           {
                     *             "id": "k3j4h5g6f7a8b9c",
                     *             "created": "2026-11-01 02:00:00.000Z",
                     *             "event": "login",
                     *             "users_id": "U202603190001",
                     *             "pb_id": "abc123xyz456789",
                     *             "by": "user",
                     *             "ip": "203.0.113.9",
                     *             "staff": "",
                     *             "details": {}
                     *           }
                     *         ]
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ApiResponse"] & {
                        /** @constant */
                        code?: 200;
                        /** @constant */
                        msg?: "导出成功";
                        data?: components["schemas"]["AuditExportData"];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalError"];
        };
    };
}
