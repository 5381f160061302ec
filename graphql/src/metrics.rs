//! `GET /metrics`: plugin call counters, live readers and Redis reachability in the Prometheus
//! text format, for a city admin's token (scrapers send it as a bearer token).

use std::fmt::Write;

use civitas_core::plugins::CallCounter;

/// Escapes a label value (backslash, double quote, newline).
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// A metric family: name, type, help, and the value of one counter.
type Family = (&'static str, &'static str, &'static str, fn(&CallCounter) -> String);

/// Renders the counters.
pub fn render(counters: &[CallCounter]) -> String {
    let families: [Family; 3] = [
        ("civitas_plugin_calls_total", "counter", "Plugin calls recorded.", |c| c.calls.to_string()),
        ("civitas_plugin_fuel_total", "counter", "Fuel (wasm instructions) used by plugin calls.", |c| {
            c.fuel.to_string()
        }),
        ("civitas_plugin_wall_seconds_total", "counter", "Wall time of plugin calls, in seconds.", |c| {
            format!("{:.6}", c.wall_micros as f64 / 1e6)
        }),
    ];
    let mut out = String::new();
    for (name, kind, help, value) in families {
        // Writing to a String cannot fail.
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for counter in counters {
            let district = counter.district_id.map(|id| id.to_string()).unwrap_or_default();
            let _ = writeln!(
                out,
                "{name}{{plugin_id=\"{}\",plugin=\"{}\",district=\"{}\",hook=\"{}\",outcome=\"{}\"}} {}",
                counter.plugin_id,
                label(&counter.plugin),
                district,
                counter.hook,
                counter.outcome.as_str(),
                value(counter)
            );
        }
    }
    out
}

/// This instance's live readers (open subscriptions), and whether its Redis answers (only when
/// the deployment has one).
pub fn render_live(readers: usize, redis_up: Option<bool>) -> String {
    let mut out = format!(
        "# HELP civitas_live_readers Subscriptions open on this instance.\n# TYPE civitas_live_readers gauge\ncivitas_live_readers {readers}\n"
    );
    if let Some(up) = redis_up {
        let _ = writeln!(
            out,
            "# HELP civitas_redis_up Whether Redis answered this instance lately (1) or not (0).\n# TYPE civitas_redis_up gauge\ncivitas_redis_up {}",
            u8::from(up)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use civitas_core::ids::{DistrictId, PluginId};
    use civitas_core::plugins::{CallOutcome, HookKind};

    use super::*;

    #[test]
    fn counters_render_as_prometheus_text_with_escaped_labels() {
        let counter = CallCounter {
            plugin_id: PluginId(3),
            plugin: "odd\"name@1".into(),
            district_id: Some(DistrictId(2)),
            hook: HookKind::TicketRouter,
            outcome: CallOutcome::Decided,
            calls: 4,
            fuel: 40_000,
            wall_micros: 1_500,
        };
        let text = render(&[counter]);
        assert!(text.contains("# TYPE civitas_plugin_calls_total counter"), "{text}");
        let line = "civitas_plugin_calls_total{plugin_id=\"plg_3\",plugin=\"odd\\\"name@1\",district=\"dst_2\",hook=\"ticket-router\",outcome=\"DECIDED\"} 4";
        assert!(text.contains(line), "{text}");
        assert!(text.contains("outcome=\"DECIDED\"} 0.001500"), "{text}");
    }
}
