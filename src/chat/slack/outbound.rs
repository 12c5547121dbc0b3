//! `impl Chat for SlackChat`: what the rounds, delivery and commands ask of Slack.

use std::collections::HashMap;

use async_trait::async_trait;
use slack_morphism::prelude::*;

use super::api::ApiMethod;
use super::client::SlackChat;
use super::render;
use crate::chat::{Chat, ChatError, HomeView, IntroFanout, Message, Posted};
use crate::domain::MemberProfile;

/// The metadata `event_type` marking the bot's outbox messages.
pub const OUTBOX_EVENT_TYPE: &str = "pourover_outbox";
/// The metadata payload field holding the outbox key.
const OUTBOX_KEY_FIELD: &str = "key";
/// How far back `find_posted` looks: an earlier attempt's message is among the newest, and
/// conversations.history is a Tier 3 method.
const HISTORY_PAGE_SIZE: u16 = 100;
const HISTORY_PAGES: usize = 2;
/// Page size for users.list and conversations.members (Slack recommends at most 200).
const LIST_PAGE_SIZE: u16 = 200;

#[async_trait]
impl Chat for SlackChat {
    fn intro_fanout(&self) -> IntroFanout {
        IntroFanout::OneConversationPerGroup
    }

    async fn open_conversation(&self, members: &[String]) -> Result<String, ChatError> {
        let users = members.iter().map(|id| SlackUserId(id.clone())).collect();
        let request = SlackApiConversationsOpenRequest::new().with_users(users);
        let session = self.session();
        let opened = self
            .send(
                ApiMethod::ConversationsOpen,
                None,
                session.conversations_open(&request),
            )
            .await?;
        Ok(opened.channel.id.to_string())
    }

    async fn post(
        &self,
        conversation_id: &str,
        message: &Message,
        key: &str,
    ) -> Result<Posted, ChatError> {
        let metadata = SlackMessageMetadata::new(OUTBOX_EVENT_TYPE.to_owned()).with_event_payload(
            HashMap::from([(OUTBOX_KEY_FIELD.to_owned(), key.to_owned())]),
        );
        let content = render::message_content(message).with_metadata(metadata);
        let request = SlackApiChatPostMessageRequest::new(
            SlackChannelId(conversation_id.to_owned()),
            content,
        );
        let session = self.session();
        let posted = self
            .send(
                ApiMethod::ChatPostMessage,
                Some(conversation_id),
                session.chat_post_message(&request),
            )
            .await?;
        Ok(Posted {
            conversation_id: posted.channel.to_string(),
            message_id: posted.ts.to_string(),
        })
    }

    async fn find_posted(
        &self,
        conversation_id: &str,
        key: &str,
    ) -> Result<Option<Posted>, ChatError> {
        let session = self.session();
        let mut cursor: Option<SlackCursorId> = None;
        for _ in 0..HISTORY_PAGES {
            let request = SlackApiConversationsHistoryRequest::new()
                .with_channel(SlackChannelId(conversation_id.to_owned()))
                .with_include_all_metadata(true)
                .with_limit(HISTORY_PAGE_SIZE)
                .opt_cursor(cursor.take());
            let page = self
                .send(
                    ApiMethod::ConversationsHistory,
                    None,
                    session.conversations_history(&request),
                )
                .await?;
            // Newest first, as Slack pages history.
            if let Some(found) = page.messages.iter().find(|m| carries_key(m, key)) {
                return Ok(Some(Posted {
                    conversation_id: conversation_id.to_owned(),
                    message_id: found.origin.ts.to_string(),
                }));
            }
            cursor = page
                .response_metadata
                .and_then(|metadata| metadata.next_cursor)
                .filter(|next| !next.0.is_empty());
            if cursor.is_none() {
                break;
            }
        }
        Ok(None)
    }

    async fn update(&self, posted: &Posted, message: &Message) -> Result<(), ChatError> {
        // Without `metadata`, chat.update keeps the message's own: the outbox key stays.
        let request = SlackApiChatUpdateRequest::new(
            SlackChannelId(posted.conversation_id.clone()),
            render::message_content(message),
            SlackTs(posted.message_id.clone()),
        );
        let session = self.session();
        self.send(ApiMethod::ChatUpdate, None, session.chat_update(&request))
            .await
            .map(|_| ())
    }

    async fn user_profile(&self, external_id: &str) -> Result<MemberProfile, ChatError> {
        let request = SlackApiUsersInfoRequest::new(SlackUserId(external_id.to_owned()));
        let session = self.session();
        let answer = self
            .send(ApiMethod::UsersInfo, None, session.users_info(&request))
            .await?;
        self.profile_of(&answer.user).await
    }

    async fn all_users(&self) -> Result<Vec<MemberProfile>, ChatError> {
        let fields = self.team_field_ids().await?;
        let session = self.session();
        let mut profiles = Vec::new();
        let mut cursor: Option<SlackCursorId> = None;
        loop {
            let request = SlackApiUsersListRequest::new()
                .with_limit(LIST_PAGE_SIZE)
                .opt_cursor(cursor.take());
            let page = self
                .send(ApiMethod::UsersList, None, session.users_list(&request))
                .await?;
            profiles.extend(
                page.members
                    .iter()
                    .map(|user| super::profile::member_profile(user, &fields)),
            );
            cursor = page
                .response_metadata
                .and_then(|metadata| metadata.next_cursor)
                .filter(|next| !next.0.is_empty());
            if cursor.is_none() {
                return Ok(profiles);
            }
        }
    }

    async fn channel_members(&self, channel_id: &str) -> Result<Vec<String>, ChatError> {
        let session = self.session();
        let mut members = Vec::new();
        let mut cursor: Option<SlackCursorId> = None;
        loop {
            let request = SlackApiConversationsMembersRequest::new()
                .with_channel(SlackChannelId(channel_id.to_owned()))
                .with_limit(LIST_PAGE_SIZE)
                .opt_cursor(cursor.take());
            let page = self
                .send(
                    ApiMethod::ConversationsMembers,
                    None,
                    session.conversations_members(&request),
                )
                .await?;
            members.extend(page.members.iter().map(|id| id.to_string()));
            cursor = page
                .response_metadata
                .and_then(|metadata| metadata.next_cursor)
                .filter(|next| !next.0.is_empty());
            if cursor.is_none() {
                return Ok(members);
            }
        }
    }

    async fn publish_home(&self, external_id: &str, home: &HomeView) -> Result<(), ChatError> {
        self.publish_home_with_note(external_id, home, None).await
    }
}

impl SlackChat {
    /// Publishes `home` for `external_id`, with `note` (what their last press did) on top.
    pub async fn publish_home_with_note(
        &self,
        external_id: &str,
        home: &HomeView,
        note: Option<&str>,
    ) -> Result<(), ChatError> {
        let request = SlackApiViewsPublishRequest::new(
            SlackUserId(external_id.to_owned()),
            render::home_view(home, note),
        );
        let session = self.session();
        self.send(
            ApiMethod::ViewsPublish,
            None,
            session.views_publish(&request),
        )
        .await
        .map(|_| ())
    }
}

/// Whether `message` is the outbox message carrying `key`.
fn carries_key(message: &SlackHistoryMessage, key: &str) -> bool {
    message.content.metadata.as_ref().is_some_and(|metadata| {
        metadata.event_type == OUTBOX_EVENT_TYPE
            && metadata
                .event_payload
                .as_ref()
                .and_then(|payload| payload.get(OUTBOX_KEY_FIELD))
                .is_some_and(|found| found == key)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn history_message(metadata: serde_json::Value) -> SlackHistoryMessage {
        serde_json::from_value(
            json!({"ts": "1700000000.000100", "text": "hi", "metadata": metadata}),
        )
        .expect("a history message")
    }

    #[test]
    fn only_the_outbox_message_with_the_same_key_matches() {
        let ours = history_message(
            json!({"event_type": "pourover_outbox", "event_payload": {"key": "intro:1:2"}}),
        );
        assert!(carries_key(&ours, "intro:1:2"));
        assert!(!carries_key(&ours, "intro:1:3"));
        let other_app = history_message(
            json!({"event_type": "task_created", "event_payload": {"key": "intro:1:2"}}),
        );
        assert!(!carries_key(&other_app, "intro:1:2"));
        let plain: SlackHistoryMessage =
            serde_json::from_value(json!({"ts": "1.2", "text": "hello"})).expect("a message");
        assert!(!carries_key(&plain, "intro:1:2"));
    }
}
