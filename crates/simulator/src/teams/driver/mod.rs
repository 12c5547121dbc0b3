//! The bot driver: sends the bot what Teams sends it — activities POSTed to its
//! messaging endpoint with a Bot Framework token — and reports the answer. Membership
//! helpers change the tenant first, then tell the bot, as Teams does.

mod activities;
mod tokens;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;

pub use tokens::TokenForgery;

use crate::error::SimError;
use crate::sync::lock;
use crate::teams::recorder::ActivityDelivery;
use crate::teams::state::TeamsState;
use crate::teams::tenant::{SimTeam, TeamsUser};

/// How long Teams waits for a bot to answer an activity before giving up on it.
pub const TEAMS_BOT_TIMEOUT: Duration = Duration::from_secs(15);

/// What the bot answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotResponse {
    pub status: u16,
    pub body: String,
}

impl BotResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

/// Sends the bot what Teams sends it. Get one from `TeamsSim::bot`; clones share the
/// simulator.
#[derive(Clone)]
pub struct TeamsBotDriver {
    state: Arc<TeamsState>,
    endpoint: String,
    http: reqwest::Client,
    forgery: Option<TokenForgery>,
    timeout: Duration,
}

impl TeamsBotDriver {
    pub(crate) fn new(state: Arc<TeamsState>, endpoint: String) -> Self {
        Self {
            state,
            endpoint,
            // Plain HTTP on loopback; never through a developer's proxy.
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap_or_default(),
            forgery: None,
            timeout: TEAMS_BOT_TIMEOUT,
        }
    }

    /// The same driver, forging every token in the given way.
    pub fn with_forgery(mut self, forgery: TokenForgery) -> Self {
        self.forgery = Some(forgery);
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn user(&self, id: &str) -> Result<TeamsUser, SimError> {
        lock(&self.state.world).tenant.user(id).cloned()
    }

    fn team(&self, id: &str) -> Result<SimTeam, SimError> {
        lock(&self.state.world).tenant.team(id).cloned()
    }

    fn next_id(&self) -> String {
        self.state.change(|world| world.tenant.next_activity_id())
    }

    /// `user_id` types `text` in their 1:1 chat with the bot.
    pub async fn message(&self, user_id: &str, text: &str) -> Result<BotResponse, SimError> {
        let activity = self.prepare_message(user_id, text)?;
        self.send_activity(activity).await
    }

    /// The activity [`TeamsBotDriver::message`] would send, to send it (again) with
    /// [`TeamsBotDriver::send_activity`], as Teams redelivers what a bot did not answer.
    pub fn prepare_message(&self, user_id: &str, text: &str) -> Result<Value, SimError> {
        let user = self.user(user_id)?;
        let conversation = self
            .state
            .change(|world| world.tenant.personal_conversation(user_id));
        let id = self.next_id();
        Ok(activities::personal_message(
            &self.state,
            &id,
            &user,
            &conversation,
            text,
        ))
    }

    /// `user_id` writes `@Bot text` in the General channel of `team_id`.
    pub async fn channel_message(
        &self,
        team_id: &str,
        user_id: &str,
        text: &str,
    ) -> Result<BotResponse, SimError> {
        let user = self.user(user_id)?;
        let team = self.team(team_id)?;
        if !team.members.contains(&user.id) {
            return Err(SimError::NotAMember {
                user: user.id,
                channel: team.id,
            });
        }
        let id = self.next_id();
        let activity = activities::channel_mention(&self.state, &id, &user, &team, text);
        self.send_activity(activity).await
    }

    /// `user_id` presses the `Action.Submit` titled `title` on the bot's activity
    /// `activity_id` (its latest version) in `conversation_id`.
    pub async fn press_button(
        &self,
        user_id: &str,
        conversation_id: &str,
        activity_id: &str,
        title: &str,
    ) -> Result<BotResponse, SimError> {
        let user = self.user(user_id)?;
        let posted = crate::teams::recorder::TeamsRecorder::new(self.state.clone())
            .activity(conversation_id, activity_id)
            .ok_or_else(|| SimError::MessageNotFound {
                channel: conversation_id.to_owned(),
                ts: activity_id.to_owned(),
            })?;
        let (_, data) = posted
            .buttons()
            .into_iter()
            .find(|(label, _)| label == title)
            .ok_or_else(|| SimError::ActionNotFound {
                wanted: title.to_owned(),
                surface: format!("activity {activity_id}"),
            })?;
        let id = self.next_id();
        let activity =
            activities::card_submit(&self.state, &id, &user, conversation_id, activity_id, data);
        self.send_activity(activity).await
    }

    /// `installer_id` adds the bot to `team_id`.
    pub async fn install_in_team(
        &self,
        team_id: &str,
        installer_id: &str,
    ) -> Result<BotResponse, SimError> {
        self.set_bot_installed(team_id, installer_id, true).await
    }

    /// `by_id` removes the bot from `team_id`.
    pub async fn uninstall_from_team(
        &self,
        team_id: &str,
        by_id: &str,
    ) -> Result<BotResponse, SimError> {
        self.set_bot_installed(team_id, by_id, false).await
    }

    /// Adds the bot to a team or removes it, as `by_id`, and tells the bot as Teams does: a
    /// `conversationUpdate` with the bot among the members added or removed.
    async fn set_bot_installed(
        &self,
        team_id: &str,
        by_id: &str,
        installed: bool,
    ) -> Result<BotResponse, SimError> {
        let by = self.user(by_id)?;
        let team = self.state.change(|world| {
            let team = world.tenant.team_mut(team_id)?;
            team.bot_installed = installed;
            Ok::<_, SimError>(team.clone())
        })?;
        let id = self.next_id();
        let bot = vec![activities::bot_ref(&self.state)];
        let (added, removed) = if installed {
            (bot, Vec::new())
        } else {
            (Vec::new(), bot)
        };
        let activity = activities::team_member_update(&self.state, &id, &by, &team, added, removed);
        self.send_activity(activity).await
    }

    /// `user_id` joins `team_id`; the bot hears of it only if it is installed there.
    pub async fn add_to_team(
        &self,
        team_id: &str,
        user_id: &str,
    ) -> Result<Option<BotResponse>, SimError> {
        let user = self.user(user_id)?;
        let team = self.state.change(|world| {
            let team = world.tenant.team_mut(team_id)?;
            if !team.members.contains(&user.id) {
                team.members.push(user.id.clone());
            }
            Ok::<_, SimError>(team.clone())
        })?;
        if !team.bot_installed {
            return Ok(None);
        }
        let id = self.next_id();
        let added = vec![activities::member_ref(&user)];
        let activity =
            activities::team_member_update(&self.state, &id, &user, &team, added, Vec::new());
        self.send_activity(activity).await.map(Some)
    }

    /// `user_id` leaves `team_id`; the bot hears of it only if it is installed there.
    pub async fn remove_from_team(
        &self,
        team_id: &str,
        user_id: &str,
    ) -> Result<Option<BotResponse>, SimError> {
        let user = self.user(user_id)?;
        let team = self.state.change(|world| {
            let team = world.tenant.team_mut(team_id)?;
            team.members.retain(|member| member != &user.id);
            Ok::<_, SimError>(team.clone())
        })?;
        if !team.bot_installed {
            return Ok(None);
        }
        let id = self.next_id();
        let removed = vec![activities::member_ref(&user)];
        let activity =
            activities::team_member_update(&self.state, &id, &user, &team, Vec::new(), removed);
        self.send_activity(activity).await.map(Some)
    }

    /// POSTs `activity` to the bot with a token for its `serviceUrl` (forged as this
    /// driver was told), and records the delivery.
    pub async fn send_activity(&self, activity: Value) -> Result<BotResponse, SimError> {
        let service_url = activity
            .get("serviceUrl")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let authorization = tokens::authorization(&self.state, &service_url, self.forgery)?;
        let mut request = self
            .http
            .post(&self.endpoint)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(
                reqwest::header::USER_AGENT,
                "Microsoft-SkypeBotApi (Microsoft-BotFramework/3.0)",
            )
            .timeout(self.timeout)
            .body(activity.to_string());
        if let Some(authorization) = authorization {
            request = request.header(reqwest::header::AUTHORIZATION, authorization);
        }
        let result = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let body = response.text().await?;
            Ok::<_, reqwest::Error>(BotResponse { status, body })
        }
        .await
        .map_err(|error| {
            if error.is_timeout() {
                SimError::AppTimeout(self.timeout)
            } else {
                SimError::AppRequest(error)
            }
        });
        let status = result.as_ref().ok().map(|response| response.status);
        let forgery = self.forgery;
        self.state.change(|world| {
            world.journal.deliveries.push(ActivityDelivery {
                activity,
                forgery,
                status,
                at: SystemTime::now(),
            })
        });
        result
    }
}
