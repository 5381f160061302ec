//! Errors speak the caller's language (`Accept-Language`: zh-Hans, zh-Hant, en), like names do:
//! domain errors, limits, token refusals and transport refusals alike, with codes and fields
//! unchanged.

use serde_json::{Value, json};

use crate::support::{SUBMIT, TestServer, Who, submit_input};

async fn post_in(server: &TestServer, language: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request =
        server.http.post(format!("{}/graphql", server.url)).header("accept-language", language).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    (response.status().as_u16(), response.json().await.expect("json"))
}

fn first_error(body: &Value) -> (&str, &str, &Value) {
    let error = &body["errors"][0];
    (
        error["message"].as_str().unwrap_or("<none>"),
        error["extensions"]["code"].as_str().unwrap_or("<none>"),
        &error["extensions"]["field"],
    )
}

#[tokio::test]
async fn domain_errors_follow_accept_language() {
    let server = TestServer::start().await;
    let operator = Who::new("operator", "op-1").token();
    let mut blank = submit_input(&server, 0, "PHONE");
    blank["input"]["title"] = json!("   ");
    for (language, expected) in [
        ("zh-CN,zh;q=0.9", "title：不能为空"),
        ("zh-TW", "title：不能為空"),
        ("en-GB", "title: must not be empty"),
        ("fr", "title: must not be empty"),
    ] {
        let (status, body) =
            post_in(&server, language, Some(&operator), json!({ "query": SUBMIT, "variables": blank })).await;
        assert_eq!(status, 200);
        let (message, code, field) = first_error(&body);
        assert_eq!((message, code, field), (expected, "BAD_USER_INPUT", &json!("title")), "{language}: {body}");
    }

    let ticket = server.ok(Some(&Who::new("operator", "op-1")), SUBMIT, submit_input(&server, 0, "PHONE")).await;
    let id = ticket["submitTicket"]["id"].clone();
    let dispatch = json!({
        "query": "mutation($id: ID!, $dep: ID!) { dispatchTicket(id: $id, departmentId: $dep) { status } }",
        "variables": { "id": id, "dep": server.department_id(0, 0) },
    });
    let (_, body) = post_in(&server, "zh-Hans", Some(&operator), dispatch.clone()).await;
    assert!(body.get("errors").is_none(), "{body}");
    let (_, body) = post_in(&server, "zh-Hans", Some(&operator), dispatch.clone()).await;
    assert_eq!(first_error(&body).0, "无法派单：工单状态为 DISPATCHED", "{body}");
    assert_eq!(first_error(&body).1, "INVALID_TRANSITION");
    let (_, body) = post_in(&server, "en", Some(&operator), dispatch).await;
    assert_eq!(first_error(&body).0, "cannot dispatch a ticket that is DISPATCHED", "{body}");
    let staff = Who::new("department_staff", "s")
        .in_district(server.district_id(0))
        .in_department(server.department_id(0, 0))
        .token();
    let rate = json!({ "query": "mutation($id: ID!) { rateTicket(id: $id, score: 5) { status } }", "variables": { "id": id } });
    let (_, body) = post_in(&server, "zh-Hant", Some(&staff), rate).await;
    assert_eq!((first_error(&body).0, first_error(&body).1), ("無權執行此操作", "FORBIDDEN"), "{body}");
    let missing = json!({ "query": "{ ticket(id: \"tkt_999999\") { id } }" });
    let (_, body) = post_in(&server, "zh-Hant", Some(&staff), missing).await;
    assert_eq!(first_error(&body).0, "找不到工單", "{body}");
    let malformed = json!({ "query": "{ ticket(id: \"dst_1\") { id } }" });
    let (_, body) = post_in(&server, "zh-Hans", Some(&staff), malformed).await;
    assert_eq!(first_error(&body).0, "`dst_1` 不是有效的工单 ID（应为 `tkt_<数字>`）", "{body}");
}

#[tokio::test]
async fn limits_tokens_and_transport_refusals_follow_it_too() {
    let server = TestServer::start().await;
    let aliases: String = (0..101).map(|n| format!("a{n}: districts {{ id }} ")).collect();
    let (_, body) = post_in(&server, "zh-Hant", None, json!({ "query": format!("{{ {aliases} }}") })).await;
    assert_eq!(first_error(&body).0, "一個操作最多只能有 100 個根欄位（含別名），此操作有 101 個", "{body}");

    let (_, body) = post_in(&server, "zh-Hans", Some("not-a-token"), json!({ "query": "{ me { role } }" })).await;
    let (message, code, _) = first_error(&body);
    assert_eq!((message, code), ("令牌无效", "UNAUTHENTICATED"), "{body}");

    let response = server
        .http
        .post(format!("{}/graphql", server.url))
        .header("accept-language", "zh-Hans")
        .header("content-type", "text/plain")
        .body(r#"{"query":"{ me { role } }"}"#)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 415);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        first_error(&body).0,
        "请以 application/json 发送 GraphQL（上传文件用 multipart/form-data），而不是 text/plain",
        "{body}"
    );
    let (status, body) = post_in(&server, "en", None, json!({ "query": "{ me { role } " })).await;
    assert_eq!(status, 200);
    assert_eq!(first_error(&body).1, "BAD_USER_INPUT", "async-graphql's own syntax errors keep a code: {body}");
}
