//! The schema: queries, mutations, limits, and the per-request context.

mod budget;
mod email;
mod mutation;
mod open311;
mod plugin;
mod query;
mod subscription;
mod survey;

use std::sync::Arc;

use async_graphql::{MergedObject, Schema};
use civitas_core::Context;
use civitas_core::auth::Caller;
use civitas_core::i18n::Locale;

use crate::cost::{CostGuard, DocumentCache, Limits};
use crate::loaders::Loaders;
use crate::stats_cache::StatsCache;
pub use budget::{BudgetMutation, BudgetQuery};
pub use email::{EmailMutation, EmailQuery};
pub use mutation::{LocalizedNameInput, MutationRoot};
pub use open311::{Open311Mutation, Open311Query};
pub use plugin::{PluginMutation, PluginQuery, PluginSandbox};
pub use query::QueryRoot;
pub use subscription::{SubscriptionRoot, TicketEventNotice};
pub use survey::{SurveyMutation, SurveyQuery};

/// Every query: the directory and tickets, plugins, surveys.
#[derive(MergedObject)]
pub struct Query(QueryRoot, PluginQuery, SurveyQuery, BudgetQuery, EmailQuery, Open311Query);

/// Every mutation: tickets and the directory, plugins, surveys.
#[derive(MergedObject)]
pub struct Mutation(MutationRoot, PluginMutation, SurveyMutation, BudgetMutation, EmailMutation, Open311Mutation);

/// The Civitas schema.
pub type CivitasSchema = Schema<Query, Mutation, SubscriptionRoot>;

/// Deepest query accepted (introspection not counted).
pub const MAX_DEPTH: u64 = 12;
/// Most complex query accepted (a list field counts its page size times its children).
pub const MAX_COMPLEXITY: usize = 5_000;

/// What the transport knows about one request.
pub struct RequestContext {
    /// Who is calling.
    pub caller: Caller,
    /// The language for localised names.
    pub locale: Locale,
    /// The request's `Idempotency-Key` header, for the mutations that honour one.
    pub idempotency_key: Option<String>,
}

/// The schema over a core context, without a plugin sandbox (`installPlugin` then fails), with
/// the default request limits.
pub fn build_schema(ctx: Context) -> CivitasSchema {
    schema_and_documents(ctx, None, Limits::default()).0
}

/// The schema over a core context, installing plugins into `sandbox`, with `limits` on what one
/// request may ask for.
pub fn build_schema_with_plugins(ctx: Context, sandbox: PluginSandbox, limits: Limits) -> CivitasSchema {
    schema_and_documents(ctx, Some(sandbox), limits).0
}

/// The schema and the documents its cost guard keeps, which a server's handler reads too (the
/// rate limits look at a request's document before the schema runs).
pub(crate) fn schema_and_documents(
    ctx: Context,
    sandbox: Option<PluginSandbox>,
    limits: Limits,
) -> (CivitasSchema, Arc<DocumentCache>) {
    let guard = CostGuard::new(limits);
    let documents = guard.documents().clone();
    let builder = builder(ctx, guard);
    let schema = match sandbox {
        Some(sandbox) => builder.data(sandbox).finish(),
        None => builder.finish(),
    };
    (schema, documents)
}

fn builder(ctx: Context, guard: CostGuard) -> async_graphql::SchemaBuilder<Query, Mutation, SubscriptionRoot> {
    let limits = guard.limits();
    // Depth is the cost guard's (which leaves introspection out), not async-graphql's.
    let schema = Schema::build(
        Query(QueryRoot, PluginQuery, SurveyQuery, BudgetQuery, EmailQuery, Open311Query),
        Mutation(MutationRoot, PluginMutation, SurveyMutation, BudgetMutation, EmailMutation, Open311Mutation),
        SubscriptionRoot,
    )
    .data(ctx)
    .data(StatsCache::default())
    .extension(guard)
    .limit_complexity(MAX_COMPLEXITY);
    if limits.introspection { schema } else { schema.disable_introspection() }
}

/// The data a request needs besides the schema's: caller, locale and fresh loaders.
pub fn request_data(ctx: &Context, caller: Caller, locale: Locale) -> (RequestContext, Loaders) {
    let loaders = Loaders::new(ctx, &caller);
    (RequestContext { caller, locale, idempotency_key: None }, loaders)
}

/// The core context of the schema.
pub(crate) fn core_context<'a>(ctx: &async_graphql::Context<'a>) -> &'a Context {
    ctx.data_unchecked::<Context>()
}

/// The request's caller and locale; anonymous when the request carries none (e.g. the SDL
/// export).
pub(crate) fn request<'a>(ctx: &async_graphql::Context<'a>) -> &'a RequestContext {
    const ANONYMOUS: &RequestContext =
        &RequestContext { caller: Caller::Anonymous, locale: Locale::En, idempotency_key: None };
    ctx.data_opt::<RequestContext>().unwrap_or(ANONYMOUS)
}

/// The request's loaders.
pub(crate) fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
