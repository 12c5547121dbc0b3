//! Events API callbacks, processed after Slack has its 200 (and each event only once,
//! however often Slack retries it).

use slack_morphism::prelude::*;

use super::SlackInbound;

impl SlackInbound {
    /// Takes an event over: call it, then acknowledge. The work runs in the background.
    pub fn accept_event(&self, callback: SlackPushEventCallback) {
        let inbound = self.clone();
        self.in_background(async move { inbound.process_event(callback).await });
    }

    async fn process_event(&self, callback: SlackPushEventCallback) {
        if callback.team_id.value() != &self.chat().identity().team_id {
            tracing::warn!(team = %callback.team_id, "ignored an event for another workspace");
            return;
        }
        let key = format!("slack:{}", callback.event_id);
        match self.bot().first_sight_of_event(&key).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::debug!(event = %callback.event_id, "a retried event was already handled");
                return;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot record an event; skipping it");
                return;
            }
        }
        let outcome = match &callback.event {
            SlackEventCallbackBody::AppHomeOpened(opened) => {
                if opened.tab.as_deref().is_some_and(|tab| tab != "home") {
                    return;
                }
                self.publish_home(opened.user.value(), None).await;
                Ok(())
            }
            SlackEventCallbackBody::MemberJoinedChannel(joined) => self
                .bot()
                .member_joined_channel(self.at(), joined.channel.value(), joined.user.value())
                .await
                .map_err(|err| err.to_string()),
            SlackEventCallbackBody::MemberLeftChannel(left) => self
                .bot()
                .member_left_channel(self.at(), left.channel.value(), left.user.value())
                .await
                .map_err(|err| err.to_string()),
            SlackEventCallbackBody::UserChange(changed) => {
                self.profile_changed(&changed.user).await
            }
            SlackEventCallbackBody::TeamJoin(joined) => self.profile_changed(&joined.user).await,
            other => {
                tracing::debug!(event = ?event_type(other), "ignored an event the bot does not use");
                Ok(())
            }
        };
        if let Err(err) = outcome {
            tracing::error!(event = %callback.event_id, error = %err, "handling an event failed");
        }
    }

    async fn profile_changed(&self, user: &SlackUser) -> Result<(), String> {
        let profile = self
            .chat()
            .profile_of(user)
            .await
            .map_err(|err| err.to_string())?;
        self.bot()
            .profile_changed(self.at(), &profile)
            .await
            .map_err(|err| err.to_string())
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
