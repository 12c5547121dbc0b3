//! Lock helper, and waiting for the simulator's state to satisfy a condition.
//!
//! The simulator keeps its state behind `std::sync::Mutex`: critical sections are short
//! and never await, so an async mutex buys nothing. A poisoned lock only means some thread
//! panicked while holding it (typically a failing test's assertion inside a recorder
//! closure); every mutation leaves the state consistent before anything can panic, so we
//! recover the guard instead of cascading the panic into every later request.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::error::SimError;

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Evaluates `probe` until it finds something: again on every state change signalled through
/// `changes` (and every 50 ms, for conditions that depend on something else), up to
/// `timeout`. `what` names the condition in the timeout error.
pub(crate) async fn wait_on_changes<T>(
    mut changes: watch::Receiver<u64>,
    probe: impl Fn() -> Option<T>,
    timeout: Duration,
    what: &str,
) -> Result<T, SimError> {
    let deadline = Instant::now() + timeout;
    loop {
        changes.borrow_and_update();
        if let Some(found) = probe() {
            return Ok(found);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(SimError::WaitTimedOut {
                timeout,
                what: what.into(),
            });
        }
        let recheck = (now + Duration::from_millis(50)).min(deadline);
        // A change, the periodic re-check or the deadline: all lead back to the probe.
        let _ = tokio::time::timeout_at(recheck, changes.changed()).await;
    }
}
