//! Every administrative change leaves one audit entry and one domain event, in its own
//! transaction, and only the admins of the scope read them.

use std::sync::Arc;

use civitas_core::Context;
use civitas_core::audit::{self, AuditEntry};
use civitas_core::auth::Caller;
use civitas_core::directory::{self, NewDepartment};
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::events::{self, Decision, DeliveryError, EventConsumer, EventScope, Start, StoredEvent};
use civitas_core::i18n::LocalizedText;
use civitas_core::paging::{Page, Window};
use civitas_core::plugins::{self, FailurePolicy, HookFailure, PluginHooks};
use civitas_core::tickets;

use crate::sandbox::FakeSandbox;
use crate::support::city;

async fn entries(ctx: &Context, caller: &Caller, district: Option<civitas_core::ids::DistrictId>) -> Vec<AuditEntry> {
    audit::log(ctx, caller, district, Window::first(100, None)).await.expect("audit log").items
}

/// The names of every event in the outbox, oldest first.
struct Names;

#[async_trait::async_trait]
impl EventConsumer for Names {
    type Decision = ();
    fn name(&self) -> &'static str {
        "test-names"
    }
    async fn scopes(&self, _: &Context) -> Result<Vec<EventScope>, DeliveryError> {
        Ok(vec![EventScope::All])
    }
    fn start(&self, _: EventScope) -> Start {
        Start::Beginning
    }
    async fn decide(&self, _: &Context, _: EventScope, _: &StoredEvent) -> Result<Decision<()>, DeliveryError> {
        Ok(Decision::Apply(()))
    }
    async fn apply(
        &self,
        _: &sea_orm::DatabaseTransaction,
        _: &StoredEvent,
        _: (),
        _: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, DeliveryError> {
        Ok(1)
    }
}

#[tokio::test]
async fn directory_changes_are_audited_with_their_actor_and_raise_events() {
    let city = city().await;
    let district = city.district(0).district.id;
    let admin = city.district_admin(0);
    let before = events::deliver(&city.ctx, &Names).await.expect("events").applied;
    let new = NewDepartment { district_id: district, name: LocalizedText::new("Parks", "公园", "公園") };
    let parks = directory::create_department(&city.ctx, &admin, new).await.expect("department");
    assert_eq!(events::deliver(&city.ctx, &Names).await.expect("events").applied, 1, "one change, one event");

    let log = entries(&city.ctx, &admin, Some(district)).await;
    let newest = &log[0];
    assert_eq!(
        (newest.action.as_str(), newest.subject.clone(), newest.actor_subject.as_deref(), newest.actor_role.as_deref()),
        ("department.created", parks.id.to_string(), Some("admin-0"), Some("district_admin"))
    );
    assert_eq!(newest.district_id, Some(district));
    let after: serde_json::Value = serde_json::from_str(newest.after.as_deref().expect("after")).expect("json");
    assert_eq!(after["name"]["zhHans"], "公园");
    assert_eq!(newest.before, None);
    // The seeded directory was audited too: 2 streets, 5 departments, 10 categories, then parks.
    assert_eq!(log.len(), 18, "{log:?}");
    assert!(before > 0);

    // A refused change leaves nothing.
    let refused = NewDepartment { district_id: district, name: LocalizedText::new("", "", "") };
    directory::create_department(&city.ctx, &admin, refused).await.expect_err("names are required");
    assert_eq!(entries(&city.ctx, &admin, Some(district)).await.len(), 18);
    assert_eq!(events::deliver(&city.ctx, &Names).await.expect("events").applied, 0);
}

#[tokio::test]
async fn only_the_admins_of_a_scope_read_its_audit_log_a_page_at_a_time() {
    let city = city().await;
    let own = city.district(0).district.id;
    let other = city.district(1).district.id;
    let admin = city.district_admin(0);
    let refused = |result: Result<Page<AuditEntry>, audit::AuditError>| result.expect_err("refused").kind();
    assert_eq!(
        refused(audit::log(&city.ctx, &admin, Some(other), Window::first(10, None)).await),
        ErrorKind::Forbidden
    );
    assert_eq!(refused(audit::log(&city.ctx, &admin, None, Window::first(10, None)).await), ErrorKind::Forbidden);
    for caller in [Caller::operator("op"), city.staff(0, 0), Caller::resident("r")] {
        assert_eq!(
            refused(audit::log(&city.ctx, &caller, Some(own), Window::first(10, None)).await),
            ErrorKind::Forbidden
        );
    }
    assert_eq!(
        refused(audit::log(&city.ctx, &Caller::Anonymous, Some(own), Window::first(10, None)).await),
        ErrorKind::Unauthenticated
    );

    let mayor = Caller::city_admin("mayor");
    let city_wide = entries(&city.ctx, &mayor, None).await;
    assert_eq!(city_wide.len(), 3, "the three districts' creation");
    assert!(city_wide.iter().all(|entry| entry.action == "district.created" && entry.district_id.is_none()));
    let first = audit::log(&city.ctx, &mayor, Some(own), Window::first(10, None)).await.expect("page");
    assert!(first.has_next_page);
    let second = audit::log(&city.ctx, &mayor, Some(own), Window::first(10, first.items.last().map(|e| e.id.0)))
        .await
        .expect("page");
    assert!(!second.has_next_page);
    assert_eq!(first.items.len() + second.items.len(), 17);
    assert!(first.items.iter().chain(&second.items).all(|entry| entry.district_id == Some(own)));
    assert!(first.items.windows(2).all(|pair| pair[0].id > pair[1].id), "newest first");
}

#[tokio::test]
async fn plugin_administration_and_the_automatic_disabling_are_audited() {
    let mut city = city().await;
    let district = city.district(0).district.id;
    let admin = city.district_admin(0);
    let sandbox =
        Arc::new(FakeSandbox::default().routing(|_, _| Err(HookFailure::Trap("wasm trap: unreachable".into()))));
    let (_, plugin) = sandbox.install(&city.ctx, Some(district), "broken").await;
    plugins::disable(&city.ctx, &admin, plugin.id, Some("maintenance")).await.expect("disable");
    plugins::enable(&city.ctx, &admin, plugin.id).await.expect("enable");
    city.ctx.hooks = Arc::new(PluginHooks::new(sandbox.clone(), FailurePolicy { disable_after: 2 }));
    for _ in 0..3 {
        tickets::submit(&city.ctx, &Caller::operator("op-1"), city.new_ticket(0, 0)).await.expect("submit");
    }
    plugins::uninstall(&city.ctx, &admin, plugin.id).await.expect("uninstall");

    let log = entries(&city.ctx, &admin, Some(district)).await;
    let plugin_entries: Vec<_> = log
        .iter()
        .rev()
        .filter(|entry| entry.subject == plugin.id.to_string())
        .map(|entry| (entry.action.as_str(), entry.actor_role.as_deref()))
        .collect();
    assert_eq!(
        plugin_entries,
        [
            ("plugin.installed", Some("system")),
            ("plugin.disabled", Some("district_admin")),
            ("plugin.enabled", Some("district_admin")),
            ("plugin.disabled", Some("system")),
            ("plugin.uninstalled", Some("district_admin")),
        ]
    );
    let automatic =
        log.iter().find(|entry| entry.action == "plugin.disabled" && entry.actor_role.as_deref() == Some("system"));
    let after: serde_json::Value =
        serde_json::from_str(automatic.and_then(|entry| entry.after.as_deref()).expect("after")).expect("json");
    assert!(
        after["disabledReason"].as_str().is_some_and(|reason| reason.contains("2 consecutive failures")),
        "{after}"
    );
    let uninstalled = log.iter().find(|entry| entry.action == "plugin.uninstalled").expect("uninstalled");
    assert!(uninstalled.before.as_deref().is_some_and(|before| before.contains("ticket-router")));
    assert_eq!(uninstalled.after, None);
}
