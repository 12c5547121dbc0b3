//! Fault injection for the connector: make the next calls of an operation misbehave.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::sync::lock;

/// A connector operation, named as Microsoft's REST reference names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConnectorOperation {
    CreateConversation,
    SendToConversation,
    ReplyToActivity,
    UpdateActivity,
    GetConversationMember,
    GetConversationPagedMembers,
    GetConversationMembers,
}

impl ConnectorOperation {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorOperation::CreateConversation => "createConversation",
            ConnectorOperation::SendToConversation => "sendToConversation",
            ConnectorOperation::ReplyToActivity => "replyToActivity",
            ConnectorOperation::UpdateActivity => "updateActivity",
            ConnectorOperation::GetConversationMember => "getConversationMember",
            ConnectorOperation::GetConversationPagedMembers => "getConversationPagedMembers",
            ConnectorOperation::GetConversationMembers => "getConversationMembers",
        }
    }
}

/// One way a connector call can go wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectorFault {
    /// HTTP 500 with an error body, before anything is processed.
    ServerError,
    /// This status with a Teams error body `{"error":{"code":…}}`, before anything is
    /// processed (e.g. 412 `PreconditionFailed`, 502 `BadGateway`).
    Status { status: u16, code: String },
    /// HTTP 429 `Throttled` with this `Retry-After` (whole seconds, sent as is), before
    /// anything is processed. Counted with the real 429s.
    RateLimited { retry_after_seconds: u64 },
    /// Wait this long (real time), then process and answer normally.
    Slow(Duration),
    /// Process the call (the message IS posted), then close the connection without
    /// answering.
    DropConnectionAfterProcessing,
    /// Never process and never answer: the request is held until the simulator stops,
    /// as if it was lost on its way to Teams.
    Hang,
    /// Process, then never answer: the request is held until the simulator stops, as
    /// if Teams' reply was lost.
    HangAfterProcessing,
}

/// Handle to the connector's fault queues; clones share them.
#[derive(Debug, Clone, Default)]
pub struct ConnectorFaults {
    /// `None` entries let a call through untouched (see [`ConnectorFaults::inject_after`]).
    queues: Arc<Mutex<HashMap<ConnectorOperation, VecDeque<Option<ConnectorFault>>>>>,
}

impl ConnectorFaults {
    /// The next `times` calls of `operation` suffer `fault`, after anything queued.
    pub fn inject(&self, operation: ConnectorOperation, fault: ConnectorFault, times: usize) {
        self.inject_after(operation, 0, fault, times);
    }

    /// Lets `passes` calls of `operation` through, then the next `times` suffer `fault`
    /// (after anything already queued).
    pub fn inject_after(
        &self,
        operation: ConnectorOperation,
        passes: usize,
        fault: ConnectorFault,
        times: usize,
    ) {
        let mut queues = lock(&self.queues);
        let queue = queues.entry(operation).or_default();
        queue.extend(std::iter::repeat_n(None, passes));
        queue.extend(std::iter::repeat_n(Some(fault), times));
    }

    /// Faults (and passes) still queued for `operation`.
    pub fn pending(&self, operation: ConnectorOperation) -> usize {
        lock(&self.queues).get(&operation).map_or(0, VecDeque::len)
    }

    pub fn clear_all(&self) {
        lock(&self.queues).clear();
    }

    pub(crate) fn take(&self, operation: ConnectorOperation) -> Option<ConnectorFault> {
        lock(&self.queues)
            .get_mut(&operation)?
            .pop_front()
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_come_before_the_fault_then_the_queue_runs_dry() {
        let faults = ConnectorFaults::default();
        let send = ConnectorOperation::SendToConversation;
        faults.inject_after(send, 2, ConnectorFault::ServerError, 1);
        assert_eq!(faults.pending(send), 3);
        assert_eq!(faults.take(send), None);
        assert_eq!(faults.take(send), None);
        assert_eq!(faults.take(send), Some(ConnectorFault::ServerError));
        assert_eq!(faults.take(send), None);
        assert_eq!(faults.pending(send), 0);
        assert_eq!(faults.take(ConnectorOperation::UpdateActivity), None);
    }
}
