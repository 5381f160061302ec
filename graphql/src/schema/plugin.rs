//! Plugin administration: install, enable, disable, uninstall, list. District admins act in
//! their own district, city admins city-wide; the domain enforces both.

use std::io::Read;
use std::sync::Arc;

use async_graphql::{Context, ID, Object, Upload};
use base64::Engine as _;
use civitas_core::error::ErrorKind;
use civitas_core::i18n::Message;
use civitas_core::ids::{DistrictId, PluginId};
use civitas_core::plugins::{self, HookKind, MAX_COMPONENT_BYTES, NewPlugin, PluginRuntime};

use super::{core_context, request};
use crate::errors::{IntoGraphql, bad_input, parse_id, with_kind};
use crate::types::{Plugin, PluginCallLimits, PluginHook};

/// The sandbox that validates components at install, shared with the hook points.
#[derive(Clone)]
pub struct PluginSandbox(pub Arc<dyn PluginRuntime>);

fn sandbox<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a PluginSandbox> {
    ctx.data_opt::<PluginSandbox>()
        .ok_or_else(|| with_kind("plugins are not enabled on this server", &ErrorKind::Internal))
}

/// The component from exactly one of `component` (base64) and `upload` (multipart).
fn component_bytes(
    ctx: &Context<'_>,
    base64: Option<String>,
    upload: Option<Upload>,
) -> async_graphql::Result<Vec<u8>> {
    let too_large = || {
        bad_input("component", Message::new("a component may have at most {max} bytes").arg("max", MAX_COMPONENT_BYTES))
    };
    match (base64, upload) {
        (Some(text), None) => {
            // Four base64 characters carry three bytes.
            if text.len() / 4 * 3 > MAX_COMPONENT_BYTES + 3 {
                return Err(too_large());
            }
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|error| bad_input("component", Message::new("not base64: {error}").arg("error", error)))
        }
        (None, Some(upload)) => {
            let file = upload.value(ctx).map_err(|error| bad_input("upload", Message::verbatim(error.to_string())))?;
            let mut bytes = Vec::new();
            let limit = u64::try_from(MAX_COMPONENT_BYTES).unwrap_or(u64::MAX) + 1;
            file.into_read().take(limit).read_to_end(&mut bytes).map_err(|error| {
                bad_input("upload", Message::new("cannot read the upload: {error}").arg("error", error))
            })?;
            if bytes.len() > MAX_COMPONENT_BYTES {
                return Err(too_large());
            }
            Ok(bytes)
        }
        (Some(_), Some(_)) => Err(bad_input("component", "give either `component` or `upload`, not both")),
        (None, None) => Err(bad_input("component", "give the component as base64 `component` or as an `upload`")),
    }
}

fn plugin_id(id: &ID) -> async_graphql::Result<PluginId> {
    parse_id("id", id)
}

/// Plugin mutations, merged into the mutation root.
#[derive(Default)]
pub struct PluginMutation;

#[Object]
impl PluginMutation {
    /// Installs a WASM component implementing `civitas:plugin@0.1.0` worlds, enabled. `districtId`
    /// null installs a city-wide default (city admins), which a district's own plugin for the
    /// same hook overrides. The component is checked (valid component, only offered imports,
    /// every listed hook implemented) before anything is stored.
    #[expect(clippy::too_many_arguments, reason = "one argument per GraphQL argument")]
    async fn install_plugin(
        &self,
        ctx: &Context<'_>,
        district_id: Option<ID>,
        name: String,
        #[graphql(desc = "The component, base64-encoded (or use `upload`).")] component: Option<String>,
        #[graphql(desc = "The component as a multipart upload (or use `component`).")] upload: Option<Upload>,
        #[graphql(desc = "JSON handed to the plugin by its `config()` import.", default = "{}")] config: String,
        hooks: Vec<PluginHook>,
        #[graphql(desc = "A version label; `sha256-<prefix>` by default.")] version: Option<String>,
        limits: Option<PluginCallLimits>,
    ) -> async_graphql::Result<Plugin> {
        let district = district_id.map(|id| parse_id::<DistrictId>("districtId", &id)).transpose()?;
        let new = NewPlugin {
            district_id: district,
            name,
            version,
            component: component_bytes(ctx, component, upload)?,
            config,
            limits: limits.unwrap_or_default().into(),
            hooks: hooks.into_iter().map(HookKind::from).collect(),
        };
        let runtime = sandbox(ctx)?.0.clone();
        Ok(Plugin(plugins::install(core_context(ctx), &runtime, &request(ctx).caller, new).await.gql()?))
    }

    /// Enables a plugin and resets its failure count.
    async fn enable_plugin(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Plugin> {
        Ok(Plugin(plugins::enable(core_context(ctx), &request(ctx).caller, plugin_id(&id)?).await.gql()?))
    }

    /// Disables a plugin; its hooks fall back to the normal flow.
    async fn disable_plugin(&self, ctx: &Context<'_>, id: ID, reason: Option<String>) -> async_graphql::Result<Plugin> {
        let id = plugin_id(&id)?;
        Ok(Plugin(plugins::disable(core_context(ctx), &request(ctx).caller, id, reason.as_deref()).await.gql()?))
    }

    /// Removes a plugin and its call records; returns its ID.
    async fn uninstall_plugin(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ID> {
        plugins::uninstall(core_context(ctx), &request(ctx).caller, plugin_id(&id)?).await.gql()?;
        Ok(id)
    }
}

/// Plugin queries, merged into the query root.
#[derive(Default)]
pub struct PluginQuery;

#[Object]
impl PluginQuery {
    /// The plugins of a district and the city-wide defaults (district admins: their own
    /// district; city admins: any), or only the city-wide ones when `districtId` is null.
    async fn plugins(&self, ctx: &Context<'_>, district_id: Option<ID>) -> async_graphql::Result<Vec<Plugin>> {
        let district = district_id.map(|id| parse_id::<DistrictId>("districtId", &id)).transpose()?;
        let found = plugins::list(core_context(ctx), &request(ctx).caller, district).await.gql()?;
        Ok(found.into_iter().map(Plugin).collect())
    }
}
