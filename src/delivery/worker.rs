use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, watch};

use super::RetryPolicy;
use crate::chat::{Chat, ChatDirectory, ChatError};
use crate::clock::Clock;
use crate::domain::{FeedbackAnswer, OutboxItem, OutboxKind, OutboxState, RoundState};
use crate::rounds::messages::{self, ComposeError};
use crate::store::{Store, StoreError};

/// What happened to one claimed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// A previous attempt had posted it after all; recorded without sending again.
    Reconciled,
    /// No longer needed (e.g. a nudge to a group that already answered).
    Cancelled,
    /// Will be tried again later.
    Retrying,
    /// Refused for good; listed for admins.
    Failed,
    /// Another worker took the message over; this one stopped.
    LostLease,
}

/// Drains the outbox. Cheap to clone; clones share the wake-up signal.
#[derive(Debug, Clone)]
pub struct DeliveryWorker {
    store: Store,
    chats: ChatDirectory,
    retry: RetryPolicy,
    lease: Duration,
    clock: Clock,
    wake: Arc<Notify>,
}

/// Longest idle wait between looks at the outbox when nothing is known to be due.
const IDLE_POLL: Duration = Duration::from_secs(1);

impl DeliveryWorker {
    pub fn new(
        store: Store,
        chats: ChatDirectory,
        retry: RetryPolicy,
        lease: Duration,
        clock: Clock,
    ) -> Self {
        Self {
            store,
            chats,
            retry,
            lease,
            clock,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Signal that new messages may be due (a round was planned, the clock moved).
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Claims and handles one due message; `Ok(None)` when nothing is due. Tests drive the
    /// worker with this instead of sleeping.
    pub async fn try_execute_task(&self) -> Result<Option<Outcome>, StoreError> {
        let lease_until = Utc::now() + self.lease;
        let mut claimed = self
            .store
            .claim_due_outbox(self.clock.now(), Utc::now(), lease_until, 1)
            .await?;
        let Some(item) = claimed.pop() else {
            return Ok(None);
        };
        let outcome = tokio::select! {
            outcome = self.handle(&item) => outcome?,
            () = self.keep_lease(&item) => Outcome::LostLease,
        };
        if outcome == Outcome::LostLease {
            tracing::warn!(key = %item.key, "another worker took over this message");
        }
        Ok(Some(outcome))
    }

    /// Runs `workers` concurrent senders until `stop` turns true.
    pub async fn run(self, workers: usize, stop: watch::Receiver<bool>) {
        let mut tasks = Vec::with_capacity(workers);
        for _ in 0..workers.max(1) {
            let worker = self.clone();
            let stop = stop.clone();
            tasks.push(tokio::spawn(async move { worker.work(stop).await }));
        }
        for task in tasks {
            let _ = task.await;
        }
    }

    async fn work(&self, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            let idle = match self.try_execute_task().await {
                Ok(Some(_)) => continue,
                Ok(None) => self.until_next_due().await,
                Err(err) => {
                    tracing::error!(error = %err, "outbox worker: database error");
                    IDLE_POLL
                }
            };
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(idle) => {}
                _ = stop.changed() => {}
            }
        }
    }

    async fn until_next_due(&self) -> Duration {
        match self.store.next_outbox_due().await {
            Ok(Some(due)) => (due - self.clock.now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(IDLE_POLL),
            _ => IDLE_POLL,
        }
    }

    /// Renews the lease while the message is being handled; returns only if another
    /// worker has taken the message over (so the caller must stop at once).
    async fn keep_lease(&self, item: &OutboxItem) {
        let period = (self.lease / 3).max(Duration::from_millis(50));
        loop {
            tokio::time::sleep(period).await;
            match self
                .store
                .extend_outbox_lease(item.id, item.attempts, Utc::now() + self.lease)
                .await
            {
                Ok(true) => {}
                Ok(false) => return,
                // A failed renewal is not a lost lease; try again next period.
                Err(err) => tracing::warn!(error = %err, "could not renew an outbox lease"),
            }
        }
    }

    async fn handle(&self, item: &OutboxItem) -> Result<Outcome, StoreError> {
        let Some(chat) = self.chats.get(item.workspace_id) else {
            self.store
                .mark_outbox_failed(item.id, "no chat platform is configured for this workspace")
                .await?;
            return Ok(Outcome::Failed);
        };
        if let Some(reason) = self.not_needed(item).await? {
            self.store.mark_outbox_cancelled(item.id, reason).await?;
            return Ok(Outcome::Cancelled);
        }
        let conversation = match &item.conversation_id {
            Some(conversation) => conversation.clone(),
            None => match self.open_conversation(chat.as_ref(), item).await? {
                Ok(conversation) => conversation,
                Err(err) => return self.attempt_failed(item, err).await,
            },
        };
        // Any earlier attempt may have posted before dying or losing its reply: look first.
        if item.attempts > 1 {
            match chat.find_posted(&conversation, &item.key).await {
                Ok(Some(posted)) => {
                    self.store
                        .mark_outbox_sent(
                            item.id,
                            &posted.conversation_id,
                            &posted.message_id,
                            self.clock.now(),
                        )
                        .await?;
                    tracing::info!(key = %item.key, "found an earlier attempt's message; not resending");
                    return Ok(Outcome::Reconciled);
                }
                Ok(None) => {}
                Err(err) => return self.attempt_failed(item, err).await,
            }
        }
        let message = match messages::compose(&self.store, item, self.clock.now()).await {
            Ok(message) => message,
            Err(ComposeError::Store(err)) => return Err(err),
            // Sending a guess (an empty program name, a missing icebreaker) would be worse
            // than not sending: the admins see it in `/coffee admin failures`.
            Err(err) => {
                tracing::error!(key = %item.key, error = %err, "message cannot be written out");
                self.store
                    .mark_outbox_failed(item.id, &err.to_string())
                    .await?;
                return Ok(Outcome::Failed);
            }
        };
        // The one call that must never happen twice. If this sender stalled past its lease
        // (a frozen process, a locked database) another may own the message now and be
        // posting it too: renewing the lease, fenced by the attempt count, is the check.
        // The heartbeat alone would notice only at its next beat, possibly after posting.
        if !self
            .store
            .extend_outbox_lease(item.id, item.attempts, Utc::now() + self.lease)
            .await?
        {
            return Ok(Outcome::LostLease);
        }
        match chat.post(&conversation, &message, &item.key).await {
            Ok(posted) => {
                self.store
                    .mark_outbox_sent(
                        item.id,
                        &posted.conversation_id,
                        &posted.message_id,
                        self.clock.now(),
                    )
                    .await?;
                Ok(Outcome::Sent)
            }
            Err(err) => self.attempt_failed(item, err).await,
        }
    }

    async fn open_conversation(
        &self,
        chat: &dyn Chat,
        item: &OutboxItem,
    ) -> Result<Result<String, ChatError>, StoreError> {
        let audience = messages::audience(&self.store, item).await?;
        if audience.is_empty() {
            return Ok(Err(ChatError::Permanent(
                "nobody left to send it to".into(),
            )));
        }
        let conversation = match chat.open_conversation(&audience).await {
            Ok(conversation) => conversation,
            Err(err) => return Ok(Err(err)),
        };
        self.store
            .set_outbox_conversation(item.id, &conversation)
            .await?;
        if let (Some(group), None) = (item.group_id, item.recipient) {
            self.store
                .set_group_conversation(group, &conversation)
                .await?;
        }
        Ok(Ok(conversation))
    }

    /// Why a follow-up is no longer worth sending, if it is not.
    async fn not_needed(&self, item: &OutboxItem) -> Result<Option<&'static str>, StoreError> {
        let Some(group_id) = item.group_id else {
            return Ok(None);
        };
        let Some(group) = self.store.group(group_id).await? else {
            return Ok(Some("the group no longer exists"));
        };
        let round = self.store.round(group.round_id).await?;
        if round.is_some_and(|r| r.state != RoundState::Open) {
            return Ok(Some("the round is over"));
        }
        if matches!(item.kind, OutboxKind::Nudge | OutboxKind::ClosePrompt) {
            // A follow-up to an intro that never arrived would ask about a coffee nobody
            // was told of (and, for a refused conversation, fail again for the admins).
            let intro_lost = self.store.group_outbox(group_id).await?.iter().any(|row| {
                row.kind == OutboxKind::Intro
                    && row.recipient == item.recipient
                    && matches!(row.state, OutboxState::Failed | OutboxState::Cancelled)
            });
            if intro_lost {
                return Ok(Some("the intro was never delivered"));
            }
        }
        let answered: Vec<_> = self
            .store
            .group_feedback(group_id)
            .await?
            .into_iter()
            .filter(|f| f.answer != FeedbackAnswer::NoAnswer)
            .map(|f| f.member_id)
            .collect();
        Ok(match item.kind {
            OutboxKind::Nudge if !answered.is_empty() => Some("the group already answered"),
            OutboxKind::ClosePrompt => {
                let everyone = match item.recipient {
                    Some(recipient) => answered.contains(&recipient),
                    None => group.members.iter().all(|m| answered.contains(m)),
                };
                everyone.then_some("everyone already answered")
            }
            _ => None,
        })
    }

    async fn attempt_failed(
        &self,
        item: &OutboxItem,
        err: ChatError,
    ) -> Result<Outcome, StoreError> {
        let now = self.clock.now();
        match err {
            ChatError::RateLimited { retry_after } => {
                let wait = chrono::Duration::from_std(retry_after).unwrap_or_default();
                self.store
                    .retry_outbox_later(item.id, now + wait, &err.to_string(), false)
                    .await?;
                Ok(Outcome::Retrying)
            }
            ChatError::Transient(_) if !self.retry.exhausted(item.attempts) => {
                let wait =
                    chrono::Duration::from_std(self.retry.delay(item.attempts)).unwrap_or_default();
                tracing::warn!(key = %item.key, attempt = item.attempts, error = %err, "send failed; will retry");
                self.store
                    .retry_outbox_later(item.id, now + wait, &err.to_string(), true)
                    .await?;
                Ok(Outcome::Retrying)
            }
            ChatError::Transient(_) => {
                let reason = format!("gave up after {} attempts: {err}", item.attempts);
                tracing::error!(key = %item.key, %reason, "message failed");
                self.store.mark_outbox_failed(item.id, &reason).await?;
                Ok(Outcome::Failed)
            }
            ChatError::Permanent(_) => {
                tracing::warn!(key = %item.key, error = %err, "message refused");
                self.store
                    .mark_outbox_failed(item.id, &err.to_string())
                    .await?;
                Ok(Outcome::Failed)
            }
        }
    }
}
