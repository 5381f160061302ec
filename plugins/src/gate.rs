//! At most so many plugin calls at once: the others wait for a permit (each call is bounded by
//! its own limits, so a wait is too). A permit lasts until the call's instance has been dropped
//! and its pool slot reset, which the background thread may do after the call returned: so the
//! calls running and their spent instances together never hold more slots than permits.

use std::sync::{Arc, Condvar, Mutex};

/// The counter of calls holding a permit.
#[derive(Debug)]
pub(crate) struct CallGate {
    max: usize,
    running: Mutex<usize>,
    finished: Condvar,
}

/// One call's right to a pool slot; dropping it lets a waiting call in.
#[derive(Debug)]
pub(crate) struct Permit(Arc<CallGate>);

impl CallGate {
    pub(crate) fn new(max: usize) -> Arc<Self> {
        Arc::new(CallGate { max: max.max(1), running: Mutex::new(0), finished: Condvar::new() })
    }

    /// Waits until fewer than `max` permits are out, and takes one.
    pub(crate) fn enter(self: &Arc<Self>) -> Permit {
        let mut running = self.running.lock().unwrap_or_else(|poison| poison.into_inner());
        while *running >= self.max {
            running = self.finished.wait(running).unwrap_or_else(|poison| poison.into_inner());
        }
        *running += 1;
        Permit(Arc::clone(self))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut running = self.0.running.lock().unwrap_or_else(|poison| poison.into_inner());
        *running = running.saturating_sub(1);
        self.0.finished.notify_one();
    }
}
