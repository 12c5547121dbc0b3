//! Channel-bound programs follow their channel, also for joins and leaves the bot missed.

use super::{Bot, BotError, Inbound};
use crate::roster;

impl Bot {
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
