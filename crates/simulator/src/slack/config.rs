//! What a simulator is started with: credentials, time, limits, and the company to invent.

use std::time::Duration;

use super::rate_limit::RateLimitPolicy;

/// How long a rotated access token lives, in Slack time: Slack's 12 hours.
pub const SLACK_TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// How the simulated Slack behaves and which credentials it expects.
#[derive(Debug, Clone)]
pub struct SlackSimConfig {
    /// Seeds every generated id and the company; the same seed gives the same workspace.
    pub seed: u64,
    /// How fast Slack time runs: 1.0 is real time; 60.0 makes a Slack minute pass in one
    /// real second (rate-limit windows, Retry-After, event retry back-off, response_url
    /// expiry), keeping every ratio. Timestamps on the wire stay wall-clock.
    pub time_scale: f64,
    /// Enforce Slack's rate limits (HTTP 429 + Retry-After). Default true.
    pub rate_limits: bool,
    /// The rates enforced when `rate_limits` is on.
    pub rate_limit_policy: RateLimitPolicy,
    /// The bot token (`xoxb-…`) every Web API method except apps.connections.open wants.
    pub bot_token: String,
    /// The secret requests to the app are signed with.
    pub signing_secret: String,
    /// The app-level token (`xapp-…`) apps.connections.open wants, for Socket Mode.
    pub app_token: String,
    /// The deprecated verification token Slack still puts in payloads' `token` field.
    pub verification_token: String,
    pub team_id: String,
    pub team_name: String,
    /// The workspace's domain (`{domain}.slack.com`).
    pub team_domain: String,
    /// The app's display name (its bot user's real name).
    pub app_name: String,
    /// Port to listen on (127.0.0.1 only); 0 picks a free one.
    pub port: u16,
    /// The app's OAuth client id (`oauth.v2.access`, `/oauth/v2/authorize`).
    pub client_id: String,
    /// The app's OAuth client secret.
    pub client_secret: String,
    /// Token rotation: installs get expiring `xoxe.xoxb-…` tokens and `xoxe-1-…`
    /// refresh tokens. The configured `bot_token` never expires either way.
    pub token_rotation: bool,
    /// How long a rotated access token lives, in Slack time (scaled by `time_scale`;
    /// `expires_in` reports the real seconds the app has).
    pub token_lifetime: Duration,
}

impl Default for SlackSimConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            time_scale: 1.0,
            rate_limits: true,
            rate_limit_policy: RateLimitPolicy::default(),
            bot_token: "xoxb-0000000001-0000000002-pouroversimulatorbot".into(),
            signing_secret: "8f742231b10e8888abcd99yyyzzz85a5".into(),
            app_token: "xapp-1-A0POUROVER-0000000003-pouroversimulatorapp".into(),
            verification_token: "sim0verification0token00".into(),
            team_id: "T0POUROVER".into(),
            team_name: "Pourover Coffee Co".into(),
            team_domain: "pourover-sim".into(),
            app_name: "Pourover".into(),
            port: 0,
            client_id: "1000000000001.2000000000002".into(),
            client_secret: "sim0client0secret0000000000000000".into(),
            token_rotation: false,
            token_lifetime: SLACK_TOKEN_LIFETIME,
        }
    }
}

/// The company the simulator invents for a workspace.
///
/// Counts are disjoint: `people` active full members, plus `guests`, plus `deactivated`
/// former members, plus `bots` other apps' bot users; Slackbot (`USLACKBOT`) and the app's
/// own bot user always exist on top.
#[derive(Debug, Clone)]
pub struct CompanySpec {
    /// Active full members.
    pub people: usize,
    /// How many departments (the "Department" profile field) people are spread across.
    pub teams: usize,
    /// IANA zones people live in, e.g. "Europe/Berlin"; empty means a spread over
    /// America, Europe and Asia-Pacific.
    pub time_zones: Vec<String>,
    /// How many of the people are admins; the first person is always the primary owner
    /// (an owner is an admin too, as in Slack).
    pub admins: usize,
    /// Other apps' bot users (besides Slackbot and this app's bot).
    pub bots: usize,
    /// Multi- and single-channel guests (`is_restricted` / `is_ultra_restricted`).
    pub guests: usize,
    /// Deactivated members (`deleted: true`); still listed by users.list, as in Slack.
    pub deactivated: usize,
    /// Share of people (0..=1) who are in #coffee; the app's bot is always in it.
    pub coffee_share: f64,
}

impl Default for CompanySpec {
    fn default() -> Self {
        Self {
            people: 20,
            teams: 4,
            time_zones: Vec::new(),
            admins: 2,
            bots: 1,
            guests: 0,
            deactivated: 0,
            coffee_share: 0.6,
        }
    }
}

impl CompanySpec {
    /// A company of `people` across `teams` departments, other fields defaulted.
    pub fn new(people: usize, teams: usize) -> Self {
        Self {
            people,
            teams,
            ..Self::default()
        }
    }
}

/// Another workspace for `SlackSim::add_workspace` (or one of an org's).
#[derive(Debug, Clone)]
pub struct WorkspaceSpec {
    /// `T…`, unique in the simulator.
    pub team_id: String,
    pub team_name: String,
    /// `{domain}.slack.com`; also the people's e-mail domain.
    pub team_domain: String,
    pub company: CompanySpec,
}

impl WorkspaceSpec {
    /// A workspace `team_id` called `name` with `company`; the domain is the name in
    /// lower case with dashes.
    pub fn new(team_id: &str, name: &str, company: CompanySpec) -> Self {
        Self {
            team_id: team_id.to_owned(),
            team_name: name.to_owned(),
            team_domain: name.to_lowercase().replace(' ', "-"),
            company,
        }
    }
}

/// An Enterprise Grid org for `SlackSim::add_org`: several workspaces whose people have
/// org-wide user ids (valid in every workspace of the org), each with its own channels.
#[derive(Debug, Clone)]
pub struct OrgSpec {
    /// `E…`, unique in the simulator.
    pub enterprise_id: String,
    pub name: String,
    /// `{domain}.enterprise.slack.com`.
    pub domain: String,
    /// At least one.
    pub workspaces: Vec<WorkspaceSpec>,
    /// How many of the first workspace's people are also members of every other
    /// workspace of the org (the same user id everywhere).
    pub shared_people: usize,
}

impl OrgSpec {
    pub fn new(enterprise_id: &str, name: &str, workspaces: Vec<WorkspaceSpec>) -> Self {
        Self {
            enterprise_id: enterprise_id.to_owned(),
            name: name.to_owned(),
            domain: name.to_lowercase().replace(' ', "-"),
            workspaces,
            shared_people: 0,
        }
    }
}
