//! Changing the workspace under the app, as admins and people do, each change returning
//! the Events API event Slack would send the app (hand it to `SlackAppDriver::event`
//! to deliver it, or drop it to simulate a missed event).

use std::collections::BTreeSet;

use slack_morphism::prelude::*;

use super::render::slack_datetime;
use super::sim_workspace::SimWorkspace;
use super::workspace::{ConversationKind, MessageVersion, SimUser, StoredMessage, Workspace};
use crate::error::SimError;

/// Every Events API event type the simulator itself produces (mutations and the
/// driver's `app_home_opened`), with a reason when Slack's 2020 AsyncAPI spec
/// predates it.
pub const EVENT_TYPES_PRODUCED: &[(&str, Option<&str>)] = &[
    ("user_change", None),
    ("team_join", None),
    ("member_joined_channel", None),
    ("member_left_channel", None),
    ("message", None),
    ("app_uninstalled", None),
    ("tokens_revoked", None),
    (
        "app_home_opened",
        Some(
            "App Home (2019) is missing from the AsyncAPI spec's topics; slack-morphism models it",
        ),
    ),
];

/// A profile change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileUpdate {
    /// The "Department" custom field.
    Department(String),
    /// The "Team" custom field.
    Team(String),
    Title(String),
    /// An IANA zone; `tz_offset` follows.
    TimeZone(String),
    RealName(String),
}

/// Someone joining the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub real_name: String,
    pub department: String,
    pub team: String,
    /// IANA zone.
    pub tz: String,
    pub is_admin: bool,
    /// A guest: not added to #general.
    pub is_guest: bool,
}

impl NewUser {
    pub fn new(real_name: &str, department: &str, tz: &str) -> Self {
        Self {
            real_name: real_name.to_owned(),
            department: department.to_owned(),
            team: String::new(),
            tz: tz.to_owned(),
            is_admin: false,
            is_guest: false,
        }
    }
}

impl SimWorkspace {
    /// Deactivates `user_id`: `deleted: true`, out of every channel (DMs keep their
    /// history); in an org, everywhere in the org. Slack tells the app with
    /// `user_change`.
    pub fn deactivate_user(&self, user_id: &str) -> Result<SlackEventCallbackBody, SimError> {
        self.edit_user(user_id, true, |user| {
            user.deleted = true;
            Ok(())
        })
    }

    /// Changes a profile field (`user_change` follows, as in Slack).
    pub fn set_profile_field(
        &self,
        user_id: &str,
        update: ProfileUpdate,
    ) -> Result<SlackEventCallbackBody, SimError> {
        self.edit_user(user_id, false, |user| {
            match update {
                ProfileUpdate::Department(value) => user.team = value,
                ProfileUpdate::Team(value) => user.squad = value,
                ProfileUpdate::Title(value) => user.title = value,
                ProfileUpdate::RealName(value) => user.real_name = value,
                ProfileUpdate::TimeZone(zone) => user.set_time_zone(&zone)?,
            }
            Ok(())
        })
    }

    /// Adds someone to the workspace (and to #general unless a guest); Slack sends
    /// `team_join`.
    pub fn add_user(
        &self,
        new_user: NewUser,
    ) -> Result<(SimUser, SlackEventCallbackBody), SimError> {
        let user = self.state.change(|world| {
            let workspace = self.workspace_mut(world)?;
            let domain = workspace.team.domain.clone();
            let id = workspace.new_id("U");
            let handle = unique_handle(workspace, &new_user.real_name);
            let mut user =
                SimUser::person(id, handle.clone(), new_user.real_name.clone(), &new_user.tz)?;
            user.email = Some(format!("{handle}@{domain}.example.com"));
            user.team = new_user.department.clone();
            user.squad = new_user.team.clone();
            user.is_admin = new_user.is_admin;
            user.is_restricted = new_user.is_guest;
            if !new_user.is_guest {
                for conversation in workspace.conversations.values_mut() {
                    if conversation.is_general {
                        conversation.members.insert(user.id.clone());
                    }
                }
            }
            workspace.users.insert(user.id.clone(), user.clone());
            // Org-wide ids: the newcomer is known in the org's other workspaces too.
            for team in self.org_siblings(world) {
                if let Some(other) = world.workspace_mut(&team) {
                    other.users.insert(user.id.clone(), user.clone());
                    other.other_org_members.insert(user.id.clone());
                }
            }
            Ok::<_, SimError>(user)
        })?;
        let event = SlackTeamJoinEvent::new(self.slack_user(&user, false)?);
        Ok((user, SlackEventCallbackBody::TeamJoin(event)))
    }

    /// `user_id` joins a channel. Slack sends `member_joined_channel` only to apps in
    /// that channel, so the event is `None` when the app's bot is not a member.
    pub fn join_channel(
        &self,
        user_id: &str,
        channel_id: &str,
    ) -> Result<Option<SlackEventCallbackBody>, SimError> {
        self.change_membership(user_id, channel_id, true)
    }

    /// `user_id` leaves a channel (`member_left_channel`, same rule as joining).
    pub fn leave_channel(
        &self,
        user_id: &str,
        channel_id: &str,
    ) -> Result<Option<SlackEventCallbackBody>, SimError> {
        self.change_membership(user_id, channel_id, false)
    }

    /// `user_id` writes `text` in a conversation they are in. Returns the message's `ts`
    /// and the `message` event, `None` when the app's bot cannot see the conversation.
    pub fn post_as_user(
        &self,
        user_id: &str,
        channel_id: &str,
        text: &str,
    ) -> Result<(String, Option<SlackEventCallbackBody>), SimError> {
        let ts = self.state.clock.next_message_ts();
        let now = self.state.now();
        let (kind, bot_sees_it) = self.state.change(|world| {
            let workspace = self.workspace_mut(world)?;
            let bot = workspace.bot_user_id.clone();
            let conversation = workspace
                .conversation_mut(channel_id)
                .ok_or_else(|| SimError::ConversationNotFound(channel_id.to_owned()))?;
            if !conversation.members.contains(user_id) {
                return Err(SimError::NotAMember {
                    user: user_id.to_owned(),
                    channel: channel_id.to_owned(),
                });
            }
            conversation.push_message(StoredMessage {
                ts: ts.clone(),
                user: user_id.to_owned(),
                bot_id: None,
                app_id: None,
                thread_ts: None,
                current: MessageVersion {
                    text: Some(text.to_owned()),
                    blocks: None,
                    metadata: None,
                    at: now,
                },
                earlier: Vec::new(),
                deleted: false,
                edited_ts: None,
            });
            Ok((conversation.kind, conversation.members.contains(&bot)))
        })?;
        let event = bot_sees_it.then(|| {
            SlackEventCallbackBody::Message(
                SlackMessageEvent::new(
                    SlackMessageOrigin::new(ts.clone().into())
                        .with_channel(channel_id.to_owned().into())
                        .with_channel_type(SlackChannelType(kind.channel_type().to_owned())),
                    SlackMessageSender::new().with_user(user_id.to_owned().into()),
                )
                .with_content(SlackMessageContent::new().with_text(text.to_owned())),
            )
        });
        Ok((ts, event))
    }

    fn edit_user(
        &self,
        user_id: &str,
        leave_channels: bool,
        edit: impl FnOnce(&mut SimUser) -> Result<(), SimError>,
    ) -> Result<SlackEventCallbackBody, SimError> {
        let now = self.state.now();
        let user = self.state.change(|world| {
            let mut user = self
                .workspace_mut(world)?
                .user(user_id)
                .cloned()
                .ok_or_else(|| SimError::UserNotFound(user_id.to_owned()))?;
            edit(&mut user)?;
            user.updated = now;
            // One person, one record: in an org every workspace that knows them sees it.
            let mut teams = self.org_siblings(world);
            teams.push(self.team_id.clone());
            for team in teams {
                let Some(workspace) = world.workspace_mut(&team) else {
                    continue;
                };
                if !workspace.users.contains_key(&user.id) {
                    continue;
                }
                workspace.users.insert(user.id.clone(), user.clone());
                if leave_channels {
                    for conversation in workspace.conversations.values_mut() {
                        if conversation.is_channel() {
                            conversation.members.remove(&user.id);
                        }
                    }
                }
            }
            Ok::<_, SimError>(user)
        })?;
        let event = SlackUserChangeEvent::new(
            // user_change carries custom profile fields (unlike users.info).
            self.slack_user(&user, true)?,
            self.state.clock.next_message_ts().into(),
            slack_datetime(now),
        );
        Ok(SlackEventCallbackBody::UserChange(event))
    }

    fn change_membership(
        &self,
        user_id: &str,
        channel_id: &str,
        join: bool,
    ) -> Result<Option<SlackEventCallbackBody>, SimError> {
        let team: SlackTeamId = self.team_id.clone().into();
        let (kind, bot_is_member) = self.state.change(|world| {
            let workspace = self.workspace_mut(world)?;
            let bot = workspace.bot_user_id.clone();
            let user_exists = workspace.user(user_id).is_some_and(|user| !user.deleted);
            if !user_exists {
                return Err(SimError::UserNotFound(user_id.to_owned()));
            }
            let conversation = workspace
                .conversation_mut(channel_id)
                .filter(|conversation| conversation.is_channel())
                .ok_or_else(|| SimError::ConversationNotFound(channel_id.to_owned()))?;
            if join {
                conversation.members.insert(user_id.to_owned());
            } else {
                conversation.members.remove(user_id);
            }
            Ok((conversation.kind, conversation.members.contains(&bot)))
        })?;
        if !bot_is_member {
            return Ok(None);
        }
        let channel_type = SlackChannelType(
            if kind == ConversationKind::PublicChannel {
                "C"
            } else {
                "G"
            }
            .to_owned(),
        );
        let event = if join {
            SlackEventCallbackBody::MemberJoinedChannel(SlackMemberJoinedChannelEvent::new(
                user_id.to_owned().into(),
                channel_id.to_owned().into(),
                channel_type,
                team,
            ))
        } else {
            SlackEventCallbackBody::MemberLeftChannel(SlackMemberLeftChannelEvent::new(
                user_id.to_owned().into(),
                channel_id.to_owned().into(),
                channel_type,
                team,
            ))
        };
        Ok(Some(event))
    }
}

fn unique_handle(workspace: &Workspace, real_name: &str) -> String {
    let base: String = real_name
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(".")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let taken: BTreeSet<&str> = workspace
        .users
        .values()
        .map(|user| user.name.as_str())
        .collect();
    let mut handle = base.clone();
    let mut suffix = 2;
    while taken.contains(handle.as_str()) {
        handle = format!("{base}{suffix}");
        suffix += 1;
    }
    handle
}
