//! Subscriptions: live tickets, work queues, notifications, survey response counts and budget
//! turnout, over `graphql-transport-ws` on `/graphql` (see `crate::live`).
//!
//! Every stream is driven by the instance's feed of committed domain events and re-reads what
//! it shows from storage with the subscriber's own scope, so that it never shows uncommitted
//! state nor anything the same caller could not query.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, SimpleObject, Subscription};
use civitas_core::auth::Caller;
use civitas_core::budget_processes as pb;
use civitas_core::events::{DomainEvent, StoredEvent};
use civitas_core::ids::{BudgetProcessId, DepartmentId, DistrictId, NotificationId, SurveyId, TicketEventId, TicketId};
use civitas_core::{notifications, surveys, tickets};
use futures::Stream;
use tokio::sync::broadcast;

use super::{core_context, request};
use crate::errors::{IntoGraphql, parse_id};
use crate::live::{SubscriptionSlot, slot};
use crate::relay::{cursor, decode_cursor};
use crate::types::{BudgetTurnout, Notification, Ticket, TicketEvent};

/// The most timeline entries that tracking of a queue's tickets remembers before it starts
/// over from the newest entry it delivered.
const MAX_TRACKED_TICKETS: usize = 50_000;

/// Every subscription.
#[derive(Default)]
pub struct SubscriptionRoot;

/// A new entry of a ticket's timeline in a watched queue.
#[derive(SimpleObject)]
pub struct TicketEventNotice {
    /// The ticket after the change.
    pub ticket: Ticket,
    /// The new entry.
    pub event: TicketEvent,
    /// Where this notice stands: pass it as `after` to resume from here.
    pub cursor: String,
}

#[Subscription]
impl SubscriptionRoot {
    /// The ticket after each change to it (for anyone who may read it).
    async fn ticket_updated(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Ticket>> + use<>> {
        let slot = slot(ctx)?;
        let id: TicketId = parse_id("id", &id)?;
        let core = core_context(ctx).clone();
        let caller = request(ctx).caller.clone();
        tickets::get(&core, &caller, id).await.gql()?;
        Ok(live(core.feed.subscribe(), slot, core, TicketWatch { caller, id }, false))
    }

    /// The new timeline entries of a district's tickets, or of the tickets dispatched to one of
    /// its departments (a live work queue), as the caller may see them; with `after` (a notice's
    /// cursor), first those committed since it.
    async fn ticket_events(
        &self,
        ctx: &Context<'_>,
        district_id: ID,
        department_id: Option<ID>,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<TicketEventNotice>> + use<>> {
        let slot = slot(ctx)?;
        let queue = tickets::Queue {
            district: parse_id::<DistrictId>("districtId", &district_id)?,
            department: department_id.as_ref().map(|id| parse_id::<DepartmentId>("departmentId", id)).transpose()?,
        };
        let core = core_context(ctx).clone();
        let caller = request(ctx).caller.clone();
        tickets::may_watch(&caller, queue).gql()?;
        // Listening starts before the newest entry is read: nothing committed in between is lost.
        let events = core.feed.subscribe();
        let (start, replay) = match after {
            Some(after) => (decode_cursor::<TicketEventId>("after", &after)?, true),
            None => (tickets::newest_entry(&core).await.gql()?, false),
        };
        let watch = QueueWatch { caller, queue, start, delivered: HashMap::new(), woken: Vec::new() };
        Ok(live(events, slot, core, watch, replay))
    }

    /// The notifications added to a department, for its staff, its district's admin and city
    /// admins.
    async fn notification_added(
        &self,
        ctx: &Context<'_>,
        department_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Notification>> + use<>> {
        let slot = slot(ctx)?;
        let department: DepartmentId = parse_id("departmentId", &department_id)?;
        let core = core_context(ctx).clone();
        let caller = request(ctx).caller.clone();
        let events = core.feed.subscribe();
        let last = notifications::newest_of(&core, &caller, department).await.gql()?;
        Ok(live(events, slot, core, NotificationWatch { caller, department, last }, false))
    }

    /// The number of responses to a survey, now and after each change (for those who may see
    /// its results' totals).
    async fn survey_response_count(
        &self,
        ctx: &Context<'_>,
        survey_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<i64>> + use<>> {
        let slot = slot(ctx)?;
        let survey: SurveyId = parse_id("surveyId", &survey_id)?;
        let core = core_context(ctx).clone();
        let caller = request(ctx).caller.clone();
        let events = core.feed.subscribe();
        surveys::response_total(&core, &caller, survey).await.gql()?;
        Ok(live(events, slot, core, ResponseCountWatch { caller, survey, last: None }, true))
    }

    /// A budgeting process's turnout (counted ballots by channel), now and after each change;
    /// never per-project counts, which stay sealed until the close.
    async fn budget_turnout(
        &self,
        ctx: &Context<'_>,
        process_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<BudgetTurnout>> + use<>> {
        let slot = slot(ctx)?;
        let process: BudgetProcessId = parse_id("processId", &process_id)?;
        let core = core_context(ctx).clone();
        let events = core.feed.subscribe();
        pb::turnout(&core, process).await.gql()?;
        Ok(live(events, slot, core, TurnoutWatch { process, last: None }, true))
    }
}

/// What one subscription watches: which events wake it, and what it then reads.
#[async_trait::async_trait]
trait Watch: Send + 'static {
    type Item: Send + 'static;

    /// Whether `event` may have changed what it shows.
    fn woken_by(&mut self, event: &StoredEvent) -> bool;

    /// Whether it missed events (the feed ran ahead of it) and must read as if woken by any.
    fn lagged(&mut self) {}

    /// What to deliver now.
    async fn read(&mut self, core: &civitas_core::Context) -> async_graphql::Result<Vec<Self::Item>>;
}

/// The stream of a watch: reads once first if `read_first`, then after each event that wakes
/// it; ends when the feed stops. The slot is held as long as the stream lives.
fn live<W: Watch>(
    events: broadcast::Receiver<Arc<StoredEvent>>,
    slot: SubscriptionSlot,
    core: civitas_core::Context,
    watch: W,
    read_first: bool,
) -> impl Stream<Item = async_graphql::Result<W::Item>> + use<W> {
    struct State<W: Watch> {
        events: broadcast::Receiver<Arc<StoredEvent>>,
        _slot: SubscriptionSlot,
        core: civitas_core::Context,
        watch: W,
        pending: std::collections::VecDeque<W::Item>,
        must_read: bool,
    }
    let state =
        State { events, _slot: slot, core, watch, pending: std::collections::VecDeque::new(), must_read: read_first };
    futures::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.pending.pop_front() {
                return Some((Ok(item), state));
            }
            if std::mem::take(&mut state.must_read) {
                match state.watch.read(&state.core).await {
                    Ok(items) => state.pending.extend(items),
                    Err(error) => return Some((Err(error), state)),
                }
                continue;
            }
            state.must_read = woken(&mut state.events, &mut state.watch).await?;
        }
    })
}

/// Waits for the next event, then takes every event already queued behind it: whether any of
/// them wakes `watch`, so that a burst committed while the last read ran costs one read, not one
/// per event (each read returns everything new since the one before). `None` once the feed
/// stops.
async fn woken<W: Watch>(events: &mut broadcast::Receiver<Arc<StoredEvent>>, watch: &mut W) -> Option<bool> {
    use broadcast::error::{RecvError, TryRecvError};
    let mut must_read = match events.recv().await {
        Ok(event) => watch.woken_by(&event),
        Err(RecvError::Lagged(_)) => {
            watch.lagged();
            true
        }
        Err(RecvError::Closed) => return None,
    };
    loop {
        match events.try_recv() {
            // `|=` evaluates its right side always: every event must reach `woken_by`, which
            // notes what it changed.
            Ok(event) => must_read |= watch.woken_by(&event),
            Err(TryRecvError::Lagged(_)) => {
                watch.lagged();
                must_read = true;
            }
            // A closed feed ends the stream at the next wait, after this read.
            Err(TryRecvError::Empty | TryRecvError::Closed) => return Some(must_read),
        }
    }
}

struct TicketWatch {
    caller: Caller,
    id: TicketId,
}

#[async_trait::async_trait]
impl Watch for TicketWatch {
    type Item = Ticket;

    fn woken_by(&mut self, event: &StoredEvent) -> bool {
        event.event.tickets().contains(&self.id)
    }

    async fn read(&mut self, core: &civitas_core::Context) -> async_graphql::Result<Vec<Ticket>> {
        Ok(vec![Ticket(tickets::get(core, &self.caller, self.id).await.gql()?)])
    }
}

/// A queue's new entries: each ticket's entries are delivered once, in order, from the
/// newest delivered of that ticket (or `start`) on — so an entry committed after a newer one
/// of another ticket is not lost.
struct QueueWatch {
    caller: Caller,
    queue: tickets::Queue,
    start: TicketEventId,
    delivered: HashMap<TicketId, TicketEventId>,
    /// The tickets whose events woke it since its last read; empty after a lag (read all).
    woken: Vec<TicketId>,
}

#[async_trait::async_trait]
impl Watch for QueueWatch {
    type Item = TicketEventNotice;

    fn woken_by(&mut self, event: &StoredEvent) -> bool {
        if event.event.district() != Some(self.queue.district) {
            return false;
        }
        let changed = event.event.tickets();
        self.woken.extend(&changed);
        !changed.is_empty()
    }

    fn lagged(&mut self) {
        self.woken.clear();
    }

    async fn read(&mut self, core: &civitas_core::Context) -> async_graphql::Result<Vec<TicketEventNotice>> {
        let only = std::mem::take(&mut self.woken);
        let only = (!only.is_empty()).then_some(only);
        let from = match &only {
            Some(only) => only
                .iter()
                .map(|ticket| self.delivered.get(ticket).copied().unwrap_or(self.start))
                .min()
                .unwrap_or(self.start),
            None => self.start,
        };
        let entries =
            tickets::queue_entries(core, &self.caller, self.queue, only.as_deref(), from, tickets::MAX_QUEUE_READ)
                .await
                .gql()?;
        let mut fresh = Vec::new();
        for entry in entries {
            let seen = self.delivered.get(&entry.ticket_id).copied().unwrap_or(self.start);
            if entry.id > seen {
                self.delivered.insert(entry.ticket_id, entry.id);
                fresh.push(entry);
            }
        }
        if self.delivered.len() > MAX_TRACKED_TICKETS {
            self.start = self.delivered.values().copied().max().unwrap_or(self.start);
            self.delivered.clear();
        }
        let mut current: HashMap<TicketId, tickets::Ticket> = HashMap::new();
        let mut notices = Vec::with_capacity(fresh.len());
        for entry in fresh {
            let ticket = match current.get(&entry.ticket_id) {
                Some(ticket) => ticket.clone(),
                None => {
                    let ticket = tickets::get(core, &self.caller, entry.ticket_id).await.gql()?;
                    current.insert(entry.ticket_id, ticket.clone());
                    ticket
                }
            };
            notices.push(TicketEventNotice {
                ticket: Ticket(ticket),
                cursor: cursor(entry.id),
                event: TicketEvent(entry),
            });
        }
        Ok(notices)
    }
}

struct NotificationWatch {
    caller: Caller,
    department: DepartmentId,
    last: NotificationId,
}

#[async_trait::async_trait]
impl Watch for NotificationWatch {
    type Item = Notification;

    fn woken_by(&mut self, event: &StoredEvent) -> bool {
        matches!(&event.event, DomainEvent::DepartmentNotified(notice) if notice.department == self.department)
    }

    async fn read(&mut self, core: &civitas_core::Context) -> async_graphql::Result<Vec<Notification>> {
        let added = notifications::added_after(core, &self.caller, self.department, self.last, notifications::MAX_PAGE)
            .await
            .gql()?;
        if let Some(newest) = added.last() {
            self.last = newest.id;
        }
        Ok(added.into_iter().map(Notification).collect())
    }
}

struct ResponseCountWatch {
    caller: Caller,
    survey: SurveyId,
    last: Option<u64>,
}

#[async_trait::async_trait]
impl Watch for ResponseCountWatch {
    type Item = i64;

    fn woken_by(&mut self, event: &StoredEvent) -> bool {
        event.event.survey_responses() == Some(self.survey)
    }

    async fn read(&mut self, core: &civitas_core::Context) -> async_graphql::Result<Vec<i64>> {
        let count = surveys::response_total(core, &self.caller, self.survey).await.gql()?;
        if self.last == Some(count) {
            return Ok(Vec::new());
        }
        self.last = Some(count);
        Ok(vec![i64::try_from(count).unwrap_or(i64::MAX)])
    }
}

struct TurnoutWatch {
    process: BudgetProcessId,
    last: Option<pb::Turnout>,
}

#[async_trait::async_trait]
impl Watch for TurnoutWatch {
    type Item = BudgetTurnout;

    fn woken_by(&mut self, event: &StoredEvent) -> bool {
        event.event.turnout_of() == Some(self.process)
    }

    async fn read(&mut self, core: &civitas_core::Context) -> async_graphql::Result<Vec<BudgetTurnout>> {
        let turnout = pb::turnout(core, self.process).await.gql()?;
        if self.last.as_ref() == Some(&turnout) {
            return Ok(Vec::new());
        }
        self.last = Some(turnout.clone());
        Ok(vec![BudgetTurnout(turnout)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use civitas_core::events::SurveyFacts;
    use civitas_core::ids::EventId;

    /// Counts the events it is shown and wakes on surveys 1 and 3 only.
    #[derive(Default)]
    struct Counting {
        shown: Vec<i64>,
        lags: usize,
    }

    #[async_trait::async_trait]
    impl Watch for Counting {
        type Item = ();

        fn woken_by(&mut self, event: &StoredEvent) -> bool {
            self.shown.push(event.id.0);
            matches!(&event.event, DomainEvent::SurveyOpened(facts) if [1, 3].contains(&facts.survey.0))
        }

        fn lagged(&mut self) {
            self.lags += 1;
        }

        async fn read(&mut self, _core: &civitas_core::Context) -> async_graphql::Result<Vec<()>> {
            unreachable!("the wake alone is under test")
        }
    }

    fn opened(id: i64, survey: i64) -> Arc<StoredEvent> {
        Arc::new(StoredEvent {
            id: EventId(id),
            event: DomainEvent::SurveyOpened(SurveyFacts {
                survey: SurveyId(survey),
                district: None,
                status: "OPEN".into(),
            }),
            at: chrono::Utc::now(),
            caused_by: None,
        })
    }

    #[tokio::test]
    async fn a_burst_of_queued_events_is_one_wake() {
        let (sender, mut events) = broadcast::channel(16);
        let mut watch = Counting::default();
        for (id, survey) in [(1, 2), (2, 3), (3, 2), (4, 4)] {
            sender.send(opened(id, survey)).expect("a receiver");
        }
        assert_eq!(woken(&mut events, &mut watch).await, Some(true), "event 2 wakes it");
        assert_eq!(watch.shown, [1, 2, 3, 4], "every queued event was shown, once");
        sender.send(opened(5, 2)).expect("a receiver");
        assert_eq!(woken(&mut events, &mut watch).await, Some(false), "survey 2 wakes nothing");
        drop(sender);
        assert_eq!(woken(&mut events, &mut watch).await, None, "the feed stopped");
        assert_eq!(watch.shown, [1, 2, 3, 4, 5]);
    }

    #[tokio::test]
    async fn a_lag_behind_the_burst_reads_everything() {
        let (sender, mut events) = broadcast::channel(2);
        let mut watch = Counting::default();
        for id in 1..=5 {
            sender.send(opened(id, 2)).expect("a receiver");
        }
        assert_eq!(woken(&mut events, &mut watch).await, Some(true), "a lag wakes it whatever was lost");
        assert_eq!(watch.lags, 1);
        assert_eq!(watch.shown, [4, 5], "what the channel still held was shown");
    }
}
