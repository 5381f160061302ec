//! Instances prepared off the request path: after each call of an installed plugin's hook, a
//! background thread makes the instance for its next call ([`PluginEngine::prepare`]) and drops
//! the used one (returning a pool slot resets its memory, which for a large component is work
//! nobody needs to wait for).
//!
//! Every instance still serves exactly one call: a prepared instance is fresh (it has run
//! nothing), belongs to one installation (never to another district's, even with the same
//! component and configuration) and is used only under the settings it was made with.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use civitas_core::ids::PluginId;

use crate::call::{CallReport, CallSettings, SpentInstance};
use crate::engine::PluginEngine;
use crate::gate::Permit;
use crate::hook::Hook;
use crate::plugin::CompiledPlugin;
use crate::prepared::{HookInput, PreparedInstance};

/// One installation's hook: what a prepared instance is kept for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Slot {
    installation: PluginId,
    hook: Hook,
}

struct Ready {
    instance: PreparedInstance,
    sha256: String,
    made: u64,
}

impl Ready {
    /// Whether this instance may serve a call of `plugin` under `settings`.
    fn serves(&self, plugin: &CompiledPlugin, settings: &CallSettings) -> bool {
        self.sha256 == plugin.sha256() && self.instance.settings() == settings
    }
}

#[derive(Default)]
struct Shelf {
    ready: HashMap<Slot, Ready>,
    /// Instances prepared so far; also the stamp that tells the oldest waiting one.
    made: u64,
}

enum Job {
    Prepare {
        slot: Slot,
        plugin: Arc<CompiledPlugin>,
        settings: Box<CallSettings>,
    },
    /// Drop the instance, then the call's permit (`None` for an instance no call used).
    Discard(SpentInstance, Option<Permit>),
    /// Answer once every job sent before is done.
    Flush(Sender<()>),
}

/// Keeps up to `capacity` prepared instances, one per installation and hook, made and dropped on
/// its own thread. Dropping the `Warmer` stops the thread once its queue is done.
pub(crate) struct Warmer {
    engine: Arc<PluginEngine>,
    shelf: Arc<Mutex<Shelf>>,
    jobs: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Warmer {
    /// Starts the thread; `capacity` bounds the pool slots that waiting instances hold.
    pub(crate) fn start(engine: Arc<PluginEngine>, capacity: usize) -> std::io::Result<Self> {
        let shelf = Arc::new(Mutex::new(Shelf::default()));
        let (jobs, queue) = channel();
        let (worker_engine, worker_shelf) = (Arc::clone(&engine), Arc::clone(&shelf));
        let thread = std::thread::Builder::new()
            .name("civitas-plugin-warmer".to_owned())
            .spawn(move || work(&worker_engine, &worker_shelf, capacity.max(1), queue))?;
        Ok(Warmer { engine, shelf, jobs: Some(jobs), thread: Some(thread) })
    }

    /// Calls `input`'s hook of `plugin` as installed by `installation`: in the instance prepared
    /// for it if one is ready with these settings, else in one made now. Either way the next
    /// instance is then prepared in the background.
    pub(crate) fn call<I: HookInput>(
        &self,
        installation: PluginId,
        plugin: &Arc<CompiledPlugin>,
        settings: &CallSettings,
        input: &I,
        permit: Permit,
    ) -> CallReport<I::Decision> {
        let slot = Slot { installation, hook: I::HOOK };
        let waiting = lock(&self.shelf).ready.remove(&slot);
        let prepared = match waiting {
            Some(ready) if ready.serves(plugin, settings) => Some(ready.instance),
            Some(stale) => {
                self.send(Job::Discard(SpentInstance::unused(stale.instance), None));
                None
            }
            None => None,
        };
        // Without a prepared instance the call waits for instantiating one, but not for
        // resetting its slot afterwards: the spent instance goes to the thread either way.
        let (report, spent) = match prepared {
            Some(instance) => {
                let (report, spent) = self.engine.call_prepared(instance, input);
                (report, Some(spent))
            }
            None => self.engine.call_now(plugin, settings, input),
        };
        match spent {
            Some(spent) => self.send(Job::Discard(spent, Some(permit))),
            None => drop(permit),
        }
        self.send(Job::Prepare { slot, plugin: Arc::clone(plugin), settings: Box::new(settings.clone()) });
        report
    }

    /// Drops the instances prepared for `installation` (uninstalled or disabled): they would
    /// otherwise hold their pool slots until pushed out by others.
    pub(crate) fn forget(&self, installation: PluginId) {
        let forgotten: Vec<Ready> = {
            let mut shelf = lock(&self.shelf);
            let slots: Vec<Slot> =
                shelf.ready.keys().filter(|slot| slot.installation == installation).copied().collect();
            slots.into_iter().filter_map(|slot| shelf.ready.remove(&slot)).collect()
        };
        for ready in forgotten {
            self.send(Job::Discard(SpentInstance::unused(ready.instance), None));
        }
    }

    /// Returns once every job sent so far (preparing, dropping) is done.
    pub(crate) fn flush(&self) {
        let (done, finished) = channel();
        self.send(Job::Flush(done));
        // An error means the thread is gone: nothing is left to wait for.
        let _ = finished.recv();
    }

    /// How many prepared instances are waiting for a call.
    pub(crate) fn waiting(&self) -> usize {
        lock(&self.shelf).ready.len()
    }

    /// How many instances the thread has prepared since it started.
    pub(crate) fn prepared_so_far(&self) -> u64 {
        lock(&self.shelf).made
    }

    fn send(&self, job: Job) {
        // Only fails once the thread is gone; the job is then dropped here, which is correct
        // (a store dropped inline, an instance not prepared).
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(job);
        }
    }
}

impl Drop for Warmer {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock(shelf: &Mutex<Shelf>) -> MutexGuard<'_, Shelf> {
    shelf.lock().unwrap_or_else(|poison| poison.into_inner())
}

fn work(engine: &PluginEngine, shelf: &Mutex<Shelf>, capacity: usize, queue: Receiver<Job>) {
    for job in queue {
        let (slot, plugin, settings) = match job {
            Job::Prepare { slot, plugin, settings } => (slot, plugin, settings),
            // Dropped here, off the caller's thread; then the slot is free for another call.
            Job::Discard(store, permit) => {
                drop(store);
                drop(permit);
                continue;
            }
            Job::Flush(done) => {
                let _ = done.send(());
                continue;
            }
        };
        if lock(shelf).ready.get(&slot).is_some_and(|ready| ready.serves(&plugin, &settings)) {
            continue;
        }
        let instance = engine.prepare(&plugin, &settings, slot.hook);
        let evicted = {
            let mut shelf = lock(shelf);
            shelf.made += 1;
            let made = shelf.made;
            let replaced = shelf.ready.insert(slot, Ready { instance, sha256: plugin.sha256().to_owned(), made });
            // Over capacity: the instance waiting longest goes (an uninstalled plugin's, say).
            let oldest = (shelf.ready.len() > capacity)
                .then(|| shelf.ready.iter().min_by_key(|(_, ready)| ready.made).map(|(slot, _)| *slot))
                .flatten()
                .and_then(|slot| shelf.ready.remove(&slot));
            (replaced, oldest)
        };
        // Dropped outside the lock: resetting a pool slot takes a while.
        drop(evicted);
    }
}
