//! Closing rounds: answers are counted, silence becomes `no_answer`, and people who ignore
//! intro after intro are paused (with a message telling them how to come back).

use super::RoundError;
use crate::domain::{MemberId, OutboxPayload, OwedMessage, ProgramId, Round};
use crate::store::{CloseCounts, NewOutboxItem, Store};
use chrono::{DateTime, Duration, Utc};

/// How long after the closing prompt people may still answer before the round is counted.
pub const ANSWER_WINDOW: Duration = Duration::hours(24);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloseReport {
    pub rounds_closed: usize,
    pub no_answers: u64,
    pub paused: Vec<MemberId>,
}

impl CloseReport {
    fn add(&mut self, counts: CloseCounts) {
        self.rounds_closed += 1;
        self.no_answers += counts.no_answers;
        self.paused.extend(counts.paused);
    }
}

#[derive(Debug, Clone)]
pub struct RoundCloser {
    store: Store,
    ghost_pause_after: u32,
}

impl RoundCloser {
    pub fn new(store: Store, ghost_pause_after: u32) -> Self {
        Self {
            store,
            ghost_pause_after,
        }
    }

    /// Closes every open round whose answer window has passed at `now`.
    pub async fn close_due(&self, now: DateTime<Utc>) -> Result<CloseReport, RoundError> {
        let mut report = CloseReport::default();
        for round in self.store.rounds_to_close(now - ANSWER_WINDOW).await? {
            self.close(&round, now, &mut report).await?;
        }
        Ok(report)
    }

    /// Closes a program's open rounds scheduled before `before` (a new round is starting:
    /// the old ones' answers must count before its roster is taken).
    pub async fn close_program_rounds(
        &self,
        program: ProgramId,
        before: DateTime<Utc>,
    ) -> Result<CloseReport, RoundError> {
        let mut report = CloseReport::default();
        for round in self.store.open_rounds_before(program, before).await? {
            self.close(&round, before, &mut report).await?;
        }
        Ok(report)
    }

    async fn close(
        &self,
        round: &Round,
        now: DateTime<Utc>,
        report: &mut CloseReport,
    ) -> Result<(), RoundError> {
        let Some(program) = self.store.program(round.program_id).await? else {
            return Ok(());
        };
        let round_id = round.id;
        let notice = move |member: MemberId, ignored: u32| NewOutboxItem {
            key: OwedMessage::GhostPause {
                round: round_id,
                member,
            }
            .idempotency_key(),
            workspace: program.workspace_id,
            group: None,
            recipient: Some(member),
            payload: OutboxPayload::GhostPause {
                program: program.name.clone(),
                ignored_in_a_row: ignored,
            },
            not_before: now,
        };
        if let Some(counts) = self
            .store
            .close_round_counting(round, self.ghost_pause_after, now, &notice)
            .await?
        {
            if !counts.paused.is_empty() {
                tracing::info!(round = %round.id, paused = counts.paused.len(), "paused people who ignored their intros");
            }
            report.add(counts);
        }
        Ok(())
    }
}
