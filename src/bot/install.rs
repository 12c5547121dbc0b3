//! The bot added to a channel (a Slack channel, a Teams team): a program bound to it,
//! and where the platform's API lives for the install.

use super::{Bot, BotError, Inbound};
use crate::domain::{Program, ProgramName, Schedule, WorkspaceId};
use crate::roster;
use crate::store::NewProgram;

/// What an install did.
#[derive(Debug, Clone)]
pub struct ChannelInstall {
    pub program: Program,
    /// False when a program was already bound to the channel (a reinstall).
    pub created: bool,
    /// Members enrolled by the first reconciliation.
    pub enrolled: usize,
}

/// How many `-2`, `-3`… suffixes to try when a channel's name is taken by another program.
const NAME_ATTEMPTS: usize = 9;

impl Bot {
    /// Binds a program to `channel_id` — the one already bound to it, or a new one named
    /// after `channel_name` — and enrols the channel's members. The installer gets no
    /// rights from installing: admins are who the platform or `POUROVER_ADMINS` say.
    pub async fn installed_in_channel(
        &self,
        at: Inbound<'_>,
        channel_id: &str,
        channel_name: &str,
        installed_by: &str,
    ) -> Result<ChannelInstall, BotError> {
        let existing = self
            .store
            .programs_for_channel(at.workspace, channel_id)
            .await?
            .into_iter()
            .next();
        let (program, created) = match existing {
            Some(program) => (program, false),
            None => (
                self.create_channel_program(at.workspace, channel_id, channel_name, installed_by)
                    .await?,
                true,
            ),
        };
        let enrolled = match roster::sync_channel(
            &self.store,
            at.chat,
            self.config.policy,
            &program,
        )
        .await
        {
            Ok(report) => report.enrolled,
            Err(err) => {
                // The daily reconciliation will try again.
                tracing::warn!(program = %program.name, error = %err, "first roster sync after an install failed");
                0
            }
        };
        Ok(ChannelInstall {
            program,
            created,
            enrolled,
        })
    }

    async fn create_channel_program(
        &self,
        workspace: WorkspaceId,
        channel_id: &str,
        channel_name: &str,
        installed_by: &str,
    ) -> Result<Program, BotError> {
        let base = program_slug(channel_name);
        // The channel's people live anywhere; rounds run on the default schedule in UTC
        // until an admin sets one.
        let schedule = Schedule::parse(&self.config.defaults.cron, "UTC").ok();
        for attempt in 1..=NAME_ATTEMPTS {
            let candidate = if attempt == 1 {
                base.clone()
            } else {
                format!("{base}-{attempt}")
            };
            let Ok(name) = ProgramName::parse(&candidate) else {
                continue;
            };
            let created = self
                .store
                .create_program(NewProgram {
                    workspace,
                    name: &name,
                    channel_id: Some(channel_id),
                    schedule: schedule.as_ref(),
                    settings: self.config.defaults.settings,
                    created_by: (!installed_by.is_empty()).then_some(installed_by),
                })
                .await?;
            if let Some(program) = created {
                return Ok(program);
            }
        }
        Err(BotError::NoProgramName(base))
    }

    /// Remembers where a platform's API lives for this install (Teams' `serviceUrl`),
    /// so proactive messages after a restart go to the right place.
    pub async fn remember_service_url(
        &self,
        workspace: WorkspaceId,
        service_url: &str,
    ) -> Result<(), BotError> {
        self.store
            .set_workspace_service_url(workspace, service_url)
            .await?;
        Ok(())
    }
}

/// A program name from a channel or team name: lower case, letters and digits, words
/// joined by `-` ("Platform Engineering" -> "platform-engineering").
pub fn program_slug(channel_name: &str) -> String {
    let mut slug = String::new();
    for c in channel_name.trim().trim_start_matches('#').chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    // Room for a `-9` suffix within the name limit.
    let slug: String = slug
        .trim_end_matches('-')
        .chars()
        .take(ProgramName::MAX_LEN - 2)
        .collect();
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "coffee".to_owned()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_slugs_are_lower_case_words_joined_by_dashes() {
        assert_eq!(program_slug("Platform Engineering"), "platform-engineering");
        assert_eq!(program_slug("  R&D — Berlin!  "), "r-d-berlin");
        assert_eq!(program_slug("#random"), "random");
        assert_eq!(program_slug("☕☕"), "coffee");
        assert!(program_slug(&"x".repeat(100)).len() <= ProgramName::MAX_LEN - 2);
        assert!(ProgramName::parse(&program_slug("Café Crème")).is_ok());
    }
}
