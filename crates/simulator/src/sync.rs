//! Lock helper.
//!
//! The simulator keeps its state behind `std::sync::Mutex`: critical sections are short
//! and never await, so an async mutex buys nothing. A poisoned lock only means some thread
//! panicked while holding it (typically a failing test's assertion inside a recorder
//! closure); every mutation leaves the state consistent before anything can panic, so we
//! recover the guard instead of cascading the panic into every later request.

use std::sync::{Mutex, MutexGuard};

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
