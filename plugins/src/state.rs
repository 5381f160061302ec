//! The per-call store data: host imports, resource accounting, and an empty WASI context.

use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::bindings::{host, types};
use crate::limits::CallLimits;
use crate::types::LogLine;

/// Lives in one `Store` for one call and is dropped with it: nothing survives between calls.
/// (`pub` only so the sealed [`crate::HookInput`] can name it; the module is private.)
pub struct CallState {
    config: Arc<str>,
    store_limits: StoreLimits,
    max_memory_bytes: u64,
    pub(crate) memory_bytes: u64,
    pub(crate) memory_denied: bool,
    max_log_bytes: usize,
    log_bytes: usize,
    pub(crate) logs: Vec<LogLine>,
    pub(crate) logs_truncated: bool,
    // Built on first use: only components whose toolchain imports WASI pay for it.
    wasi: Option<WasiCtx>,
    table: ResourceTable,
}

impl CallState {
    pub(crate) fn new(config: Arc<str>, limits: &CallLimits) -> Self {
        let per_memory = usize::try_from(limits.max_memory_bytes).unwrap_or(usize::MAX);
        CallState {
            config,
            // Components made by wit-component have a handful of core instances and tables;
            // these caps stop a component from multiplying them.
            store_limits: StoreLimitsBuilder::new()
                .memory_size(per_memory)
                .table_elements(100_000)
                .instances(128)
                .tables(128)
                .memories(16)
                .build(),
            max_memory_bytes: limits.max_memory_bytes,
            memory_bytes: 0,
            memory_denied: false,
            max_log_bytes: limits.max_log_bytes,
            log_bytes: 0,
            logs: Vec::new(),
            logs_truncated: false,
            wasi: None,
            table: ResourceTable::new(),
        }
    }
}

impl ResourceLimiter for CallState {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let growth = u64::try_from(desired.saturating_sub(current)).unwrap_or(u64::MAX);
        let total = self.memory_bytes.saturating_add(growth);
        // StoreLimits caps each memory; the sum over memories is capped here, so a component
        // cannot dodge the limit by declaring several memories.
        let allowed = total <= self.max_memory_bytes && self.store_limits.memory_growing(current, desired, maximum)?;
        if allowed {
            self.memory_bytes = total;
        } else {
            self.memory_denied = true;
        }
        Ok(allowed)
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.store_limits.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.store_limits.instances()
    }

    fn tables(&self) -> usize {
        self.store_limits.tables()
    }

    fn memories(&self) -> usize {
        self.store_limits.memories()
    }
}

impl host::Host for CallState {
    fn log(&mut self, level: host::Level, message: String) {
        let room = self.max_log_bytes.saturating_sub(self.log_bytes);
        if room == 0 {
            self.logs_truncated = true;
            return;
        }
        let message = if message.len() > room {
            self.logs_truncated = true;
            truncate_at_char_boundary(message, room)
        } else {
            message
        };
        self.log_bytes += message.len();
        self.logs.push(LogLine { level: level.into(), message });
    }

    fn config(&mut self) -> String {
        self.config.to_string()
    }
}

impl types::Host for CallState {}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let ctx = self.wasi.get_or_insert_with(empty_wasi);
        WasiCtxView { ctx, table: &mut self.table }
    }
}

/// WASI with nothing granted: no preopened directories, no environment or arguments, closed
/// stdio, no sockets or name lookup, and clocks frozen at the epoch so a decision cannot depend on
/// when it runs (the host passes the time of day in the input instead).
fn empty_wasi() -> WasiCtx {
    WasiCtxBuilder::new()
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .wall_clock(FrozenClock)
        .monotonic_clock(FrozenClock)
        .build()
}

struct FrozenClock;

impl wasmtime_wasi::HostWallClock for FrozenClock {
    fn resolution(&self) -> std::time::Duration {
        std::time::Duration::from_secs(1)
    }

    fn now(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}

impl wasmtime_wasi::HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }

    fn now(&self) -> u64 {
        0
    }
}

fn truncate_at_char_boundary(mut text: String, max: usize) -> String {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_never_splits_a_character() {
        assert_eq!(truncate_at_char_boundary("aé".to_owned(), 2), "a");
        assert_eq!(truncate_at_char_boundary("abc".to_owned(), 2), "ab");
    }

    #[test]
    fn log_lines_stop_at_the_byte_limit() {
        let limits = CallLimits { max_log_bytes: 5, ..CallLimits::default() };
        let mut state = CallState::new(Arc::from("{}"), &limits);
        host::Host::log(&mut state, host::Level::Info, "abc".to_owned());
        host::Host::log(&mut state, host::Level::Info, "defg".to_owned());
        host::Host::log(&mut state, host::Level::Info, "h".to_owned());
        let kept: Vec<&str> = state.logs.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(kept, ["abc", "de"]);
        assert!(state.logs_truncated);
    }

    #[test]
    fn memory_is_capped_across_memories() {
        let limits = CallLimits { max_memory_bytes: 3 << 16, ..CallLimits::default() };
        let mut state = CallState::new(Arc::from("{}"), &limits);
        assert!(state.memory_growing(0, 2 << 16, None).ok() == Some(true));
        // A second memory of two pages would bring the sum to four.
        assert!(state.memory_growing(0, 2 << 16, None).ok() == Some(false));
        assert!(state.memory_denied);
        assert_eq!(state.memory_bytes, 2 << 16);
    }
}
