//! What Slack sends the bot — slash commands, events, button presses — handled the same
//! way whether it came over HTTP (`routes.rs`) or Socket Mode (`socket_mode.rs`). Every
//! handler here answers Slack fast and leaves slow work to a background task.

mod commands;
mod events;
mod interactions;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use slack_morphism::prelude::{SlackInteractionEvent, SlackPushEventCallback};
use tokio_util::task::TaskTracker;

use crate::bot::{Bot, DeliverySource, Inbound};
use crate::domain::WorkspaceId;

use super::client::SlackChat;

pub use commands::WORKING_ON_IT;

/// Slack gives up on an acknowledgement after 3 s; a command that takes longer than this
/// is acknowledged at once and answered through its `response_url` when done.
pub const ACK_BUDGET: Duration = Duration::from_millis(2500);

/// The bot's front door, as Slack's requests reach it. Cheap to clone.
#[derive(Clone)]
pub struct SlackInbound {
    inner: Arc<Inner>,
}

struct Inner {
    bot: Bot,
    chat: Arc<SlackChat>,
    workspace: WorkspaceId,
    /// Work that outlives Slack's request (events, presses, late answers): shutdown waits
    /// for it, so a press acknowledged just before a stop is still handled.
    background: TaskTracker,
}

impl std::fmt::Debug for SlackInbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackInbound")
            .field("workspace", &self.inner.workspace)
            .finish_non_exhaustive()
    }
}

impl SlackInbound {
    /// An inbound side whose background work is tracked by `background`.
    pub fn new(
        bot: Bot,
        chat: Arc<SlackChat>,
        workspace: WorkspaceId,
        background: TaskTracker,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                bot,
                chat,
                workspace,
                background,
            }),
        }
    }

    /// Runs `work` in the background, where shutdown waits for it.
    fn in_background<F>(&self, work: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.background.spawn(work)
    }

    fn bot(&self) -> &Bot {
        &self.inner.bot
    }

    fn chat(&self) -> &SlackChat {
        &self.inner.chat
    }

    fn at(&self) -> Inbound<'_> {
        Inbound {
            workspace: self.inner.workspace,
            chat: self.inner.chat.as_ref(),
        }
    }
}

#[async_trait]
impl DeliverySource for SlackInbound {
    /// Events and presses acknowledged but never applied (the bot died first, or the
    /// database refused them for minutes), applied now.
    async fn reapply_unapplied(&self) {
        for prefix in [events::EVENT_PREFIX, interactions::PRESS_PREFIX] {
            let unapplied = match self.bot().unapplied_deliveries(prefix).await {
                Ok(unapplied) => unapplied,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot look for unapplied Slack deliveries");
                    return;
                }
            };
            for delivery in unapplied {
                let key = delivery.key;
                let applied = if prefix == interactions::PRESS_PREFIX {
                    match serde_json::from_value::<SlackInteractionEvent>(delivery.payload) {
                        Ok(interaction) => {
                            self.apply_interaction(&key, &interaction).await;
                            Ok(())
                        }
                        Err(err) => Err(err),
                    }
                } else {
                    match serde_json::from_value::<SlackPushEventCallback>(delivery.payload) {
                        Ok(callback) => {
                            self.apply_event(&key, &callback).await;
                            Ok(())
                        }
                        Err(err) => Err(err),
                    }
                };
                if let Err(err) = applied {
                    tracing::error!(%key, error = %err, "a stored Slack delivery cannot be read");
                    self.bot().delivery_applied(&key).await;
                }
            }
        }
    }
}
