//! The outbox read by its consumers: the districts' listener plugins act on their district's
//! events once, in order, are retried later without blocking anything, never see another
//! district's events or their own echoes; the city's listener hears city-wide events; and
//! every consumer reads at its own pace through cursors of its own.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use civitas_core::auth::Caller;
use civitas_core::directory::{self, NewDistrict};
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::events::{
    self, Decision, DeliveryError, DeliveryReport, DomainEvent, EventConsumer, EventScope, PluginListeners, Start,
    StoredEvent,
};
use civitas_core::i18n::LocalizedText;
use civitas_core::ids::DepartmentId;
use civitas_core::plugins::{ActionAnswer, HookFailure};
use civitas_core::tickets::{self, TicketEventKind};
use civitas_core::{Context, db, notifications};
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::sandbox::FakeSandbox;
use crate::support::City;
use crate::support::city;

/// What a listener plugin was shown, and how many of its next calls fail.
#[derive(Clone, Default)]
struct Listener {
    seen: Arc<Mutex<Vec<StoredEvent>>>,
    failures: Arc<Mutex<u32>>,
}

impl Listener {
    fn seen_kinds(&self) -> Vec<&'static str> {
        self.seen.lock().expect("lock").iter().map(|stored| stored.event.name()).collect()
    }
}

/// Installs a listener plugin in `district` (`None`: city-wide) that tags and comments
/// dispatched tickets and notifies `notify`, after the listeners' cursors were placed (the
/// seeded history passed over, as on a server running since its start) and the plugin was told
/// of its own installation.
async fn listening(city: &City, district: Option<usize>, notify: DepartmentId, failures: u32) -> (Context, Listener) {
    events::deliver(&city.ctx, &PluginListeners).await.expect("cursors placed");
    let listener = Listener::default();
    let witness = listener.clone();
    let sandbox = Arc::new(FakeSandbox::default().listening(move |_, stored| {
        witness.seen.lock().expect("lock").push(stored.clone());
        {
            let mut failures = witness.failures.lock().expect("lock");
            if *failures > 0 {
                *failures -= 1;
                return Err(HookFailure::Trap("wasm trap: unreachable".into()));
            }
        }
        Ok(match &stored.event {
            DomainEvent::TicketDispatched(facts) => vec![
                ActionAnswer::AddTag("seen".into()),
                ActionAnswer::AddComment("Thank you, we are on it.".into()),
                ActionAnswer::NotifyDepartment {
                    department: notify.to_string(),
                    message: format!("new ticket {}", facts.ticket),
                },
            ],
            _ => Vec::new(),
        })
    }));
    let district = district.map(|index| city.district(index).district.id);
    let (ctx, _) = sandbox.install(&city.ctx, district, "listener").await;
    assert_eq!(deliver(&ctx).await, DeliveryReport { applied: 1, ..DeliveryReport::default() }, "its installation");
    assert_eq!(listener.seen_kinds(), ["plugin.installed"]);
    listener.seen.lock().expect("lock").clear();
    *listener.failures.lock().expect("lock") = failures;
    (ctx, listener)
}

async fn deliver(ctx: &Context) -> DeliveryReport {
    events::deliver(ctx, &PluginListeners).await.expect("delivery")
}

fn kinds(timeline: &[tickets::TicketEvent]) -> Vec<TicketEventKind> {
    timeline.iter().map(|event| event.kind).collect()
}

#[tokio::test]
async fn a_listener_acts_on_its_districts_events_once_and_never_hears_its_own_echoes() {
    let city = city().await;
    let notify = city.district(0).departments[1].id;
    let (ctx, listener) = listening(&city, Some(0), notify, 0).await;
    let ours = city.dispatched_ticket(0).await;
    let theirs = city.dispatched_ticket(1).await;

    let report = deliver(&ctx).await;
    assert_eq!(report, DeliveryReport { applied: 2, effects: 3, passed_over: 2, failed: 0 });
    assert_eq!(listener.seen_kinds(), ["ticket.submitted", "ticket.dispatched"]);
    let seen = listener.seen.lock().expect("lock").clone();
    assert!(seen.iter().all(|stored| stored.event.district() == Some(city.district(0).district.id)));
    assert_eq!(seen[1].event.subject().to_string(), ours.id.to_string());

    let timeline = tickets::timeline(&ctx, &Caller::System, ours.id).await.expect("timeline");
    assert_eq!(
        kinds(&timeline),
        [TicketEventKind::Submitted, TicketEventKind::Dispatched, TicketEventKind::Tagged, TicketEventKind::Commented]
    );
    assert_eq!(timeline[2].note.as_deref(), Some("seen (by plugin listener@1.0.0)"));
    assert_eq!(timeline[3].note.as_deref(), Some("plugin listener@1.0.0: Thank you, we are on it."));
    assert_eq!(timeline[3].actor_role.as_deref(), Some("system"));
    let untouched = tickets::timeline(&ctx, &Caller::System, theirs.id).await.expect("timeline");
    assert_eq!(kinds(&untouched), [TicketEventKind::Submitted, TicketEventKind::Dispatched]);

    let inbox = notifications::for_department(&ctx, &city.staff(0, 1), notify, 50).await.expect("notifications");
    assert_eq!(inbox.len(), 1);
    assert_eq!(
        (inbox[0].message.as_str(), inbox[0].ticket_id, inbox[0].sent_by.as_str()),
        (format!("new ticket {}", ours.id).as_str(), Some(ours.id), "plugin listener@1.0.0")
    );

    // The tag, the comment and the notification raised events of their own; they are not
    // offered back.
    assert_eq!(deliver(&ctx).await, DeliveryReport { passed_over: 3, ..DeliveryReport::default() });
    assert_eq!(deliver(&ctx).await, DeliveryReport::default());
    assert_eq!(listener.seen_kinds().len(), 2);
    let timeline = tickets::timeline(&ctx, &Caller::System, ours.id).await.expect("timeline");
    assert_eq!(timeline.len(), 4, "nothing applied twice");
}

#[tokio::test]
async fn a_failing_listener_is_asked_again_later_and_its_districts_later_events_wait() {
    let city = city().await;
    let (ctx, listener) = listening(&city, Some(0), city.district(0).departments[1].id, 2).await;
    // The change itself never waits for the listener.
    let ticket = city.dispatched_ticket(0).await;

    assert_eq!(deliver(&ctx).await, DeliveryReport { failed: 1, ..DeliveryReport::default() });
    assert_eq!(deliver(&ctx).await, DeliveryReport::default(), "not asked again before the delay");
    city.ctx.clock.advance(Duration::seconds(1));
    assert_eq!(deliver(&ctx).await, DeliveryReport { failed: 1, ..DeliveryReport::default() });
    city.ctx.clock.advance(Duration::seconds(1));
    assert_eq!(deliver(&ctx).await, DeliveryReport::default(), "the second delay is longer");
    city.ctx.clock.advance(Duration::seconds(1));
    let report = deliver(&ctx).await;
    assert_eq!(report, DeliveryReport { applied: 2, effects: 3, ..DeliveryReport::default() });
    assert_eq!(
        listener.seen_kinds(),
        ["ticket.submitted", "ticket.submitted", "ticket.submitted", "ticket.dispatched"],
        "in order: the dispatch waited for the submission"
    );
    let timeline = tickets::timeline(&ctx, &Caller::System, ticket.id).await.expect("timeline");
    assert_eq!(timeline.iter().filter(|event| event.kind == TicketEventKind::Tagged).count(), 1);
}

#[tokio::test]
async fn answers_outside_the_district_or_the_limits_are_refused_and_passed_over() {
    let city = city().await;
    let foreign = city.district(1).departments[1].id;
    let (ctx, _) = listening(&city, Some(0), foreign, 0).await;
    let ticket = city.dispatched_ticket(0).await;

    let report = deliver(&ctx).await;
    assert_eq!(report, DeliveryReport { applied: 1, passed_over: 1, ..DeliveryReport::default() });
    let timeline = tickets::timeline(&ctx, &Caller::System, ticket.id).await.expect("timeline");
    assert_eq!(kinds(&timeline), [TicketEventKind::Submitted, TicketEventKind::Dispatched], "all or nothing");
    let inbox = notifications::for_department(&ctx, &Caller::city_admin("mayor"), foreign, 50).await.expect("read");
    assert!(inbox.is_empty(), "nothing reached the other district: {inbox:?}");
    assert_eq!(deliver(&ctx).await, DeliveryReport::default(), "passed over for good");
}

#[tokio::test]
async fn two_instances_delivering_at_once_apply_each_answer_once() {
    let city = city().await;
    let (ctx, _) = listening(&city, Some(0), city.district(0).departments[1].id, 0).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(city.dispatched_ticket(0).await.id);
    }
    let other = Context { db: db::connect(&city.url).await.expect("second pool"), ..ctx.clone() };
    let (first, second) =
        tokio::join!(events::deliver(&ctx, &PluginListeners), events::deliver(&other, &PluginListeners));
    let (first, second) = (first.expect("delivery"), second.expect("delivery"));
    // Whatever one instance left for the other, a third round finishes.
    let third = deliver(&ctx).await;
    assert_eq!(first.effects + second.effects + third.effects, 9, "{first:?} {second:?} {third:?}");
    for id in ids {
        let timeline = tickets::timeline(&ctx, &Caller::System, id).await.expect("timeline");
        assert_eq!(timeline.iter().filter(|event| event.kind == TicketEventKind::Tagged).count(), 1, "{id}");
        assert_eq!(timeline.iter().filter(|event| event.kind == TicketEventKind::Commented).count(), 1, "{id}");
    }
    let department = city.district(0).departments[1].id;
    let inbox = notifications::for_department(&ctx, &city.district_admin(0), department, 50).await.expect("read");
    assert_eq!(inbox.len(), 3);
}

#[tokio::test]
async fn city_wide_events_reach_the_citys_listener_and_district_events_its_default() {
    let city = city().await;
    let (ctx, listener) = listening(&city, None, city.district(2).departments[1].id, 0).await;
    let mayor = Caller::city_admin("mayor");
    let new = NewDistrict {
        code: "airport".into(),
        name: LocalizedText::new("Airport", "机场", "機場"),
        allow_anonymous_tickets: false,
    };
    let duplicate = NewDistrict { code: city.district(0).district.code.clone(), ..new.clone() };
    let refused = directory::create_district(&ctx, &mayor, duplicate).await.expect_err("a code is unique");
    assert_eq!(refused.kind(), ErrorKind::BadInput { field: "code" });
    let airport = directory::create_district(&ctx, &mayor, new).await.expect("district");
    let ticket = city.dispatched_ticket(2).await;
    let report = deliver(&ctx).await;
    assert_eq!(report.applied, 3, "the new district, then district 2's ticket (a default serves it): {report:?}");
    let seen = listener.seen.lock().expect("lock").clone();
    let by_scope: Vec<_> = seen.iter().map(|stored| (stored.event.name(), stored.event.district())).collect();
    assert_eq!(
        by_scope,
        [
            ("ticket.submitted", Some(city.district(2).district.id)),
            ("ticket.dispatched", Some(city.district(2).district.id)),
            ("district.created", None),
        ],
        "each scope in order, every event once"
    );
    assert_eq!(seen[2].event.subject().to_string(), airport.id.to_string());
    let timeline = tickets::timeline(&ctx, &Caller::System, ticket.id).await.expect("timeline");
    assert_eq!(timeline.len(), 4, "the city-wide default acted on district 2's ticket");
    assert_eq!(deliver(&ctx).await.applied, 0, "nothing offered twice");
}

/// A second consumer: copies every event's name somewhere, failing while `broken` is set.
#[derive(Default)]
struct Copier {
    copied: Mutex<Vec<&'static str>>,
    broken: Mutex<bool>,
}

#[async_trait::async_trait]
impl EventConsumer for Copier {
    type Decision = &'static str;

    fn name(&self) -> &'static str {
        "test-copier"
    }

    async fn scopes(&self, _: &Context) -> Result<Vec<EventScope>, DeliveryError> {
        Ok(vec![EventScope::All])
    }

    fn start(&self, _: EventScope) -> Start {
        Start::Beginning
    }

    async fn decide(
        &self,
        _: &Context,
        _: EventScope,
        stored: &StoredEvent,
    ) -> Result<Decision<&'static str>, DeliveryError> {
        Ok(if *self.broken.lock().expect("lock") {
            Decision::Retry("mail server down".into())
        } else {
            Decision::Apply(stored.event.name())
        })
    }

    async fn apply(
        &self,
        _: &DatabaseTransaction,
        _: &StoredEvent,
        name: &'static str,
        _: DateTime<Utc>,
    ) -> Result<u64, DeliveryError> {
        self.copied.lock().expect("lock").push(name);
        Ok(1)
    }
}

#[tokio::test]
async fn every_consumer_reads_every_event_once_at_its_own_pace() {
    let city = city().await;
    let copier = Copier::default();
    let history = events::deliver(&city.ctx, &copier).await.expect("copy").applied;
    assert!(history > 30, "a consumer that starts at the beginning reads the seeded history: {history}");
    let (ctx, listener) = listening(&city, Some(0), city.district(0).departments[1].id, 0).await;

    *copier.broken.lock().expect("lock") = true;
    city.dispatched_ticket(0).await;
    let stalled = events::deliver(&ctx, &copier).await.expect("copy");
    assert_eq!(stalled, DeliveryReport { failed: 1, ..DeliveryReport::default() });
    let report = deliver(&ctx).await;
    assert_eq!((report.applied, report.effects), (2, 3), "a stalled consumer holds no other back");
    assert_eq!(listener.seen_kinds(), ["ticket.submitted", "ticket.dispatched"]);

    *copier.broken.lock().expect("lock") = false;
    ctx.clock.advance(Duration::seconds(1));
    let caught_up = events::deliver(&ctx, &copier).await.expect("copy");
    let copied = copier.copied.lock().expect("lock").clone();
    let tail: Vec<_> = copied.iter().rev().take(6).rev().copied().collect();
    assert_eq!(
        tail,
        [
            "plugin.installed",
            "ticket.submitted",
            "ticket.dispatched",
            "ticket.tagged",
            "ticket.commented",
            "department.notified"
        ],
        "in order, including what the listener's answer raised"
    );
    assert_eq!(caught_up.applied, 6);
    assert_eq!(copied.len() as u64, history + 6, "every event once");
}

#[tokio::test]
async fn a_storage_failure_during_delivery_stops_the_round_and_blames_no_plugin() {
    let city = city().await;
    let (ctx, listener) = listening(&city, Some(0), city.district(0).departments[1].id, 0).await;
    city.dispatched_ticket(0).await;
    ctx.db.execute_unprepared("ALTER TABLE departments RENAME TO departments_away").await.expect("rename");
    let error = events::deliver(&ctx, &PluginListeners).await.expect_err("the answer cannot be checked");
    assert!(matches!(error, DeliveryError::Storage(_)), "{error}");
    ctx.db.execute_unprepared("ALTER TABLE departments_away RENAME TO departments").await.expect("rename");
    let listed =
        civitas_core::plugins::list(&ctx, &Caller::System, Some(city.district(0).district.id)).await.expect("list");
    assert_eq!((listed[0].enabled, listed[0].consecutive_failures), (true, 0));
    let report = deliver(&ctx).await;
    assert_eq!((report.applied, report.effects), (1, 3), "the dispatch is offered again: {report:?}");
    assert_eq!(listener.seen_kinds(), ["ticket.submitted", "ticket.dispatched", "ticket.dispatched"]);
}

#[tokio::test]
async fn only_the_department_its_district_admin_and_city_admins_read_its_notifications() {
    let city = city().await;
    let department = city.district(0).departments[1].id;
    let read = |caller: Caller| {
        let ctx = city.ctx.clone();
        async move { notifications::for_department(&ctx, &caller, department, 10).await.map(|found| found.len()) }
    };
    for allowed in [city.staff(0, 1), city.district_admin(0), Caller::city_admin("mayor")] {
        assert_eq!(read(allowed.clone()).await.expect("allowed"), 0, "{allowed:?}");
    }
    for refused in [city.staff(0, 0), city.staff(1, 1), city.district_admin(1), Caller::operator("op-1")] {
        assert_eq!(read(refused.clone()).await.expect_err("refused").kind(), ErrorKind::Forbidden, "{refused:?}");
    }
    assert_eq!(read(Caller::Anonymous).await.expect_err("refused").kind(), ErrorKind::Unauthenticated);
    let mayor = Caller::city_admin("mayor");
    let missing = notifications::for_department(&city.ctx, &mayor, DepartmentId(999_999), 10).await;
    assert_eq!(missing.expect_err("missing").kind(), ErrorKind::NotFound);
}
