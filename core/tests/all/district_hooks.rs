//! The domain's hook points with a district's logic plugged in (implemented in Rust here; the
//! WASM plugin host implements the same trait).

use std::sync::{Arc, Mutex};

use chrono::Duration;
use civitas_core::auth::Caller;
use civitas_core::hooks::{DeadlineOverride, DeadlineRequest, DistrictHooks, RoutingDecision, RoutingRequest};
use civitas_core::ids::DepartmentId;
use civitas_core::tickets::{self, Priority, TicketEventKind, TicketStatus};

use crate::support::city;

#[derive(Debug)]
struct NightNoise {
    police: DepartmentId,
    refused: Mutex<Vec<String>>,
    deadline_hours: Option<i64>,
}

#[async_trait::async_trait]
impl DistrictHooks for NightNoise {
    async fn route_ticket(&self, request: &RoutingRequest) -> Option<RoutingDecision> {
        request.title.to_lowercase().contains("noise").then(|| RoutingDecision {
            department_id: self.police,
            priority: Some(Priority::High),
            tags: vec!["night".into()],
            decided_by: "night-noise@1.0.0".into(),
        })
    }

    async fn routing_refused(&self, _: &RoutingRequest, decision: &RoutingDecision, reason: &str) {
        self.refused.lock().expect("lock").push(format!("{}: {reason}", decision.decided_by));
    }

    async fn ticket_deadlines(&self, request: &DeadlineRequest) -> Option<DeadlineOverride> {
        let hours = self.deadline_hours?;
        Some(DeadlineOverride {
            respond_by: Some(request.dispatched_at + Duration::hours(hours)),
            resolve_by: Some(request.dispatched_at + Duration::hours(24)),
            decided_by: "school-area@0.1.0".into(),
        })
    }
}

#[tokio::test]
async fn a_router_dispatches_at_intake_and_a_policy_sets_deadlines() {
    let mut city = city().await;
    let police = city.district(0).departments[4].id;
    city.ctx.hooks = Arc::new(NightNoise { police, refused: Mutex::default(), deadline_hours: Some(1) });
    let operator = Caller::operator("op-1");
    let mut new = city.new_ticket(0, 8);
    new.title = "Noise from a bar".into();
    let ticket = tickets::submit(&city.ctx, &operator, new).await.expect("submit");
    assert_eq!(
        (ticket.status, ticket.department_id, ticket.priority),
        (TicketStatus::Dispatched, Some(police), Priority::High)
    );
    assert_eq!(ticket.respond_by, ticket.created_at + Duration::hours(1));
    assert_eq!(ticket.resolve_by, ticket.created_at + Duration::hours(24));
    let timeline = tickets::timeline(&city.ctx, &operator, ticket.id).await.expect("timeline");
    assert_eq!(timeline[0].note.as_deref(), Some("routed by night-noise@1.0.0 (tags: night)"));
    assert_eq!(timeline[1].kind, TicketEventKind::DeadlinesChanged);
    assert_eq!(tickets::replay(&city.ctx, &operator, ticket.id).await.expect("replay"), ticket.state());

    // Other tickets follow the normal flow; the policy applies when they are dispatched.
    let plain = tickets::submit(&city.ctx, &operator, city.new_ticket(0, 0)).await.expect("submit");
    assert_eq!((plain.status, plain.department_id), (TicketStatus::Received, None));
    city.ctx.clock.advance(Duration::hours(2));
    let department = city.district(0).departments[0].id;
    let dispatched = tickets::dispatch(&city.ctx, &operator, plain.id, department, None).await.expect("dispatch");
    assert_eq!(dispatched.respond_by, city.ctx.clock.now() + Duration::hours(1));
}

#[tokio::test]
async fn a_decision_outside_the_district_is_refused_and_nonsense_deadlines_ignored() {
    let mut city = city().await;
    let foreign = city.district(1).departments[4].id;
    let hooks = Arc::new(NightNoise { police: foreign, refused: Mutex::default(), deadline_hours: Some(-5) });
    city.ctx.hooks = hooks.clone();
    let operator = Caller::operator("op-1");
    let mut new = city.new_ticket(0, 8);
    new.title = "Noise again".into();
    let ticket = tickets::submit(&city.ctx, &operator, new).await.expect("submit");
    assert_eq!((ticket.status, ticket.department_id), (TicketStatus::Received, None));
    assert_eq!(hooks.refused.lock().expect("lock").len(), 1);

    let department = city.district(0).departments[0].id;
    let dispatched = tickets::dispatch(&city.ctx, &operator, ticket.id, department, None).await.expect("dispatch");
    assert_eq!(dispatched.respond_by, ticket.respond_by, "a deadline in the past is ignored");
    let kinds: Vec<_> = tickets::timeline(&city.ctx, &operator, ticket.id)
        .await
        .expect("timeline")
        .into_iter()
        .map(|event| event.kind)
        .collect();
    assert_eq!(kinds, [TicketEventKind::Submitted, TicketEventKind::Dispatched]);
}

#[derive(Debug, Default)]
struct Witness(Mutex<Vec<chrono::NaiveDateTime>>);

#[async_trait::async_trait]
impl DistrictHooks for Witness {
    async fn route_ticket(&self, request: &RoutingRequest) -> Option<RoutingDecision> {
        self.0.lock().expect("lock").push(request.local_time);
        None
    }
}

#[tokio::test]
async fn district_logic_sees_the_citys_wall_clock() {
    let mut city = city().await;
    city.ctx.config.timezone = chrono_tz::Asia::Shanghai;
    let witness = Arc::new(Witness::default());
    city.ctx.hooks = witness.clone();
    tickets::submit(&city.ctx, &Caller::operator("op-1"), city.new_ticket(0, 0)).await.expect("submit");
    // The test clock says 08:00 UTC: 16:00 in Shanghai.
    let seen = witness.0.lock().expect("lock").clone();
    assert_eq!(seen.iter().map(|time| time.format("%H:%M").to_string()).collect::<Vec<_>>(), ["16:00"]);
}
