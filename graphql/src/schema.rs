//! The schema: queries, mutations, limits, and the per-request context.

mod budget;
mod email;
mod mutation;
mod open311;
mod plugin;
mod query;
mod subscription;
mod survey;

use async_graphql::{MergedObject, Schema};
use civitas_core::Context;
use civitas_core::auth::Caller;
use civitas_core::i18n::Locale;

use crate::cost::{CostGuard, Limits};
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
/// the default request limits, applied by the schema itself (its [`CostGuard`] extension).
pub fn build_schema(ctx: Context) -> CivitasSchema {
    builder(ctx, None, Limits::default()).extension(CostGuard::new(Limits::default())).finish()
}

/// The schema over a core context, installing plugins into `sandbox`, with `limits` on what one
/// request may ask for, applied by the schema itself.
pub fn build_schema_with_plugins(ctx: Context, sandbox: PluginSandbox, limits: Limits) -> CivitasSchema {
    builder(ctx, Some(sandbox), limits).extension(CostGuard::new(limits)).finish()
}

/// The server's schema, and the guard its transports apply to each request before the schema
/// runs ([`CostGuard::prepare`]; a transport of your own must do the same). Without an
/// extension, async-graphql resolves each field without an extension hook, a type lookup and
/// a boxed future — on a page of tickets, a few hundred of each per request.
pub fn server_schema(ctx: Context, sandbox: Option<PluginSandbox>, limits: Limits) -> (CivitasSchema, CostGuard) {
    (builder(ctx, sandbox, limits).finish(), CostGuard::new(limits))
}

fn builder(
    ctx: Context,
    sandbox: Option<PluginSandbox>,
    limits: Limits,
) -> async_graphql::SchemaBuilder<Query, Mutation, SubscriptionRoot> {
    // Depth is the cost guard's (which leaves introspection out), not async-graphql's.
    let schema = Schema::build(
        Query(QueryRoot, PluginQuery, SurveyQuery, BudgetQuery, EmailQuery, Open311Query),
        Mutation(MutationRoot, PluginMutation, SurveyMutation, BudgetMutation, EmailMutation, Open311Mutation),
        SubscriptionRoot,
    )
    .data(ctx)
    .data(StatsCache::default())
    .limit_complexity(MAX_COMPLEXITY);
    let schema = if limits.introspection { schema } else { schema.disable_introspection() };
    match sandbox {
        Some(sandbox) => schema.data(sandbox),
        None => schema,
    }
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
pub(crate) fn request<'a, T>(ctx: &async_graphql::ContextBase<'a, T>) -> &'a RequestContext {
    const ANONYMOUS: &RequestContext =
        &RequestContext { caller: Caller::Anonymous, locale: Locale::En, idempotency_key: None };
    ctx.data_opt::<RequestContext>().unwrap_or(ANONYMOUS)
}

/// The request's loaders.
pub(crate) fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
