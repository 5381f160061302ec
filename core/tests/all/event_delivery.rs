//! Domain events offered to a district's listener after the change committed: its actions are
//! applied once, failures are retried later without blocking anything, other districts' events
//! are never shown to it, and answers outside its district are refused. (The listener is Rust
//! here; the WASM host implements the same trait and is tested end to end over HTTP.)

use std::sync::{Arc, Mutex};

use chrono::Duration;
use civitas_core::auth::Caller;
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::events::{self, DeliveryReport};
use civitas_core::hooks::{DistrictHooks, ListenedEvent, ListenerAction, ListenerAnswer};
use civitas_core::ids::{DepartmentId, DistrictId};
use civitas_core::tickets::{self, TicketEventKind};
use civitas_core::{Context, db, notifications};

use crate::support::{City, city};

/// Listens in one district: tags and comments dispatched tickets and notifies a department;
/// fails its first `failures` calls.
#[derive(Debug)]
struct Listener {
    district: DistrictId,
    notify: DepartmentId,
    failures: Mutex<u32>,
    seen: Mutex<Vec<ListenedEvent>>,
}

impl Listener {
    fn new(district: DistrictId, notify: DepartmentId, failures: u32) -> Arc<Self> {
        Arc::new(Listener { district, notify, failures: Mutex::new(failures), seen: Mutex::default() })
    }

    fn seen_kinds(&self) -> Vec<String> {
        self.seen.lock().expect("lock").iter().map(|event| event.kind.clone()).collect()
    }
}

#[async_trait::async_trait]
impl DistrictHooks for Listener {
    async fn listens(&self, district: DistrictId) -> bool {
        district == self.district
    }

    async fn on_event(&self, event: &ListenedEvent) -> ListenerAnswer {
        assert_eq!(event.district_id, self.district, "offered another district's event");
        self.seen.lock().expect("lock").push(event.clone());
        {
            let mut failures = self.failures.lock().expect("lock");
            if *failures > 0 {
                *failures -= 1;
                return ListenerAnswer::Failed("wasm trap: unreachable".into());
            }
        }
        let actions = if event.kind == "ticket.dispatched" {
            vec![
                ListenerAction::AddTag("seen".into()),
                ListenerAction::AddComment("Thank you, we are on it.".into()),
                ListenerAction::NotifyDepartment {
                    department_id: self.notify,
                    message: format!("new ticket {}", event.subject),
                },
            ]
        } else {
            Vec::new()
        };
        ListenerAnswer::Act { actions, decided_by: "plugin listener@1.0.0".into() }
    }
}

fn listening(city: &City, hooks: Arc<Listener>) -> Context {
    Context { hooks, ..city.ctx.clone() }
}

async fn deliver(ctx: &Context) -> DeliveryReport {
    events::deliver(ctx).await.expect("delivery")
}

fn kinds(timeline: &[tickets::TicketEvent]) -> Vec<TicketEventKind> {
    timeline.iter().map(|event| event.kind).collect()
}

#[tokio::test]
async fn a_listener_acts_on_its_districts_events_once_and_never_hears_its_own_echoes() {
    let city = city().await;
    let notify = city.district(0).departments[1].id;
    let listener = Listener::new(city.district(0).district.id, notify, 0);
    let ctx = listening(&city, listener.clone());
    let ours = city.dispatched_ticket(0).await;
    let theirs = city.dispatched_ticket(1).await;

    let report = deliver(&ctx).await;
    assert_eq!(report, DeliveryReport { answered: 2, actions: 3, passed_over: 2, failed: 0 });
    assert_eq!(listener.seen_kinds(), ["ticket.submitted", "ticket.dispatched"]);
    assert_eq!(listener.seen.lock().expect("lock")[1].subject, ours.id.to_string());

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

    // The tag and comment raised events of their own; they are not offered back.
    assert_eq!(deliver(&ctx).await, DeliveryReport { passed_over: 2, ..DeliveryReport::default() });
    assert_eq!(deliver(&ctx).await, DeliveryReport::default());
    assert_eq!(listener.seen_kinds().len(), 2);
    let timeline = tickets::timeline(&ctx, &Caller::System, ours.id).await.expect("timeline");
    assert_eq!(timeline.len(), 4, "nothing applied twice");
}

#[tokio::test]
async fn a_failing_listener_is_asked_again_later_and_its_districts_later_events_wait() {
    let city = city().await;
    let listener = Listener::new(city.district(0).district.id, city.district(0).departments[1].id, 2);
    let ctx = listening(&city, listener.clone());
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
    assert_eq!(report, DeliveryReport { answered: 2, actions: 3, ..DeliveryReport::default() });
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
    let listener = Listener::new(city.district(0).district.id, foreign, 0);
    let ctx = listening(&city, listener.clone());
    let ticket = city.dispatched_ticket(0).await;

    let report = deliver(&ctx).await;
    assert_eq!(report, DeliveryReport { answered: 1, passed_over: 1, ..DeliveryReport::default() });
    let timeline = tickets::timeline(&ctx, &Caller::System, ticket.id).await.expect("timeline");
    assert_eq!(kinds(&timeline), [TicketEventKind::Submitted, TicketEventKind::Dispatched], "all or nothing");
    let inbox = notifications::for_department(&ctx, &Caller::city_admin("mayor"), foreign, 50).await.expect("read");
    assert!(inbox.is_empty(), "nothing reached the other district: {inbox:?}");
    assert_eq!(deliver(&ctx).await, DeliveryReport::default(), "passed over for good");
}

#[tokio::test]
async fn two_instances_delivering_at_once_apply_each_answer_once() {
    let city = city().await;
    let listener = Listener::new(city.district(0).district.id, city.district(0).departments[1].id, 0);
    let ctx = listening(&city, listener.clone());
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(city.dispatched_ticket(0).await.id);
    }
    let other = Context { db: db::connect(&city.url).await.expect("second pool"), ..ctx.clone() };
    let (first, second) = tokio::join!(events::deliver(&ctx), events::deliver(&other));
    let (first, second) = (first.expect("delivery"), second.expect("delivery"));
    // Whatever one instance left for the other, a third round finishes.
    let third = deliver(&ctx).await;
    assert_eq!(first.actions + second.actions + third.actions, 9, "{first:?} {second:?} {third:?}");
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
