//! Mail to reporters through a real SMTP server on loopback (aiosmtpd from PyPI, writing a
//! Maildir that Python's `email` package reads back): the right headers and text in the
//! reporter's language; with the server down, changes still succeed and mail waits; when it
//! returns every message arrives exactly once. And the embedded default: `.eml` files.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use civitas_core::clock::Clock;
use civitas_core::email::{EmailWriter, Mailer, MailerSettings, deliver_due, retry_delay};
use civitas_core::events;
use civitas_core::i18n::Locale;
use serde_json::{Value, json};

use crate::support::{SUBMIT, TestServer, Who, submit_input};

const OUTBOX: &str = "query($status: EmailStatus) { emailOutbox(status: $status) { id messageId kind recipient language subject status attempts lastError } }";

fn python_with_aiosmtpd() -> PathBuf {
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("aiosmtpd-venv");
    civitas_plugins::build::python_venv(&venv, &["aiosmtpd==1.4.6"])
        .expect("a virtualenv with aiosmtpd (needs python3 with venv, and PyPI)")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// aiosmtpd on `port`, delivering into the Maildir `dir`.
struct SmtpServer {
    child: Child,
}

impl SmtpServer {
    fn start(python: &Path, port: u16, dir: &Path) -> SmtpServer {
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        // Owned at once, so that a failure below still kills and waits for it (Drop).
        SmtpServer { child }.listening_on(port)
    }

    /// Waits until the server accepts connections on `port`.
    fn listening_on(self, port: u16) -> SmtpServer {
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return self;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("aiosmtpd did not listen on {port}");
    }

    fn stop(mut self) {
        self.child.kill().expect("kill aiosmtpd");
        self.child.wait().expect("wait for aiosmtpd");
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every message of the Maildir, parsed by Python's `email` package.
fn received(python: &Path, dir: &Path) -> Vec<Value> {
    let script = r#"
import email, email.policy, json, mailbox, sys
out = []
for key, message in mailbox.Maildir(sys.argv[1], factory=None, create=True).items():
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    out.append({
        "to": str(parsed["To"]), "from": str(parsed["From"]), "subject": str(parsed["Subject"]),
        "message_id": str(parsed["Message-ID"]), "language": str(parsed["Content-Language"]),
        "unsubscribe": str(parsed["List-Unsubscribe"]), "unsubscribe_post": str(parsed["List-Unsubscribe-Post"]),
        "text": parsed.get_body(preferencelist=("plain",)).get_content(),
        "html": parsed.get_body(preferencelist=("html",)).get_content(),
    })
print(json.dumps(out))
"#;
    let output = Command::new(python).args(["-c", script]).arg(dir).output().expect("run python");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON")
}

async fn submit_in(server: &TestServer, who: &Who, language: &str, input: Value) -> Value {
    let body = json!({ "query": SUBMIT, "variables": input });
    let request = server.http.post(format!("{}/graphql", server.url)).bearer_auth(who.token());
    let answer: Value =
        request.header("accept-language", language).json(&body).send().await.expect("post").json().await.expect("json");
    answer["data"]["submitTicket"].clone()
}

#[tokio::test]
async fn reporters_get_mail_in_their_language_and_each_message_arrives_once_even_after_an_outage() {
    let python = python_with_aiosmtpd();
    let temp = tempfile::tempdir().expect("tempdir");
    // A Maildir that does not exist yet (Python creates it with its tmp/new/cur folders).
    let maildir = temp.path().join("Maildir");
    let port = free_port();
    let smtp = SmtpServer::start(&python, port, &maildir);
    let clock = Clock::manual(Utc::now());
    let server = TestServer::start_with_clock(clock.clone()).await;
    let writer = EmailWriter { default_locale: Locale::En };
    // The writer's cursor starts at the newest event (no mail about the past).
    events::deliver(&server.ctx, &writer).await.expect("first round");
    let settings = MailerSettings::Smtp {
        url: format!("smtp://127.0.0.1:{port}"),
        from: "Civitas hotline <noreply@civitas.test>".into(),
    };
    let mailer = Mailer::new(&settings).expect("mailer").with_public_url(&server.url);

    let operator = Who::new("operator", "op-1");
    let ticket = submit_in(&server, &operator, "zh-Hant", submit_input(&server, 0, "PHONE")).await;
    let (id, code) = (ticket["id"].as_str().expect("id").to_owned(), ticket["code"].as_str().expect("code").to_owned());
    assert_eq!(events::deliver(&server.ctx, &writer).await.expect("writer").effects, 1);
    let round = deliver_due(&server.ctx, &mailer).await.expect("worker");
    let admin = Who::new("city_admin", "mayor");
    let outbox = server.ok(Some(&admin), OUTBOX, json!({})).await;
    assert_eq!(round.sent, 1, "{round:?} {outbox}");
    let mail = received(&python, &maildir);
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0]["to"], "wang@example.org");
    assert_eq!(mail[0]["from"], "Civitas hotline <noreply@civitas.test>");
    assert_eq!(mail[0]["language"], "zh-Hant");
    assert_eq!(mail[0]["subject"], format!("我們已收到您的反映 {code}"), "the reporter asked in Traditional Chinese");
    let text = mail[0]["text"].as_str().expect("text");
    assert!(text.contains(&code) && text.contains("追蹤編號"), "{text}");
    assert!(mail[0]["html"].as_str().expect("html").contains(&code));

    // Admins see the message with its recipient masked.
    let outbox = server.ok(Some(&admin), OUTBOX, json!({ "status": "SENT" })).await["emailOutbox"].clone();
    assert_eq!(outbox.as_array().expect("list").len(), 1);
    assert_eq!(outbox[0]["messageId"], mail[0]["message_id"], "the stored Message-ID is the one sent");
    assert_eq!(
        (outbox[0]["kind"].as_str(), outbox[0]["language"].as_str()),
        (Some("TICKET_RECEIVED"), Some("zh-Hant"))
    );
    assert!(!outbox[0]["recipient"].as_str().expect("recipient").contains("wang@"), "masked: {outbox}");
    let (code_seen, _) = server.error(Some(&operator), OUTBOX, json!({})).await;
    assert_eq!(code_seen, "FORBIDDEN", "operators do not read the outbox");

    // The SMTP server goes down: the dispatch still succeeds, its mail waits.
    smtp.stop();
    let dispatch = r#"mutation($id: ID!, $dep: ID!) { dispatchTicket(id: $id, departmentId: $dep) { status } }"#;
    let dispatched = server.ok(Some(&operator), dispatch, json!({ "id": id, "dep": server.department_id(0, 0) })).await;
    assert_eq!(dispatched["dispatchTicket"]["status"], "DISPATCHED");
    assert_eq!(events::deliver(&server.ctx, &writer).await.expect("writer").effects, 1);
    let round = deliver_due(&server.ctx, &mailer).await.expect("worker");
    assert_eq!((round.sent, round.deferred), (0, 1));
    let pending = server.ok(Some(&admin), OUTBOX, json!({ "status": "PENDING" })).await["emailOutbox"].clone();
    assert_eq!(pending.as_array().expect("list").len(), 1);
    assert_eq!((pending[0]["attempts"].as_u64(), pending[0]["kind"].as_str()), (Some(1), Some("TICKET_DISPATCHED")));
    assert!(pending[0]["lastError"].as_str().is_some_and(|error| !error.is_empty()), "{pending}");

    // It comes back: nothing is sent before the retry is due, then the message once.
    let _smtp = SmtpServer::start(&python, port, &maildir);
    assert_eq!(deliver_due(&server.ctx, &mailer).await.expect("worker").sent, 0, "not due yet");
    clock.advance(retry_delay(1));
    assert_eq!(deliver_due(&server.ctx, &mailer).await.expect("worker").sent, 1);
    assert_eq!(deliver_due(&server.ctx, &mailer).await.expect("worker"), Default::default(), "nothing left");
    let mail = received(&python, &maildir);
    let ids: std::collections::HashSet<&str> = mail.iter().filter_map(|m| m["message_id"].as_str()).collect();
    assert_eq!((mail.len(), ids.len()), (2, 2), "each message exactly once: {mail:?}");
    let dispatched_mail =
        mail.iter().find(|m| m["text"].as_str().is_some_and(|t| t.contains("轉交"))).expect("the dispatch mail");
    assert_eq!(dispatched_mail["message_id"], pending[0]["messageId"], "the retry kept its Message-ID");

    // One-click unsubscribe (RFC 8058). A message written before the opt-out is not sent after it.
    assert_eq!(dispatched_mail["unsubscribe_post"], "List-Unsubscribe=One-Click");
    // (A long header is folded: the value is read back without its folding whitespace.)
    let header: String =
        dispatched_mail["unsubscribe"].as_str().expect("List-Unsubscribe").split_whitespace().collect();
    let link = header.trim_matches(['<', '>']).to_owned();
    assert!(link.starts_with(&format!("{}/unsubscribe/", server.url)), "{link}");
    let staff = Who::new("department_staff", "staff-0")
        .in_district(server.district_id(0))
        .in_department(server.department_id(0, 0));
    server.ok(Some(&staff), r#"mutation($id: ID!) { acceptTicket(id: $id) { status } }"#, json!({ "id": id })).await;
    let resolve = r#"mutation($id: ID!) { resolveTicket(id: $id, resolution: "Fixed") { status } }"#;
    server.ok(Some(&staff), resolve, json!({ "id": id })).await;
    assert_eq!(
        events::deliver(&server.ctx, &writer).await.expect("writer").effects,
        1,
        "the resolution mail is written"
    );
    let clicked = server
        .http
        .post(format!("{link}?all=1"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept-language", "zh-Hans")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("post");
    assert_eq!(clicked.status().as_u16(), 200);
    assert!(clicked.text().await.expect("page").contains("不再收到"), "the page speaks the reader's language");
    let round = deliver_due(&server.ctx, &mailer).await.expect("worker");
    assert_eq!((round.sent, round.unsubscribed), (0, 1));
    assert_eq!(received(&python, &maildir).len(), 2, "nothing sent after the opt-out");
    // The same link again changes nothing; a forged one is refused.
    assert_eq!(server.http.get(&link).send().await.expect("get").status().as_u16(), 200);
    let forged = format!("{}/unsubscribe/TICKET_CLOSED.{}.{}", server.url, "0".repeat(64), "0".repeat(32));
    assert_eq!(server.http.get(&forged).send().await.expect("get").status().as_u16(), 404);
}

#[tokio::test]
async fn without_smtp_each_message_is_an_eml_file_and_tickets_without_email_send_nothing() {
    let server = TestServer::start().await;
    let writer = EmailWriter { default_locale: Locale::En };
    events::deliver(&server.ctx, &writer).await.expect("first round");
    let dir = tempfile::tempdir().expect("tempdir");
    let mailer =
        Mailer::new(&MailerSettings::Files { dir: dir.path().join("mail"), from: "noreply@civitas.test".into() })
            .expect("mailer");
    let operator = Who::new("operator", "op-1");
    let mut input = submit_input(&server, 1, "PHONE");
    input["input"]["contact"] = json!({ "name": "李四", "phone": "13912345678" });
    submit_in(&server, &operator, "en", input).await;
    let ticket = submit_in(&server, &operator, "en", submit_input(&server, 1, "PHONE")).await;
    assert_eq!(events::deliver(&server.ctx, &writer).await.expect("writer").effects, 1, "one ticket has an email");
    assert_eq!(deliver_due(&server.ctx, &mailer).await.expect("worker").sent, 1);
    let files: Vec<PathBuf> = std::fs::read_dir(dir.path().join("mail"))
        .expect("mail dir")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let eml = std::fs::read_to_string(&files[0]).expect("eml");
    assert!(eml.contains("To: wang@example.org"), "{eml}");
    assert!(
        eml.contains(&format!("Subject: We have received your report {}", ticket["code"].as_str().expect("code"))),
        "{eml}"
    );
    assert!(eml.contains("Message-ID: <") && eml.contains("Content-Language: en"), "{eml}");
}

/// Work addresses: a department hears of each ticket dispatched to it, a district of its
/// escalations; only their admins set and see the addresses, and each district's admin sees
/// only its district's mail.
#[tokio::test]
async fn departments_and_districts_hear_of_their_tickets_at_their_work_addresses() {
    let clock = Clock::manual(Utc::now());
    let server = TestServer::start_with_clock(clock.clone()).await;
    let writer = EmailWriter { default_locale: Locale::En };
    events::deliver(&server.ctx, &writer).await.expect("first round");
    let admin0 = Who::new("district_admin", "admin-0").in_district(server.district_id(0));
    let admin1 = Who::new("district_admin", "admin-1").in_district(server.district_id(1));
    let operator = Who::new("operator", "op-1");
    let set_department = "mutation($id: ID!, $email: String) { setDepartmentNotificationEmail(id: $id, email: $email) { id notificationEmail } }";
    let set_district = "mutation($id: ID!, $email: String) { setDistrictNotificationEmail(id: $id, email: $email) { id notificationEmail } }";
    let department = server.department_id(0, 0);
    let (code, _) = server
        .error(Some(&admin1), set_department, json!({ "id": department, "email": "streets@dst0.example.org" }))
        .await;
    assert_eq!(code, "FORBIDDEN", "another district's admin");
    let (code, body) =
        server.error(Some(&admin0), set_department, json!({ "id": department, "email": "not an address" })).await;
    assert_eq!((code.as_str(), body["errors"][0]["extensions"]["field"].as_str()), ("BAD_USER_INPUT", Some("email")));
    let set = server
        .ok(Some(&admin0), set_department, json!({ "id": department, "email": "streets@dst0.example.org" }))
        .await;
    assert_eq!(set["setDepartmentNotificationEmail"]["notificationEmail"], "streets@dst0.example.org");
    let set = server
        .ok(Some(&admin0), set_district, json!({ "id": server.district_id(0), "email": "duty@dst0.example.org" }))
        .await;
    assert_eq!(set["setDistrictNotificationEmail"]["notificationEmail"], "duty@dst0.example.org");
    let seen = server.ok(Some(&operator), "{ districts { id notificationEmail } }", json!({})).await;
    assert!(
        seen["districts"].as_array().expect("districts").iter().all(|d| d["notificationEmail"].is_null()),
        "{seen}"
    );

    let ticket = submit_in(&server, &operator, "en", submit_input(&server, 0, "PHONE")).await;
    let id = ticket["id"].as_str().expect("id").to_owned();
    let dispatch = r#"mutation($id: ID!, $dep: ID!) { dispatchTicket(id: $id, departmentId: $dep) { status } }"#;
    server.ok(Some(&operator), dispatch, json!({ "id": id, "dep": department })).await;
    // Received + dispatched for the reporter, and the department's notice.
    assert_eq!(events::deliver(&server.ctx, &writer).await.expect("writer").effects, 3);
    // The response deadline passes: the sweeper escalates, the district hears of it.
    clock.advance(chrono::Duration::days(30));
    civitas_core::tickets::sweep(&server.ctx).await.expect("sweep");
    assert!(events::deliver(&server.ctx, &writer).await.expect("writer").effects >= 1, "the escalation mail");

    let outbox = "{ emailOutbox { kind recipient subject } }";
    let mail = server.ok(Some(&admin0), outbox, json!({})).await["emailOutbox"].clone();
    let kinds: Vec<&str> = mail.as_array().expect("list").iter().filter_map(|m| m["kind"].as_str()).collect();
    for kind in ["TICKET_RECEIVED", "TICKET_DISPATCHED", "DEPARTMENT_TICKET_DISPATCHED", "TICKET_ESCALATED"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let to_department =
        mail.as_array().expect("list").iter().find(|m| m["kind"] == "DEPARTMENT_TICKET_DISPATCHED").expect("sent");
    assert_eq!(to_department["recipient"], "s***@dst0.example.org");
    assert!(to_department["subject"].as_str().expect("subject").starts_with("New ticket "), "{to_department}");
    let other = server.ok(Some(&admin1), outbox, json!({})).await["emailOutbox"].clone();
    assert_eq!(other.as_array().expect("list").len(), 0, "another district's admin sees none of it: {other}");
}

const PREFERENCES: &str = "{ emailPreferences { kind enabled } }";
const SET_PREFERENCE: &str = "mutation($kind: EmailKind!, $enabled: Boolean!) { setEmailPreference(kind: $kind, enabled: $enabled) { kind enabled } }";

fn enabled(preferences: &Value, kind: &str) -> bool {
    preferences.as_array().expect("preferences").iter().find(|p| p["kind"] == kind).expect("the kind")["enabled"]
        .as_bool()
        .expect("bool")
}

#[tokio::test]
async fn a_signed_in_reporter_hears_at_their_sign_in_address_and_chooses_which_mail() {
    let server = TestServer::start().await;
    let writer = EmailWriter { default_locale: Locale::En };
    events::deliver(&server.ctx, &writer).await.expect("first round");
    let dir = tempfile::tempdir().expect("tempdir");
    let mailer =
        Mailer::new(&MailerSettings::Files { dir: dir.path().join("mail"), from: "noreply@civitas.test".into() })
            .expect("mailer");
    let resident = Who::new("resident", "mei").with_email("mei@example.org");
    let preferences = server.ok(Some(&resident), PREFERENCES, json!({})).await;
    assert!(preferences["emailPreferences"].as_array().expect("list").iter().all(|p| p["enabled"] == true));

    // Reported through the app without a contact: the sign-in's address hears of it.
    let mut input = submit_input(&server, 0, "APP");
    input["input"].as_object_mut().expect("input").remove("contact");
    let ticket = submit_in(&server, &resident, "en", input).await;
    let id = ticket["id"].as_str().expect("id").to_owned();
    assert_eq!(events::deliver(&server.ctx, &writer).await.expect("writer").effects, 1);
    assert_eq!(deliver_due(&server.ctx, &mailer).await.expect("worker").sent, 1);
    assert!(eml_files(&dir.path().join("mail"))[0].contains("To: mei@example.org"));

    // Dispatch mail off: the dispatch writes nothing for them; the rest still comes.
    let set =
        server.ok(Some(&resident), SET_PREFERENCE, json!({ "kind": "TICKET_DISPATCHED", "enabled": false })).await;
    assert!(!enabled(&set["setEmailPreference"], "TICKET_DISPATCHED"));
    assert!(enabled(&set["setEmailPreference"], "TICKET_RESOLVED"));
    let operator = Who::new("operator", "op-1");
    server
        .ok(
            Some(&operator),
            "mutation($id: ID!, $department: ID!) { dispatchTicket(id: $id, departmentId: $department) { id } }",
            json!({ "id": id, "department": server.department_id(0, 0) }),
        )
        .await;
    assert_eq!(events::deliver(&server.ctx, &writer).await.expect("writer").effects, 0, "no dispatch mail");
    assert_eq!(deliver_due(&server.ctx, &mailer).await.expect("worker").sent, 0);
    assert_eq!(eml_files(&dir.path().join("mail")).len(), 1);

    // Turned back on, it is on again.
    let set = server.ok(Some(&resident), SET_PREFERENCE, json!({ "kind": "TICKET_DISPATCHED", "enabled": true })).await;
    assert!(set["setEmailPreference"].as_array().expect("list").iter().all(|p| p["enabled"] == true), "{set}");

    // Without an email claim there is no address to keep preferences for; anonymous: sign in.
    let staff =
        Who::new("department_staff", "s").in_district(server.district_id(0)).in_department(server.department_id(0, 0));
    let (_, body) = server.post(Some(&staff), PREFERENCES, json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "email", "{body}");
    let (_, body) = server.post(None, PREFERENCES, json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");
}

const INVITE: &str = "mutation($id: ID!, $emails: [String!]!, $language: String) { inviteToSurvey(surveyId: $id, emails: $emails, language: $language) { queued skipped } }";

fn eml_files(dir: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|entry| Some(entry.ok()?.path())).collect())
        .unwrap_or_default();
    files.sort();
    files.iter().filter_map(|path| std::fs::read_to_string(path).ok()).collect()
}

#[tokio::test]
async fn a_survey_admin_invites_addresses_once_each_in_their_language_and_opt_outs_are_honoured() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mail_dir = dir.path().join("mail");
    let mailer = Mailer::new(&MailerSettings::Files { dir: mail_dir.clone(), from: "noreply@civitas.test".into() })
        .expect("mailer")
        .with_public_url(&server.url);
    let admin = crate::surveys::admin(&server, 0);
    let survey = crate::surveys::create_market_survey(&server, &admin, 0).await;

    // A draft is not open for answers yet.
    let (_, body) = server.post(Some(&admin), INVITE, json!({ "id": survey, "emails": ["a@example.org"] })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_TRANSITION", "{body}");
    server.ok(Some(&admin), "mutation($id: ID!) { openSurvey(id: $id) { status } }", json!({ "id": survey })).await;

    let emails = json!(["a@example.org", "A@Example.org", "b@example.org"]);
    let data = server.ok(Some(&admin), INVITE, json!({ "id": survey, "emails": emails, "language": "zh-Hant" })).await;
    assert_eq!(data["inviteToSurvey"], json!({ "queued": 2, "skipped": 1 }), "the same address once");
    assert_eq!(deliver_due(&server.ctx, &mailer).await.expect("worker").sent, 2);
    let mail = eml_files(&mail_dir);
    assert_eq!(mail.len(), 2);
    assert!(mail.iter().all(|eml| eml.contains("Content-Language: zh-Hant")), "{mail:?}");
    let sent = server.ok(Some(&Who::new("city_admin", "mayor")), OUTBOX, json!({ "status": "SENT" })).await;
    let subjects: Vec<&str> =
        sent["emailOutbox"].as_array().expect("list").iter().filter_map(|m| m["subject"].as_str()).collect();
    assert!(subjects.iter().all(|subject| subject.contains(&survey) && subject.contains("邀請")), "{subjects:?}");
    let to_a = mail.iter().find(|eml| eml.contains("To: a@example.org")).expect("a's invitation");

    // a@ follows the unsubscribe link: the next invitation skips it.
    let link = to_a
        .lines()
        .find_map(|line| line.strip_prefix("List-Unsubscribe: <"))
        .and_then(|rest| rest.split('>').next())
        .expect("an unsubscribe link")
        .to_owned();
    assert_eq!(server.http.post(&link).send().await.expect("unsubscribe").status().as_u16(), 200);
    let data = server
        .ok(
            Some(&admin),
            INVITE,
            json!({ "id": survey, "emails": ["a@example.org", "c@example.org"], "language": "en" }),
        )
        .await;
    assert_eq!(data["inviteToSurvey"], json!({ "queued": 1, "skipped": 1 }));

    // Another district's admin may not; bad addresses and oversized lists are refused whole.
    let other = crate::surveys::admin(&server, 1);
    let (_, body) = server.post(Some(&other), INVITE, json!({ "id": survey, "emails": ["x@example.org"] })).await;
    let code = body["errors"][0]["extensions"]["code"].as_str().expect("code").to_owned();
    assert!(code == "FORBIDDEN" || code == "NOT_FOUND", "{body}");
    let (_, body) =
        server.post(Some(&admin), INVITE, json!({ "id": survey, "emails": ["ok@example.org", "nope"] })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "emails", "{body}");
    let many: Vec<String> = (0..501).map(|n| format!("p{n}@example.org")).collect();
    let (_, body) = server.post(Some(&admin), INVITE, json!({ "id": survey, "emails": many })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    let admin_city = Who::new("city_admin", "mayor");
    let outbox = server.ok(Some(&admin_city), OUTBOX, json!({})).await;
    assert_eq!(
        outbox["emailOutbox"].as_array().map(Vec::len),
        Some(3),
        "only the three accepted invitations: {outbox}"
    );
}

/// aiosmtpd that stores each message and only then, `delay` seconds later, answers 250: a
/// sender killed in between has handed the message over without knowing it.
fn start_slow_smtp(python: &Path, port: u16, dir: &Path, delay: f32) -> SmtpServer {
    let script = r#"
import asyncio, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

class StoreThenWait(Mailbox):
    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(float(sys.argv[3]))
        return answer

Controller(StoreThenWait(sys.argv[2]), hostname="127.0.0.1", port=int(sys.argv[1])).start()
while True:
    time.sleep(3600)
"#;
    let child = Command::new(python)
        .args(["-c", script, &port.to_string()])
        .arg(dir)
        .arg(delay.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aiosmtpd");
    SmtpServer { child }.listening_on(port)
}

#[tokio::test]
async fn a_sender_killed_between_handing_over_and_marking_sent_resends_with_the_same_message_id() {
    let python = python_with_aiosmtpd();
    let temp = tempfile::tempdir().expect("tempdir");
    let maildir = temp.path().join("Maildir");
    let port = free_port();
    let _smtp = start_slow_smtp(&python, port, &maildir, 2.0);
    let clock = Clock::manual(Utc::now());
    let server = TestServer::start_with_clock(clock.clone()).await;
    let writer = EmailWriter { default_locale: Locale::En };
    events::deliver(&server.ctx, &writer).await.expect("first round");
    let settings =
        MailerSettings::Smtp { url: format!("smtp://127.0.0.1:{port}"), from: "noreply@civitas.test".into() };
    let mailer = Mailer::new(&settings).expect("mailer");
    let operator = Who::new("operator", "op-1");
    submit_in(&server, &operator, "en", submit_input(&server, 0, "PHONE")).await;
    assert_eq!(events::deliver(&server.ctx, &writer).await.expect("writer").effects, 1);

    // The worker hands the message over; the server has stored it and not answered yet when
    // the worker dies — its task is dropped there, as a killed process stops: nothing after
    // the hand-over runs.
    let worker = tokio::spawn({
        let (ctx, mailer) = (server.ctx.clone(), mailer.clone());
        async move { deliver_due(&ctx, &mailer).await }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while received(&python, &maildir).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the message never reached the SMTP server");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.abort();
    assert!(worker.await.expect_err("killed").is_cancelled());
    let admin = Who::new("city_admin", "mayor");
    let pending = server.ok(Some(&admin), OUTBOX, json!({ "status": "PENDING" })).await["emailOutbox"].clone();
    assert_eq!(pending.as_array().map(Vec::len), Some(1), "not marked sent: {pending}");

    // Another instance (its own mailer: the killed one's connections died with it; reusing
    // them would resume an SMTP conversation that is mid-message) does not take it while the
    // dead one's claim runs; after it, it does.
    let mailer = Mailer::new(&settings).expect("the other instance's mailer");
    assert_eq!(deliver_due(&server.ctx, &mailer).await.expect("worker").sent, 0, "still claimed");
    clock.advance(chrono::Duration::seconds(46));
    assert_eq!(deliver_due(&server.ctx, &mailer).await.expect("worker").sent, 1);
    assert_eq!(deliver_due(&server.ctx, &mailer).await.expect("worker"), Default::default());

    // At least once, never as a different message: the SMTP server got two copies with one
    // Message-ID, so a reader that deduplicates by it (as most do) shows one message.
    let mail = received(&python, &maildir);
    let ids: std::collections::HashSet<&str> = mail.iter().filter_map(|m| m["message_id"].as_str()).collect();
    assert_eq!((mail.len(), ids.len()), (2, 1), "{mail:?}");
    assert_eq!(ids.into_iter().next(), pending[0]["messageId"].as_str());
}
