//! Button presses: feedback buttons under intros and prompts, and App Home buttons. A
//! press is recorded (under its team and trigger id, so a replay is not applied again)
//! before Slack gets its 200, then applied in the background until the database takes it.

use slack_morphism::prelude::*;

use super::SlackInbound;
use crate::bot::{ApplyError, FeedbackOutcome, NotRecorded};
use crate::chat::content::HomeAction;
use crate::chat::{Chat, FeedbackAction, Posted};

const NOT_YOUR_GROUP: &str =
    "That button belongs to another group's coffee, so nothing was recorded. 🙂";
const HOME_FAILED: &str = "Sorry, that didn't work just now. Please try again in a minute.";

/// Keys of button presses.
pub(super) const PRESS_PREFIX: &str = "slack:action:";

/// Slack sends one action per press; a payload with more is not from a person pressing a
/// button, and only this many are looked at.
pub const MAX_ACTIONS_PER_PRESS: usize = 3;

impl SlackInbound {
    /// Takes a button press over: records it, then the caller acknowledges it; the work
    /// runs in the background. `Err`: not recorded, do not acknowledge.
    pub async fn accept_interaction(
        &self,
        interaction: SlackInteractionEvent,
    ) -> Result<(), NotRecorded> {
        let SlackInteractionEvent::BlockActions(event) = &interaction else {
            tracing::debug!("ignored an interaction that is not a button press");
            return Ok(());
        };
        if event.team.id.value() != &self.chat().identity().team_id {
            tracing::warn!(team = %event.team.id, "ignored a press from another workspace");
            return Ok(());
        }
        let key = format!("{PRESS_PREFIX}{}:{}", event.team.id, event.trigger_id);
        let payload = serde_json::to_value(&interaction).ok();
        if !self.bot().record_delivery(&key, payload.as_ref()).await? {
            tracing::info!(%key, "a button press was already taken; not applying it again");
            return Ok(());
        }
        let inbound = self.clone();
        self.in_background(async move { inbound.apply_interaction(&key, &interaction).await });
        Ok(())
    }

    /// Applies a recorded press until the database takes it.
    pub(super) async fn apply_interaction(&self, key: &str, interaction: &SlackInteractionEvent) {
        let SlackInteractionEvent::BlockActions(event) = interaction else {
            return;
        };
        self.bot()
            .apply_delivery(key, || self.process_press(event))
            .await;
    }

    async fn process_press(
        &self,
        event: &SlackInteractionBlockActionsEvent,
    ) -> Result<(), ApplyError> {
        let Some(user_id) = event.user.as_ref().map(|user| user.id.to_string()) else {
            return Ok(());
        };
        let actions = event.actions.as_deref().unwrap_or_default();
        if actions.len() > MAX_ACTIONS_PER_PRESS {
            tracing::warn!(
                actions = actions.len(),
                "a press with more actions than a person can press; looking at the first {MAX_ACTIONS_PER_PRESS}"
            );
        }
        for value in actions
            .iter()
            .take(MAX_ACTIONS_PER_PRESS)
            .filter_map(|action| action.value.as_deref())
        {
            if let Some(action) = FeedbackAction::decode(value) {
                self.feedback(event, &user_id, action).await?;
            } else if let Some(action) = HomeAction::decode(value) {
                self.home_button(&user_id, action).await?;
            } else {
                tracing::debug!(value, "ignored a button the bot does not know");
            }
        }
        Ok(())
    }

    async fn feedback(
        &self,
        event: &SlackInteractionBlockActionsEvent,
        user_id: &str,
        action: FeedbackAction,
    ) -> Result<(), ApplyError> {
        let posted = pressed_message(event);
        let ack = match self
            .bot()
            .record_feedback(self.at(), user_id, action, posted.as_ref())
            .await?
        {
            FeedbackOutcome::Recorded { updated, ack } => {
                if let (Some(message), Some(posted)) = (updated, &posted) {
                    // Everyone in the group sees who answered what.
                    if let Err(err) = self.chat().update(posted, &message).await {
                        tracing::warn!(error = %err, "could not update a pressed message");
                    }
                }
                ack
            }
            FeedbackOutcome::NotYourGroup => NOT_YOUR_GROUP.to_owned(),
        };
        if let Some(response_url) = &event.response_url {
            let request =
                SlackApiPostWebhookMessageRequest::new(SlackMessageContent::new().with_text(ack))
                    .with_replace_original(false);
            if let Err(err) = self.chat().respond(response_url, &request).await {
                tracing::warn!(error = %err, "could not acknowledge a button press");
            }
        }
        Ok(())
    }

    async fn home_button(&self, user_id: &str, action: HomeAction) -> Result<(), ApplyError> {
        match self.bot().home_action(self.at(), user_id, action).await {
            Ok((view, note)) => {
                if let Err(err) = self
                    .chat()
                    .publish_home_with_note(user_id, &view, Some(&note))
                    .await
                {
                    tracing::warn!(error = %err, "cannot re-publish an App Home");
                }
                Ok(())
            }
            Err(err) => match ApplyError::from(err) {
                retry @ ApplyError::Retry(_) => Err(retry),
                ApplyError::GiveUp(why) => {
                    tracing::error!(%why, "an App Home button failed");
                    self.publish_home(user_id, Some(HOME_FAILED)).await;
                    Ok(())
                }
            },
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
