//! A stand-in for the WASM sandbox: each hook answers through a closure of the test's, given the
//! installed plugin (whose "component" bytes a test may read as a script) and the request.
//! Everything around the call is the domain's own: which plugin serves a district, how answers
//! are checked, recorded and counted. The real sandbox is tested in `civitas-plugins` and end
//! to end over HTTP with real components.

use std::sync::Arc;
use std::time::Duration;

use civitas_core::Context;
use civitas_core::auth::Caller;
use civitas_core::events::StoredEvent;
use civitas_core::hooks::{
    DeadlineRequest, EligibilityAnswer, EligibilityRequest, RoutingRequest, SurveyValidationRequest, ValidatorProblem,
};
use civitas_core::ids::DistrictId;
use civitas_core::plugins::{
    self, ActionAnswer, ComponentInfo, DeadlineAnswer, FailurePolicy, HookCall, HookFailure, HookKind, LoadedPlugin,
    NewPlugin, Plugin, PluginHooks, PluginRuntime, RouterAnswer,
};

type Answer<R, A> = Box<dyn Fn(&LoadedPlugin, &R) -> Result<A, HookFailure> + Send + Sync>;

/// The fuel every fake call reports.
pub const FUEL: u64 = 1234;

#[derive(Default)]
pub struct FakeSandbox {
    route: Option<Answer<RoutingRequest, Option<RouterAnswer>>>,
    deadlines: Option<Answer<DeadlineRequest, Option<DeadlineAnswer>>>,
    listen: Option<Answer<StoredEvent, Vec<ActionAnswer>>>,
}

impl std::fmt::Debug for FakeSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FakeSandbox")
    }
}

impl FakeSandbox {
    pub fn routing(
        mut self,
        answer: impl Fn(&LoadedPlugin, &RoutingRequest) -> Result<Option<RouterAnswer>, HookFailure> + Send + Sync + 'static,
    ) -> Self {
        self.route = Some(Box::new(answer));
        self
    }

    pub fn deadlines(
        mut self,
        answer: impl Fn(&LoadedPlugin, &DeadlineRequest) -> Result<Option<DeadlineAnswer>, HookFailure>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.deadlines = Some(Box::new(answer));
        self
    }

    pub fn listening(
        mut self,
        answer: impl Fn(&LoadedPlugin, &StoredEvent) -> Result<Vec<ActionAnswer>, HookFailure> + Send + Sync + 'static,
    ) -> Self {
        self.listen = Some(Box::new(answer));
        self
    }

    /// The hooks it implements.
    pub fn hooks(&self) -> Vec<HookKind> {
        let mut hooks = Vec::new();
        if self.route.is_some() {
            hooks.push(HookKind::TicketRouter);
        }
        if self.deadlines.is_some() {
            hooks.push(HookKind::DeadlinePolicy);
        }
        if self.listen.is_some() {
            hooks.push(HookKind::EventListener);
        }
        hooks
    }

    /// A context whose hook points run this sandbox's plugins, with `policy`.
    pub fn hooks_of(self: &Arc<Self>, ctx: &Context, policy: FailurePolicy) -> Context {
        let runtime: Arc<dyn PluginRuntime> = self.clone();
        Context { hooks: Arc::new(PluginHooks::new(runtime, policy)), ..ctx.clone() }
    }

    /// Installs `name@1.0.0` implementing every hook of this sandbox in `district` (`None`:
    /// city-wide) as the system, and returns a context whose hook points run it.
    pub async fn install(
        self: &Arc<Self>,
        ctx: &Context,
        district: Option<DistrictId>,
        name: &str,
    ) -> (Context, Plugin) {
        let runtime: Arc<dyn PluginRuntime> = self.clone();
        let new = NewPlugin {
            district_id: district,
            name: name.into(),
            version: Some("1.0.0".into()),
            component: name.as_bytes().to_vec(),
            config: "{}".into(),
            limits: Default::default(),
            hooks: self.hooks(),
        };
        let plugin = plugins::install(ctx, &runtime, &Caller::System, new).await.expect("install");
        (self.hooks_of(ctx, FailurePolicy::default()), plugin)
    }
}

fn measured<T>(outcome: Result<T, HookFailure>) -> HookCall<T> {
    HookCall { outcome, fuel_used: FUEL, wall_time: Duration::from_micros(50) }
}

fn not_implemented<T>() -> Result<T, HookFailure> {
    Err(HookFailure::Trap("the plugin does not implement this world".into()))
}

impl PluginRuntime for FakeSandbox {
    fn inspect(&self, component: &[u8]) -> Result<ComponentInfo, String> {
        if component.starts_with(b"junk") {
            return Err("not a component".into());
        }
        Ok(ComponentInfo { hooks: self.hooks(), imports: vec![] })
    }

    fn route_ticket(&self, plugin: &LoadedPlugin, request: &RoutingRequest) -> HookCall<Option<RouterAnswer>> {
        measured(self.route.as_ref().map_or_else(not_implemented, |answer| answer(plugin, request)))
    }

    fn ticket_deadlines(&self, plugin: &LoadedPlugin, request: &DeadlineRequest) -> HookCall<Option<DeadlineAnswer>> {
        measured(self.deadlines.as_ref().map_or_else(not_implemented, |answer| answer(plugin, request)))
    }

    fn on_event(&self, plugin: &LoadedPlugin, event: &StoredEvent) -> HookCall<Vec<ActionAnswer>> {
        measured(self.listen.as_ref().map_or_else(not_implemented, |answer| answer(plugin, event)))
    }

    fn validate_survey(
        &self,
        _plugin: &LoadedPlugin,
        _request: &SurveyValidationRequest,
    ) -> HookCall<Vec<ValidatorProblem>> {
        // Survey validators are tested with a real component (graphql/tests/http/surveys.rs).
        measured(not_implemented())
    }

    fn check_eligibility(&self, _plugin: &LoadedPlugin, _request: &EligibilityRequest) -> HookCall<EligibilityAnswer> {
        measured(not_implemented())
    }
}
