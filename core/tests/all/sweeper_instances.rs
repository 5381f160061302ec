//! Several server instances sweeping one database escalate each ticket once.

use chrono::Duration;
use civitas_core::tickets::{self, TicketEventKind};
use civitas_core::{Context, db};

use crate::support::city;

#[tokio::test]
async fn concurrent_sweeps_escalate_once() {
    let city = city().await;
    let mut ids = Vec::new();
    for district in 0..3 {
        ids.push(city.dispatched_ticket(district).await.id);
    }
    city.ctx.clock.advance(Duration::hours(30));
    // A second "instance": its own connection pool on the same database, same clock.
    let other = Context { db: db::connect(&city.url).await.expect("second pool"), ..city.ctx.clone() };
    let (first, second) = tokio::join!(tickets::sweep(&city.ctx), tickets::sweep(&other));
    let (first, second) = (first.expect("sweep"), second.expect("sweep"));
    let escalations = first.response_escalations + second.response_escalations;
    assert_eq!(escalations, 3, "{first:?} {second:?}");
    for id in ids {
        let timeline = tickets::timeline(&city.ctx, &civitas_core::auth::Caller::System, id).await.expect("timeline");
        let escalated = timeline.iter().filter(|event| event.kind == TicketEventKind::Escalated).count();
        assert_eq!(escalated, 2, "one response and one resolution escalation for {id}");
    }
}
