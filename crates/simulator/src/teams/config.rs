//! What a Teams simulator is started with: the bot's registration, time, limits, and the
//! tenant to invent.

use std::time::Duration;

use super::rate_limit::ConnectorRateLimits;

/// How the simulated Microsoft Teams behaves and which credentials it expects.
#[derive(Debug, Clone)]
pub struct TeamsSimConfig {
    /// Seeds every generated id, the tenant's people and the signing key.
    pub seed: u64,
    /// How fast Teams time runs: 60.0 makes the documented "per 30 seconds" windows pass
    /// in half a real second. `Retry-After` and token lifetimes are scaled too; JWT
    /// timestamps stay wall-clock (the bot compares them with its own clock).
    pub time_scale: f64,
    /// Enforce the connector's rate limits (HTTP 429 + Retry-After). Default true.
    pub rate_limits: bool,
    pub rate_limit_policy: ConnectorRateLimits,
    /// The bot's Microsoft App ID (a GUID); tokens to the bot carry it as `aud`.
    pub app_id: String,
    /// The client secret the token endpoint expects.
    pub app_password: String,
    pub tenant_id: String,
    /// The bot's display name, as mentions show it (`<at>Pourover</at>`).
    pub bot_name: String,
    /// How long an access token from the token endpoint lasts (Teams time).
    pub token_lifetime: Duration,
    /// Port to listen on (127.0.0.1 only); 0 picks a free one.
    pub port: u16,
}

impl Default for TeamsSimConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            time_scale: 1.0,
            rate_limits: true,
            rate_limit_policy: ConnectorRateLimits::default(),
            app_id: "00000000-5eed-4c0f-fee0-00000000b07a".into(),
            app_password: "sim~app~password~not~a~real~secret".into(),
            tenant_id: "72f988bf-0000-4000-8000-00000000ten7".into(),
            bot_name: "Pourover".into(),
            token_lifetime: Duration::from_secs(3600),
            port: 0,
        }
    }
}

/// One team of the tenant: its name and how many of the tenant's people are in it (the
/// first `members` people, in the tenant's order).
#[derive(Debug, Clone)]
pub struct TeamSpec {
    pub name: String,
    pub members: usize,
}

impl TeamSpec {
    pub fn new(name: &str, members: usize) -> Self {
        Self {
            name: name.to_owned(),
            members,
        }
    }
}

/// The tenant the simulator invents.
#[derive(Debug, Clone)]
pub struct TenantSpec {
    /// Members of the organisation (`userRole: "user"`).
    pub people: usize,
    /// External guests (`userRole: "guest"`); all of them are in the first team.
    pub guests: usize,
    pub teams: Vec<TeamSpec>,
    /// IANA zones people's Teams clients report (`localTimezone`), dealt round-robin;
    /// empty means a spread over America, Europe and Asia-Pacific.
    pub time_zones: Vec<String>,
}

impl Default for TenantSpec {
    fn default() -> Self {
        Self {
            people: 12,
            guests: 1,
            teams: vec![
                TeamSpec::new("Coffee Lovers", 8),
                TeamSpec::new("Platform Engineering", 5),
            ],
            time_zones: Vec::new(),
        }
    }
}

impl TenantSpec {
    /// `people` people, all in one team called `team`, no guests.
    pub fn one_team(team: &str, people: usize) -> Self {
        Self {
            people,
            guests: 0,
            teams: vec![TeamSpec::new(team, people)],
            time_zones: Vec::new(),
        }
    }
}
