//! The live feed: what one instance commits reaches every reader of every instance's feed, once,
//! in order, and is announced only by the instance that committed it.

use std::time::Duration;

use civitas_core::events::Subject;
use civitas_core::realtime::{self, Feed, FeedSettings};
use civitas_core::tickets;

use crate::support::city;

fn quiet_feed() -> Feed {
    // Never polls on its own within a test: only a wake makes it read.
    Feed::new(FeedSettings { poll_every: Duration::from_secs(3600), capacity: 64 })
}

#[tokio::test]
async fn a_change_committed_through_one_instance_reaches_readers_of_both_once_and_in_order() {
    let city = city().await;
    let (here, there) = (quiet_feed(), quiet_feed());
    let (mut reader_here, mut reader_there) = (here.subscribe(), there.subscribe());
    let mut announced_here = here.announcements();
    let announced_there = there.announcements();
    let tasks = [
        tokio::spawn(realtime::run(city.ctx.clone(), here.clone())),
        tokio::spawn(realtime::run(city.ctx.clone(), there.clone())),
    ];
    // Both take their starting position before anything is committed.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let ticket = city.dispatched_ticket(0).await;
    here.committed();
    let within = Duration::from_secs(10);
    let first = tokio::time::timeout(within, reader_here.recv()).await.expect("in time").expect("an event");
    let second = tokio::time::timeout(within, reader_here.recv()).await.expect("in time").expect("an event");
    assert_eq!(first.event.name(), "ticket.submitted");
    assert_eq!(second.event.name(), "ticket.dispatched");
    assert_eq!(first.event.subject(), Subject::Ticket(ticket.id));
    tokio::time::timeout(within, announced_here.changed()).await.expect("announced in time").expect("open");
    assert_eq!(*announced_here.borrow(), second.id.0, "the committing instance announces the newest position");

    // The other instance reads only when told (here: as Redis would tell it).
    there.heard();
    let elsewhere = tokio::time::timeout(within, reader_there.recv()).await.expect("in time").expect("an event");
    assert_eq!(elsewhere.id, first.id);
    assert_eq!(reader_there.recv().await.expect("an event").id, second.id);
    assert_eq!(*announced_there.borrow(), 0, "what it only heard of, it does not announce again");

    // Nothing is delivered twice: a further wake with nothing new brings nothing.
    here.heard();
    tickets::accept(&city.ctx, &city.staff(0, 0), ticket.id).await.expect("accept");
    here.heard();
    let third = tokio::time::timeout(within, reader_here.recv()).await.expect("in time").expect("an event");
    assert_eq!(third.event.name(), "ticket.accepted");
    assert!(third.id > second.id);
    assert_eq!(here.position(), third.id.0);
    assert!(reader_here.try_recv().is_err(), "each event once");
    for task in tasks {
        task.abort();
    }
}
