//! The bot's platform-neutral front door. Platform adapters translate what arrives (a slash
//! command, a button press, a channel join) into these calls and render what comes back;
//! they never touch the store, rounds or commands directly.

use std::sync::Arc;

use crate::chat::content::{HomeAction, HomeProgram, feedback_label};
use crate::chat::{Chat, FeedbackAction, HomeView, Message, Posted};
use crate::clock::Clock;
use crate::commands::{self, CommandContext, ProgramDefaults, Reply};
use crate::domain::{
    EnrollmentState, FeedbackAnswer, LocalZone, Member, MemberProfile, WorkspaceId,
};
use crate::roster::{self, RosterError, RosterPolicy};
use crate::rounds::messages;
use crate::store::{Store, StoreError};

mod admin_backend;
mod export_links;
mod install;
mod stats_reply;

pub use admin_backend::BotAdminBackend;
pub use export_links::ExportLinks;
pub use install::{ChannelInstall, program_slug};

/// Where an inbound request came from: which install, and the `Chat` that answers there.
#[derive(Clone, Copy)]
pub struct Inbound<'a> {
    pub workspace: WorkspaceId,
    pub chat: &'a dyn Chat,
}

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Roster(#[from] RosterError),
    #[error("no free program name based on `{0}`")]
    NoProgramName(String),
}

/// What a feedback button press did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedbackOutcome {
    /// Stored. `updated` is the pressed message re-rendered with everyone's answers, to
    /// replace the original; `ack` is a private confirmation for the presser.
    Recorded {
        updated: Option<Message>,
        ack: String,
    },
    /// The presser is not in that group (a forwarded message, a stale button).
    NotYourGroup,
}

/// Settings the front door needs.
#[derive(Debug, Clone)]
pub struct BotConfig {
    /// Platform user ids that are admins besides workspace owners/admins.
    pub extra_admins: Vec<String>,
    pub policy: RosterPolicy,
    pub defaults: ProgramDefaults,
}

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct Bot {
    store: Store,
    config: Arc<BotConfig>,
    backend: Arc<BotAdminBackend>,
    clock: Clock,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot").finish_non_exhaustive()
    }
}

impl Bot {
    pub fn new(store: Store, config: BotConfig, backend: BotAdminBackend, clock: Clock) -> Self {
        Self {
            store,
            config: Arc::new(config),
            backend: Arc::new(backend),
            clock,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    fn is_admin(&self, member: &Member) -> bool {
        member.is_admin || self.config.extra_admins.contains(&member.external_id)
    }

    /// Runs a `/coffee …` command typed by `user_id`. Never fails: problems become replies.
    pub async fn run_command(
        &self,
        at: Inbound<'_>,
        user_id: &str,
        command_name: &str,
        text: &str,
    ) -> Reply {
        let now = self.clock.now();
        let actor =
            match roster::ensure_member(&self.store, at.chat, at.workspace, user_id, now).await {
                Ok(member) => member,
                Err(err) => {
                    tracing::error!(error = %err, "cannot look up the person behind a command");
                    return Reply::text(
                        "Sorry, I couldn't look you up just now, so nothing was changed. \
                         Please try again in a minute.",
                    );
                }
            };
        let ctx = CommandContext {
            store: &self.store,
            chat: at.chat,
            backend: self.backend.as_ref(),
            workspace: at.workspace,
            actor: &actor,
            is_admin: self.is_admin(&actor),
            command_name,
            now,
            defaults: &self.config.defaults,
            policy: self.config.policy,
        };
        commands::execute(&ctx, text).await
    }

    /// A feedback button was pressed on `posted` (when the platform says which message).
    pub async fn record_feedback(
        &self,
        at: Inbound<'_>,
        user_id: &str,
        action: FeedbackAction,
        posted: Option<&Posted>,
    ) -> Result<FeedbackOutcome, BotError> {
        let Some(member) = self
            .store
            .member_by_external_id(at.workspace, user_id)
            .await?
        else {
            return Ok(FeedbackOutcome::NotYourGroup);
        };
        let Some(group) = self.store.group(action.group_id).await? else {
            return Ok(FeedbackOutcome::NotYourGroup);
        };
        if !group.members.contains(&member.id) {
            return Ok(FeedbackOutcome::NotYourGroup);
        }
        let now = self.clock.now();
        self.store
            .record_feedback(group.id, member.id, action.answer, now)
            .await?;
        let updated = match posted {
            Some(posted) => {
                match self
                    .store
                    .outbox_by_message(&posted.conversation_id, &posted.message_id)
                    .await?
                {
                    Some(item) => Some(messages::compose(&self.store, &item, now).await?),
                    None => None,
                }
            }
            None => None,
        };
        let ack = match action.answer {
            FeedbackAnswer::Met => "Lovely — thanks for letting me know! ☕",
            FeedbackAnswer::Planned => "Great, enjoy your coffee when it happens!",
            FeedbackAnswer::Skipped => "No problem — see you next round.",
            FeedbackAnswer::NoAnswer => "Noted.",
        };
        tracing::info!(group = %group.id, member = %member.id, answer = %action.answer, "feedback recorded");
        Ok(FeedbackOutcome::Recorded {
            updated,
            ack: format!("{ack} (You {}.)", feedback_label(action.answer)),
        })
    }

    /// The home tab for `user_id`.
    pub async fn home_view(&self, at: Inbound<'_>, user_id: &str) -> Result<HomeView, BotError> {
        let now = self.clock.now();
        let member =
            roster::ensure_member(&self.store, at.chat, at.workspace, user_id, now).await?;
        let zone = LocalZone::of(&member);
        let programs = self.store.programs(at.workspace).await?;
        let enrollments = self.store.member_enrollments(member.id).await?;
        let mut view = HomeView {
            display_name: member.display_name.clone(),
            ..HomeView::default()
        };
        for program in &programs {
            match enrollments.iter().find(|e| e.program_id == program.id) {
                Some(enrollment) => {
                    let last_seq = self
                        .store
                        .last_round(program.id)
                        .await?
                        .map_or(0, |r| r.seq);
                    view.programs.push(HomeProgram {
                        name: program.name.to_string(),
                        status: commands::describe_enrollment(enrollment, &zone),
                        paused: matches!(enrollment.state, EnrollmentState::Paused { .. }),
                        skipping_next: enrollment.skip_next,
                        next_round: commands::next_round_for(
                            program,
                            Some(enrollment),
                            last_seq,
                            now,
                        )
                        .map(|at| format!("{} ({})", zone.format_day_time(at), zone.label())),
                    });
                }
                None => view.joinable.push(program.name.to_string()),
            }
        }
        for (round, group) in self.store.member_groups(member.id, 5).await? {
            if round.state == crate::domain::RoundState::Open {
                let others: Vec<_> = group
                    .members
                    .iter()
                    .copied()
                    .filter(|id| *id != member.id)
                    .collect();
                view.current_partners
                    .extend(commands::describe_people(&self.store, &others).await?);
            }
        }
        if self.is_admin(&member) {
            view.admin_summary = Some(self.backend.summary_lines(at.workspace).await?);
        }
        Ok(view)
    }

    /// A home-tab button: act, then return the refreshed home tab and a short note.
    pub async fn home_action(
        &self,
        at: Inbound<'_>,
        user_id: &str,
        action: HomeAction,
    ) -> Result<(HomeView, String), BotError> {
        let text = match &action {
            HomeAction::Join(program) => format!("join {program}"),
            HomeAction::Leave(program) => format!("leave {program}"),
            HomeAction::Pause => format!("pause {HOME_PAUSE}"),
            HomeAction::Resume => "resume".to_string(),
            HomeAction::Skip => "skip".to_string(),
        };
        // The same code path as the typed command, so both always behave alike.
        let reply = self.run_command(at, user_id, "", &text).await;
        let view = self.home_view(at, user_id).await?;
        Ok((view, reply.plain_text()))
    }

    /// Someone joined a channel.
    pub async fn member_joined_channel(
        &self,
        at: Inbound<'_>,
        channel_id: &str,
        user_id: &str,
    ) -> Result<(), BotError> {
        let changes = roster::joined_channel(
            &self.store,
            at.chat,
            self.config.policy,
            at.workspace,
            channel_id,
            user_id,
        )
        .await?;
        for (program, change) in changes {
            tracing::info!(program = %program.name, ?change, "channel join enrolled a member");
        }
        Ok(())
    }

    /// Someone left a channel.
    pub async fn member_left_channel(
        &self,
        at: Inbound<'_>,
        channel_id: &str,
        user_id: &str,
    ) -> Result<(), BotError> {
        for program in roster::left_channel(&self.store, at.workspace, channel_id, user_id).await? {
            tracing::info!(program = %program.name, "channel leave removed a member");
        }
        Ok(())
    }

    /// A profile changed (team, time zone, deactivation).
    pub async fn profile_changed(
        &self,
        at: Inbound<'_>,
        profile: &MemberProfile,
    ) -> Result<(), BotError> {
        roster::apply_profile(&self.store, at.workspace, profile).await?;
        Ok(())
    }

    /// True the first time an event key is seen; platforms retry deliveries.
    pub async fn first_sight_of_event(&self, key: &str) -> Result<bool, BotError> {
        Ok(self.store.first_sight_of_event(key).await?)
    }

    /// Reconciles every channel-bound program of a workspace with its channel.
    pub async fn sync_channels(&self, at: Inbound<'_>) -> Result<(), BotError> {
        for program in self.store.programs(at.workspace).await? {
            if program.channel_id.is_none() {
                continue;
            }
            match roster::sync_channel(&self.store, at.chat, self.config.policy, &program).await {
                Ok(report) if report.enrolled + report.left > 0 => tracing::info!(
                    program = %program.name,
                    enrolled = report.enrolled,
                    left = report.left,
                    "channel membership reconciled"
                ),
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(program = %program.name, error = %err, "channel reconciliation failed")
                }
            }
        }
        Ok(())
    }
}

/// The Pause button on the home tab pauses for two weeks; it runs the typed command, so the
/// button and `/coffee pause 2w` cannot drift apart.
const HOME_PAUSE: &str = "2w";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PauseRequest;

    #[test]
    fn the_home_pause_is_a_valid_pause() {
        assert_eq!(PauseRequest::parse(HOME_PAUSE), Ok(PauseRequest::Days(14)));
    }
}
