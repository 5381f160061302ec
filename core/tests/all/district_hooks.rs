//! The tickets' hook points with a district's plugins answering: routing at intake, deadlines
//! at dispatch, each answer checked in one place, a refused answer counted as the plugin's
//! failure — and a failure of our own storage never blamed on the caller or the plugin.

use std::sync::{Arc, Mutex};

use chrono::{Duration, TimeZone, Utc};
use civitas_core::auth::Caller;
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::plugins::{self, CallOutcome, DeadlineAnswer, RouterAnswer};
use civitas_core::tickets::{self, Priority, TicketEventKind, TicketStatus};
use sea_orm::ConnectionTrait;

use crate::sandbox::FakeSandbox;
use crate::support::city;

/// Routes "noise" tickets to `police` at high priority; sets a response deadline `hours` after
/// the dispatch and a resolution deadline a day after it.
fn night_noise(police: String, hours: i64) -> Arc<FakeSandbox> {
    Arc::new(
        FakeSandbox::default()
            .routing(move |_, request| {
                Ok(request.title.to_lowercase().contains("noise").then(|| RouterAnswer {
                    department: police.clone(),
                    priority: Some(Priority::High),
                    tags: vec!["night".into()],
                }))
            })
            .deadlines(move |_, request| {
                Ok(Some(DeadlineAnswer {
                    respond_by: Some(request.dispatched_at + Duration::hours(hours)),
                    resolve_by: Some(request.dispatched_at + Duration::hours(24)),
                }))
            }),
    )
}

#[tokio::test]
async fn a_router_dispatches_at_intake_and_a_policy_sets_deadlines_in_one_timeline_entry() {
    let city = city().await;
    let police = city.district(0).departments[4].id;
    let (ctx, _) =
        night_noise(police.to_string(), 1).install(&city.ctx, Some(city.district(0).district.id), "night-noise").await;
    let operator = Caller::operator("op-1");
    let mut new = city.new_ticket(0, 8);
    new.title = "Noise from a bar".into();
    let ticket = tickets::submit(&ctx, &operator, new).await.expect("submit");
    assert_eq!(
        (ticket.status, ticket.department_id, ticket.priority),
        (TicketStatus::Dispatched, Some(police), Priority::High)
    );
    assert_eq!(ticket.respond_by, ticket.created_at + Duration::hours(1));
    assert_eq!(ticket.resolve_by, ticket.created_at + Duration::hours(24));
    let timeline = tickets::timeline(&ctx, &operator, ticket.id).await.expect("timeline");
    assert_eq!(timeline.len(), 1, "one change, one entry: {timeline:?}");
    assert_eq!(
        timeline[0].note.as_deref(),
        Some("routed by plugin night-noise@1.0.0 (tags: night); deadlines set by plugin night-noise@1.0.0")
    );
    assert_eq!(tickets::replay(&ctx, &operator, ticket.id).await.expect("replay"), ticket.state());

    // Other tickets follow the normal flow; the policy applies when they are dispatched.
    let plain = tickets::submit(&ctx, &operator, city.new_ticket(0, 0)).await.expect("submit");
    assert_eq!((plain.status, plain.department_id), (TicketStatus::Received, None));
    ctx.clock.advance(Duration::hours(2));
    let department = city.district(0).departments[0].id;
    let dispatched =
        tickets::dispatch(&ctx, &operator, plain.id, department, Some("sanitation")).await.expect("dispatch");
    assert_eq!(dispatched.respond_by, ctx.clock.now() + Duration::hours(1));
    let timeline = tickets::timeline(&ctx, &operator, plain.id).await.expect("timeline");
    let kinds: Vec<_> = timeline.iter().map(|event| event.kind).collect();
    assert_eq!(kinds, [TicketEventKind::Submitted, TicketEventKind::Dispatched]);
    assert_eq!(timeline[1].note.as_deref(), Some("sanitation; deadlines set by plugin night-noise@1.0.0"));
}

#[tokio::test]
async fn a_decision_outside_the_district_is_refused_and_nonsense_deadlines_too() {
    let city = city().await;
    let foreign = city.district(1).departments[4].id;
    let (ctx, plugin) =
        night_noise(foreign.to_string(), -5).install(&city.ctx, Some(city.district(0).district.id), "liar").await;
    let operator = Caller::operator("op-1");
    let mut new = city.new_ticket(0, 8);
    new.title = "Noise again".into();
    let ticket = tickets::submit(&ctx, &operator, new).await.expect("submit");
    assert_eq!((ticket.status, ticket.department_id), (TicketStatus::Received, None));

    let department = city.district(0).departments[0].id;
    let dispatched = tickets::dispatch(&ctx, &operator, ticket.id, department, None).await.expect("dispatch");
    assert_eq!(dispatched.respond_by, ticket.respond_by, "a deadline in the past is refused");
    let calls = plugins::calls(&ctx, &Caller::System, plugin.id, 10).await.expect("calls");
    let refused: Vec<_> = calls.iter().map(|call| (call.outcome, call.detail.clone().unwrap_or_default())).collect();
    assert_eq!(
        refused,
        [
            (CallOutcome::Refused, "deadlines in the past or out of order".to_owned()),
            (CallOutcome::Refused, format!("{foreign} is not a department of the ticket's district")),
        ]
    );
    let listed = plugins::list(&ctx, &Caller::System, Some(city.district(0).district.id)).await.expect("list");
    assert_eq!(listed[0].consecutive_failures, 2, "refused answers count as the plugin's failures");
}

#[tokio::test]
async fn deadlines_past_the_citys_limit_are_refused_and_escalation_stays_on() {
    let mut city = city().await;
    city.ctx.config.max_deadline_after_dispatch = Duration::days(30);
    let far = Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).single().expect("a date");
    let sandbox = Arc::new(
        FakeSandbox::default()
            .deadlines(move |_, _| Ok(Some(DeadlineAnswer { respond_by: Some(far), resolve_by: Some(far) }))),
    );
    let (ctx, plugin) = sandbox.install(&city.ctx, Some(city.district(0).district.id), "forever").await;
    let ticket = city.dispatched_ticket_in(&ctx, 0).await;
    assert!(ticket.resolve_by < ctx.clock.now() + Duration::days(30), "the category's deadline kept");
    let calls = plugins::calls(&ctx, &Caller::System, plugin.id, 1).await.expect("calls");
    assert_eq!(calls[0].outcome, CallOutcome::Refused);
    assert_eq!(calls[0].detail.as_deref(), Some("a deadline more than 30 days after the dispatch"));
    ctx.clock.advance(Duration::days(400));
    let swept = tickets::sweep(&ctx).await.expect("sweep");
    assert_eq!((swept.response_escalations, swept.resolution_escalations), (1, 1));
}

#[tokio::test]
async fn router_tags_are_checked_like_a_listeners() {
    let city = city().await;
    let department = city.district(0).departments[0].id.to_string();
    let answers: Vec<(Vec<String>, &str)> = vec![
        (vec!["\u{1b}[2J\u{7}bell".into()], "tag: must not contain control characters"),
        (vec!["two words".into()], "a tag has no spaces"),
        (vec!["x".repeat(65)], "tag: must have at most 64 characters"),
        ((0..2000).map(|index| format!("t{index}")).collect(), "2000 tags; at most 16"),
    ];
    let tags = Arc::new(Mutex::new(answers.iter().map(|(tags, _)| tags.clone()).collect::<Vec<_>>()));
    let next = tags.clone();
    let sandbox = Arc::new(FakeSandbox::default().routing(move |_, _| {
        let tags = next.lock().expect("lock").remove(0);
        Ok(Some(RouterAnswer { department: department.clone(), priority: None, tags }))
    }));
    let (ctx, plugin) = sandbox.install(&city.ctx, Some(city.district(0).district.id), "tagger").await;
    for _ in &answers {
        let ticket = tickets::submit(&ctx, &Caller::operator("op-1"), city.new_ticket(0, 0)).await.expect("submit");
        assert_eq!(ticket.status, TicketStatus::Received, "the normal flow");
        let timeline = tickets::timeline(&ctx, &Caller::System, ticket.id).await.expect("timeline");
        assert_eq!(timeline[0].note, None, "no tag reached the timeline");
    }
    let calls = plugins::calls(&ctx, &Caller::System, plugin.id, 10).await.expect("calls");
    let details: Vec<_> = calls.iter().rev().map(|call| call.detail.clone().unwrap_or_default()).collect();
    let expected: Vec<_> = answers.iter().map(|(_, problem)| problem.to_string()).collect();
    assert_eq!(details, expected);
}

#[tokio::test]
async fn district_logic_sees_the_citys_wall_clock() {
    let mut city = city().await;
    city.ctx.config.timezone = chrono_tz::Asia::Shanghai;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let witness = seen.clone();
    let sandbox = Arc::new(FakeSandbox::default().routing(move |_, request| {
        witness.lock().expect("lock").push(request.local_time.format("%H:%M").to_string());
        Ok(None)
    }));
    let (ctx, _) = sandbox.install(&city.ctx, None, "witness").await;
    tickets::submit(&ctx, &Caller::operator("op-1"), city.new_ticket(0, 0)).await.expect("submit");
    // The test clock says 08:00 UTC: 16:00 in Shanghai.
    assert_eq!(*seen.lock().expect("lock"), ["16:00"]);
}

async fn rename(ctx: &civitas_core::Context, from: &str, to: &str) {
    ctx.db.execute_unprepared(&format!("ALTER TABLE {from} RENAME TO {to}")).await.expect("rename");
}

#[tokio::test]
async fn a_storage_failure_during_intake_is_internal_not_the_callers_fault() {
    let city = city().await;
    let operator = Caller::operator("op-1");
    rename(&city.ctx, "categories", "categories_away").await;
    let error = tickets::submit(&city.ctx, &operator, city.new_ticket(0, 0)).await.expect_err("storage fails");
    assert_eq!(error.kind(), ErrorKind::Internal, "{error}");
    rename(&city.ctx, "categories_away", "categories").await;

    // The first attempt read the district into this instance's directory cache; an instance
    // that has not read it yet must read the table.
    let cold = civitas_core::Context { directory: Default::default(), ..city.ctx.clone() };
    rename(&city.ctx, "districts", "districts_away").await;
    let error = tickets::submit(&cold, &operator, city.new_ticket(0, 0)).await.expect_err("storage fails");
    assert_eq!(error.kind(), ErrorKind::Internal, "{error}");
    rename(&city.ctx, "districts_away", "districts").await;
    tickets::submit(&city.ctx, &operator, city.new_ticket(0, 0)).await.expect("storage is back");
}

#[tokio::test]
async fn a_storage_failure_while_checking_a_plugins_answer_is_not_the_plugins_failure() {
    let city = city().await;
    let police = city.district(0).departments[4].id;
    let (ctx, plugin) =
        night_noise(police.to_string(), 1).install(&city.ctx, Some(city.district(0).district.id), "night-noise").await;
    let mut new = city.new_ticket(0, 8);
    new.title = "Noise".into();
    // The router answers; the department check then cannot read the departments.
    rename(&ctx, "departments", "departments_away").await;
    let error = tickets::submit(&ctx, &Caller::operator("op-1"), new.clone()).await.expect_err("storage fails");
    assert_eq!(error.kind(), ErrorKind::Internal, "{error}");
    rename(&ctx, "departments_away", "departments").await;
    let listed = plugins::list(&ctx, &Caller::System, Some(city.district(0).district.id)).await.expect("list");
    assert_eq!((listed[0].enabled, listed[0].consecutive_failures), (true, 0));
    assert!(plugins::calls(&ctx, &Caller::System, plugin.id, 10).await.expect("calls").is_empty(), "nothing judged");
    let routed = tickets::submit(&ctx, &Caller::operator("op-1"), new).await.expect("storage is back");
    assert_eq!(routed.department_id, Some(police));
}

/// Which plugins serve where is kept in memory: a submission where none serves reads no plugin
/// row; a change made through this instance is seen by its next submission, and one made
/// through another instance as soon as this instance's event feed has read it.
#[tokio::test]
async fn which_plugins_serve_is_kept_in_memory_and_every_change_is_heard() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use civitas_core::plugins::FailurePolicy;
    use civitas_core::realtime::{self, Feed, FeedSettings};

    let city = city().await;
    let district = city.district(0).district.id;
    let police = city.district(0).departments[4].id;
    let sandbox = night_noise(police.to_string(), 1);
    let plugin_statements = Arc::new(AtomicUsize::new(0));
    let mut here = sandbox.hooks_of(&city.ctx, FailurePolicy::default());
    assert!(here.readers.is_none(), "every statement goes through the counted handle");
    let counted = plugin_statements.clone();
    here.db.set_metric_callback(move |info| {
        if info.statement.sql.contains("plugin") {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    // Never polls on its own within the test: it reads when woken, as Redis would wake it.
    here.feed = Feed::new(FeedSettings { poll_every: std::time::Duration::from_secs(3600), capacity: 64 });
    let there = sandbox.hooks_of(&city.ctx, FailurePolicy::default());
    let operator = Caller::operator("op-1");
    let noise = || {
        let mut new = city.new_ticket(0, 8);
        new.title = "Noise from a bar".into();
        new
    };

    assert_eq!(tickets::submit(&here, &operator, noise()).await.expect("submit").status, TicketStatus::Received);
    let first = plugin_statements.load(Ordering::SeqCst);
    assert!(first > 0, "the first submission reads which plugins serve");
    for _ in 0..3 {
        assert_eq!(tickets::submit(&here, &operator, noise()).await.expect("submit").status, TicketStatus::Received);
    }
    assert_eq!(plugin_statements.load(Ordering::SeqCst), first, "then no plugin row is read");

    // Installed through the other instance: heard through this one's feed.
    let mut heard = here.feed.subscribe();
    let feed = tokio::spawn(realtime::run(here.clone(), here.feed.clone()));
    while here.feed.position() == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let (_, plugin) = sandbox.install(&there, Some(district), "night-noise").await;
    here.feed.heard();
    let within = std::time::Duration::from_secs(10);
    loop {
        let event = tokio::time::timeout(within, heard.recv()).await.expect("in time").expect("an event");
        if event.event.name() == "plugin.installed" {
            break;
        }
    }
    let routed = tickets::submit(&here, &operator, noise()).await.expect("submit");
    assert_eq!((routed.status, routed.department_id), (TicketStatus::Dispatched, Some(police)));

    // Disabled through this instance: its next submission follows the normal flow at once.
    plugins::disable(&here, &Caller::System, plugin.id, Some("testing")).await.expect("disable");
    assert_eq!(tickets::submit(&here, &operator, noise()).await.expect("submit").status, TicketStatus::Received);
    // Enabled again through the other one: heard.
    plugins::enable(&there, &Caller::System, plugin.id).await.expect("enable");
    here.feed.heard();
    loop {
        let event = tokio::time::timeout(within, heard.recv()).await.expect("in time").expect("an event");
        if event.event.name() == "plugin.enabled" {
            break;
        }
    }
    assert_eq!(tickets::submit(&here, &operator, noise()).await.expect("submit").status, TicketStatus::Dispatched);
    feed.abort();
}
