//! Plugin installation rights, call records and the failure policy.
//!
//! The sandbox here is a scripted stand-in for `PluginRuntime` whose "component" is a line of
//! text saying what the call returns; it exercises the domain's policy, not wasmtime (the real
//! sandbox is tested in `civitas-plugins` with real components).

use std::sync::Arc;

use civitas_core::auth::Caller;
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::plugins::{
    self, CallOutcome, FailurePolicy, HookFailure, HookKind, NewPlugin, PluginRuntime, RouterAnswer,
};
use civitas_core::tickets::{self, TicketStatus};

use crate::sandbox::{FUEL, FakeSandbox};
use crate::support::city;

/// A router whose "component" is a line of text saying what its calls return: `route dep_5`,
/// `route none`, `route trap`.
fn scripted() -> Arc<dyn PluginRuntime> {
    let runtime: Arc<FakeSandbox> = Arc::new(FakeSandbox::default().routing(|plugin, _| {
        let script = String::from_utf8_lossy(&plugin.component).to_string();
        match script.split_whitespace().nth(1) {
            Some("trap") => Err(HookFailure::Trap("wasm trap: unreachable".into())),
            Some("none") => Ok(None),
            Some(department) => Ok(Some(RouterAnswer { department: department.into(), priority: None, tags: vec![] })),
            None => Err(HookFailure::Guest("empty script".into())),
        }
    }));
    runtime
}

fn new_plugin(district: Option<civitas_core::ids::DistrictId>, name: &str, script: &str) -> NewPlugin {
    NewPlugin {
        district_id: district,
        name: name.into(),
        version: None,
        component: script.as_bytes().to_vec(),
        config: "{}".into(),
        limits: Default::default(),
        hooks: vec![HookKind::TicketRouter],
    }
}

#[tokio::test]
async fn only_the_districts_admin_installs_there_and_a_city_admin_city_wide() {
    let city = city().await;
    let district = Some(city.district(0).district.id);
    let runtime = scripted();
    let error = |result: Result<plugins::Plugin, plugins::PluginError>| result.expect_err("refused").kind();
    for caller in [city.district_admin(1), Caller::city_admin("mayor"), Caller::operator("op"), city.staff(0, 0)] {
        let refused = plugins::install(&city.ctx, &runtime, &caller, new_plugin(district, "r", "route none")).await;
        assert_eq!(error(refused), ErrorKind::Forbidden, "{caller:?}");
    }
    let refused =
        plugins::install(&city.ctx, &runtime, &city.district_admin(0), new_plugin(None, "r", "route none")).await;
    assert_eq!(error(refused), ErrorKind::Forbidden, "a district admin cannot install city-wide");
    let junk = plugins::install(&city.ctx, &runtime, &city.district_admin(0), new_plugin(district, "r", "junk")).await;
    assert_eq!(error(junk), ErrorKind::BadInput { field: "component" });

    let own = plugins::install(&city.ctx, &runtime, &city.district_admin(0), new_plugin(district, "r", "route none"))
        .await
        .expect("install");
    assert!(own.enabled && own.version.starts_with("sha256-"));
    plugins::install(&city.ctx, &runtime, &Caller::city_admin("mayor"), new_plugin(None, "default", "route none"))
        .await
        .expect("city-wide");
    let seen = plugins::list(&city.ctx, &city.district_admin(0), district).await.expect("list");
    assert_eq!(seen.len(), 2, "own and city-wide");
    let other =
        plugins::list(&city.ctx, &city.district_admin(1), Some(city.district(1).district.id)).await.expect("list");
    assert_eq!(other.len(), 1, "district 1 sees only the city-wide default");
    let hidden = plugins::disable(&city.ctx, &city.district_admin(1), own.id, None).await.expect_err("not theirs");
    assert_eq!(hidden.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn a_router_plugin_routes_and_a_failing_one_is_disabled_after_repeated_failures() {
    let mut city = city().await;
    let district = city.district(0).district.id;
    let police = city.district(0).departments[4].id;
    let admin = city.district_admin(0);
    let router = plugins::install(
        &city.ctx,
        &scripted(),
        &admin,
        new_plugin(Some(district), "router", &format!("route {police}")),
    )
    .await
    .expect("install");
    city.ctx.hooks = Arc::new(plugins::PluginHooks::new(scripted(), FailurePolicy { disable_after: 3 }));
    let operator = Caller::operator("op-1");
    let routed = tickets::submit(&city.ctx, &operator, city.new_ticket(0, 0)).await.expect("submit");
    assert_eq!((routed.status, routed.department_id), (TicketStatus::Dispatched, Some(police)));
    let note = tickets::timeline(&city.ctx, &operator, routed.id).await.expect("timeline")[0].note.clone();
    assert_eq!(note, Some(format!("routed by plugin router@{}", router.version)));
    // District 1 has no router: the normal flow.
    let plain = tickets::submit(&city.ctx, &operator, city.new_ticket(1, 0)).await.expect("submit");
    assert_eq!(plain.status, TicketStatus::Received);

    plugins::uninstall(&city.ctx, &admin, router.id).await.expect("uninstall");
    let broken = plugins::install(&city.ctx, &scripted(), &admin, new_plugin(Some(district), "broken", "route trap"))
        .await
        .expect("install");
    for _ in 0..4 {
        let ticket = tickets::submit(&city.ctx, &operator, city.new_ticket(0, 0)).await.expect("submit despite plugin");
        assert_eq!(ticket.status, TicketStatus::Received, "a failing router falls back to normal dispatch");
    }
    let after = plugins::list(&city.ctx, &admin, Some(district)).await.expect("list");
    let broken_now = after.iter().find(|plugin| plugin.id == broken.id).expect("still installed");
    assert!(!broken_now.enabled);
    assert!(broken_now.disabled_reason.as_deref().is_some_and(|reason| reason.contains("3 consecutive failures")));
    let calls = plugins::calls(&city.ctx, &admin, broken.id, 10).await.expect("calls");
    assert_eq!(calls.len(), 3, "disabled plugins are not called");
    assert!(calls.iter().all(|call| call.outcome == CallOutcome::Trap && call.fuel_used == FUEL));
    let stats = plugins::call_stats(&city.ctx, &admin, broken.id).await.expect("stats");
    assert_eq!((stats.calls, stats.failures, stats.average_fuel), (3, 3, Some(FUEL as f64)));

    let foreign = city.district(1).departments[0].id;
    plugins::install(&city.ctx, &scripted(), &admin, new_plugin(Some(district), "liar", &format!("route {foreign}")))
        .await
        .expect("install");
    let ticket = tickets::submit(&city.ctx, &operator, city.new_ticket(0, 0)).await.expect("submit");
    assert_eq!(ticket.status, TicketStatus::Received, "a department of another district is refused");
}

#[tokio::test]
async fn a_plugins_limits_are_kept_and_zero_limits_are_refused() {
    let city = city().await;
    let district = Some(city.district(0).district.id);
    let admin = city.district_admin(0);
    let zero = plugins::PluginLimits { fuel: Some(0), ..Default::default() };
    let refused = plugins::install(
        &city.ctx,
        &scripted(),
        &admin,
        NewPlugin { limits: zero, ..new_plugin(district, "r", "route none") },
    )
    .await
    .expect_err("zero fuel refused");
    assert_eq!(refused.kind(), ErrorKind::BadInput { field: "limits" });

    let limits = plugins::PluginLimits { fuel: Some(50_000), max_memory_bytes: Some(1 << 20), ..Default::default() };
    let installed = plugins::install(
        &city.ctx,
        &scripted(),
        &admin,
        NewPlugin { limits, ..new_plugin(district, "r", "route none") },
    )
    .await
    .expect("installed");
    assert_eq!(installed.limits, limits);
    let listed = plugins::list(&city.ctx, &admin, district).await.expect("list");
    assert_eq!(listed[0].limits, limits);
}
