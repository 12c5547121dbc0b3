//! The Web API methods the simulator serves: their rate tier, which token they want, the
//! parameters they read, and which of those Slack's 2020 OpenAPI spec predates.

use crate::slack::rate_limit::RateClass;

/// Which token a method wants in `Authorization: Bearer …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// The bot token (`xoxb-…`).
    Bot,
    /// The app-level token (`xapp-…`), Socket Mode only.
    App,
    /// No token: the app's client id and secret (HTTP Basic or parameters), as
    /// `oauth.v2.access` takes them.
    Client,
}

/// Something the simulator serves that the OpenAPI spec (2020) does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewerThanSpec {
    /// The parameter, or `None` for the method itself.
    pub param: Option<&'static str>,
    pub reason: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodSpec {
    pub name: &'static str,
    pub rate: RateClass,
    pub token: TokenKind,
    /// Every parameter a handler reads (besides `token`).
    pub params: &'static [&'static str],
    pub newer_than_spec: &'static [NewerThanSpec],
}

const METADATA_IS_NEWER: NewerThanSpec = NewerThanSpec {
    param: Some("metadata"),
    reason: "message metadata shipped in 2022; slack-morphism sends it in SlackMessageContent",
};

/// Token rotation (2021) is newer than the spec; slack-morphism's client has no refresh call,
/// Slack's SDKs (Bolt) send these.
const ROTATION_IS_NEWER: &str = "token rotation (2021): oauth.v2.access exchanges a refresh token with grant_type=refresh_token";

/// Org-wide apps name the workspace they act in.
const ORG_TEAM_ID_IS_NEWER: NewerThanSpec = NewerThanSpec {
    param: Some("team_id"),
    reason: "org-wide apps (Enterprise Grid, 2020-09) pass team_id; slack-morphism's request models send it",
};

pub(crate) const SERVED_METHODS: &[MethodSpec] = &[
    MethodSpec {
        name: "oauth.v2.access",
        rate: RateClass::Tier4,
        token: TokenKind::Client,
        params: &[
            "client_id",
            "client_secret",
            "code",
            "redirect_uri",
            "grant_type",
            "refresh_token",
        ],
        newer_than_spec: &[
            NewerThanSpec {
                param: Some("grant_type"),
                reason: ROTATION_IS_NEWER,
            },
            NewerThanSpec {
                param: Some("refresh_token"),
                reason: ROTATION_IS_NEWER,
            },
        ],
    },
    MethodSpec {
        name: "team.info",
        rate: RateClass::Tier3,
        token: TokenKind::Bot,
        params: &["team"],
        newer_than_spec: &[],
    },
    MethodSpec {
        name: "auth.test",
        rate: RateClass::AuthTest,
        token: TokenKind::Bot,
        params: &[],
        newer_than_spec: &[],
    },
    MethodSpec {
        name: "apps.connections.open",
        rate: RateClass::Tier1,
        token: TokenKind::App,
        params: &[],
        newer_than_spec: &[NewerThanSpec {
            param: None,
            reason: "Socket Mode (2020-11) is newer than the spec; slack-morphism's Socket Mode client calls it",
        }],
    },
    MethodSpec {
        name: "users.list",
        rate: RateClass::Tier2,
        token: TokenKind::Bot,
        params: &["cursor", "limit", "include_locale", "team_id"],
        newer_than_spec: &[ORG_TEAM_ID_IS_NEWER],
    },
    MethodSpec {
        name: "users.info",
        rate: RateClass::Tier4,
        token: TokenKind::Bot,
        params: &["user", "include_locale"],
        newer_than_spec: &[],
    },
    MethodSpec {
        name: "users.profile.get",
        rate: RateClass::Tier4,
        token: TokenKind::Bot,
        params: &["user", "include_labels"],
        newer_than_spec: &[],
    },
    MethodSpec {
        name: "team.profile.get",
        rate: RateClass::Tier3,
        token: TokenKind::Bot,
        params: &["visibility"],
        newer_than_spec: &[],
    },
    MethodSpec {
        name: "conversations.members",
        rate: RateClass::Tier4,
        token: TokenKind::Bot,
        params: &["channel", "cursor", "limit"],
        newer_than_spec: &[],
    },
    MethodSpec {
        name: "conversations.list",
        rate: RateClass::Tier2,
        token: TokenKind::Bot,
        params: &["cursor", "limit", "types", "exclude_archived", "team_id"],
        newer_than_spec: &[ORG_TEAM_ID_IS_NEWER],
    },
    MethodSpec {
        name: "conversations.info",
        rate: RateClass::Tier3,
        token: TokenKind::Bot,
        params: &["channel", "include_num_members", "include_locale"],
        newer_than_spec: &[],
    },
    MethodSpec {
        name: "conversations.open",
        rate: RateClass::Tier3,
        token: TokenKind::Bot,
        params: &["channel", "users", "return_im"],
        newer_than_spec: &[],
    },
    MethodSpec {
        name: "conversations.history",
        rate: RateClass::Tier3,
        token: TokenKind::Bot,
        params: &[
            "channel",
            "cursor",
            "limit",
            "latest",
            "oldest",
            "inclusive",
            "include_all_metadata",
        ],
        newer_than_spec: &[NewerThanSpec {
            param: Some("include_all_metadata"),
            reason: "returns message metadata (2022); slack-morphism's SlackApiConversationsHistoryRequest sends it",
        }],
    },
    MethodSpec {
        name: "chat.postMessage",
        rate: RateClass::Posting,
        token: TokenKind::Bot,
        params: &["channel", "text", "blocks", "metadata", "thread_ts"],
        newer_than_spec: &[METADATA_IS_NEWER],
    },
    MethodSpec {
        name: "chat.postEphemeral",
        rate: RateClass::Tier4,
        token: TokenKind::Bot,
        params: &["channel", "user", "text", "blocks", "thread_ts"],
        newer_than_spec: &[],
    },
    MethodSpec {
        name: "chat.update",
        rate: RateClass::Tier3,
        token: TokenKind::Bot,
        params: &["channel", "ts", "text", "blocks", "metadata"],
        newer_than_spec: &[METADATA_IS_NEWER],
    },
    MethodSpec {
        name: "views.publish",
        rate: RateClass::Tier4,
        token: TokenKind::Bot,
        params: &["user_id", "view", "hash"],
        newer_than_spec: &[],
    },
];

const ORG_WIDE_APPS: &str =
    "org-wide apps (Enterprise Grid, 2020-09) act in a workspace of their org";
const OAUTH_V2_ACCESS_HAS_NO_ENUM: &str =
    "the spec gives oauth.v2.access no error enum; Slack's method page lists it";

/// Error codes answered across methods — token and workspace refusals, and
/// oauth.v2.access's — with a reason when no error enum of the (2020) spec lists them.
pub const CROSS_METHOD_ERRORS: &[(&str, Option<&str>)] = &[
    ("not_authed", None),
    ("invalid_auth", None),
    ("account_inactive", None),
    ("token_revoked", None),
    ("not_allowed_token_type", None),
    ("team_not_found", None),
    ("invalid_client_id", None),
    ("bad_client_secret", None),
    ("token_expired", Some(ROTATION_IS_NEWER)),
    ("invalid_refresh_token", Some(ROTATION_IS_NEWER)),
    ("invalid_grant_type", Some(ROTATION_IS_NEWER)),
    ("team_access_not_granted", Some(ORG_WIDE_APPS)),
    ("missing_argument", Some(ORG_WIDE_APPS)),
    ("invalid_code", Some(OAUTH_V2_ACCESS_HAS_NO_ENUM)),
    ("bad_redirect_uri", Some(OAUTH_V2_ACCESS_HAS_NO_ENUM)),
];

/// Fields of answers the simulator adds that the spec's schema or example for that
/// method lacks: (method, field, reason).
pub const RESPONSE_FIELDS_NEWER_THAN_SPEC: &[(&str, &str, &str)] = &[
    ("oauth.v2.access", "refresh_token", ROTATION_IS_NEWER),
    ("oauth.v2.access", "expires_in", ROTATION_IS_NEWER),
    ("oauth.v2.access", "is_enterprise_install", ORG_WIDE_APPS),
    ("auth.test", "enterprise_id", ORG_WIDE_APPS),
];

/// The served method called `name`.
pub(crate) fn lookup(name: &str) -> Option<&'static MethodSpec> {
    SERVED_METHODS.iter().find(|spec| spec.name == name)
}

/// Every method the simulator serves, with its parameters (for conformance tests).
pub fn served_methods() -> &'static [MethodSpec] {
    SERVED_METHODS
}
