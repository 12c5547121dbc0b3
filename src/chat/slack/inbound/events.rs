//! Events API callbacks: recorded before Slack gets its 200 (an event that cannot be
//! recorded is not acknowledged, so Slack sends it again), then applied in the background
//! until the database takes it — once, however often Slack retries it.

use slack_morphism::prelude::*;

use super::SlackInbound;
use crate::bot::{ApplyError, NotRecorded};

/// Keys of events: Slack's event id is unique per workspace and app.
pub(super) const EVENT_PREFIX: &str = "slack:Ev";

impl SlackInbound {
    /// Takes an event over: records it, then the caller acknowledges it; the work runs in
    /// the background. `Err`: not recorded, do not acknowledge.
    pub async fn accept_event(&self, callback: SlackPushEventCallback) -> Result<(), NotRecorded> {
        if callback.team_id.value() != &self.chat().identity().team_id {
            tracing::warn!(team = %callback.team_id, "ignored an event for another workspace");
            return Ok(());
        }
        let key = format!("slack:{}", callback.event_id);
        let payload = serde_json::to_value(&callback).ok();
        if !self.bot().record_delivery(&key, payload.as_ref()).await? {
            tracing::debug!(event = %callback.event_id, "a retried event was already taken");
            return Ok(());
        }
        let inbound = self.clone();
        self.in_background(async move { inbound.apply_event(&key, &callback).await });
        Ok(())
    }

    /// Applies a recorded event until the database takes it.
    pub(super) async fn apply_event(&self, key: &str, callback: &SlackPushEventCallback) {
        self.bot()
            .apply_delivery(key, || self.process_event(callback))
            .await;
    }

    async fn process_event(&self, callback: &SlackPushEventCallback) -> Result<(), ApplyError> {
        match &callback.event {
            SlackEventCallbackBody::AppHomeOpened(opened) => {
                if opened.tab.as_deref().is_some_and(|tab| tab != "home") {
                    return Ok(());
                }
                self.publish_home(opened.user.value(), None).await;
                Ok(())
            }
            SlackEventCallbackBody::MemberJoinedChannel(joined) => Ok(self
                .bot()
                .member_joined_channel(self.at(), joined.channel.value(), joined.user.value())
                .await?),
            SlackEventCallbackBody::MemberLeftChannel(left) => Ok(self
                .bot()
                .member_left_channel(self.at(), left.channel.value(), left.user.value())
                .await?),
            SlackEventCallbackBody::UserChange(changed) => {
                self.profile_changed(&changed.user).await
            }
            SlackEventCallbackBody::TeamJoin(joined) => self.profile_changed(&joined.user).await,
            other => {
                tracing::debug!(event = ?event_type(other), "ignored an event the bot does not use");
                Ok(())
            }
        }
    }

    async fn profile_changed(&self, user: &SlackUser) -> Result<(), ApplyError> {
        let profile = self.chat().profile_of(user).await.map_err(|err| {
            if err.is_permanent() {
                ApplyError::GiveUp(err.to_string())
            } else {
                ApplyError::Retry(err.to_string())
            }
        })?;
        Ok(self.bot().profile_changed(self.at(), &profile).await?)
    }

    /// Publishes `user_id`'s App Home, with `note` on top.
    pub(super) async fn publish_home(&self, user_id: &str, note: Option<&str>) {
        let view = match self.bot().home_view(self.at(), user_id).await {
            Ok(view) => view,
            Err(err) => {
                tracing::error!(error = %err, "cannot build an App Home");
                return;
            }
        };
        if let Err(err) = self
            .chat()
            .publish_home_with_note(user_id, &view, note)
            .await
        {
            tracing::warn!(error = %err, "cannot publish an App Home");
        }
    }
}

/// The `type` of an event, for logs.
fn event_type(event: &SlackEventCallbackBody) -> String {
    serde_json::to_value(event)
        .ok()
        .and_then(|value| {
            value
                .get("type")
                .and_then(|t| t.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
