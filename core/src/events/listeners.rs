//! The districts' event-listener plugins as a consumer of the outbox.
//!
//! Each district has a cursor, and so do the city-wide events; a scope's events go to the
//! listener serving it (the district's own, else the city's default; city-wide events to the
//! city's). A listener's answer is checked by [`ListenToEvent`] when it is given, and its actions
//! are applied in the transaction that moves the cursor. Events raised by a listener's own
//! actions carry their cause and are never offered to listeners, so listeners cannot feed each
//! other. A failed call is retried later (the scope's later events wait, so a listener sees them
//! in order), and the plugin host disables a listener that keeps failing, after which its
//! events are passed over.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseTransaction, DbErr};

use super::consumer::{Decision, DeliveryError, EventConsumer, Start};
use super::event::Subject;
use super::outbox::StoredEvent;
use super::scope::EventScope;
use crate::context::Context;
use crate::directory;
use crate::hooks::{Asked, Hook, ListenerAction, Verdict};
use crate::ids::DistrictId;
use crate::plugins::{ActionAnswer, HookCall, HookKind, LoadedPlugin, PluginRuntime};
use crate::tickets::reactions;

/// The `event-listener` hook: a domain event in, actions on its subject out.
#[derive(Debug)]
pub struct ListenToEvent;

impl Hook for ListenToEvent {
    const KIND: HookKind = HookKind::EventListener;
    type Request = StoredEvent;
    type Answer = Vec<ActionAnswer>;
    type Decision = Vec<ListenerAction>;

    fn district(event: &StoredEvent) -> Option<DistrictId> {
        event.event.district()
    }

    fn call(runtime: &dyn PluginRuntime, plugin: &LoadedPlugin, event: &StoredEvent) -> HookCall<Self::Answer> {
        runtime.on_event(plugin, event)
    }

    async fn check(
        ctx: &Context,
        event: &StoredEvent,
        answer: Vec<ActionAnswer>,
    ) -> Result<Verdict<Vec<ListenerAction>>, DbErr> {
        let actions = match answer.into_iter().map(listener_action).collect::<Result<Vec<_>, String>>() {
            Ok(actions) => actions,
            Err(problem) => return Ok(Verdict::Refused(problem)),
        };
        if actions.is_empty() {
            return Ok(Verdict::NoOpinion);
        }
        let (Subject::Ticket(_), Some(district)) = (event.event.subject(), event.event.district()) else {
            return Ok(Verdict::Refused(format!("`{}` events take no actions", event.event.name())));
        };
        Ok(match reactions::check(&ctx.db, district, &actions).await? {
            Some(problem) => Verdict::Refused(problem),
            None => Verdict::Decided(actions),
        })
    }
}

/// The domain's action for a plugin's, if the plugin named a department by a valid ID.
fn listener_action(answer: ActionAnswer) -> Result<ListenerAction, String> {
    Ok(match answer {
        ActionAnswer::AddComment(text) => ListenerAction::AddComment(text),
        ActionAnswer::AddTag(tag) => ListenerAction::AddTag(tag),
        ActionAnswer::NotifyDepartment { department, message } => ListenerAction::NotifyDepartment {
            department_id: department
                .parse()
                .map_err(|_| format!("unknown department `{}`", department.chars().take(64).collect::<String>()))?,
            message,
        },
    })
}

/// The consumer that offers the outbox to the event-listener plugins.
#[derive(Debug, Default, Clone, Copy)]
pub struct PluginListeners;

/// An accepted answer: its actions and who asked for them.
#[derive(Debug)]
pub struct ListenerReaction {
    actions: Vec<ListenerAction>,
    decided_by: String,
}

#[async_trait::async_trait]
impl EventConsumer for PluginListeners {
    type Decision = ListenerReaction;

    fn name(&self) -> &'static str {
        "plugin-listeners"
    }

    async fn scopes(&self, ctx: &Context) -> Result<Vec<EventScope>, DeliveryError> {
        let districts = directory::districts(ctx).await?;
        Ok(districts
            .into_iter()
            .map(|district| EventScope::District(district.id))
            .chain([EventScope::CityWide])
            .collect())
    }

    /// A new district has no history; the city's events are heard from the first round on.
    fn start(&self, scope: EventScope) -> Start {
        match scope {
            EventScope::District(_) => Start::Beginning,
            EventScope::All | EventScope::CityWide => Start::Latest,
        }
    }

    async fn interested(&self, ctx: &Context, scope: EventScope) -> Result<bool, DeliveryError> {
        Ok(ctx.hooks.serves(ctx, HookKind::EventListener, scope.district()).await?)
    }

    async fn decide(
        &self,
        ctx: &Context,
        _: EventScope,
        event: &StoredEvent,
    ) -> Result<Decision<ListenerReaction>, DeliveryError> {
        if event.caused_by.is_some() {
            return Ok(Decision::Skip);
        }
        Ok(match ctx.hooks.ask::<ListenToEvent>(ctx, event).await? {
            Asked::NoPlugin | Asked::Refused { .. } => Decision::Skip,
            Asked::NoOpinion { decided_by } => Decision::Apply(ListenerReaction { actions: Vec::new(), decided_by }),
            Asked::Decided { decision, decided_by } => {
                Decision::Apply(ListenerReaction { actions: decision, decided_by })
            }
            Asked::Failed { reason, .. } => Decision::Retry(reason),
        })
    }

    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        event: &StoredEvent,
        reaction: ListenerReaction,
        now: DateTime<Utc>,
    ) -> Result<u64, DeliveryError> {
        if let Subject::Ticket(ticket) = event.event.subject()
            && !reaction.actions.is_empty()
        {
            reactions::apply(txn, ticket, &reaction.actions, &reaction.decided_by, event.id, now).await?;
        }
        Ok(reaction.actions.len() as u64)
    }
}
