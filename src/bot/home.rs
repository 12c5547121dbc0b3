//! The home tab: what someone sees about their programs, and its buttons.

use super::{Bot, BotError, Inbound};
use crate::chat::HomeView;
use crate::chat::content::{HomeAction, HomeProgram};
use crate::commands::{self, Command, UsageError};
use crate::domain::{EnrollmentState, LocalZone, PauseRequest, ProgramName};
use crate::roster;

impl Bot {
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
        // The same code path as the typed command, so both always behave alike.
        let reply = self.run_parsed(at, user_id, "", command_for(action)).await;
        let view = self.home_view(at, user_id).await?;
        Ok((view, reply.plain_text()))
    }
}

/// The Pause button on the home tab pauses for two weeks, like `/coffee pause 2w`.
const HOME_PAUSE: PauseRequest = PauseRequest::Days(14);

/// The command a home-tab button stands for.
fn command_for(action: HomeAction) -> Result<Command, UsageError> {
    let program = |name: &str, usage: &'static str| {
        ProgramName::parse(name).map_err(|err| UsageError {
            problem: err.0,
            usage,
        })
    };
    Ok(match action {
        HomeAction::Join(name) => Command::Join {
            program: Some(program(&name, commands::grammar::usage::JOIN)?),
        },
        HomeAction::Leave(name) => Command::Leave {
            program: Some(program(&name, commands::grammar::usage::LEAVE)?),
        },
        HomeAction::Pause => Command::Pause(HOME_PAUSE),
        HomeAction::Resume => Command::Resume,
        HomeAction::Skip => Command::Skip,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_home_button_stands_for_the_command_a_person_would_type() {
        for (action, typed) in [
            (HomeAction::Join("coffee".into()), "join coffee"),
            (HomeAction::Leave("coffee".into()), "leave coffee"),
            (HomeAction::Pause, "pause 2w"),
            (HomeAction::Resume, "resume"),
            (HomeAction::Skip, "skip"),
        ] {
            assert_eq!(command_for(action), commands::parse(typed), "{typed}");
        }
    }

    #[test]
    fn a_home_button_with_a_malformed_program_name_gets_the_join_usage() {
        let err = command_for(HomeAction::Join("no way".into())).unwrap_err();
        assert_eq!(err.usage, commands::grammar::usage::JOIN);
    }
}
