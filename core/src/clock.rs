//! The time source of the domain.
//!
//! Deadlines, sweeps and auto-close depend on "now"; tests and demos need to move it, so the
//! service functions read it from the [`Clock`] in the context instead of calling `Utc::now()`.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

/// Where the domain reads the current time from.
#[derive(Debug, Clone, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A manually driven clock, shared by all clones.
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    /// A manual clock starting at `start`.
    pub fn manual(start: DateTime<Utc>) -> Self {
        Clock::Manual(Arc::new(Mutex::new(start)))
    }

    /// The current time, truncated to milliseconds (the storage precision).
    pub fn now(&self) -> DateTime<Utc> {
        let now = match self {
            Clock::System => Utc::now(),
            Clock::Manual(time) => *time.lock().unwrap_or_else(|poison| poison.into_inner()),
        };
        crate::time::from_millis(now.timestamp_millis())
    }

    /// Moves a manual clock forward; the system clock cannot be moved and ignores the call.
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(time) = self {
            let mut guard = time.lock().unwrap_or_else(|poison| poison.into_inner());
            *guard += by;
        }
    }
}
