//! The ticket lifecycle through the service functions.

use chrono::{Duration, TimeZone, Utc};
use civitas_core::auth::Caller;
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::ids::DepartmentId;
use civitas_core::paging::Window;
use civitas_core::tickets::{
    self, Breakdown, StatsQuery, TicketError, TicketEventKind, TicketFilter, TicketStats, TicketStatus,
};

use crate::support::city;

#[tokio::test]
async fn full_lifecycle_is_audited_and_replayable() {
    let city = city().await;
    let operator = Caller::operator("op-1");
    let staff = city.staff(0, 0);
    let ticket = tickets::submit(&city.ctx, &operator, city.new_ticket(0, 0)).await.expect("submit");
    assert_eq!(ticket.status, TicketStatus::Received);
    assert!(ticket.code.starts_with("T-2026-"), "{}", ticket.code);
    assert_eq!(ticket.respond_by, ticket.created_at + Duration::hours(4));

    let department = city.district(0).departments[0].id;
    tickets::dispatch(&city.ctx, &operator, ticket.id, department, Some("lamp")).await.expect("dispatch");
    tickets::accept(&city.ctx, &staff, ticket.id).await.expect("accept");
    tickets::resolve(&city.ctx, &staff, ticket.id, "Lamp replaced").await.expect("resolve");
    let closed = tickets::rate(&city.ctx, &operator, ticket.id, 5, Some("quick")).await.expect("rate on behalf");
    assert_eq!(closed.status, TicketStatus::Closed);
    assert_eq!(closed.rating.as_ref().map(|r| r.score), Some(5));
    assert!(closed.closed_at.is_some());

    let timeline = tickets::timeline(&city.ctx, &operator, ticket.id).await.expect("timeline");
    let kinds: Vec<_> = timeline.iter().map(|event| event.kind).collect();
    assert_eq!(
        kinds,
        [
            TicketEventKind::Submitted,
            TicketEventKind::Dispatched,
            TicketEventKind::Accepted,
            TicketEventKind::Resolved,
            TicketEventKind::Rated
        ]
    );
    assert_eq!(timeline[1].note.as_deref(), Some("lamp"));
    assert_eq!(timeline[2].actor_subject.as_deref(), Some("staff-0-0"));
    let replayed = tickets::replay(&city.ctx, &operator, ticket.id).await.expect("replay");
    assert_eq!(replayed, closed.state());
}

#[tokio::test]
async fn codes_are_sequential_per_year() {
    let city = city().await;
    let operator = Caller::operator("op-1");
    let first = tickets::submit(&city.ctx, &operator, city.new_ticket(0, 0)).await.expect("submit");
    let second = tickets::submit(&city.ctx, &operator, city.new_ticket(1, 0)).await.expect("submit");
    let number = |code: &str| code.rsplit('-').next().and_then(|n| n.parse::<u32>().ok()).expect("number");
    assert_eq!(number(&second.code), number(&first.code) + 1);
}

#[tokio::test]
async fn return_transfer_and_reject() {
    let city = city().await;
    let staff = city.staff(0, 0);
    let ticket = city.dispatched_ticket(0).await;
    let returned = tickets::return_to_dispatch(&city.ctx, &staff, ticket.id, "not ours").await.expect("return");
    assert_eq!((returned.status, returned.department_id), (TicketStatus::Received, None));

    let admin = city.district_admin(0);
    let other = city.district(0).departments[1].id;
    tickets::dispatch(&city.ctx, &admin, ticket.id, city.district(0).departments[0].id, None)
        .await
        .expect("re-dispatch");
    let transferred =
        tickets::transfer(&city.ctx, &staff, ticket.id, other, "roads handle lamps").await.expect("transfer");
    assert_eq!(transferred.department_id, Some(other));
    // The first department no longer sees it.
    assert!(matches!(tickets::get(&city.ctx, &staff, ticket.id).await, Err(TicketError::NotFound)));

    let rejected = tickets::reject(&city.ctx, &admin, ticket.id, "private property").await.expect("reject");
    assert_eq!(rejected.status, TicketStatus::Rejected);
    let again = tickets::reject(&city.ctx, &admin, ticket.id, "again").await.expect_err("terminal");
    assert_eq!(again.kind(), ErrorKind::InvalidTransition);
}

#[tokio::test]
async fn a_department_of_another_district_is_bad_input() {
    let city = city().await;
    let operator = Caller::operator("op-1");
    let ticket = tickets::submit(&city.ctx, &operator, city.new_ticket(0, 0)).await.expect("submit");
    let foreign = city.district(1).departments[0].id;
    let error = tickets::dispatch(&city.ctx, &operator, ticket.id, foreign, None).await.expect_err("foreign");
    assert_eq!(error.kind(), ErrorKind::BadInput { field: "departmentId" });
    let unchanged = tickets::get(&city.ctx, &operator, ticket.id).await.expect("get");
    assert_eq!((unchanged.status, unchanged.version), (TicketStatus::Received, 0));
}

#[tokio::test]
async fn poor_rating_reopens_with_fresh_deadlines() {
    let city = city().await;
    let resident = Caller::resident("res-1");
    let staff = city.staff(0, 0);
    let operator = Caller::operator("op-1");
    let ticket = tickets::submit(&city.ctx, &resident, city.resident_ticket(0, 0)).await.expect("submit");
    tickets::dispatch(&city.ctx, &operator, ticket.id, city.district(0).departments[0].id, None)
        .await
        .expect("dispatch");
    tickets::accept(&city.ctx, &staff, ticket.id).await.expect("accept");
    tickets::resolve(&city.ctx, &staff, ticket.id, "done").await.expect("resolve");
    let forbidden = tickets::rate(&city.ctx, &operator, ticket.id, 1, None).await.expect_err("not the reporter");
    assert_eq!(forbidden.kind(), ErrorKind::Forbidden);
    city.ctx.clock.advance(Duration::hours(10));
    let reopened = tickets::rate(&city.ctx, &resident, ticket.id, 2, Some("still broken")).await.expect("rate");
    assert_eq!(reopened.status, TicketStatus::Received);
    assert_eq!(reopened.department_id, None);
    assert_eq!(reopened.reopen_count, 1);
    assert_eq!(reopened.accepted_at, None);
    assert_eq!(reopened.respond_by, city.ctx.clock.now() + Duration::hours(4));
    let replayed = tickets::replay(&city.ctx, &resident, ticket.id).await.expect("replay");
    assert_eq!(replayed, reopened.state());
}

#[tokio::test]
async fn invalid_transitions_change_nothing() {
    let city = city().await;
    let staff = city.staff(0, 0);
    let ticket = city.dispatched_ticket(0).await;
    let error = tickets::resolve(&city.ctx, &staff, ticket.id, "done").await.expect_err("not accepted");
    assert_eq!(error.kind(), ErrorKind::InvalidTransition);
    let after = tickets::get(&city.ctx, &staff, ticket.id).await.expect("get");
    assert_eq!(after, ticket);
    let timeline = tickets::timeline(&city.ctx, &staff, ticket.id).await.expect("timeline");
    assert_eq!(timeline.len(), 2);
}

#[tokio::test]
async fn concurrent_actions_on_one_ticket_cannot_both_win() {
    let city = city().await;
    let ticket = city.dispatched_ticket(0).await;
    let staff = city.staff(0, 0);
    let admin = city.district_admin(0);
    // On PostgreSQL both transactions read the same version and the version check stops the
    // second; on SQLite writes are serialised and the second sees the first's result.
    let (by_staff, by_admin) =
        tokio::join!(tickets::accept(&city.ctx, &staff, ticket.id), tickets::accept(&city.ctx, &admin, ticket.id),);
    let outcomes = [by_staff.is_ok(), by_admin.is_ok()];
    assert_eq!(outcomes.iter().filter(|won| **won).count(), 1, "{by_staff:?} / {by_admin:?}");
    let loser = by_staff.err().or(by_admin.err()).expect("one lost");
    assert!(matches!(loser.kind(), ErrorKind::Conflict | ErrorKind::InvalidTransition), "{loser:?}");
    let timeline = tickets::timeline(&city.ctx, &admin, ticket.id).await.expect("timeline");
    assert_eq!(timeline.len(), 3);
}

#[tokio::test]
async fn merge_makes_the_duplicate_reporter_follow_the_primary() {
    let city = city().await;
    let operator = Caller::operator("op-1");
    let first = Caller::resident("res-1");
    let second = Caller::resident("res-2");
    let primary = tickets::submit(&city.ctx, &first, city.resident_ticket(0, 0)).await.expect("primary");
    let duplicate = tickets::submit(&city.ctx, &second, city.resident_ticket(0, 0)).await.expect("duplicate");
    assert!(matches!(tickets::get(&city.ctx, &second, primary.id).await, Err(TicketError::NotFound)));

    tickets::merge(&city.ctx, &operator, primary.id, &[duplicate.id]).await.expect("merge");
    let merged = tickets::get(&city.ctx, &second, duplicate.id).await.expect("own duplicate");
    assert_eq!((merged.status, merged.merged_into), (TicketStatus::Merged, Some(primary.id)));
    let followed = tickets::get(&city.ctx, &second, primary.id).await.expect("follows the primary");
    assert_eq!(followed.id, primary.id);

    let other_district = tickets::submit(&city.ctx, &second, city.resident_ticket(1, 0)).await.expect("submit");
    let error = tickets::merge(&city.ctx, &operator, primary.id, &[other_district.id]).await.expect_err("district");
    assert_eq!(error.kind(), ErrorKind::BadInput { field: "duplicateIds" });
}

#[tokio::test]
async fn sweeper_escalates_once_and_auto_closes() {
    let city = city().await;
    let staff = city.staff(0, 0);
    let late = city.dispatched_ticket(0).await;
    let resolved = city.dispatched_ticket(0).await;
    tickets::accept(&city.ctx, &staff, resolved.id).await.expect("accept");
    tickets::resolve(&city.ctx, &staff, resolved.id, "done").await.expect("resolve");

    city.ctx.clock.advance(Duration::hours(5));
    let first = tickets::sweep(&city.ctx).await.expect("sweep");
    assert_eq!((first.response_escalations, first.resolution_escalations), (1, 0));
    let again = tickets::sweep(&city.ctx).await.expect("sweep again");
    assert_eq!(again, Default::default(), "a second sweep must do nothing");

    let overdue = tickets::list(
        &city.ctx,
        &staff,
        &TicketFilter { overdue: Some(true), ..Default::default() },
        Window::first(10, None),
    )
    .await
    .expect("list");
    assert_eq!(overdue.items.iter().map(|t| t.id).collect::<Vec<_>>(), [late.id]);

    city.ctx.clock.advance(Duration::days(8));
    let later = tickets::sweep(&city.ctx).await.expect("sweep");
    assert_eq!((later.resolution_escalations, later.auto_closed), (1, 1));
    let closed = tickets::get(&city.ctx, &staff, resolved.id).await;
    // The auto-closed ticket stays visible to the department it was dispatched to.
    assert_eq!(closed.expect("get").status, TicketStatus::Closed);
    let escalations = tickets::timeline(&city.ctx, &staff, late.id)
        .await
        .expect("timeline")
        .into_iter()
        .filter(|event| event.kind == TicketEventKind::Escalated)
        .count();
    assert_eq!(escalations, 2);
}

#[tokio::test]
async fn rates_follow_their_definitions() {
    let city = city().await;
    let staff = city.staff(0, 0);
    let operator = Caller::operator("op-1");
    // On time: accepted and resolved quickly, rated 5.
    let good = city.dispatched_ticket(0).await;
    tickets::accept(&city.ctx, &staff, good.id).await.expect("accept");
    tickets::resolve(&city.ctx, &staff, good.id, "done").await.expect("resolve");
    tickets::rate(&city.ctx, &operator, good.id, 5, None).await.expect("rate");
    // Late: accepted after the 4-hour response deadline, rated 3.
    let late = city.dispatched_ticket(0).await;
    city.ctx.clock.advance(Duration::hours(6));
    tickets::accept(&city.ctx, &staff, late.id).await.expect("accept");
    tickets::resolve(&city.ctx, &staff, late.id, "done").await.expect("resolve");
    tickets::rate(&city.ctx, &operator, late.id, 3, None).await.expect("rate");
    // Not yet due: does not count for the response or resolution rate.
    city.dispatched_ticket(0).await;
    // Rejected: left out of the rates, counted in the total.
    let rejected = city.dispatched_ticket(0).await;
    tickets::reject(&city.ctx, &operator, rejected.id, "duplicate call").await.expect("reject");

    let query = StatsQuery {
        district_id: Some(city.district(0).district.id),
        department_id: None,
        from: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).single().expect("date"),
        to: Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).single().expect("date"),
    };
    let stats = tickets::stats(&city.ctx, &query).await.expect("stats");
    assert_eq!(stats.total, 4);
    assert_eq!((stats.responded_on_time, stats.response_due), (1, 2));
    assert_eq!((stats.resolved_on_time, stats.resolution_due), (2, 2));
    assert_eq!(stats.satisfaction_rate(), Some(0.5));
    assert_eq!(stats.response_rate(), Some(0.5));
    let other_district = StatsQuery { district_id: Some(city.district(1).district.id), ..query.clone() };
    let empty = tickets::stats(&city.ctx, &other_district).await.expect("stats");
    assert_eq!((empty.total, empty.response_rate()), (0, None));

    // A breakdown is the same definition per part: each department's part is `stats` of that
    // department, and a week's part holds that week's tickets.
    let by_department = tickets::stats_by(&city.ctx, &query, Breakdown::Department).await.expect("by department");
    for (department, part) in &by_department {
        let alone = StatsQuery { department_id: department.map(DepartmentId), ..query.clone() };
        if department.is_some() {
            assert_eq!(part, &tickets::stats(&city.ctx, &alone).await.expect("stats"), "{department:?}");
        }
    }
    assert_eq!(by_department.iter().map(|(_, part)| part.total).sum::<i64>(), stats.total);
    let city_wide = StatsQuery { district_id: None, ..query.clone() };
    let by_district = tickets::stats_by(&city.ctx, &city_wide, Breakdown::District).await.expect("by district");
    assert_eq!(by_district, vec![(Some(city.district(0).district.id.0), stats.clone())]);
    let by_week = tickets::stats_by(&city.ctx, &query, Breakdown::Week).await.expect("by week");
    assert_eq!(by_week, vec![(Some(0), stats.clone())], "one day is in the first week");
    let parts: Vec<_> = by_department.iter().map(|(_, part)| part).collect();
    assert_eq!(TicketStats::combined(parts), stats, "a breakdown's parts add up to the whole");
    // Two accepted tickets: 0 h and 6 h to respond, median 3 h; nothing overdue yet.
    let times = tickets::times(&city.ctx, &query).await.expect("times");
    assert_eq!(times.median_response, Some(Duration::hours(3)));
    assert_eq!(times.median_resolution, Some(Duration::hours(3)));
    assert_eq!(times.overdue, 0);
}

#[tokio::test]
async fn invalid_input_names_the_field_and_persists_nothing() {
    let city = city().await;
    let operator = Caller::operator("op-1");
    type Spoil = Box<dyn Fn(&mut tickets::NewTicket)>;
    let cases: Vec<(&str, Spoil)> = vec![
        ("title", Box::new(|t| t.title = "  ".into())),
        ("description", Box::new(|t| t.description = "x".repeat(5001))),
        ("latitude", Box::new(|t| t.location = Some(tickets::GeoPoint { latitude: 123.0, longitude: 0.0 }))),
        ("longitude", Box::new(|t| t.location = Some(tickets::GeoPoint { latitude: 0.0, longitude: f64::NAN }))),
        ("categoryId", Box::new(|t| t.category_id = civitas_core::ids::CategoryId(999_999))),
        ("contact.phone", Box::new(|t| t.contact.phone = Some("not a phone".into()))),
    ];
    for (field, spoil) in cases {
        let mut new = city.new_ticket(0, 0);
        spoil(&mut new);
        let error = tickets::submit(&city.ctx, &operator, new).await.expect_err(field);
        assert_eq!(error.kind(), ErrorKind::BadInput { field }, "{field}");
    }
    let mut foreign_category = city.new_ticket(0, 0);
    foreign_category.category_id = city.district(1).categories[0].id;
    let error = tickets::submit(&city.ctx, &operator, foreign_category).await.expect_err("foreign category");
    assert_eq!(error.kind(), ErrorKind::BadInput { field: "categoryId" });
    let all =
        tickets::list(&city.ctx, &operator, &TicketFilter::default(), Window::first(100, None)).await.expect("list");
    assert!(all.items.is_empty(), "nothing may be persisted: {:?}", all.items);
}

#[tokio::test]
async fn an_idempotency_key_is_remembered_for_a_day_then_forgotten() {
    let city = city().await;
    let resident = Caller::resident("res-1");
    let keyed = || tickets::NewTicket { idempotency_key: Some("key-1".into()), ..city.resident_ticket(0, 0) };
    let first = tickets::submit(&city.ctx, &resident, keyed()).await.expect("submit");
    city.ctx.clock.advance(chrono::Duration::hours(23));
    assert_eq!(tickets::submit(&city.ctx, &resident, keyed()).await.expect("retry").id, first.id);
    city.ctx.clock.advance(chrono::Duration::hours(2));
    tickets::sweep(&city.ctx).await.expect("sweep forgets old keys");
    let later = tickets::submit(&city.ctx, &resident, keyed()).await.expect("a new submission");
    assert_ne!(later.id, first.id, "a day later the key is a new submission's");
}
