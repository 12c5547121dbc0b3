//! `TeamsChat`: the `Chat` seam for one Teams tenant, over the Bot Connector.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use serde_json::Value;

use super::connector::{Connector, TeamsMember};
use super::directory::Directory;
use super::render::{self, Names};
use super::token::AccessTokens;
use super::{TeamsConfig, TeamsError};
use crate::chat::{Chat, ChatError, IntroFanout, Message, Posted};
use crate::commands::Reply;
use crate::domain::MemberProfile;

/// Where proactive messages go before any activity told us (Microsoft's global
/// endpoint for proactive messaging in the commercial cloud).
pub const DEFAULT_SERVICE_URL: &str = "https://smba.trafficmanager.net/teams/";

/// Teams for one tenant. Cheap to clone; clones share caches, tokens and pacing.
#[derive(Debug, Clone)]
pub struct TeamsChat {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    tenant_id: String,
    /// `28:{app id}`: how Teams names the bot in activities and mentions.
    bot_id: String,
    /// Platform user ids and Entra object ids that are admins (`POUROVER_ADMINS`).
    admins: Vec<String>,
    connector: Connector,
    directory: Directory,
    service_url: RwLock<String>,
}

impl TeamsChat {
    /// `service_url` is where the tenant's activities last came from (remembered in the
    /// database), if known.
    pub fn new(config: &TeamsConfig, service_url: Option<String>) -> Result<Self, TeamsError> {
        let http = super::http_client()?;
        let tokens = AccessTokens::new(
            http.clone(),
            config.token_url.clone(),
            config.app_id.clone(),
            config.app_password.clone(),
        );
        Ok(Self {
            inner: Arc::new(Inner {
                tenant_id: config.tenant_id.clone(),
                bot_id: format!("28:{}", config.app_id),
                admins: config.admins.clone(),
                connector: Connector::new(http, tokens),
                directory: Directory::default(),
                service_url: RwLock::new(
                    service_url.unwrap_or_else(|| DEFAULT_SERVICE_URL.to_owned()),
                ),
            }),
        })
    }

    pub fn tenant_id(&self) -> &str {
        &self.inner.tenant_id
    }

    pub(crate) fn bot_id(&self) -> &str {
        &self.inner.bot_id
    }

    pub fn service_url(&self) -> String {
        self.inner
            .service_url
            .read()
            .map(|url| url.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    /// An activity arrived from `url`: use it from now on. True when it changed.
    pub(crate) fn set_service_url(&self, url: &str) -> bool {
        let mut current = self
            .inner
            .service_url
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if *current == url {
            return false;
        }
        *current = url.to_owned();
        true
    }

    pub(crate) fn directory(&self) -> &Directory {
        &self.inner.directory
    }

    /// Sends a command's reply: into `conversation_id`, as a reply to `reply_to`.
    pub(crate) async fn send_reply(
        &self,
        conversation_id: &str,
        reply_to: Option<&str>,
        reply: &Reply,
    ) -> Result<(), ChatError> {
        let activity = render::reply_activity(reply, self);
        self.inner
            .connector
            .send(&self.service_url(), conversation_id, reply_to, &activity)
            .await
            .map(drop)
    }

    /// Sends plain neutral text into a conversation.
    pub(crate) async fn send_text(
        &self,
        conversation_id: &str,
        text: &str,
    ) -> Result<(), ChatError> {
        let activity = render::message_activity(&Message::Text(text.to_owned()), None, self);
        self.inner
            .connector
            .send(&self.service_url(), conversation_id, None, &activity)
            .await
            .map(drop)
    }

    fn profile(&self, member: TeamsMember) -> MemberProfile {
        let directory = &self.inner.directory;
        directory.learn_person(&member.id, member.name.as_deref(), None);
        let display_name = member
            .name
            .clone()
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| {
                [member.given_name.as_deref(), member.surname.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ")
            });
        let is_admin = self.inner.admins.iter().any(|admin| {
            admin == &member.id
                || member
                    .aad_object_id
                    .as_deref()
                    .is_some_and(|aad| admin.eq_ignore_ascii_case(aad))
        });
        MemberProfile {
            display_name,
            // Teams' member records carry no department; people set theirs with `team`.
            team: None,
            // Nor a time zone: only the person's own client reports it, on their messages.
            time_zone: directory.time_zone(&member.id),
            utc_offset_minutes: None,
            is_admin,
            is_bot: member.id.starts_with("28:"),
            is_guest: matches!(member.user_role.as_deref(), Some("guest" | "anonymous")),
            deleted: false,
            // Teams never has a team to give, so there is nothing to keep or fetch later.
            without_team_fields: false,
            external_id: member.id,
        }
    }
}

impl Names for TeamsChat {
    fn person(&self, user_id: &str) -> Option<String> {
        self.inner.directory.name(user_id)
    }

    fn team(&self, team_id: &str) -> Option<String> {
        self.inner.directory.team_name(team_id)
    }
}

#[async_trait]
impl Chat for TeamsChat {
    /// Teams bots cannot start group chats: each member gets their own 1:1 message.
    fn intro_fanout(&self) -> IntroFanout {
        IntroFanout::OneMessagePerMember
    }

    async fn open_conversation(&self, members: &[String]) -> Result<String, ChatError> {
        let [user_id] = members else {
            return Err(ChatError::Permanent(format!(
                "Teams bots can only start 1:1 chats, not one with {} people",
                members.len()
            )));
        };
        if let Some(known) = self.inner.directory.personal_conversation(user_id) {
            return Ok(known);
        }
        let conversation = self
            .inner
            .connector
            .create_personal_conversation(
                &self.service_url(),
                &self.inner.bot_id,
                &self.inner.tenant_id,
                user_id,
            )
            .await?;
        self.inner
            .directory
            .learn_personal_conversation(user_id, &conversation);
        Ok(conversation)
    }

    async fn post(
        &self,
        conversation_id: &str,
        message: &Message,
        key: &str,
    ) -> Result<Posted, ChatError> {
        let activity = render::message_activity(message, Some(key), self);
        let message_id = self
            .inner
            .connector
            .send(&self.service_url(), conversation_id, None, &activity)
            .await?;
        Ok(Posted {
            conversation_id: conversation_id.to_owned(),
            message_id,
        })
    }

    /// Always "not found", because Teams gives a bot no way to find out.
    ///
    /// The Bot Connector offers no read access to a conversation's history and no way
    /// to fetch an activity by anything but an id we would have had to receive; posting
    /// takes no idempotency key; and Microsoft Graph's resource-specific consent for
    /// 1:1 chats is limited to read receipts (`ChatMessageReadReceipt.Read.Chat`), so
    /// reading a personal chat would need the tenant-wide, admin-approved
    /// `Chat.Read.All` — not something a self-hosted coffee bot should ask for. The
    /// delivery worker therefore resends; see the README for the guarantee this gives.
    async fn find_posted(
        &self,
        _conversation_id: &str,
        _key: &str,
    ) -> Result<Option<Posted>, ChatError> {
        Ok(None)
    }

    async fn update(&self, posted: &Posted, message: &Message) -> Result<(), ChatError> {
        let mut activity = render::message_activity(message, None, self);
        if let Some(fields) = activity.as_object_mut() {
            fields.insert("id".into(), Value::String(posted.message_id.clone()));
        }
        self.inner
            .connector
            .update(
                &self.service_url(),
                &posted.conversation_id,
                &posted.message_id,
                &activity,
            )
            .await
    }

    async fn user_profile(&self, external_id: &str) -> Result<MemberProfile, ChatError> {
        let places = self.inner.directory.conversations_of(external_id);
        if places.is_empty() {
            return Err(ChatError::Permanent(format!(
                "{external_id} is in no conversation or team the bot knows"
            )));
        }
        let mut last_error = None;
        for place in places {
            match self
                .inner
                .connector
                .member(&self.service_url(), &place, external_id)
                .await
            {
                Ok(member) => return Ok(self.profile(member)),
                // Not in this team: try the next place they might be.
                Err(err @ ChatError::Permanent(_)) => last_error = Some(err),
                Err(err) => return Err(err),
            }
        }
        Err(last_error.unwrap_or_else(|| ChatError::Permanent("member not found".into())))
    }

    /// Everyone in the teams the bot is installed in: Teams has no tenant-wide roster
    /// for bots.
    async fn all_users(&self) -> Result<Vec<MemberProfile>, ChatError> {
        let mut profiles: Vec<MemberProfile> = Vec::new();
        for team in self.inner.directory.teams() {
            for member in self
                .inner
                .connector
                .all_members(&self.service_url(), &team)
                .await?
            {
                if !profiles.iter().any(|p| p.external_id == member.id) {
                    self.inner
                        .directory
                        .learn_person(&member.id, None, Some(&team));
                    profiles.push(self.profile(member));
                }
            }
        }
        Ok(profiles)
    }

    /// A team's members (a Teams team plays the part of a Slack channel).
    async fn channel_members(&self, channel_id: &str) -> Result<Vec<String>, ChatError> {
        let members = self
            .inner
            .connector
            .all_members(&self.service_url(), channel_id)
            .await?;
        let directory = &self.inner.directory;
        directory.learn_team(channel_id, None);
        Ok(members
            .into_iter()
            .map(|member| {
                directory.learn_person(&member.id, member.name.as_deref(), Some(channel_id));
                member.id
            })
            .collect())
    }
}
