//! Reads outside transactions go through the read-only connections, so that on SQLite, whose
//! single writer connection a transaction holds until it ends, a list does not wait for it.

use std::time::Duration;

use civitas_core::auth::Caller;
use civitas_core::db;
use civitas_core::paging::Window;
use civitas_core::tickets::{self, TicketFilter};
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::support::city;

#[tokio::test]
async fn a_list_is_answered_while_a_write_transaction_is_open() {
    let mut city = city().await;
    let ticket = city.dispatched_ticket(0).await;
    city.ctx.readers = db::connect_readers(&city.url).await.expect("read-only connections");
    let is_sqlite = city.url.starts_with("sqlite:");
    assert_eq!(city.ctx.readers.is_some(), is_sqlite, "read-only connections are SQLite's");

    // Holds the writer (SQLite's only writer connection) in a transaction that has written.
    let writing = city.ctx.db.begin().await.expect("begin");
    writing.execute_unprepared("UPDATE tickets SET title = 'Being changed' WHERE id > 0").await.expect("write");

    let operator = Caller::operator("op-1");
    let listed = tokio::time::timeout(
        Duration::from_secs(10),
        tickets::list(&city.ctx, &operator, &TicketFilter::default(), Window::first(10, None)),
    )
    .await
    .expect("the list waited for the write transaction")
    .expect("list");
    assert_eq!(listed.items.iter().map(|t| t.id).collect::<Vec<_>>(), vec![ticket.id]);
    assert_eq!(listed.items[0].title, "Broken lamp", "a read sees only what was committed");
    writing.rollback().await.expect("rollback");

    // A read-only connection refuses to write, whatever asks it to.
    if let Some(readers) = &city.ctx.readers {
        let refused = readers.execute_unprepared("UPDATE tickets SET title = 'x'").await;
        assert!(refused.is_err(), "a read-only connection wrote");
    }
}
