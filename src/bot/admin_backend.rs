//! The admin work behind `/coffee admin …`: rounds on demand, stats, exports, failures.

use async_trait::async_trait;
use tokio::sync::Notify;

use super::export_links::ExportLinks;
use super::stats_reply;
use crate::chat::ChatDirectory;
use crate::chat::content::{escape, mention};
use crate::clock::Clock;
use crate::commands::{AdminBackend, BackendError, Reply, ReplyBlock, RoundNowOutcome};
use crate::domain::{OutboxKind, Program, WorkspaceId};
use crate::rounds::{PlanOutcome, RoundError, RoundPlanner};
use crate::stats::{self, ProgramRef};
use crate::store::{Store, StoreError};

#[derive(Debug)]
pub struct BotAdminBackend {
    store: Store,
    planner: RoundPlanner,
    chats: ChatDirectory,
    clock: Clock,
    delivery: std::sync::Arc<Notify>,
    exports: ExportLinks,
}

impl BotAdminBackend {
    pub fn new(
        store: Store,
        planner: RoundPlanner,
        chats: ChatDirectory,
        clock: Clock,
        delivery: std::sync::Arc<Notify>,
        exports: ExportLinks,
    ) -> Self {
        Self {
            store,
            planner,
            chats,
            clock,
            delivery,
            exports,
        }
    }

    /// A few lines for an admin's home tab.
    pub async fn summary_lines(&self, workspace: WorkspaceId) -> Result<Vec<String>, StoreError> {
        let mut lines = Vec::new();
        for program in self.store.programs(workspace).await? {
            let enrollments = self.store.program_enrollments(program.id).await?;
            let active = enrollments
                .iter()
                .filter(|e| e.state == crate::domain::EnrollmentState::Active)
                .count();
            let rounds = self.store.program_rounds(program.id).await?;
            lines.push(format!(
                "*{}*: {active} active of {} enrolled, {} rounds so far",
                program.name,
                enrollments.len(),
                rounds.len()
            ));
        }
        Ok(lines)
    }
}

fn internal(err: impl std::fmt::Display) -> BackendError {
    tracing::error!(error = %err, "admin command failed");
    BackendError::Internal
}

#[async_trait]
impl AdminBackend for BotAdminBackend {
    async fn run_round_now(&self, program: &Program) -> Result<RoundNowOutcome, BackendError> {
        let chat = self
            .chats
            .get(program.workspace_id)
            .ok_or(BackendError::NoChatConnection)?;
        let outcome = match self
            .planner
            .plan(program, self.clock.now(), chat.intro_fanout(), false)
            .await
        {
            Ok(outcome) => outcome,
            Err(RoundError::Contended) => return Err(BackendError::RoundJustStarted),
            Err(err) => return Err(internal(err)),
        };
        Ok(match outcome {
            PlanOutcome::Planned(planned) => {
                self.delivery.notify_waiters();
                let size = usize::from(program.settings.group_size.get());
                RoundNowOutcome::Planned {
                    round_seq: planned.seq,
                    groups: planned.groups.len(),
                    people: planned.groups.iter().map(Vec::len).sum(),
                    trios_or_larger: planned.groups.iter().filter(|g| g.len() > size).count(),
                    unplaced: planned.unplaced,
                }
            }
            PlanOutcome::Skipped { participants, .. } => {
                self.delivery.notify_waiters();
                RoundNowOutcome::TooFewPeople {
                    people: participants,
                }
            }
            PlanOutcome::AlreadyPlanned | PlanOutcome::DryRun(_) => {
                return Err(BackendError::RoundJustStarted);
            }
        })
    }

    async fn stats(
        &self,
        workspace: WorkspaceId,
        program: Option<&Program>,
    ) -> Result<Reply, BackendError> {
        let now = self.clock.now();
        match program {
            Some(program) => {
                let summary = stats::program_summary(&self.store, &ProgramRef::from(program), now)
                    .await
                    .map_err(internal)?;
                Ok(stats_reply::program_reply(&summary))
            }
            None => {
                let overall = stats::workspace_stats(&self.store, workspace, now)
                    .await
                    .map_err(internal)?;
                Ok(stats_reply::workspace_reply(&overall))
            }
        }
    }

    async fn export(&self, program: &Program) -> Result<Reply, BackendError> {
        let cli = format!(
            "`pourover export --program {} --out {}.csv` on the server",
            program.name, program.name
        );
        Ok(match self.exports.grant(program.id) {
            Some(url) => Reply::text(format!(
                "Here is the export of *{}*: every round, group and answer.",
                program.name
            ))
            .with(ReplyBlock::Link {
                label: format!("Download {}.csv", program.name),
                url,
            })
            .with(ReplyBlock::Context(format!(
                "The link works for an hour. The same file comes from {cli}."
            ))),
            None => Reply::text(format!(
                "Download links need the bot's public address (set POUROVER_PUBLIC_URL). Meanwhile the same file comes from {cli}."
            )),
        })
    }

    async fn failures(&self, workspace: WorkspaceId) -> Result<Reply, BackendError> {
        const SHOWN: u32 = 20;
        let failed = self
            .store
            .failed_outbox(workspace, SHOWN)
            .await
            .map_err(internal)?;
        if failed.is_empty() {
            return Ok(Reply::text("No failed messages. Every intro went out. ✅"));
        }
        let mut lines = Vec::new();
        for item in &failed {
            let who = match crate::rounds::messages::audience(&self.store, item).await {
                Ok(ids) if !ids.is_empty() => ids
                    .iter()
                    .map(|id| mention(id))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => "(nobody)".into(),
            };
            let what = match item.kind {
                OutboxKind::Intro => "Intro",
                OutboxKind::Nudge => "Nudge",
                OutboxKind::ClosePrompt => "Closing prompt",
                OutboxKind::GhostPause => "Pause notice",
                OutboxKind::Notice => "Notice",
            };
            lines.push(format!(
                "• {what} to {who}: {}",
                escape(item.last_error.as_deref().unwrap_or("refused"))
            ));
        }
        Ok(Reply::default()
            .with(ReplyBlock::Heading(format!(
                "⚠️ {} message(s) could not be delivered",
                failed.len()
            )))
            .with(ReplyBlock::Text(lines.join("\n")))
            .with(ReplyBlock::Context(
                "Usually a deactivated account or someone who blocked the app. \
                 The rest of their round went ahead."
                    .into(),
            )))
    }
}
