//! Who sees what: every role against its own and another district.

use civitas_core::auth::Caller;
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::paging::Window;
use civitas_core::tickets::{self, TicketFilter};

use crate::support::city;

#[tokio::test]
async fn lists_are_scoped_to_the_callers_jurisdiction() {
    let city = city().await;
    let in_zero = city.dispatched_ticket(0).await;
    let in_one = city.dispatched_ticket(1).await;
    let scope = |caller: Caller| {
        let ctx = city.ctx.clone();
        async move {
            let page =
                tickets::list(&ctx, &caller, &TicketFilter::default(), Window::first(100, None)).await.expect("list");
            page.items.into_iter().map(|t| t.id).collect::<Vec<_>>()
        }
    };
    let admin_zero = scope(city.district_admin(0)).await;
    assert!(admin_zero.contains(&in_zero.id) && !admin_zero.contains(&in_one.id));
    let staff_zero = scope(city.staff(0, 0)).await;
    assert_eq!(staff_zero, [in_zero.id]);
    assert!(scope(city.staff(0, 1)).await.is_empty());
    assert!(scope(Caller::resident("someone")).await.is_empty());
    assert!(scope(Caller::Anonymous).await.is_empty());
    let operator = scope(Caller::operator("op-9")).await;
    assert!(operator.contains(&in_zero.id) && operator.contains(&in_one.id));
    // A filter cannot widen the scope.
    let widened = tickets::list(
        &city.ctx,
        &city.district_admin(0),
        &TicketFilter { district_id: Some(city.district(1).district.id), ..Default::default() },
        Window::first(100, None),
    )
    .await
    .expect("list");
    assert!(widened.items.is_empty());
}

#[tokio::test]
async fn another_district_cannot_read_or_change_a_ticket() {
    let city = city().await;
    let ticket = city.dispatched_ticket(0).await;
    for caller in [city.district_admin(1), city.staff(1, 0), Caller::resident("stranger")] {
        let read = tickets::get(&city.ctx, &caller, ticket.id).await.expect_err("read");
        assert_eq!(read.kind(), ErrorKind::NotFound, "{caller:?}");
        let accept = tickets::accept(&city.ctx, &caller, ticket.id).await.expect_err("accept");
        assert_eq!(accept.kind(), ErrorKind::NotFound, "{caller:?}");
        let comment = tickets::comment(&city.ctx, &caller, ticket.id, "hi").await.expect_err("comment");
        assert_eq!(comment.kind(), ErrorKind::NotFound, "{caller:?}");
    }
    let by_code = tickets::get_by_code(&city.ctx, &city.district_admin(1), &ticket.code).await.expect_err("code");
    assert_eq!(by_code.kind(), ErrorKind::NotFound);
    let unchanged = tickets::get(&city.ctx, &Caller::System, ticket.id).await.expect("get");
    assert_eq!(unchanged.version, ticket.version);
}

#[tokio::test]
async fn visible_but_not_allowed_is_forbidden() {
    let city = city().await;
    let ticket = city.dispatched_ticket(0).await;
    let operator = Caller::operator("op-2");
    assert_eq!(
        tickets::accept(&city.ctx, &operator, ticket.id).await.expect_err("operator").kind(),
        ErrorKind::Forbidden
    );
    let staff = city.staff(0, 0);
    let dispatch = tickets::dispatch(&city.ctx, &staff, ticket.id, city.district(0).departments[1].id, None).await;
    assert_eq!(dispatch.expect_err("staff").kind(), ErrorKind::Forbidden);
    let anonymous = tickets::accept(&city.ctx, &Caller::Anonymous, ticket.id).await.expect_err("anonymous");
    assert_eq!(anonymous.kind(), ErrorKind::Unauthenticated);
}

#[tokio::test]
async fn contact_details_are_masked_for_everyone_else() {
    let city = city().await;
    let ticket = city.dispatched_ticket(0).await;
    let full = |caller: &Caller| tickets::contact_visible_to(caller, &ticket);
    assert!(full(&Caller::operator("op-1")), "the operator who took it");
    assert!(full(&city.staff(0, 0)), "the assigned department");
    assert!(full(&city.district_admin(0)), "the district admin");
    assert!(!full(&Caller::operator("op-2")), "another operator");
    assert!(!full(&Caller::city_admin("mayor")), "a city admin");
    assert!(!full(&city.staff(0, 1)), "another department");
    let masked = tickets::contact_for(&Caller::city_admin("mayor"), &ticket);
    assert_eq!(masked.phone.as_deref(), Some("138******78"));
    assert_eq!(masked.name.as_deref(), Some("李*"));
}

#[tokio::test]
async fn anonymous_submission_only_where_allowed() {
    let city = city().await;
    // Demo district 0 accepts anonymous reports, district 1 does not.
    tickets::submit(&city.ctx, &Caller::Anonymous, city.resident_ticket(0, 0)).await.expect("allowed");
    let error =
        tickets::submit(&city.ctx, &Caller::Anonymous, city.resident_ticket(1, 0)).await.expect_err("not allowed");
    assert_eq!(error.kind(), ErrorKind::Unauthenticated);
    let wrong_district = tickets::submit(&city.ctx, &city.district_admin(1), city.new_ticket(0, 0)).await;
    assert_eq!(wrong_district.expect_err("foreign district").kind(), ErrorKind::Forbidden);
}
