//! The translations of every message the code writes in English: one row per template, with
//! the same `{placeholders}` in each language (a test checks them, and another that every
//! template the code uses is here).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::Locale;

/// English template, Simplified Chinese, Traditional Chinese.
pub(crate) const ENTRIES: &[(&str, &str, &str)] = &[
    // Who may do what.
    ("sign in to do this", "请先登录", "請先登入"),
    ("forbidden", "无权执行此操作", "無權執行此操作"),
    ("internal error", "内部错误", "內部錯誤"),
    ("sign in to read the audit log", "请登录后查看审计日志", "請登入後查看稽核日誌"),
    (
        "only the admins of a district (or city admins) read its audit log",
        "只有本区管理员（或市级管理员）可以查看该区的审计日志",
        "只有本區管理員（或市級管理員）可以查看該區的稽核日誌",
    ),
    // Tokens.
    ("the token has expired", "令牌已过期", "權杖已過期"),
    ("the token is invalid", "令牌无效", "權杖無效"),
    ("the token is not valid yet", "令牌尚未生效", "權杖尚未生效"),
    ("the token's claims are invalid: {reason}", "令牌声明无效：{reason}", "權杖聲明無效：{reason}"),
    ("empty subject", "主体（sub）为空", "主體（sub）為空"),
    ("role {role} needs a district", "角色 {role} 需要指定区", "角色 {role} 需要指定區"),
    (
        "role department_staff needs a department",
        "角色 department_staff 需要指定部门",
        "角色 department_staff 需要指定部門",
    ),
    (
        "valid for longer than the {days} days this server allows its own tokens",
        "有效期超过本服务器签发令牌允许的 {days} 天",
        "有效期超過本伺服器簽發權杖允許的 {days} 天",
    ),
    ("{district} is not a district of this city", "{district} 不是本市的区", "{district} 不是本市的區"),
    (
        "{department} is not a department of {district}",
        "{department} 不是 {district} 的部门",
        "{department} 不是 {district} 的部門",
    ),
    (
        "unknown role `{role}` (expected one of resident, operator, department_staff, district_admin, city_admin)",
        "未知角色 `{role}`（应为 resident、operator、department_staff、district_admin、city_admin 之一）",
        "未知角色 `{role}`（應為 resident、operator、department_staff、district_admin、city_admin 之一）",
    ),
    // Things that were not found, and the kinds of things.
    ("{what} not found", "未找到{what}", "找不到{what}"),
    ("ticket not found", "未找到工单", "找不到工單"),
    ("plugin not found", "未找到插件", "找不到外掛"),
    ("department not found", "未找到部门", "找不到部門"),
    ("audit entry not found", "未找到审计记录", "找不到稽核紀錄"),
    ("no such district", "没有这个区", "沒有這個區"),
    ("district", "区", "區"),
    ("street", "街道", "街道"),
    ("department", "部门", "部門"),
    ("category", "类别", "類別"),
    ("ticket", "工单", "工單"),
    ("ticket event", "工单记录", "工單紀錄"),
    ("plugin", "插件", "外掛"),
    ("plugin call", "插件调用", "外掛呼叫"),
    ("notification", "通知", "通知"),
    ("event", "事件", "事件"),
    ("audit entry", "审计记录", "稽核紀錄"),
    ("survey", "问卷", "問卷"),
    ("survey response", "问卷回答", "問卷回答"),
    ("budgeting process", "参与式预算", "參與式預算"),
    ("budget project", "预算项目", "預算項目"),
    ("ballot", "选票", "選票"),
    ("email", "邮件", "郵件"),
    ("milestone", "里程碑", "里程碑"),
    ("eligibility review", "资格审核", "資格審核"),
    ("Open311 client", "Open311 客户端", "Open311 用戶端"),
    // IDs and cursors.
    (
        "`{given}` is not a valid {kind} ID (expected `{prefix}_<number>`)",
        "`{given}` 不是有效的{kind} ID（应为 `{prefix}_<数字>`）",
        "`{given}` 不是有效的{kind} ID（應為 `{prefix}_<數字>`）",
    ),
    ("`{id}` is not an ID", "`{id}` 不是 ID", "`{id}` 不是 ID"),
    ("`{id}` is not the ID of any type", "`{id}` 不是任何类型的 ID", "`{id}` 不是任何類型的 ID"),
    ("at most {max} IDs", "最多 {max} 个 ID", "最多 {max} 個 ID"),
    (
        "is not a cursor of this list (use an edge's cursor or pageInfo's)",
        "不是此列表的游标（请使用 edge 或 pageInfo 中的游标）",
        "不是此列表的游標（請使用 edge 或 pageInfo 中的游標）",
    ),
    ("give first or last, not both", "first 和 last 只能给出一个", "first 和 last 只能給出一個"),
    ("lists at most {max} statuses", "最多列出 {max} 种状态", "最多列出 {max} 種狀態"),
    // Values.
    ("{field}: {message}", "{field}：{message}", "{field}：{message}"),
    ("must not be empty", "不能为空", "不能為空"),
    ("must have at most {max} characters", "最多 {max} 个字符", "最多 {max} 個字元"),
    ("must not contain control characters", "不能包含控制字符", "不能包含控制字元"),
    (
        "must be a phone number such as +86 138 1234 5678 (3 to 20 digits)",
        "必须是电话号码，例如 +86 138 1234 5678（3 到 20 位数字）",
        "必須是電話號碼，例如 +86 138 1234 5678（3 到 20 位數字）",
    ),
    (
        "must be an email address such as name@example.org",
        "必须是电子邮件地址，例如 name@example.org",
        "必須是電子郵件地址，例如 name@example.org",
    ),
    ("must be between 1 and {max}", "必须介于 1 到 {max} 之间", "必須介於 1 到 {max} 之間"),
    ("must be between 1 and 5", "必须介于 1 到 5 之间", "必須介於 1 到 5 之間"),
    ("must be between 1 and 8760", "必须介于 1 到 8760 之间", "必須介於 1 到 8760 之間"),
    ("must be between -90 and 90", "必须介于 -90 到 90 之间", "必須介於 -90 到 90 之間"),
    ("must be between -180 and 180", "必须介于 -180 到 180 之间", "必須介於 -180 到 180 之間"),
    ("must be given with latitude", "必须与纬度一起提供", "必須與緯度一起提供"),
    ("must be given with longitude", "必须与经度一起提供", "必須與經度一起提供"),
    ("must be after from", "必须晚于 from", "必須晚於 from"),
    (
        "must be 1 to 128 visible ASCII characters",
        "必须是 1 到 128 个可见 ASCII 字符",
        "必須是 1 到 128 個可見 ASCII 字元",
    ),
    // The directory.
    ("{field}: another entry already has this value", "{field}：已有其他条目使用此值", "{field}：已有其他項目使用此值"),
    ("another district has this code", "已有其他区使用此代码", "已有其他區使用此代碼"),
    (
        "must be at least the response deadline and at most 8760",
        "不得早于响应时限，且不超过 8760",
        "不得早於回應時限，且不超過 8760",
    ),
    ("is not a department of this district", "不是本区的部门", "不是本區的部門"),
    ("is not a category of this district", "不是本区的类别", "不是本區的類別"),
    ("is not a street of this district", "不是本区的街道", "不是本區的街道"),
    // Tickets.
    (
        "the ticket was changed concurrently; reload it and try again",
        "工单已被他人修改，请刷新后重试",
        "工單已被他人修改，請重新載入後再試",
    ),
    ("residents report through WEB or APP", "居民只能通过 WEB 或 APP 渠道提交", "居民只能透過 WEB 或 APP 管道提交"),
    ("is set by the dispatcher, not by the reporter", "由派单员设置，提交人不能设置", "由派單員設定，提交人不能設定"),
    ("must name at least one ticket", "至少要指定一张工单", "至少要指定一張工單"),
    ("must name at most 100 tickets", "最多只能指定 100 张工单", "最多只能指定 100 張工單"),
    ("must not contain the primary ticket", "不能包含主工单", "不能包含主工單"),
    (
        "duplicates must be in the primary ticket's district",
        "重复工单必须与主工单属于同一个区",
        "重複工單必須與主工單屬於同一個區",
    ),
    ("is not a department of the ticket's district", "不是该工单所在区的部门", "不是該工單所在區的部門"),
    ("cannot {action} a ticket that is {from}", "无法{action}：工单状态为 {from}", "無法{action}：工單狀態為 {from}"),
    ("change an unsubmitted ticket", "修改未提交的工单", "修改未提交的工單"),
    ("submit again", "再次提交", "再次提交"),
    ("dispatch", "派单", "派單"),
    ("accept", "接单", "接單"),
    ("return", "退回", "退回"),
    ("transfer", "转派", "轉派"),
    ("resolve", "办结", "辦結"),
    ("rate", "评价", "評價"),
    ("auto-close", "自动关闭", "自動關閉"),
    ("reject", "驳回", "駁回"),
    ("merge", "合并", "合併"),
    ("merge into", "合并到其他工单", "合併到其他工單"),
    // Plugins.
    (
        "{field}: a plugin of this name is already installed here",
        "{field}：此处已安装同名插件",
        "{field}：此處已安裝同名外掛",
    ),
    ("every limit must be positive", "所有限制都必须为正数", "所有限制都必須為正數"),
    ("must be 1 byte to {max} bytes", "大小必须在 1 到 {max} 字节之间", "大小必須在 1 到 {max} 位元組之間"),
    ("the component does not implement `{hook}`", "该组件未实现 `{hook}`", "該元件未實作 `{hook}`"),
    (
        "must be 1 to 64 letters, digits, '-', '_' or '.'",
        "必须由 1 到 64 个字母、数字、'-'、'_' 或 '.' 组成",
        "必須由 1 到 64 個字母、數字、'-'、'_' 或 '.' 組成",
    ),
    ("must be JSON", "必须是 JSON", "必須是 JSON"),
    ("must name at least one hook", "至少要指定一个钩子", "至少要指定一個掛鉤"),
    ("a component may have at most {max} bytes", "组件最多 {max} 字节", "元件最多 {max} 位元組"),
    ("not base64: {error}", "不是 base64：{error}", "不是 base64：{error}"),
    ("cannot read the upload: {error}", "无法读取上传的文件：{error}", "無法讀取上傳的檔案：{error}"),
    (
        "give either `component` or `upload`, not both",
        "`component` 和 `upload` 只能给出一个",
        "`component` 和 `upload` 只能給出一個",
    ),
    (
        "give the component as base64 `component` or as an `upload`",
        "请以 base64 的 `component` 或 `upload` 上传组件",
        "請以 base64 的 `component` 或 `upload` 上傳元件",
    ),
    ("plugins are not enabled on this server", "本服务器未启用插件", "本伺服器未啟用外掛"),
    // Requests.
    ("the query expands to more than {limit} fields", "查询展开后超过 {limit} 个字段", "查詢展開後超過 {limit} 個欄位"),
    (
        "the query nests {found} fields deep; at most {limit} are allowed",
        "查询嵌套深度为 {found} 层，最多允许 {limit} 层",
        "查詢巢狀深度為 {found} 層，最多允許 {limit} 層",
    ),
    (
        "an operation may have at most {limit} root fields (aliases included); this one has {found}",
        "一个操作最多只能有 {limit} 个根字段（含别名），此操作有 {found} 个",
        "一個操作最多只能有 {limit} 個根欄位（含別名），此操作有 {found} 個",
    ),
    (
        "a query may have at most {limit} directives; this one has {found}",
        "一个查询最多只能有 {limit} 个指令，此查询有 {found} 个",
        "一個查詢最多只能有 {limit} 個指令，此查詢有 {found} 個",
    ),
    ("fragment `{name}` spreads itself", "片段 `{name}` 引用了自身", "片段 `{name}` 引用了自身"),
    ("{dropped} more errors were left out", "另有 {dropped} 个错误未列出", "另有 {dropped} 個錯誤未列出"),
    (
        "requests from {origin} are not allowed (see --cors-origin)",
        "不接受来自 {origin} 的请求（参见 --cors-origin）",
        "不接受來自 {origin} 的請求（參見 --cors-origin）",
    ),
    (
        "a multipart request needs the `{header}` header (any value)",
        "multipart 请求必须带有 `{header}` 请求头（任意值）",
        "multipart 請求必須帶有 `{header}` 標頭（任意值）",
    ),
    ("no content type", "未指定内容类型", "未指定內容類型"),
    (
        "send GraphQL as application/json (multipart/form-data for uploads), not {given}",
        "请以 application/json 发送 GraphQL（上传文件用 multipart/form-data），而不是 {given}",
        "請以 application/json 傳送 GraphQL（上傳檔案用 multipart/form-data），而不是 {given}",
    ),
    ("the request body is larger than {limit} bytes", "请求体超过 {limit} 字节", "請求主體超過 {limit} 位元組"),
    (
        "the body is not a GraphQL request: {error}",
        "请求体不是 GraphQL 请求：{error}",
        "請求主體不是 GraphQL 請求：{error}",
    ),
    ("the request cannot be read: {error}", "无法读取请求：{error}", "無法讀取請求：{error}"),
    // Surveys: definitions.
    ("at most {max} questions", "最多 {max} 个问题", "最多 {max} 個問題"),
    ("another question has this key", "已有其他问题使用此键", "已有其他問題使用此鍵"),
    ("a condition may have at most {max} parts", "一个条件最多包含 {max} 个部分", "一個條件最多包含 {max} 個部分"),
    ("a condition may nest at most {max} levels", "条件最多嵌套 {max} 层", "條件最多巢狀 {max} 層"),
    (
        "must be 1 to 64 letters, digits, '-' or '_'",
        "必须由 1 到 64 个字母、数字、'-' 或 '_' 组成",
        "必須由 1 到 64 個字母、數字、'-' 或 '_' 組成",
    ),
    ("must have {least} to {max} entries", "必须有 {least} 到 {max} 项", "必須有 {least} 到 {max} 項"),
    ("another entry has this key", "已有其他项使用此键", "已有其他項使用此鍵"),
    ("is more than there are options", "超过了选项数量", "超過了選項數量"),
    (
        "must be between minChoices (and 1) and the number of options",
        "必须介于 minChoices（且至少为 1）与选项数量之间",
        "必須介於 minChoices（且至少為 1）與選項數量之間",
    ),
    ("must be between 2 and 10", "必须介于 2 到 10 之间", "必須介於 2 到 10 之間"),
    ("must be a finite number", "必须是有限的数字", "必須是有限的數字"),
    ("must not be less than min", "不能小于 min", "不能小於 min"),
    ("must be between 0 and 6", "必须介于 0 到 6 之间", "必須介於 0 到 6 之間"),
    ("must be between 1 and 10000", "必须介于 1 到 10000 之间", "必須介於 1 到 10000 之間"),
    ("must be between 1 and the number of options", "必须介于 1 与选项数量之间", "必須介於 1 與選項數量之間"),
    (
        "must be the key of an earlier question (`{key}` is not)",
        "必须是前面某个问题的键（`{key}` 不是）",
        "必須是前面某個問題的鍵（`{key}` 不是）",
    ),
    (
        "this operator does not apply to a {type} question",
        "此运算符不适用于 {type} 类型的问题",
        "此運算子不適用於 {type} 類型的問題",
    ),
    ("is required by this operator", "此运算符需要该值", "此運算子需要該值"),
    ("is not an option of that question", "不是该问题的选项", "不是該問題的選項"),
    ("must be a date such as 2026-12-31", "必须是日期，例如 2026-12-31", "必須是日期，例如 2026-12-31"),
    ("must be a number", "必须是数字", "必須是數字"),
    // Surveys: responses.
    ("no question has this key", "没有使用此键的问题", "沒有使用此鍵的問題"),
    ("answered twice", "重复作答", "重複作答"),
    (
        "this question is hidden by its condition",
        "该问题因条件未满足而隐藏，不能作答",
        "該問題因條件未滿足而隱藏，不能作答",
    ),
    ("required", "必答", "必答"),
    (
        "a {type} question is not answered with this field",
        "{type} 类型的问题不使用此字段作答",
        "{type} 類型的問題不使用此欄位作答",
    ),
    ("not an option of this question", "不是此问题的选项", "不是此問題的選項"),
    ("chosen twice", "重复选择", "重複選擇"),
    ("this question has no 'other' answer", "此问题没有“其他”选项", "此問題沒有「其他」選項"),
    ("choose one option", "请只选择一个选项", "請只選擇一個選項"),
    ("too many choices (at most {max})", "选择过多（最多 {max} 项）", "選擇過多（最多 {max} 項）"),
    ("too few choices (at least {min})", "选择过少（至少 {min} 项）", "選擇過少（至少 {min} 項）"),
    ("at most {decimals} decimals", "最多 {decimals} 位小数", "最多 {decimals} 位小數"),
    ("must be a single line", "必须为单行", "必須為單行"),
    ("ranked twice", "重复排序", "重複排序"),
    ("rank at most {max} options", "最多排序 {max} 个选项", "最多排序 {max} 個選項"),
    ("not a row of this question", "不是此问题的行", "不是此問題的列"),
    ("rated twice", "重复评分", "重複評分"),
    ("must be between {min} and {max}", "必须介于 {min} 到 {max} 之间", "必須介於 {min} 到 {max} 之間"),
    ("every row must be rated", "每一行都必须评分", "每一列都必須評分"),
    (
        "must be a whole number between {min} and {max}",
        "必须是 {min} 到 {max} 之间的整数",
        "必須是 {min} 到 {max} 之間的整數",
    ),
    ("must be at least {min}", "不能小于 {min}", "不能小於 {min}"),
    ("must be at most {max}", "不能大于 {max}", "不能大於 {max}"),
    // Surveys: the lifecycle.
    (
        "only the survey's district admins (or city admins) manage it",
        "只有问卷所属区的管理员（或市级管理员）可以管理该问卷",
        "只有問卷所屬區的管理員（或市級管理員）可以管理該問卷",
    ),
    ("survey not found", "未找到问卷", "找不到問卷"),
    (
        "the input has {count} problems (see extensions.problems)",
        "输入有 {count} 处问题（见 extensions.problems）",
        "輸入有 {count} 處問題（見 extensions.problems）",
    ),
    ("cannot {action} a survey that is {from}", "无法{action}：问卷状态为 {from}", "無法{action}：問卷狀態為 {from}"),
    (
        "the survey was changed concurrently; reload it and try again",
        "问卷已被他人修改，请刷新后重试",
        "問卷已被他人修改，請重新載入後再試",
    ),
    ("a survey needs at least one question to open", "问卷至少需要一个问题才能开放", "問卷至少需要一個問題才能開放"),
    ("must be after opensAt", "必须晚于 opensAt", "必須晚於 opensAt"),
    ("must name every question exactly once", "必须恰好列出每个问题一次", "必須恰好列出每個問題一次"),
    ("update", "修改", "修改"),
    ("change the questions of", "修改问题", "修改問題"),
    ("open", "开放", "開放"),
    ("close", "关闭", "關閉"),
    ("invite people to", "邀请他人参与", "邀請他人參與"),
    ("archive", "归档", "歸檔"),
    ("must not be negative", "不能为负数", "不能為負數"),
    (
        "give exactly one of all, any, not or question",
        "all、any、not、question 必须且只能给出一个",
        "all、any、not、question 必須且只能給出一個",
    ),
    ("at most {max} answers", "最多 {max} 个答案", "最多 {max} 個答案"),
    ("give each status at most once", "每种状态最多给出一次", "每種狀態最多給出一次"),
    (
        "you have answered this survey already; send replace: true to replace your response",
        "您已回答过此问卷；如需替换原回答，请发送 replace: true",
        "您已回答過此問卷；如需取代原回答，請傳送 replace: true",
    ),
    ("this survey is for other residents", "此问卷面向其他居民", "此問卷面向其他居民"),
    ("residents answer through WEB or APP", "居民只能通过 WEB 或 APP 作答", "居民只能透過 WEB 或 APP 作答"),
    ("answer", "作答", "作答"),
    ("withdraw an answer to", "撤回回答", "撤回回答"),
    ("read the text answers of", "查看文字回答", "查看文字回答"),
    ("phone: {reason}", "phone 声明：{reason}", "phone 聲明：{reason}"),
    ("email: not an email address", "email 声明：不是电子邮件地址", "email 聲明：不是電子郵件地址"),
    ("must be en, zh-Hans or zh-Hant", "必须是 en、zh-Hans 或 zh-Hant", "必須是 en、zh-Hans 或 zh-Hant"),
    ("at most {max} addresses at once", "一次最多 {max} 个地址", "一次最多 {max} 個地址"),
    ("entry {index} is not an email address", "第 {index} 项不是电子邮件地址", "第 {index} 項不是電子郵件地址"),
    ("your sign-in carries no email address", "您的登录信息中没有电子邮件地址", "您的登入資訊中沒有電子郵件地址"),
    ("you have no response to this survey", "您尚未回答此问卷", "您尚未回答此問卷"),
    (
        "only hotline operators answer on behalf of a resident",
        "只有热线话务员可以代居民作答",
        "只有熱線話務員可以代居民作答",
    ),
    ("this question has no text answers", "此问题没有文字回答", "此問題沒有文字回答"),
    (
        "assisted answers come by PHONE or WALK_IN",
        "代填的回答须通过 PHONE 或 WALK_IN 渠道",
        "代填的回答須透過 PHONE 或 WALK_IN 管道",
    ),
    // Email.
    ("only admins manage the email outbox", "只有管理员可以管理邮件发件箱", "只有管理員可以管理郵件寄件匣"),
    ("email not found", "未找到该邮件", "找不到該郵件"),
    (
        "too many requests: try again in {seconds} s",
        "请求过多：请 {seconds} 秒后再试",
        "請求過多：請 {seconds} 秒後再試",
    ),
    (
        "a connection may hold at most {max} subscriptions",
        "一个连接最多可同时保持 {max} 个订阅",
        "一個連線最多可同時保持 {max} 個訂閱",
    ),
    (
        "You will no longer receive this kind of mail from Civitas.",
        "您将不再收到 Civitas 的此类邮件。",
        "您將不再收到 Civitas 的此類郵件。",
    ),
    ("Stop all mail from Civitas", "退订 Civitas 的全部邮件", "退訂 Civitas 的全部郵件"),
    (
        "You will no longer receive mail from Civitas.",
        "您将不再收到 Civitas 的任何邮件。",
        "您將不再收到 Civitas 的任何郵件。",
    ),
    ("This unsubscribe link is not valid.", "此退订链接无效。", "此退訂連結無效。"),
    (
        "Something went wrong; please try the link again later.",
        "出了点问题，请稍后再试此链接。",
        "出了點問題，請稍後再試此連結。",
    ),
    // Why a project was or was not funded (the tally engine's explanations).
    ("infinite (free)", "无穷大（免费）", "無窮大（免費）"),
    ("greedy order", "贪心顺序", "貪婪順序"),
    ("greedy completion", "贪心补全", "貪婪補全"),
    (
        "rank {rank} in the {pass} (score {score}); {left} left when reached",
        "在{pass}中排第 {rank} 位（得分 {score}）；轮到它时还剩 {left}",
        "在{pass}中排第 {rank} 位（得分 {score}）；輪到它時還剩 {left}",
    ),
    (
        "rank {rank} in the {pass} (score {score}); only {left} left when reached: does not fit",
        "在{pass}中排第 {rank} 位（得分 {score}）；轮到它时只剩 {left}：放不下",
        "在{pass}中排第 {rank} 位（得分 {score}）；輪到它時只剩 {left}：放不下",
    ),
    (
        "part of the feasible set of maximum welfare {optimal} (adds {welfare})",
        "属于总福利最大（{optimal}）的可行组合（贡献 {welfare}）",
        "屬於總福利最大（{optimal}）的可行組合（貢獻 {welfare}）",
    ),
    (
        "not in the feasible set of maximum welfare {optimal} (would add {welfare})",
        "不在总福利最大（{optimal}）的可行组合中（可贡献 {welfare}）",
        "不在總福利最大（{optimal}）的可行組合中（可貢獻 {welfare}）",
    ),
    (
        "bought in round {round}, supporters' load {load}",
        "第 {round} 轮入选，支持者负担 {load}",
        "第 {round} 輪入選，支持者負擔 {load}",
    ),
    (
        "not reached: rule stopped in round {round} (supporters' load would be {load})",
        "未轮到：规则在第 {round} 轮停止（支持者负担将为 {load}）",
        "未輪到：規則在第 {round} 輪停止（支持者負擔將為 {load}）",
    ),
    (
        "no supporters; rule stopped in round {round}",
        "无人支持；规则在第 {round} 轮停止",
        "無人支持；規則在第 {round} 輪停止",
    ),
    (
        "bought in round {round} at ρ = {rho} per unit of satisfaction; {voters} supporters paid ({exhausted} of them all they had left); each voter started with {budget}",
        "第 {round} 轮以每单位满意度 ρ = {rho} 入选；{voters} 名支持者出资（其中 {exhausted} 名付出了全部余额）；每位选民初始资金为 {budget}",
        "第 {round} 輪以每單位滿意度 ρ = {rho} 入選；{voters} 名支持者出資（其中 {exhausted} 名付出了全部餘額）；每位選民初始資金為 {budget}",
    ),
    (
        "never affordable: its {supporters} supporters had only {left} left in total (each started with {budget})",
        "始终无法负担：其 {supporters} 名支持者合计只剩 {left}（每人初始资金为 {budget}）",
        "始終無法負擔：其 {supporters} 名支持者合計只剩 {left}（每人初始資金為 {budget}）",
    ),
    ("costs nothing and has supporters: funded up front", "不花钱且有人支持：预先入选", "不花錢且有人支持：預先入選"),
    ("nobody supports it", "无人支持", "無人支持"),
    // Budgeting processes.
    ("import paper ballots into", "导入纸质选票", "匯入紙本選票"),
    ("the same voter is on another line of the batch", "同一选民出现在本批次的另一行", "同一選民出現在本批次的另一行"),
    ("no ballots in the batch", "本批次没有选票", "本批次沒有選票"),
    ("not CSV: {reason}", "不是 CSV：{reason}", "不是 CSV：{reason}"),
    (
        "the header needs a phone or an id_number column",
        "表头需要 phone 或 id_number 列",
        "表頭需要 phone 或 id_number 欄",
    ),
    ("at most {max} ballots per batch", "每批最多 {max} 张选票", "每批最多 {max} 張選票"),
    (
        "give a phone or an id_number, one of them",
        "请填写 phone 或 id_number（二选一）",
        "請填寫 phone 或 id_number（二選一）",
    ),
    ("not a project ID", "不是项目 ID", "不是項目 ID"),
    ("write points as prj_1:3", "分数请写成 prj_1:3", "分數請寫成 prj_1:3"),
    ("at most {max} bytes", "最多 {max} 字节", "最多 {max} 位元組"),
    ("birthYear: not a year of birth", "birthYear：不是有效的出生年份", "birthYear：不是有效的出生年份"),
    ("you may not vote in this process: {reason}", "您不能参加本次投票：{reason}", "您不能參加本次投票：{reason}"),
    ("decide the eligibility reviews of", "审核投票资格", "審核投票資格"),
    ("give each phase at most once", "每个阶段最多给出一次", "每個階段最多給出一次"),
    ("a project has at most {max} milestones", "每个项目最多 {max} 个里程碑", "每個項目最多 {max} 個里程碑"),
    ("only selected projects are tracked", "只跟踪入选的项目", "只追蹤入選的項目"),
    ("track the projects of", "跟踪项目", "追蹤項目"),
    ("at most {max} entries", "最多 {max} 项", "最多 {max} 項"),
    ("a process takes at most {max} projects", "每次预算最多 {max} 个项目", "每次預算最多 {max} 個項目"),
    ("a vote needs at least one feasible project", "投票至少需要一个可行项目", "投票至少需要一個可行項目"),
    ("advance", "推进", "推進"),
    (
        "an empty ballot: withdraw your ballot instead",
        "空白选票：如要放弃，请撤回选票",
        "空白選票：如要放棄，請撤回選票",
    ),
    ("approve at least {min} projects", "至少选择 {min} 个项目", "至少選擇 {min} 個項目"),
    ("approve at most {max} projects", "最多选择 {max} 个项目", "最多選擇 {max} 個項目"),
    (
        "assisted votes come by PHONE or WALK_IN",
        "代为投票的渠道须为 PHONE 或 WALK_IN",
        "代為投票的管道須為 PHONE 或 WALK_IN",
    ),
    ("at most {max} points per project", "每个项目最多 {max} 分", "每個項目最多 {max} 分"),
    ("budgeting process or project not found", "未找到该参与式预算或项目", "找不到該參與式預算或項目"),
    ("cancel", "取消", "取消"),
    (
        "cannot {action} a budgeting process in phase {from}",
        "无法对处于 {from} 阶段的参与式预算执行“{action}”",
        "無法對處於 {from} 階段的參與式預算執行「{action}」",
    ),
    ("change", "修改", "修改"),
    ("changed concurrently; reload and try again", "已被同时修改；请重新加载后再试", "已被同時修改；請重新載入後再試"),
    ("does not apply to {format} ballots", "不适用于 {format} 选票", "不適用於 {format} 選票"),
    ("export the ballots of", "导出选票", "匯出選票"),
    (
        "give both latitude and longitude, or neither",
        "请同时填写纬度和经度，或都不填",
        "請同時填寫緯度和經度，或都不填",
    ),
    (
        "give the resident's phone or ID-card number, one of them",
        "请填写居民的电话号码或身份证号码（二选一）",
        "請填寫居民的電話號碼或身分證號碼（二選一）",
    ),
    ("is not a street of the process's district", "不是该预算所属区的街道", "不是該預算所屬區的街道"),
    ("is too large", "数值过大", "數值過大"),
    ("must be 6 to 32 letters and digits", "须为 6 至 32 位字母或数字", "須為 6 至 32 位字母或數字"),
    (
        "must be a three-letter ISO 4217 code, like CNY",
        "须为三个字母的 ISO 4217 代码，如 CNY",
        "須為三個字母的 ISO 4217 代碼，如 CNY",
    ),
    ("must be after the previous phase's date", "须晚于上一阶段的日期", "須晚於上一階段的日期"),
    ("must be an amount like 1000000 or 2500.50", "须为金额，如 1000000 或 2500.50", "須為金額，如 1000000 或 2500.50"),
    ("must be more than zero", "须大于零", "須大於零"),
    (
        "must be more than zero and at most the budget ({budget})",
        "须大于零且不超过预算（{budget}）",
        "須大於零且不超過預算（{budget}）",
    ),
    ("must not be more than maxProjects", "不得大于 maxProjects", "不得大於 maxProjects"),
    ("must not be more than the budget ({budget})", "不得超过预算（{budget}）", "不得超過預算（{budget}）"),
    ("named twice", "重复出现", "重複出現"),
    ("no such street", "没有该街道", "沒有該街道"),
    ("not a project on this ballot", "不是本选票上的项目", "不是本選票上的項目"),
    (
        "only hotline operators cast a ballot on behalf of a resident",
        "只有热线接线员可以代居民投票",
        "只有熱線接線員可以代居民投票",
    ),
    (
        "only the process's district admins (or city admins) manage it",
        "只有该预算所属区的管理员（或市级管理员）可以管理",
        "只有該預算所屬區的管理員（或市級管理員）可以管理",
    ),
    ("propose a project to", "提交项目", "提交項目"),
    ("publish the ballots of", "公开选票", "公開選票"),
    ("rank at most {max} projects", "最多为 {max} 个项目排序", "最多為 {max} 個項目排序"),
    ("residents vote through WEB or APP", "居民须通过 WEB 或 APP 投票", "居民須透過 WEB 或 APP 投票"),
    ("review the projects of", "审核项目", "審核項目"),
    (
        "the approved projects cost {total}, more than {max}",
        "所选项目合计 {total}，超过上限 {max}",
        "所選項目合計 {total}，超過上限 {max}",
    ),
    (
        "the rule {rule} does not count {format} ballots",
        "计票规则 {rule} 不适用于 {format} 选票",
        "計票規則 {rule} 不適用於 {format} 選票",
    ),
    ("this vote is for other residents", "本次投票面向其他居民", "本次投票面向其他居民"),
    (
        "unknown tally rule (see civitas pb tally --help)",
        "未知的计票规则（见 civitas pb tally --help）",
        "未知的計票規則（見 civitas pb tally --help）",
    ),
    ("vote in", "投票", "投票"),
    ("withdraw a ballot from", "撤回选票", "撤回選票"),
    ("you have no ballot in this process", "您在本次预算中没有选票", "您在本次預算中沒有選票"),
    ("{count} projects are not reviewed yet", "还有 {count} 个项目未审核", "還有 {count} 個項目未審核"),
    (
        "{total} points given, more than the {max} available",
        "共给出 {total} 分，超过可用的 {max} 分",
        "共給出 {total} 分，超過可用的 {max} 分",
    ),
    // Open311.
    ("this service has no attribute `{code}`", "该服务没有属性 `{code}`", "該服務沒有屬性 `{code}`"),
    (
        "give lat and long, or address_string",
        "请提供 lat 和 long，或 address_string",
        "請提供 lat 和 long，或 address_string",
    ),
    ("must be an http or https URL", "必须是 http 或 https 网址", "必須是 http 或 https 網址"),
    (
        "only the district's admins manage its Open311 clients",
        "只有本区管理员可以管理其 Open311 客户端",
        "只有本區管理員可以管理其 Open311 用戶端",
    ),
    (
        "the api_key is missing, unknown, revoked or not valid for this jurisdiction",
        "api_key 缺失、未知、已吊销或不适用于该辖区",
        "api_key 缺失、未知、已撤銷或不適用於該轄區",
    ),
    ("Open311 client not found", "找不到 Open311 客户端", "找不到 Open311 用戶端"),
    ("unknown jurisdiction_id `{id}`", "未知的 jurisdiction_id `{id}`", "未知的 jurisdiction_id `{id}`"),
    (
        "jurisdiction_id is required: this city has several districts",
        "需要 jurisdiction_id：本市有多个区",
        "需要 jurisdiction_id：本市有多個區",
    ),
    ("no such Open311 document", "没有这个 Open311 文档", "沒有這個 Open311 文件"),
    (
        "answered within {respond} h, resolved within {resolve} h",
        "{respond} 小时内响应，{resolve} 小时内办结",
        "{respond} 小時內回應，{resolve} 小時內辦結",
    ),
    ("unknown service_code `{code}`", "未知的 service_code `{code}`", "未知的 service_code `{code}`"),
    ("no service request `{id}`", "没有服务请求 `{id}`", "沒有服務請求 `{id}`"),
    ("service_request_id: at most {max} IDs", "service_request_id：最多 {max} 个", "service_request_id：最多 {max} 個"),
    (
        "service_code: `{code}` is not a service code",
        "service_code：`{code}` 不是服务代码",
        "service_code：`{code}` 不是服務代碼",
    ),
    (
        "status: must be open, closed or both",
        "status：必须是 open、closed 或两者",
        "status：必須是 open、closed 或兩者",
    ),
    ("end_date: must not be before start_date", "end_date：不能早于 start_date", "end_date：不能早於 start_date"),
    (
        "page: page × page_size must be at most {max}; narrow the dates instead",
        "page：page × page_size 不能超过 {max}；请缩小日期范围",
        "page：page × page_size 不能超過 {max}；請縮小日期範圍",
    ),
    (
        "{field}: must be a whole number from {min} to {max}",
        "{field}：必须是 {min} 到 {max} 之间的整数",
        "{field}：必須是 {min} 到 {max} 之間的整數",
    ),
    (
        "{field}: must be an ISO 8601 date-time such as 2026-01-31T08:00:00+08:00",
        "{field}：必须是 ISO 8601 日期时间，例如 2026-01-31T08:00:00+08:00",
        "{field}：必須是 ISO 8601 日期時間，例如 2026-01-31T08:00:00+08:00",
    ),
    (
        "the body must be a form (application/x-www-form-urlencoded)",
        "请求体必须是表单（application/x-www-form-urlencoded）",
        "請求主體必須是表單（application/x-www-form-urlencoded）",
    ),
    ("service_code: is required", "service_code：必填", "service_code：必填"),
    (
        "service_code: is not a service code of this jurisdiction",
        "service_code：不是该辖区的服务代码",
        "service_code：不是該轄區的服務代碼",
    ),
    (
        "received as {code}; follow it at requests/{code}",
        "已受理，编号 {code}；可在 requests/{code} 查看进度",
        "已受理，編號 {code}；可在 requests/{code} 查看進度",
    ),
    ("no such token", "没有这个令牌", "沒有這個權杖"),
    // The public performance pages.
    ("this month", "本月", "本月"),
    ("last 3 months", "近三个月", "近三個月"),
    ("this year", "今年", "今年"),
    ("chosen dates", "自选日期", "自選日期"),
    (
        "{field} must be a date such as 2026-01-31",
        "{field} 必须是日期，例如 2026-01-31",
        "{field} 必須是日期，例如 2026-01-31",
    ),
    ("to must be after from", "to 必须晚于 from", "to 必須晚於 from"),
    ("a period is at most {days} days", "时段最长 {days} 天", "時段最長 {days} 天"),
    ("give both from and to", "请同时提供 from 和 to", "請同時提供 from 和 to"),
    (
        "period must be month, quarter or year",
        "period 必须是 month、quarter 或 year",
        "period 必須是 month、quarter 或 year",
    ),
    ("City overview", "全市概览", "全市概覽"),
    ("Languages", "语言", "語言"),
    ("Period", "时段", "時段"),
    ("Districts", "各区", "各區"),
    ("District", "区", "區"),
    ("Departments", "各部门", "各部門"),
    ("Department", "部门", "部門"),
    ("Rates", "三率", "三率"),
    ("Response rate", "响应率", "回應率"),
    ("Resolution rate", "解决率", "解決率"),
    ("Satisfaction rate", "满意率", "滿意率"),
    ("Tickets", "工单数", "工單數"),
    ("At a glance", "概况", "概況"),
    ("Overdue now", "当前超时", "目前逾時"),
    ("Median time to respond", "响应时间中位数", "回應時間中位數"),
    ("Median time to resolve", "解决时间中位数", "解決時間中位數"),
    ("Weekly trend of the three rates", "三率每周走势", "三率每週走勢"),
    ("the same numbers are in the table below", "相同数字见下表", "相同數字見下表"),
    ("Week of", "周起始日", "週起始日"),
    ("Tickets by status", "按状态统计工单", "按狀態統計工單"),
    ("Status", "状态", "狀態"),
    ("Tickets by category", "按类别统计工单", "按類別統計工單"),
    ("Category", "类别", "類別"),
    ("What the rates mean", "三率的含义", "三率的含義"),
    (
        "Of the tickets whose response was due, the share a department accepted before its response deadline.",
        "在应当响应的工单中，部门在响应时限前受理的比例。",
        "在應當回應的工單中，部門在回應時限前受理的比例。",
    ),
    (
        "Of the tickets whose resolution was due, the share resolved before the deadline and never reopened by an unhappy reporter.",
        "在应当办结的工单中，在时限前解决且未因市民不满意而重新打开的比例。",
        "在應當辦結的工單中，在時限前解決且未因市民不滿意而重新開啟的比例。",
    ),
    (
        "Of the tickets that residents rated, the share rated 4 or 5 out of 5.",
        "在市民评价过的工单中，评分为 4 分或 5 分（满分 5 分）的比例。",
        "在市民評價過的工單中，評分為 4 分或 5 分（滿分 5 分）的比例。",
    ),
    (
        "“No data” means that nothing was due or rated in the period yet. Rejected and merged tickets are not counted.",
        "“暂无数据”表示该时段内尚无到期或评价的工单。不予受理和合并的工单不计入。",
        "「暫無資料」表示該時段內尚無到期或評價的工單。不予受理和合併的工單不計入。",
    ),
    (
        "Figures are recomputed at most once a minute. Dates are in the city's time zone.",
        "数据最多每分钟更新一次。日期按本市时区计算。",
        "資料最多每分鐘更新一次。日期按本市時區計算。",
    ),
    ("no data", "暂无数据", "暫無資料"),
    ("{hours} h", "{hours} 小时", "{hours} 小時"),
    ("{days} d", "{days} 天", "{days} 天"),
    ("Received", "已受理", "已受理"),
    ("Dispatched", "已派单", "已派單"),
    ("Being handled", "办理中", "辦理中"),
    ("Resolved", "已办结", "已辦結"),
    ("Closed", "已关闭", "已關閉"),
    ("Rejected", "不予受理", "不予受理"),
    ("Merged as a duplicate", "已合并（重复）", "已合併（重複）"),
    ("How the city answers its residents", "城市如何回应市民", "城市如何回應市民"),
    ("no district `{code}`", "没有区 `{code}`", "沒有區 `{code}`"),
    ("{district}: how it answers its residents", "{district}：如何回应市民", "{district}：如何回應市民"),
    ("This page cannot be shown", "无法显示此页面", "無法顯示此頁面"),
    (
        "many pages are being prepared: please try again in a minute",
        "正在准备的页面较多：请一分钟后再试",
        "正在準備的頁面較多：請一分鐘後再試",
    ),
    (
        "service_code: at most {max} service codes",
        "service_code：最多 {max} 个服务代码",
        "service_code：最多 {max} 個服務代碼",
    ),
];

/// `template` in `locale`; the template itself in English or when it has no translation.
pub(crate) fn translate(template: &'static str, locale: Locale) -> &'static str {
    static BY_TEMPLATE: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    if locale == Locale::En {
        return template;
    }
    let table = BY_TEMPLATE.get_or_init(|| ENTRIES.iter().map(|(en, hans, hant)| (*en, (*hans, *hant))).collect());
    match (table.get(template), locale) {
        (Some((hans, _)), Locale::ZhHans) => hans,
        (Some((_, hant)), Locale::ZhHant) => hant,
        _ => template,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashSet};

    use super::*;

    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name)).collect()
    }

    #[test]
    fn every_translation_has_the_placeholders_of_its_template_and_no_template_is_listed_twice() {
        let mut seen = HashSet::new();
        for (en, hans, hant) in ENTRIES {
            assert!(seen.insert(*en), "listed twice: {en}");
            assert_eq!(placeholders(hans), placeholders(en), "{hans}");
            assert_eq!(placeholders(hant), placeholders(en), "{hant}");
            assert_ne!(hans, en, "untranslated: {en}");
        }
    }

    /// Every English template the code hands to `Message::new`, `InvalidInput::new` or
    /// `bad_input` (and the words built into templates: kinds of IDs, actions on tickets) is in
    /// the catalog, so no message reaches a Chinese reader in English by oversight.
    #[test]
    fn every_message_the_code_writes_is_translated() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let patterns = [
            "Message::new(\"",
            "InvalidInput::new(",
            "bad_input(",
            "with_kind(\"",
            "refuse(\"",
            "NotFound(\"",
            "action: \"",
        ];
        let known: HashSet<&str> = ENTRIES.iter().map(|(en, _, _)| *en).collect();
        let mut missing = Vec::new();
        let mut checked = 0;
        for dir in ["core/src", "graphql/src"] {
            for path in rust_files(&std::path::Path::new(root).join(dir)) {
                let source = std::fs::read_to_string(&path).expect("source");
                let source = source.split("#[cfg(test)]").next().unwrap_or_default();
                if path.ends_with("i18n/message.rs") || path.ends_with("i18n/catalog.rs") {
                    continue;
                }
                for pattern in patterns {
                    for (at, _) in source.match_indices(pattern) {
                        let after = &source[at + pattern.len()..];
                        let literal = if pattern.ends_with('"') {
                            after.split('"').next()
                        } else {
                            // `InvalidInput::new(field, "…")`: the second argument, when a literal.
                            after
                                .split_once(',')
                                .and_then(|(_, rest)| rest.trim_start().strip_prefix('"'))
                                .and_then(|rest| rest.split('"').next())
                        };
                        if let Some(literal) = literal.filter(|literal| !literal.is_empty()) {
                            checked += 1;
                            if !known.contains(literal) {
                                missing.push(format!("{}: {literal}", path.display()));
                            }
                        }
                    }
                }
            }
        }
        let ids = std::fs::read_to_string(std::path::Path::new(root).join("core/src/ids.rs")).expect("ids.rs");
        for line in ids.lines().filter(|line| line.contains("Id, \"")) {
            if let Some(kind) = line.rsplit('"').nth(1) {
                checked += 1;
                if !known.contains(kind) {
                    missing.push(format!("ID kind: {kind}"));
                }
            }
        }
        assert!(checked > 80, "the scan found only {checked} messages: is it still looking at the code?");
        assert!(missing.is_empty(), "not in the catalog:\n{}", missing.join("\n"));
    }

    fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(rust_files(&path));
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
        files
    }
}
