//! The Web API methods the bot calls, with the rate tier Slack publishes for each.

/// How Slack limits a method (https://api.slack.com/apis/rate-limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateTier {
    /// "20+ per minute".
    Tier2,
    /// "50+ per minute".
    Tier3,
    /// "100+ per minute".
    Tier4,
    /// chat.postMessage: about one message per second per conversation, plus a
    /// workspace-wide posting budget.
    Posting,
    /// auth.test: "special", far above anything the bot needs.
    Unlimited,
}

/// One Web API method the bot calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiMethod {
    AuthTest,
    ConversationsOpen,
    ConversationsHistory,
    ConversationsMembers,
    ChatPostMessage,
    ChatUpdate,
    UsersInfo,
    UsersList,
    UsersProfileGet,
    TeamProfileGet,
    ViewsPublish,
    /// Not a Web API method: answers to a slash command or button via its `response_url`.
    /// Counted like the others, never paced (Slack allows five posts per URL).
    ResponseUrl,
}

impl ApiMethod {
    pub fn name(self) -> &'static str {
        match self {
            ApiMethod::AuthTest => "auth.test",
            ApiMethod::ConversationsOpen => "conversations.open",
            ApiMethod::ConversationsHistory => "conversations.history",
            ApiMethod::ConversationsMembers => "conversations.members",
            ApiMethod::ChatPostMessage => "chat.postMessage",
            ApiMethod::ChatUpdate => "chat.update",
            ApiMethod::UsersInfo => "users.info",
            ApiMethod::UsersList => "users.list",
            ApiMethod::UsersProfileGet => "users.profile.get",
            ApiMethod::TeamProfileGet => "team.profile.get",
            ApiMethod::ViewsPublish => "views.publish",
            ApiMethod::ResponseUrl => "response_url",
        }
    }

    pub fn tier(self) -> RateTier {
        match self {
            ApiMethod::UsersList => RateTier::Tier2,
            ApiMethod::ConversationsOpen
            | ApiMethod::ConversationsHistory
            | ApiMethod::ChatUpdate
            | ApiMethod::TeamProfileGet => RateTier::Tier3,
            ApiMethod::ConversationsMembers
            | ApiMethod::UsersInfo
            | ApiMethod::UsersProfileGet
            | ApiMethod::ViewsPublish => RateTier::Tier4,
            ApiMethod::ChatPostMessage => RateTier::Posting,
            ApiMethod::AuthTest | ApiMethod::ResponseUrl => RateTier::Unlimited,
        }
    }
}
