//! Deliveries from the platforms — events, button presses, commands, Teams activities.
//!
//! Every one is recorded under a key before it is acknowledged: a platform's redelivery
//! (or someone replaying a signed request) finds the key and is not applied twice, and a
//! delivery that could not be recorded in time is not acknowledged, so the platform sends
//! it again. Once acknowledged, a delivery is applied: retried while the database refuses
//! (busy, locked, full), and found again by [`Bot::unapplied_deliveries`] after a crash or a
//! long outage. Nothing here is SQLite-specific: the record is one `INSERT … ON CONFLICT DO
//! NOTHING`, as on PostgreSQL.

use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

use super::{Bot, BotError};
use crate::roster::RosterError;
use crate::store::UnappliedDelivery;

/// How long recording may take before the platform is left without an answer: Slack gives
/// up after 3 s.
pub const RECORD_BUDGET: Duration = Duration::from_secs(2);
/// Tries in a row before a delivery is left for the next sweep.
const TRIES_IN_A_ROW: u32 = 20;
const FIRST_RETRY: Duration = Duration::from_millis(100);
const MAX_RETRY: Duration = Duration::from_secs(5);
/// A delivery unapplied for this long is no longer being worked on by whoever took it.
const ABANDONED_AFTER: chrono::Duration = chrono::Duration::minutes(1);
/// A sweep's claim on a delivery: time enough for all its tries in a row.
const SWEEP_CLAIM: chrono::Duration = chrono::Duration::minutes(5);
/// Deliveries re-applied per sweep and platform.
const SWEEP_BATCH: u32 = 100;
/// After this many sweeps a delivery is given up on (and logged).
const MAX_SWEEPS: u32 = 20;

/// A delivery was not recorded in time: it must not be acknowledged.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the delivery could not be recorded in time; it is not acknowledged")]
pub struct NotRecorded;

/// Why applying a delivery failed, and so whether trying again can help.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The database refused or the platform hiccuped: try again.
    #[error("{0}")]
    Retry(String),
    /// Nothing will change by trying again.
    #[error("{0}")]
    GiveUp(String),
}

impl From<BotError> for ApplyError {
    fn from(err: BotError) -> Self {
        let retry = match &err {
            BotError::Store(_) | BotError::Roster(RosterError::Store(_)) => true,
            BotError::Roster(RosterError::Chat(chat)) => !chat.is_permanent(),
            BotError::NoProgramName(_) => false,
        };
        if retry {
            ApplyError::Retry(err.to_string())
        } else {
            ApplyError::GiveUp(err.to_string())
        }
    }
}

/// A platform's inbound side, which can re-apply what it acknowledged but never applied.
#[async_trait]
pub trait DeliverySource: Send + Sync {
    async fn reapply_unapplied(&self);
}

impl Bot {
    /// Records a delivery before it is acknowledged, within [`RECORD_BUDGET`]: `payload` is
    /// what to apply (None for deliveries answered at once, such as commands). True when
    /// new, false for a redelivery or a replay.
    pub async fn record_delivery(
        &self,
        key: &str,
        payload: Option<&Value>,
    ) -> Result<bool, NotRecorded> {
        let now = self.clock.now();
        match self
            .store
            .record_delivery(key, payload, now, RECORD_BUDGET)
            .await
        {
            Ok(new) => Ok(new),
            Err(err) => {
                tracing::warn!(key, error = %err, "cannot record a delivery; not acknowledging it");
                Err(NotRecorded)
            }
        }
    }

    /// Applies a recorded delivery: `apply` runs until it succeeds or fails for good, then
    /// the delivery is marked applied. While the database keeps refusing, it is tried again
    /// with growing pauses; after [`TRIES_IN_A_ROW`] the next sweep takes over.
    pub async fn apply_delivery<F, Fut>(&self, key: &str, mut apply: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<(), ApplyError>>,
    {
        let mut pause = FIRST_RETRY;
        for attempt in 1..=TRIES_IN_A_ROW {
            match apply().await {
                Ok(()) => break,
                Err(ApplyError::GiveUp(why)) => {
                    tracing::error!(key, %why, "a delivery cannot be applied; giving up on it");
                    break;
                }
                Err(ApplyError::Retry(why)) if attempt == TRIES_IN_A_ROW => {
                    tracing::warn!(key, %why, "a delivery still cannot be applied; the next sweep tries again");
                    return;
                }
                Err(ApplyError::Retry(why)) => {
                    tracing::info!(key, attempt, %why, "a delivery could not be applied yet; trying again");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_RETRY);
                }
            }
        }
        self.delivery_applied(key).await;
    }

    /// Marks a delivery applied, retrying a refusing database a few times; if that fails, a
    /// sweep applies it again later (every handler is idempotent).
    pub async fn delivery_applied(&self, key: &str) {
        let mut pause = FIRST_RETRY;
        for _ in 0..TRIES_IN_A_ROW {
            match self.store.delivery_applied(key, self.clock.now()).await {
                Ok(()) => return,
                Err(err) => {
                    tracing::info!(key, error = %err, "cannot mark a delivery applied yet");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_RETRY);
                }
            }
        }
    }

    /// Deliveries under `prefix` acknowledged a while ago and still unapplied (the process
    /// died, or the database refused for minutes), claimed for this process to apply with
    /// [`Bot::apply_delivery`]. Ones swept too often are given up on.
    pub async fn unapplied_deliveries(
        &self,
        prefix: &str,
    ) -> Result<Vec<UnappliedDelivery>, BotError> {
        let now = self.clock.now();
        let claimed = self
            .store
            .claim_unapplied_deliveries(
                prefix,
                now - ABANDONED_AFTER,
                now,
                now + SWEEP_CLAIM,
                SWEEP_BATCH,
            )
            .await?;
        let mut due = Vec::with_capacity(claimed.len());
        for delivery in claimed {
            if delivery.attempts >= MAX_SWEEPS {
                tracing::error!(key = %delivery.key, "giving up on a delivery after {MAX_SWEEPS} sweeps");
                self.store.delivery_applied(&delivery.key, now).await?;
            } else {
                due.push(delivery);
            }
        }
        Ok(due)
    }
}
