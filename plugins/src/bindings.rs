//! wasmtime's generated bindings, one module per world.
//!
//! The first world generates the shared `types` and `host` interfaces; the others reuse them
//! through `with`, so one Rust type exists per WIT type and one `Host` impl serves every world.

// Generated code: its items carry the WIT's doc comments, not always one per item.
#![allow(missing_docs)]

pub mod router {
    wasmtime::component::bindgen!({ path: "wit/0.1.0", world: "ticket-router" });
}

pub use router::civitas::plugin::{host, types};

pub mod deadline {
    wasmtime::component::bindgen!({
        path: "wit/0.1.0",
        world: "deadline-policy",
        with: { "civitas:plugin/types": super::types, "civitas:plugin/host": super::host },
    });
}

pub mod survey {
    wasmtime::component::bindgen!({
        path: "wit/0.1.0",
        world: "survey-validator",
        with: { "civitas:plugin/types": super::types, "civitas:plugin/host": super::host },
    });
}

pub mod ballot {
    wasmtime::component::bindgen!({
        path: "wit/0.1.0",
        world: "ballot-eligibility",
        with: { "civitas:plugin/types": super::types, "civitas:plugin/host": super::host },
    });
}

pub mod listener {
    wasmtime::component::bindgen!({
        path: "wit/0.1.0",
        world: "event-listener",
        with: { "civitas:plugin/types": super::types, "civitas:plugin/host": super::host },
    });
}
