//! Slash commands: run within the ack budget, or acknowledge at once and answer later.

use slack_morphism::prelude::*;
use tokio::task::JoinHandle;

use super::SlackInbound;
use crate::chat::slack::render;
use crate::commands::Reply;

/// The acknowledgement of a command that is still running.
pub const WORKING_ON_IT: &str = "⏳ Working on it…";
const SORRY: &str =
    "Sorry, something went wrong on my side and nothing was changed. Please try again in a minute.";
const BUSY: &str = "Sorry, I'm too busy to take that right now, so nothing was changed. \
                    Please try again in a minute.";
const ALREADY_HANDLED: &str = "That exact request was already handled, so I didn't run it again. Type the command again to repeat it.";

impl SlackInbound {
    /// What to acknowledge a slash command with: its reply when that is ready within the
    /// budget, else "working on it" while the reply goes to the `response_url` when done.
    pub async fn command(&self, event: SlackCommandEvent) -> SlackCommandEventResponse {
        let response_url = event.response_url.clone();
        let inbound = self.clone();
        // Spawned, so the command finishes even if Slack's request goes away.
        let mut work = self.in_background(async move { inbound.run_command(&event).await });
        match tokio::time::timeout(super::ACK_BUDGET, &mut work).await {
            Ok(Ok(reply)) => render::command_response(&reply),
            Ok(Err(failed)) => {
                tracing::error!(error = %failed, "a slash command task failed");
                render::command_response(&Reply::text(SORRY))
            }
            Err(_) => {
                let inbound = self.clone();
                self.in_background(async move { inbound.answer_later(work, &response_url).await });
                render::command_response(&Reply::text(WORKING_ON_IT))
            }
        }
    }

    async fn run_command(&self, event: &SlackCommandEvent) -> Reply {
        let text = event.text.as_deref().unwrap_or_default().trim();
        tracing::debug!(user = %event.user_id, command = %event.command, "slash command");
        // Slack never sends a command twice: the same trigger again is a replay.
        let key = format!("slack:command:{}:{}", event.team_id, event.trigger_id);
        match self.bot().record_delivery(&key, None).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(%key, "a slash command arrived again; not running it twice");
                return Reply::text(ALREADY_HANDLED);
            }
            Err(_) => return Reply::text(BUSY),
        }
        self.bot()
            .run_command(
                self.at(),
                event.user_id.value(),
                event.command.value(),
                text,
            )
            .await
    }

    async fn answer_later(&self, work: JoinHandle<Reply>, response_url: &SlackResponseUrl) {
        let reply = work.await.unwrap_or_else(|failed| {
            tracing::error!(error = %failed, "a slow slash command task failed");
            Reply::text(SORRY)
        });
        let request = SlackApiPostWebhookMessageRequest::new(render::reply_content(&reply));
        if let Err(err) = self.chat().respond(response_url, &request).await {
            tracing::warn!(error = %err, "could not deliver a slow command's reply");
        }
    }
}
