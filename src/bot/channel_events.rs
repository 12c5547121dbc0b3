//! Channel joins and leaves, and profile changes, as the platforms report them.

use super::{Bot, BotError, Inbound};
use crate::domain::MemberProfile;
use crate::roster;

impl Bot {
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
}
