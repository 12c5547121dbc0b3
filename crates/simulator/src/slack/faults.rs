//! Fault injection: make the next N calls of a Web API method misbehave.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::sync::lock;

/// One way a call can go wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 500 with a non-JSON body, before anything is processed.
    ServerError,
    /// HTTP 200 `{"ok":false,"error":<code>}`, before anything is processed.
    SlackError(String),
    /// Wait this long (real time), then process and answer normally.
    Slow(Duration),
    /// Process the call (the message IS posted), then close the connection without
    /// answering: the case that breaks naive retry logic.
    DropConnectionAfterProcessing,
    /// Process the call (the message IS posted), then hold the answer this long (real
    /// time): a window in which a test can kill the client after Slack acted but before
    /// the client learnt of it.
    SlowAfterProcessing(Duration),
    /// HTTP 429 with this `Retry-After` (whole seconds, sent as is), before anything is
    /// processed. Counted with the real 429s.
    RateLimited { retry_after_seconds: u64 },
}

/// Handle to the simulator's fault queues; clones share them.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    queues: Arc<Mutex<HashMap<String, VecDeque<Fault>>>>,
}

impl Faults {
    /// The next `times` calls of `method` (e.g. `"chat.postMessage"`) suffer `fault`,
    /// after any faults already queued for it.
    pub fn inject(&self, method: &str, fault: Fault, times: usize) {
        let mut queues = lock(&self.queues);
        let queue = queues.entry(method.to_owned()).or_default();
        queue.extend(std::iter::repeat_n(fault, times));
    }

    /// How many injected faults are still waiting for `method`.
    pub fn pending(&self, method: &str) -> usize {
        lock(&self.queues).get(method).map_or(0, VecDeque::len)
    }

    pub fn clear(&self, method: &str) {
        lock(&self.queues).remove(method);
    }

    pub fn clear_all(&self) {
        lock(&self.queues).clear();
    }

    /// The fault for the call being served now, if any.
    pub(crate) fn take(&self, method: &str) -> Option<Fault> {
        lock(&self.queues).get_mut(method)?.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_served_in_order_then_run_out() {
        let faults = Faults::default();
        faults.inject("chat.postMessage", Fault::ServerError, 2);
        faults.inject(
            "chat.postMessage",
            Fault::SlackError("fatal_error".into()),
            1,
        );
        assert_eq!(faults.pending("chat.postMessage"), 3);
        assert_eq!(faults.take("chat.postMessage"), Some(Fault::ServerError));
        assert_eq!(faults.take("chat.postMessage"), Some(Fault::ServerError));
        assert_eq!(
            faults.take("chat.postMessage"),
            Some(Fault::SlackError("fatal_error".into()))
        );
        assert_eq!(faults.take("chat.postMessage"), None);
        assert_eq!(faults.take("users.list"), None);
    }
}
