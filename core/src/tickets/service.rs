//! Submitting tickets and moving them through their lifecycle.
//!
//! Each function is one change: it runs in one transaction, checks who may do it, applies the
//! state machine, writes the ticket with an optimistic version check, appends the timeline
//! entry and one domain event, and commits — or changes nothing.

use chrono::{DateTime, Datelike, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseTransaction, EntityTrait, TransactionTrait,
};

use super::TicketError;
use super::access;
use super::district_logic::{self, RouteTicket, SetDeadlines};
use super::entities::{ticket, ticket_follower};
use super::idempotency::IdempotencyKey;
use super::input::{self, MAX_DESCRIPTION_CHARS, MAX_NOTE_CHARS, MAX_TITLE_CHARS, NewTicket};
use super::model::{Channel, Ticket, TicketEventKind};
use super::state::{TicketState, Transition};
use super::storage::{self, NewEvent};
use super::tracking;
use crate::auth::{Caller, Role};
use crate::context::Context;
use crate::directory;
use crate::error::InvalidInput;
use crate::events::{self, DomainEvent, TicketMerge};
use crate::hooks::{DeadlineRequest, Deadlines, RoutingDecision, RoutingRequest};
use crate::ids::{DepartmentId, DistrictId, TicketId};
use crate::time::to_millis;

/// Takes in a ticket. Residents report for themselves; operators capture contact details of
/// callers; anonymous callers may submit where the district allows it.
pub async fn submit(ctx: &Context, caller: &Caller, new: NewTicket) -> Result<Ticket, TicketError> {
    let idempotency = new.idempotency_key.as_deref().map(|key| IdempotencyKey::new(caller, key)).transpose()?;
    if let Some(key) = &idempotency
        && let Some(earlier) = key.earlier(&ctx.db, ctx.clock.now()).await?
    {
        return Ok(earlier);
    }
    // Directory entries from memory: a submission costs no statement to check them.
    let Some(district) = directory::districts_by_ids(ctx, &[new.district_id]).await?.pop() else {
        return Err(InvalidInput::new("districtId", "no such district").into());
    };
    match caller {
        Caller::Anonymous if !district.allow_anonymous_tickets => return Err(TicketError::Unauthenticated),
        Caller::User { district: Some(own), .. } if *own != district.id => return Err(TicketError::Forbidden),
        _ => {}
    }
    // A resident (or an anonymous caller) reports for themselves through the web or the app;
    // other channels are those of staff taking a report, and urgency is the dispatcher's call.
    if matches!(caller, Caller::Anonymous) || caller.is(Role::Resident) {
        if !matches!(new.channel, Channel::Web | Channel::App) {
            return Err(InvalidInput::new("channel", "residents report through WEB or APP").into());
        }
        if new.priority.is_some() {
            return Err(InvalidInput::new("priority", "is set by the dispatcher, not by the reporter").into());
        }
    }
    let category =
        directory::categories_by_ids(ctx, &[new.category_id]).await?.pop().filter(|c| c.district_id == district.id);
    let Some(category) = category else {
        return Err(InvalidInput::new("categoryId", "is not a category of this district").into());
    };
    if let Some(street_id) = new.street_id {
        let street = directory::streets_by_ids(ctx, &[street_id]).await?.pop();
        if street.is_none_or(|street| street.district_id != district.id) {
            return Err(InvalidInput::new("streetId", "is not a street of this district").into());
        }
    }
    let title = input::required_text("title", &new.title, MAX_TITLE_CHARS)?;
    let description = input::required_text("description", &new.description, MAX_DESCRIPTION_CHARS)?;
    let address = input::optional_text("address", new.address.as_deref(), 500)?;
    let location = input::location(new.location)?;
    let mut contact = input::contact(&new.contact)?;
    // A resident who gave no address hears about their ticket at the one their identity
    // provider knows.
    if caller.is(Role::Resident) && contact.email.is_none() {
        contact.email = caller.email().map(str::to_owned);
    }

    let now = ctx.clock.now();
    let routing = RoutingRequest {
        district_id: district.id,
        street_id: new.street_id,
        category_id: category.id,
        channel: new.channel,
        title: title.clone(),
        description: description.clone(),
        location,
        submitted_at: now,
        local_time: now.with_timezone(&ctx.config.timezone).naive_local(),
    };
    let routed = ctx.hooks.ask::<RouteTicket>(ctx, &routing).await?.decided();
    let department = routed.as_ref().map(|(decision, _)| decision.department_id);
    let state = TicketState::UNSUBMITTED.apply(Transition::Submit { department })?;
    let priority =
        district_logic::combined_priority(new.priority, routed.as_ref().and_then(|(decision, _)| decision.priority));
    let mut respond_by = now + Duration::hours(category.respond_within_hours.into());
    let mut resolve_by = now + Duration::hours(category.resolve_within_hours.into());
    let mut deadlines_set_by = None;
    if let Some((decision, _)) = &routed {
        let request = DeadlineRequest {
            district_id: district.id,
            street_id: new.street_id,
            category_id: category.id,
            channel: new.channel,
            tags: decision.tags.clone(),
            submitted_at: now,
            department_id: decision.department_id,
            priority,
            respond_by,
            resolve_by,
            dispatched_at: now,
        };
        if let Some((deadlines, decided_by)) = ctx.hooks.ask::<SetDeadlines>(ctx, &request).await?.decided() {
            (respond_by, resolve_by) = (deadlines.respond_by, deadlines.resolve_by);
            deadlines_set_by = Some(decided_by);
        }
    }
    let reporter_subject = caller.is(Role::Resident).then(|| caller.subject().map(str::to_owned)).flatten();
    let intake_subject = caller.is(Role::Operator).then(|| caller.subject().map(str::to_owned)).flatten();
    let tracking_token = matches!(caller, Caller::Anonymous).then(tracking::new_token);

    let txn = ctx.db.begin().await?;
    let code = storage::next_code(&txn, now.year()).await?;
    let row = ticket::ActiveModel {
        code: Set(code),
        channel: Set(new.channel.as_str().to_owned()),
        district_id: Set(district.id.0),
        street_id: Set(new.street_id.map(|id| id.0)),
        category_id: Set(category.id.0),
        title: Set(title),
        description: Set(description),
        address: Set(address),
        latitude: Set(location.map(|point| point.latitude)),
        longitude: Set(location.map(|point| point.longitude)),
        reporter_subject: Set(reporter_subject),
        intake_subject: Set(intake_subject),
        contact_name: Set(contact.name),
        contact_phone: Set(contact.phone),
        contact_email: Set(contact.email),
        contact_language: Set(contact.language.map(|language| language.tag().to_owned())),
        priority: Set(priority.as_str().to_owned()),
        status: Set(state.status.as_str().to_owned()),
        department_id: Set(department.map(|id| id.0)),
        respond_by_ms: Set(to_millis(respond_by)),
        resolve_by_ms: Set(to_millis(resolve_by)),
        accepted_at_ms: Set(None),
        resolved_at_ms: Set(None),
        closed_at_ms: Set(None),
        escalation_level: Set(0),
        rating_score: Set(None),
        rating_comment: Set(None),
        merged_into_id: Set(None),
        reopen_count: Set(0),
        version: Set(0),
        created_at_ms: Set(to_millis(now)),
        updated_at_ms: Set(to_millis(now)),
        tracking_token_hash: Set(tracking_token.as_deref().map(tracking::hash)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let id = TicketId(row.id);
    let routing_note = routed.as_ref().map(|(decision, decided_by)| routing_note(decision, decided_by));
    let submitted = NewEvent {
        note: with_deadline_note(routing_note, deadlines_set_by.as_deref()),
        department_id: department,
        ..NewEvent::default()
    };
    storage::append_event(&txn, id, TicketEventKind::Submitted, caller, to_millis(now), submitted).await?;
    let mut ticket = Ticket::try_from(row)?;
    ticket.tracking_token = tracking_token;
    publish(&txn, DomainEvent::TicketSubmitted(ticket.facts()), now).await?;
    if let Some(key) = &idempotency
        && !key.remember(&txn, &ticket, now).await?
    {
        // A concurrent attempt with the same key committed first: its ticket is the answer,
        // and this one is rolled back.
        drop(txn);
        return key.earlier(&ctx.db, now).await?.ok_or(TicketError::Conflict);
    }
    txn.commit().await?;
    Ok(ticket)
}

fn routing_note(decision: &RoutingDecision, decided_by: &str) -> String {
    if decision.tags.is_empty() {
        format!("routed by {decided_by}")
    } else {
        format!("routed by {decided_by} (tags: {})", decision.tags.join(", "))
    }
}

/// A timeline note that also says which plugin set the deadlines, so that the change stays one
/// timeline entry.
fn with_deadline_note(note: Option<String>, deadlines_set_by: Option<&str>) -> Option<String> {
    match (note, deadlines_set_by) {
        (note, None) => note,
        (None, Some(by)) => Some(format!("deadlines set by {by}")),
        (Some(note), Some(by)) => Some(format!("{note}; deadlines set by {by}")),
    }
}

/// Sends a received ticket to a department of its district.
pub async fn dispatch(
    ctx: &Context,
    caller: &Caller,
    id: TicketId,
    department: DepartmentId,
    note: Option<&str>,
) -> Result<Ticket, TicketError> {
    let note = input::optional_text("note", note, MAX_NOTE_CHARS)?;
    change(ctx, caller, id, Transition::Dispatch { department }, note, access::may_dispatch).await
}

/// The assigned department takes the ticket on.
pub async fn accept(ctx: &Context, caller: &Caller, id: TicketId) -> Result<Ticket, TicketError> {
    change(ctx, caller, id, Transition::Accept, None, access::may_work).await
}

/// The assigned department sends a misrouted ticket back to dispatch, saying why.
pub async fn return_to_dispatch(
    ctx: &Context,
    caller: &Caller,
    id: TicketId,
    reason: &str,
) -> Result<Ticket, TicketError> {
    let reason = input::required_text("reason", reason, MAX_NOTE_CHARS)?;
    change(ctx, caller, id, Transition::Return, Some(reason), access::may_work).await
}

/// Re-dispatches a ticket to another department of its district.
pub async fn transfer(
    ctx: &Context,
    caller: &Caller,
    id: TicketId,
    department: DepartmentId,
    reason: &str,
) -> Result<Ticket, TicketError> {
    let reason = input::required_text("reason", reason, MAX_NOTE_CHARS)?;
    change(ctx, caller, id, Transition::Transfer { department }, Some(reason), access::may_redirect).await
}

/// The assigned department reports the ticket done.
pub async fn resolve(ctx: &Context, caller: &Caller, id: TicketId, resolution: &str) -> Result<Ticket, TicketError> {
    let resolution = input::required_text("resolution", resolution, MAX_NOTE_CHARS)?;
    change(ctx, caller, id, Transition::Resolve, Some(resolution), access::may_work).await
}

/// The reporter rates the resolution: 3 or more closes the ticket, 1 or 2 reopens it.
pub async fn rate(
    ctx: &Context,
    caller: &Caller,
    id: TicketId,
    score: i32,
    comment: Option<&str>,
) -> Result<Ticket, TicketError> {
    let score = input::score(score)?;
    let comment = input::optional_text("comment", comment, MAX_NOTE_CHARS)?;
    change(ctx, caller, id, Transition::Rate { score }, comment, access::may_rate).await
}

/// Rejects a ticket as not actionable, saying why.
pub async fn reject(ctx: &Context, caller: &Caller, id: TicketId, reason: &str) -> Result<Ticket, TicketError> {
    let reason = input::required_text("reason", reason, MAX_NOTE_CHARS)?;
    change(ctx, caller, id, Transition::Reject, Some(reason), access::may_redirect).await
}

/// Closes a resolved ticket that its reporter left unrated (the system's auto-close).
pub(crate) async fn auto_close(ctx: &Context, id: TicketId) -> Result<Ticket, TicketError> {
    let note = format!("closed unrated after {} days", ctx.config.auto_close_after_days);
    change(ctx, &Caller::System, id, Transition::AutoClose, Some(note), |_, _| Ok(())).await
}

/// Comments on a ticket; anyone who can see it may.
pub async fn comment(ctx: &Context, caller: &Caller, id: TicketId, body: &str) -> Result<Ticket, TicketError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(TicketError::Unauthenticated);
    }
    let body = input::required_text("body", body, MAX_NOTE_CHARS)?;
    let now = ctx.clock.now();
    let txn = ctx.db.begin().await?;
    let ticket = storage::load_visible(&txn, caller, id).await?;
    storage::touch(&txn, id, to_millis(now)).await?;
    let event = NewEvent { note: Some(body), ..NewEvent::default() };
    storage::append_event(&txn, id, TicketEventKind::Commented, caller, to_millis(now), event).await?;
    publish(&txn, DomainEvent::TicketCommented(ticket.facts()), now).await?;
    let ticket = storage::reload(&txn, id).await?;
    txn.commit().await?;
    Ok(ticket)
}

/// Closes duplicates into a primary ticket; their reporters follow the primary from then on.
pub async fn merge(
    ctx: &Context,
    caller: &Caller,
    primary_id: TicketId,
    duplicate_ids: &[TicketId],
) -> Result<Ticket, TicketError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(TicketError::Unauthenticated);
    }
    if duplicate_ids.is_empty() {
        return Err(InvalidInput::new("duplicateIds", "must name at least one ticket").into());
    }
    if duplicate_ids.len() > 100 {
        return Err(InvalidInput::new("duplicateIds", "must name at most 100 tickets").into());
    }
    if duplicate_ids.contains(&primary_id) {
        return Err(InvalidInput::new("duplicateIds", "must not contain the primary ticket").into());
    }
    let now = ctx.clock.now();
    let txn = ctx.db.begin().await?;
    let primary = storage::load_visible(&txn, caller, primary_id).await?;
    access::may_dispatch(caller, &primary)?;
    if primary.status.is_terminal() {
        return Err(super::state::InvalidTransition { from: primary.status, action: "merge into" }.into());
    }
    for &duplicate_id in duplicate_ids {
        let duplicate = storage::load_visible(&txn, caller, duplicate_id).await?;
        if duplicate.district_id != primary.district_id {
            return Err(InvalidInput::new("duplicateIds", "duplicates must be in the primary ticket's district").into());
        }
        let transition = Transition::MergeInto { primary: primary_id };
        let next = duplicate.state().apply(transition)?;
        let changes = ticket::ActiveModel {
            status: Set(next.status.as_str().to_owned()),
            merged_into_id: Set(Some(primary_id.0)),
            closed_at_ms: Set(Some(to_millis(now))),
            updated_at_ms: Set(to_millis(now)),
            ..Default::default()
        };
        storage::update_if_unchanged(&txn, duplicate_id, duplicate.version, changes).await?;
        let into = NewEvent { related_ticket_id: Some(primary_id), ..NewEvent::default() };
        storage::append_event(&txn, duplicate_id, TicketEventKind::MergedInto, caller, to_millis(now), into).await?;
        let absorbed = NewEvent { related_ticket_id: Some(duplicate_id), ..NewEvent::default() };
        storage::append_event(&txn, primary_id, TicketEventKind::DuplicateMerged, caller, to_millis(now), absorbed)
            .await?;
        follow(&txn, primary_id, duplicate.reporter_subject.as_deref()).await?;
    }
    let touch = ticket::ActiveModel { updated_at_ms: Set(to_millis(now)), ..Default::default() };
    storage::update_if_unchanged(&txn, primary_id, primary.version, touch).await?;
    let merged = storage::reload(&txn, primary_id).await?;
    let event = DomainEvent::TicketMerged(TicketMerge {
        primary: primary_id,
        district: merged.district_id,
        duplicates: duplicate_ids.to_vec(),
    });
    publish(&txn, event, now).await?;
    txn.commit().await?;
    Ok(merged)
}

async fn follow(txn: &DatabaseTransaction, ticket_id: TicketId, subject: Option<&str>) -> Result<(), TicketError> {
    let Some(subject) = subject else { return Ok(()) };
    let follower = ticket_follower::ActiveModel { ticket_id: Set(ticket_id.0), subject: Set(subject.to_owned()) };
    ticket_follower::Entity::insert(follower)
        .on_conflict_do_nothing_on([ticket_follower::Column::TicketId, ticket_follower::Column::Subject])
        .exec(txn)
        .await?;
    Ok(())
}

type Authorize = fn(&Caller, &Ticket) -> Result<(), TicketError>;

/// The shared path of every lifecycle change of one ticket.
async fn change(
    ctx: &Context,
    caller: &Caller,
    id: TicketId,
    transition: Transition,
    note: Option<String>,
    authorize: Authorize,
) -> Result<Ticket, TicketError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(TicketError::Unauthenticated);
    }
    let now = ctx.clock.now();
    // The district's deadline policy is asked before the transaction opens, so that no plugin
    // runs while a database transaction is held; the version check below catches any change
    // made in between.
    let policy = match transition.department() {
        Some(department) => deadline_policy(ctx, caller, id, transition, department, authorize, now).await?,
        None => None,
    };
    let txn = ctx.db.begin().await?;
    let ticket = storage::load_visible(&txn, caller, id).await?;
    authorize(caller, &ticket)?;
    let next = ticket.state().apply(transition)?;
    if let Some(department) = transition.department() {
        ensure_department_of(&txn, department, ticket.district_id).await?;
    }
    if policy.as_ref().is_some_and(|(version, _, _)| *version != ticket.version) {
        return Err(TicketError::Conflict);
    }
    let mut changes = ticket::ActiveModel {
        status: Set(next.status.as_str().to_owned()),
        department_id: Set(next.department.map(|id| id.0)),
        reopen_count: Set(next.reopen_count),
        updated_at_ms: Set(to_millis(now)),
        ..Default::default()
    };
    match transition {
        Transition::Accept if ticket.accepted_at.is_none() => changes.accepted_at_ms = Set(Some(to_millis(now))),
        Transition::Resolve => changes.resolved_at_ms = Set(Some(to_millis(now))),
        Transition::Rate { score } => {
            changes.rating_score = Set(Some(score.into()));
            changes.rating_comment = Set(note.clone());
        }
        _ => {}
    }
    if next.status.is_terminal() {
        changes.closed_at_ms = Set(Some(to_millis(now)));
    }
    let reopened = next.reopen_count > ticket.reopen_count;
    if reopened {
        restart_cycle(&txn, &mut changes, &ticket, now).await?;
    }
    if let Some((_, deadlines, _)) = &policy {
        changes.respond_by_ms = Set(to_millis(deadlines.respond_by));
        changes.resolve_by_ms = Set(to_millis(deadlines.resolve_by));
    }
    storage::update_if_unchanged(&txn, id, ticket.version, changes).await?;
    let event = NewEvent {
        note: with_deadline_note(note, policy.as_ref().map(|(_, _, decided_by)| decided_by.as_str())),
        department_id: transition.department(),
        score: match transition {
            Transition::Rate { score } => Some(score),
            _ => None,
        },
        related_ticket_id: None,
    };
    storage::append_event(&txn, id, transition.event_kind(), caller, to_millis(now), event).await?;
    let changed = storage::reload(&txn, id).await?;
    if let Some(event) = storage::transition_event(&changed, transition) {
        publish(&txn, event, now).await?;
    }
    txn.commit().await?;
    Ok(changed)
}

/// The deadlines the district's policy sets for a dispatch that will be allowed, with the
/// ticket version they were computed from and the plugin that set them. A dispatch that will
/// not be allowed asks nothing: the transaction reports why.
async fn deadline_policy(
    ctx: &Context,
    caller: &Caller,
    id: TicketId,
    transition: Transition,
    department_id: DepartmentId,
    authorize: Authorize,
    now: DateTime<Utc>,
) -> Result<Option<(i32, Deadlines, String)>, TicketError> {
    let seen = match storage::load_visible(&ctx.db, caller, id).await {
        Ok(seen) => seen,
        Err(TicketError::NotFound) => return Ok(None),
        Err(error) => return Err(error),
    };
    if authorize(caller, &seen).is_err() || seen.state().apply(transition).is_err() {
        return Ok(None);
    }
    if !directory::department_belongs_to(&ctx.db, department_id, seen.district_id).await? {
        return Ok(None);
    }
    let request = DeadlineRequest {
        district_id: seen.district_id,
        street_id: seen.street_id,
        category_id: seen.category_id,
        channel: seen.channel,
        tags: Vec::new(),
        submitted_at: seen.created_at,
        department_id,
        priority: seen.priority,
        respond_by: seen.respond_by,
        resolve_by: seen.resolve_by,
        dispatched_at: now,
    };
    let decided = ctx.hooks.ask::<SetDeadlines>(ctx, &request).await?.decided();
    Ok(decided.map(|(deadlines, decided_by)| (seen.version, deadlines, decided_by)))
}

/// A reopened ticket starts a new cycle: fresh deadlines from its category, no acceptance or
/// escalation yet.
async fn restart_cycle(
    db: &impl ConnectionTrait,
    changes: &mut ticket::ActiveModel,
    ticket: &Ticket,
    now: DateTime<Utc>,
) -> Result<(), TicketError> {
    let category = directory::category_in(db, ticket.category_id)
        .await?
        .ok_or_else(|| TicketError::Corrupt(format!("ticket {} has no category", ticket.id)))?;
    changes.respond_by_ms = Set(to_millis(now + Duration::hours(category.respond_within_hours.into())));
    changes.resolve_by_ms = Set(to_millis(now + Duration::hours(category.resolve_within_hours.into())));
    changes.accepted_at_ms = Set(None);
    changes.resolved_at_ms = Set(None);
    changes.escalation_level = Set(0);
    Ok(())
}

async fn ensure_department_of(
    db: &impl ConnectionTrait,
    department: DepartmentId,
    district: DistrictId,
) -> Result<(), TicketError> {
    if directory::department_belongs_to(db, department, district).await? {
        Ok(())
    } else {
        Err(InvalidInput::new("departmentId", "is not a department of the ticket's district").into())
    }
}

async fn publish(txn: &DatabaseTransaction, event: DomainEvent, now: DateTime<Utc>) -> Result<(), TicketError> {
    events::append(txn, &event, to_millis(now)).await?;
    Ok(())
}
