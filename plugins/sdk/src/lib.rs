//! Write Civitas district plugins in Rust.
//!
//! A plugin answers one hook of the WIT package `civitas:plugin@0.1.0`. Implement the hook's
//! trait on a unit struct, call its export macro once, and build a component:
//!
//! ```text
//! rustup target add wasm32-wasip2
//! cargo build --release --target wasm32-wasip2      # crate-type = ["cdylib"]
//! civitas plugin check target/wasm32-wasip2/release/my_plugin.wasm
//! ```
//!
//! ```
//! use civitas_plugin_sdk::ticket_router::{NewTicket, PluginError, Priority, Routing, TicketRouter};
//! use civitas_plugin_sdk::Host;
//!
//! struct NightNoise;
//!
//! impl TicketRouter for NightNoise {
//!     fn route(ticket: NewTicket, host: &dyn Host) -> Result<Option<Routing>, PluginError> {
//!         let night = ticket.minute_of_day >= 22 * 60 || ticket.minute_of_day < 6 * 60;
//!         if ticket.category != "cat_noise" || !night {
//!             return Ok(None);
//!         }
//!         host.log(civitas_plugin_sdk::Level::Info, "night-time noise");
//!         Ok(Some(Routing { department: "dep_police".into(), priority: Priority::High, tags: vec![] }))
//!     }
//! }
//!
//! civitas_plugin_sdk::export_ticket_router!(NightNoise);
//! ```
//!
//! The host is passed in as `&dyn Host`, so the logic is testable natively with [`TestHost`]
//! (`cargo test`, no wasm target needed). In the component it is [`WasmHost`], the real imports.
//!
//! Every world generates the same imports; only the world you export is embedded in the
//! component (`pub_export_macro` moves the export metadata into the export macro), so a plugin
//! implements exactly one hook.

use std::cell::RefCell;

/// Re-exported so plugins parse their config with the same JSON library.
pub use serde_json;

/// Bindings of the `ticket-router` world and its trait.
pub mod ticket_router {
    // Generated code: documented by the WIT, and its export shims take the flattened ABI.
    #![allow(missing_docs, clippy::too_many_arguments)]
    wit_bindgen::generate!({
        path: "../wit/0.1.0",
        world: "ticket-router",
        pub_export_macro: true,
        default_bindings_module: "civitas_plugin_sdk::ticket_router",
        export_macro_name: "export_world",
    });
    pub use self::civitas::plugin::types::{Channel, Location, Priority};

    /// Chooses the department for a new ticket, or `Ok(None)` for "no opinion".
    pub trait TicketRouter {
        /// Decides for one ticket.
        fn route(ticket: NewTicket, host: &dyn crate::Host) -> Result<Option<Routing>, PluginError>;
    }
}

/// Bindings of the `deadline-policy` world and its trait.
pub mod deadline_policy {
    // Generated code: documented by the WIT, and its export shims take the flattened ABI.
    #![allow(missing_docs, clippy::too_many_arguments)]
    wit_bindgen::generate!({
        path: "../wit/0.1.0",
        world: "deadline-policy",
        pub_export_macro: true,
        default_bindings_module: "civitas_plugin_sdk::deadline_policy",
        export_macro_name: "export_world",
    });
    pub use self::civitas::plugin::types::{Channel, Priority};

    /// Overrides the deadlines of a dispatched ticket (`None` fields keep the category's).
    pub trait DeadlinePolicy {
        /// Decides for one ticket.
        fn deadlines(ticket: DispatchedTicket, host: &dyn crate::Host) -> Result<DeadlineOverride, PluginError>;
    }
}

/// Bindings of the `survey-validator` world and its trait.
pub mod survey_validator {
    // Generated code: documented by the WIT, and its export shims take the flattened ABI.
    #![allow(missing_docs, clippy::too_many_arguments)]
    wit_bindgen::generate!({
        path: "../wit/0.1.0",
        world: "survey-validator",
        pub_export_macro: true,
        default_bindings_module: "civitas_plugin_sdk::survey_validator",
        export_macro_name: "export_world",
    });
    pub use self::civitas::plugin::types::{Answer, AnswerValue};

    /// Lists the problems of a survey response (empty: accepted).
    pub trait SurveyValidator {
        /// Checks one response.
        fn validate(response: SurveyResponse, host: &dyn crate::Host) -> Result<Vec<Problem>, PluginError>;
    }
}

/// Bindings of the `ballot-eligibility` world and its trait.
pub mod ballot_eligibility {
    // Generated code: documented by the WIT, and its export shims take the flattened ABI.
    #![allow(missing_docs, clippy::too_many_arguments)]
    wit_bindgen::generate!({
        path: "../wit/0.1.0",
        world: "ballot-eligibility",
        pub_export_macro: true,
        default_bindings_module: "civitas_plugin_sdk::ballot_eligibility",
        export_macro_name: "export_world",
    });

    /// Decides whether a voter may take part in a budgeting process. The host treats any failure
    /// as manual review (fail closed).
    pub trait BallotEligibility {
        /// Decides for one voter.
        fn check_eligibility(
            voter: Voter,
            process: BudgetingProcess,
            host: &dyn crate::Host,
        ) -> Result<Eligibility, PluginError>;
    }
}

/// Bindings of the `event-listener` world and its trait.
pub mod event_listener {
    // Generated code: documented by the WIT, and its export shims take the flattened ABI.
    #![allow(missing_docs, clippy::too_many_arguments)]
    wit_bindgen::generate!({
        path: "../wit/0.1.0",
        world: "event-listener",
        pub_export_macro: true,
        default_bindings_module: "civitas_plugin_sdk::event_listener",
        export_macro_name: "export_world",
    });

    /// Reacts to a domain event with actions for the host to perform on its subject.
    pub trait EventListener {
        /// Reacts to one event.
        fn on_event(event: DomainEvent, host: &dyn crate::Host) -> Result<Vec<Action>, PluginError>;
    }
}

/// Severity of a log line.
pub use ticket_router::civitas::plugin::host::Level;

/// What a plugin may ask of the host.
pub trait Host {
    /// The JSON configuration the district set at install (`{}` if none).
    fn config(&self) -> String;
    /// Writes to the plugin's log (the host keeps a limited number of bytes per call).
    fn log(&self, level: Level, message: &str);

    /// The configuration parsed as JSON; a plugin error `bad-config` if it does not parse.
    fn config_json(&self) -> Result<serde_json::Value, ticket_router::PluginError> {
        serde_json::from_str(&self.config()).map_err(|error| ticket_router::PluginError {
            code: "bad-config".to_owned(),
            message: format!("config is not JSON: {error}"),
        })
    }
}

/// The real host: the component's `civitas:plugin/host` imports. Only callable inside wasm.
pub struct WasmHost;

impl Host for WasmHost {
    fn config(&self) -> String {
        ticket_router::civitas::plugin::host::config()
    }

    fn log(&self, level: Level, message: &str) {
        ticket_router::civitas::plugin::host::log(level, message);
    }
}

/// A host for native unit tests: a fixed config, and the log lines kept for assertions.
#[derive(Debug, Default)]
pub struct TestHost {
    /// What `config()` returns.
    pub config: String,
    /// What the plugin logged.
    pub logs: RefCell<Vec<(Level, String)>>,
}

impl TestHost {
    /// A host whose config is `config`.
    pub fn with_config(config: &str) -> Self {
        TestHost { config: config.to_owned(), logs: RefCell::new(Vec::new()) }
    }
}

impl Host for TestHost {
    fn config(&self) -> String {
        self.config.clone()
    }

    fn log(&self, level: Level, message: &str) {
        self.logs.borrow_mut().push((level, message.to_owned()));
    }
}

/// Exports a [`ticket_router::TicketRouter`] implementation as the component's `route`.
#[macro_export]
macro_rules! export_ticket_router {
    ($plugin:ty) => {
        #[doc(hidden)]
        struct __CivitasTicketRouterExport;

        impl $crate::ticket_router::Guest for __CivitasTicketRouterExport {
            fn route(
                ticket: $crate::ticket_router::NewTicket,
            ) -> ::core::result::Result<
                ::core::option::Option<$crate::ticket_router::Routing>,
                $crate::ticket_router::PluginError,
            > {
                <$plugin as $crate::ticket_router::TicketRouter>::route(ticket, &$crate::WasmHost)
            }
        }

        $crate::ticket_router::export_world!(__CivitasTicketRouterExport with_types_in $crate::ticket_router);
    };
}

/// Exports a [`deadline_policy::DeadlinePolicy`] implementation as the component's `deadlines`.
#[macro_export]
macro_rules! export_deadline_policy {
    ($plugin:ty) => {
        #[doc(hidden)]
        struct __CivitasDeadlinePolicyExport;

        impl $crate::deadline_policy::Guest for __CivitasDeadlinePolicyExport {
            fn deadlines(
                ticket: $crate::deadline_policy::DispatchedTicket,
            ) -> ::core::result::Result<$crate::deadline_policy::DeadlineOverride, $crate::deadline_policy::PluginError>
            {
                <$plugin as $crate::deadline_policy::DeadlinePolicy>::deadlines(ticket, &$crate::WasmHost)
            }
        }

        $crate::deadline_policy::export_world!(__CivitasDeadlinePolicyExport with_types_in $crate::deadline_policy);
    };
}

/// Exports a [`survey_validator::SurveyValidator`] implementation as the component's `validate`.
#[macro_export]
macro_rules! export_survey_validator {
    ($plugin:ty) => {
        #[doc(hidden)]
        struct __CivitasSurveyValidatorExport;

        impl $crate::survey_validator::Guest for __CivitasSurveyValidatorExport {
            fn validate(
                response: $crate::survey_validator::SurveyResponse,
            ) -> ::core::result::Result<
                ::std::vec::Vec<$crate::survey_validator::Problem>,
                $crate::survey_validator::PluginError,
            > {
                <$plugin as $crate::survey_validator::SurveyValidator>::validate(response, &$crate::WasmHost)
            }
        }

        $crate::survey_validator::export_world!(__CivitasSurveyValidatorExport with_types_in $crate::survey_validator);
    };
}

/// Exports a [`ballot_eligibility::BallotEligibility`] implementation as the component's
/// `check-eligibility`.
#[macro_export]
macro_rules! export_ballot_eligibility {
    ($plugin:ty) => {
        #[doc(hidden)]
        struct __CivitasBallotEligibilityExport;

        impl $crate::ballot_eligibility::Guest for __CivitasBallotEligibilityExport {
            fn check_eligibility(
                voter: $crate::ballot_eligibility::Voter,
                process: $crate::ballot_eligibility::BudgetingProcess,
            ) -> ::core::result::Result<
                $crate::ballot_eligibility::Eligibility,
                $crate::ballot_eligibility::PluginError,
            > {
                <$plugin as $crate::ballot_eligibility::BallotEligibility>::check_eligibility(
                    voter,
                    process,
                    &$crate::WasmHost,
                )
            }
        }

        $crate::ballot_eligibility::export_world!(
            __CivitasBallotEligibilityExport with_types_in $crate::ballot_eligibility
        );
    };
}

/// Exports an [`event_listener::EventListener`] implementation as the component's `on-event`.
#[macro_export]
macro_rules! export_event_listener {
    ($plugin:ty) => {
        #[doc(hidden)]
        struct __CivitasEventListenerExport;

        impl $crate::event_listener::Guest for __CivitasEventListenerExport {
            fn on_event(
                event: $crate::event_listener::DomainEvent,
            ) -> ::core::result::Result<
                ::std::vec::Vec<$crate::event_listener::Action>,
                $crate::event_listener::PluginError,
            > {
                <$plugin as $crate::event_listener::EventListener>::on_event(event, &$crate::WasmHost)
            }
        }

        $crate::event_listener::export_world!(__CivitasEventListenerExport with_types_in $crate::event_listener);
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_host_records_logs_and_serves_config() {
        let host = TestHost::with_config(r#"{"a": 1}"#);
        host.log(Level::Warn, "careful");
        assert_eq!(host.config_json().ok().and_then(|c| c["a"].as_i64()), Some(1));
        assert_eq!(host.logs.borrow().len(), 1);
    }

    #[test]
    fn config_that_is_not_json_is_a_bad_config_plugin_error() {
        let host = TestHost::with_config("not json");
        assert_eq!(host.config_json().err().map(|e| e.code), Some("bad-config".to_owned()));
    }
}
