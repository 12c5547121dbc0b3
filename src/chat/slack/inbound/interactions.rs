//! Button presses: feedback buttons under intros and prompts, and App Home buttons. Slack
//! gets its 200 at once; the press is handled in the background.

use slack_morphism::prelude::*;

use super::SlackInbound;
use crate::bot::FeedbackOutcome;
use crate::chat::content::HomeAction;
use crate::chat::{Chat, FeedbackAction, Posted};

const NOT_YOUR_GROUP: &str =
    "That button belongs to another group's coffee, so nothing was recorded. 🙂";
const FEEDBACK_FAILED: &str =
    "Sorry, I couldn't record that just now. Please press the button again in a minute.";
const HOME_FAILED: &str = "Sorry, that didn't work just now. Please try again in a minute.";

impl SlackInbound {
    /// Takes a button press over: call it, then acknowledge.
    pub fn accept_interaction(&self, interaction: SlackInteractionEvent) {
        let inbound = self.clone();
        self.in_background(async move { inbound.process_interaction(interaction).await });
    }

    async fn process_interaction(&self, interaction: SlackInteractionEvent) {
        let SlackInteractionEvent::BlockActions(event) = interaction else {
            tracing::debug!("ignored an interaction that is not a button press");
            return;
        };
        let Some(user_id) = event.user.as_ref().map(|user| user.id.to_string()) else {
            return;
        };
        let values: Vec<&str> = event
            .actions
            .iter()
            .flatten()
            .filter_map(|action| action.value.as_deref())
            .collect();
        for value in values {
            if let Some(action) = FeedbackAction::decode(value) {
                self.feedback(&event, &user_id, action).await;
            } else if let Some(action) = HomeAction::decode(value) {
                self.home_button(&user_id, action).await;
            } else {
                tracing::debug!(value, "ignored a button the bot does not know");
            }
        }
    }

    async fn feedback(
        &self,
        event: &SlackInteractionBlockActionsEvent,
        user_id: &str,
        action: FeedbackAction,
    ) {
        let posted = pressed_message(event);
        let ack = match self
            .bot()
            .record_feedback(self.at(), user_id, action, posted.as_ref())
            .await
        {
            Ok(FeedbackOutcome::Recorded { updated, ack }) => {
                if let (Some(message), Some(posted)) = (updated, &posted) {
                    // Everyone in the group sees who answered what.
                    if let Err(err) = self.chat().update(posted, &message).await {
                        tracing::warn!(error = %err, "could not update a pressed message");
                    }
                }
                ack
            }
            Ok(FeedbackOutcome::NotYourGroup) => NOT_YOUR_GROUP.to_owned(),
            Err(err) => {
                tracing::error!(error = %err, "recording feedback failed");
                FEEDBACK_FAILED.to_owned()
            }
        };
        if let Some(response_url) = &event.response_url {
            let request =
                SlackApiPostWebhookMessageRequest::new(SlackMessageContent::new().with_text(ack))
                    .with_replace_original(false);
            if let Err(err) = self.chat().respond(response_url, &request).await {
                tracing::warn!(error = %err, "could not acknowledge a button press");
            }
        }
    }

    async fn home_button(&self, user_id: &str, action: HomeAction) {
        match self.bot().home_action(self.at(), user_id, action).await {
            Ok((view, note)) => {
                if let Err(err) = self
                    .chat()
                    .publish_home_with_note(user_id, &view, Some(&note))
                    .await
                {
                    tracing::warn!(error = %err, "cannot re-publish an App Home");
                }
            }
            Err(err) => {
                tracing::error!(error = %err, "an App Home button failed");
                self.publish_home(user_id, Some(HOME_FAILED)).await;
            }
        }
    }
}

/// The message whose button was pressed, when the press came from a message.
fn pressed_message(event: &SlackInteractionBlockActionsEvent) -> Option<Posted> {
    let SlackInteractionActionContainer::Message(container) = &event.container else {
        return None;
    };
    let channel = container
        .channel_id
        .clone()
        .or_else(|| event.channel.as_ref().map(|channel| channel.id.clone()))?;
    Some(Posted {
        conversation_id: channel.to_string(),
        message_id: container.message_ts.to_string(),
    })
}
