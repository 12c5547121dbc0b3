//! Layered configuration: built-in defaults < `config/default.toml` < `--config FILE` < env.
//! Secrets are `SecretString`s, so `Debug` and logs can never show them. Every error names
//! the key, where the value came from, and what was expected, on one line.

mod sources;

use std::net::SocketAddr;
use std::path::Path;

use secrecy::SecretString;

pub use sources::{BUILT_IN_DEFAULTS, KEYS, Key, Kind, Origin};
use sources::{Layers, Sourced};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("setting `{key}` ({origin}): expected {expected}{}", got.as_ref().map(|g| format!(", got `{g}`")).unwrap_or_default())]
    Invalid {
        key: String,
        origin: String,
        expected: String,
        /// None for secrets: their values are never echoed.
        got: Option<String>,
    },
    #[error("setting `{key}` is required: {hint}")]
    Missing { key: String, hint: String },
    #[error("unknown setting `{key}` in {origin} (misspelt? see config/default.toml)")]
    Unknown { key: String, origin: String },
    #[error("config file {origin}: {message}")]
    File { origin: String, message: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    /// Platform user ids that are admins besides workspace owners/admins.
    pub admins: Vec<String>,
    pub slack: SlackSettings,
    pub teams: TeamsSettings,
    pub rounds: RoundSettings,
    pub delivery: DeliverySettings,
}

#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub bind: SocketAddr,
    /// How the outside world reaches this bot (for links such as CSV exports); None = unknown.
    pub public_url: Option<String>,
    pub log_format: LogFormat,
    pub max_body_bytes: usize,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers, and then its body.
    pub read_timeout_ms: u64,
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub busy_timeout_ms: u64,
}

#[derive(Debug, Clone)]
pub struct SlackSettings {
    pub bot_token: Option<SecretString>,
    pub signing_secret: Option<SecretString>,
    /// Set: Socket Mode (no public URL needed).
    pub app_token: Option<SecretString>,
    /// Web API base without a trailing slash.
    pub api_url: String,
    pub team_field: String,
    pub team_field_fallback: String,
    pub enroll_guests: bool,
    /// Slack's published rates are divided by this to pace calls; only the simulator's
    /// compressed time makes anything but 1.0 meaningful.
    pub rate_limit_time_scale: f64,
}

impl SlackSettings {
    pub fn enabled(&self) -> bool {
        self.bot_token.is_some()
    }

    pub fn socket_mode(&self) -> bool {
        self.app_token.is_some()
    }
}

/// Microsoft Teams through the Bot Framework. On when an app id is set.
#[derive(Debug, Clone)]
pub struct TeamsSettings {
    /// The bot's Microsoft App ID (Azure Bot registration).
    pub app_id: Option<String>,
    /// Its client secret; required when Teams is on.
    pub app_password: Option<SecretString>,
    /// The Entra tenant this bot serves; required when Teams is on.
    pub tenant_id: Option<String>,
    /// Where Bot Framework publishes the keys its tokens are signed with.
    pub openid_metadata_url: String,
    /// Where the bot gets its own access tokens (client credentials).
    pub token_url: String,
}

impl TeamsSettings {
    pub fn enabled(&self) -> bool {
        self.app_id.is_some()
    }
}

#[derive(Debug, Clone)]
pub struct RoundSettings {
    pub default_cron: String,
    pub group_size: u8,
    pub lookback_rounds: u32,
    pub nudge_after_hours: u32,
    pub close_after_hours: u32,
    pub catch_up_grace_hours: u32,
    pub ghost_pause_after: u32,
    pub tick_seconds: u64,
    pub icebreakers: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DeliverySettings {
    pub workers: usize,
    pub max_attempts: u32,
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    pub lease_seconds: u64,
}

/// Where to look besides the built-in defaults.
#[derive(Debug, Default, Clone)]
pub struct SettingsSources<'a> {
    /// Directory holding `config/default.toml` (usually the working directory); None: skip.
    pub base_dir: Option<&'a Path>,
    /// `--config FILE`.
    pub config_file: Option<&'a Path>,
}

impl Settings {
    /// Loads from the process environment.
    pub fn load(sources: SettingsSources<'_>) -> Result<Self, SettingsError> {
        Self::load_with_env(sources, &|name| std::env::var(name).ok())
    }

    pub fn load_with_env(
        sources: SettingsSources<'_>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, SettingsError> {
        let mut layers = Layers::default();
        layers.merge_toml(BUILT_IN_DEFAULTS, Origin::BuiltIn)?;
        if let Some(dir) = sources.base_dir {
            let shipped = dir.join("config").join("default.toml");
            if shipped.is_file() {
                layers.merge_file(&shipped)?;
            }
        }
        if let Some(file) = sources.config_file {
            layers.merge_file(file)?;
        }
        layers.merge_env(env)?;
        Self::from_layers(&layers)
    }

    fn from_layers(layers: &Layers) -> Result<Self, SettingsError> {
        let read = Reader { layers };
        let settings = Settings {
            server: ServerSettings {
                bind: read.parsed("server.bind", "a socket address such as 127.0.0.1:3000")?,
                public_url: read
                    .opt_text("server.public_url")?
                    .map(|url| url.trim_end_matches('/').to_string()),
                log_format: match read.text("server.log_format")?.as_str() {
                    "text" => LogFormat::Text,
                    "json" => LogFormat::Json,
                    _ => return Err(read.invalid("server.log_format", "`text` or `json`")),
                },
                max_body_bytes: read.int_in("server.max_body_bytes", 1024..=64 << 20)? as usize,
                max_connections: read.int_in("server.max_connections", 1..=65_536)? as usize,
                read_timeout_ms: read.int_in("server.read_timeout_ms", 100..=600_000)? as u64,
            },
            database: DatabaseSettings {
                url: read.database_url()?,
                max_connections: read.int_in("database.max_connections", 1..=256)? as u32,
                busy_timeout_ms: read.int_in("database.busy_timeout_ms", 0..=600_000)? as u64,
            },
            admins: read.list("admins")?,
            slack: SlackSettings {
                bot_token: read.secret("slack.bot_token")?,
                signing_secret: read.secret("slack.signing_secret")?,
                app_token: read.secret("slack.app_token")?,
                api_url: read.http_url("slack.api_url")?,
                team_field: read.text("slack.team_field")?,
                team_field_fallback: read.text("slack.team_field_fallback")?,
                enroll_guests: read.bool("slack.enroll_guests")?,
                rate_limit_time_scale: read.positive_float("slack.rate_limit_time_scale")?,
            },
            teams: TeamsSettings {
                app_id: read.opt_text("teams.app_id")?,
                app_password: read.secret("teams.app_password")?,
                tenant_id: read.opt_text("teams.tenant_id")?,
                openid_metadata_url: read.http_url("teams.openid_metadata_url")?,
                token_url: read.http_url("teams.token_url")?,
            },
            rounds: RoundSettings {
                default_cron: read.text("rounds.default_cron")?,
                group_size: read.int_in("rounds.group_size", 2..=8)? as u8,
                lookback_rounds: read.int_in("rounds.lookback_rounds", 0..=1000)? as u32,
                nudge_after_hours: read.int_in("rounds.nudge_after_hours", 1..=24 * 60)? as u32,
                close_after_hours: read.int_in("rounds.close_after_hours", 1..=24 * 90)? as u32,
                catch_up_grace_hours: read.int_in("rounds.catch_up_grace_hours", 0..=24 * 30)?
                    as u32,
                ghost_pause_after: read.int_in("rounds.ghost_pause_after", 0..=100)? as u32,
                tick_seconds: read.int_in("rounds.tick_seconds", 1..=3600)? as u64,
                icebreakers: read.list("rounds.icebreakers")?,
            },
            delivery: DeliverySettings {
                workers: read.int_in("delivery.workers", 1..=64)? as usize,
                max_attempts: read.int_in("delivery.max_attempts", 1..=100)? as u32,
                backoff_base_ms: read.int_in("delivery.backoff_base_ms", 1..=3_600_000)? as u64,
                backoff_max_ms: read.int_in("delivery.backoff_max_ms", 1..=86_400_000)? as u64,
                lease_seconds: read.int_in("delivery.lease_seconds", 1..=3600)? as u64,
            },
        };
        if settings.slack.enabled()
            && !settings.slack.socket_mode()
            && settings.slack.signing_secret.is_none()
        {
            return Err(SettingsError::Missing {
                key: "slack.signing_secret".into(),
                hint: "set SLACK_SIGNING_SECRET (Slack app → Basic Information → Signing Secret) \
                       so requests from Slack can be verified, or SLACK_APP_TOKEN for Socket Mode"
                    .into(),
            });
        }
        if settings.slack.socket_mode() && !settings.slack.enabled() {
            return Err(SettingsError::Missing {
                key: "slack.bot_token".into(),
                hint: "Socket Mode (SLACK_APP_TOKEN) also needs SLACK_BOT_TOKEN (xoxb-…)".into(),
            });
        }
        if settings.teams.enabled() && settings.teams.app_password.is_none() {
            return Err(SettingsError::Missing {
                key: "teams.app_password".into(),
                hint: "Teams is on (TEAMS_APP_ID is set), so set TEAMS_APP_PASSWORD (or \
                       TEAMS_APP_PASSWORD_FILE) to the bot's client secret"
                    .into(),
            });
        }
        if settings.teams.enabled() && settings.teams.tenant_id.is_none() {
            return Err(SettingsError::Missing {
                key: "teams.tenant_id".into(),
                hint: "Teams is on (TEAMS_APP_ID is set), so set TEAMS_TENANT_ID to the \
                       Microsoft Entra tenant (directory) id the bot serves"
                    .into(),
            });
        }
        Ok(settings)
    }
}

/// Typed reads from the merged layers; every failure names the key and its origin.
struct Reader<'a> {
    layers: &'a Layers,
}

impl Reader<'_> {
    fn sourced(&self, key: &str) -> Result<&Sourced, SettingsError> {
        self.layers.get(key).ok_or_else(|| SettingsError::Missing {
            key: key.to_string(),
            hint: "it has no default; see config/default.toml".to_string(),
        })
    }

    fn is_secret(key: &str) -> bool {
        sources::find_key(key).is_some_and(|k| k.secret)
    }

    fn invalid(&self, key: &str, expected: &str) -> SettingsError {
        let sourced = self.layers.get(key);
        SettingsError::Invalid {
            key: key.to_string(),
            origin: sourced
                .map(|s| s.origin.to_string())
                .unwrap_or_else(|| "unset".into()),
            expected: expected.to_string(),
            got: sourced
                .filter(|_| !Self::is_secret(key))
                .map(|s| display_value(&s.value)),
        }
    }

    fn text(&self, key: &str) -> Result<String, SettingsError> {
        match &self.sourced(key)?.value {
            toml::Value::String(text) => Ok(text.clone()),
            _ => Err(self.invalid(key, "a string")),
        }
    }

    /// Empty strings count as unset, so `SLACK_APP_TOKEN=` in a `.env` file disables a feature.
    fn opt_text(&self, key: &str) -> Result<Option<String>, SettingsError> {
        match self.layers.get(key).map(|s| &s.value) {
            None => Ok(None),
            Some(toml::Value::String(text)) if text.trim().is_empty() => Ok(None),
            Some(toml::Value::String(text)) => Ok(Some(text.trim().to_string())),
            Some(_) => Err(self.invalid(key, "a string")),
        }
    }

    fn secret(&self, key: &str) -> Result<Option<SecretString>, SettingsError> {
        Ok(self.opt_text(key)?.map(SecretString::from))
    }

    fn parsed<T: std::str::FromStr>(&self, key: &str, expected: &str) -> Result<T, SettingsError> {
        self.text(key)?
            .trim()
            .parse()
            .map_err(|_| self.invalid(key, expected))
    }

    fn int_in(
        &self,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<i64, SettingsError> {
        let expected = format!("an integer from {} to {}", range.start(), range.end());
        match self.sourced(key)?.value {
            toml::Value::Integer(n) if range.contains(&n) => Ok(n),
            _ => Err(self.invalid(key, &expected)),
        }
    }

    fn positive_float(&self, key: &str) -> Result<f64, SettingsError> {
        let value = match self.sourced(key)?.value {
            toml::Value::Float(f) => f,
            toml::Value::Integer(n) => n as f64,
            _ => f64::NAN,
        };
        if value.is_finite() && value > 0.0 {
            Ok(value)
        } else {
            Err(self.invalid(key, "a number greater than 0"))
        }
    }

    fn bool(&self, key: &str) -> Result<bool, SettingsError> {
        match self.sourced(key)?.value {
            toml::Value::Boolean(b) => Ok(b),
            _ => Err(self.invalid(key, "true or false")),
        }
    }

    fn list(&self, key: &str) -> Result<Vec<String>, SettingsError> {
        match &self.sourced(key)?.value {
            toml::Value::Array(items) => items
                .iter()
                .map(|item| match item {
                    toml::Value::String(s) => Ok(s.trim().to_string()),
                    _ => Err(self.invalid(key, "a list of strings")),
                })
                .filter(|item| item.as_ref().map_or(true, |s| !s.is_empty()))
                .collect(),
            _ => Err(self.invalid(key, "a list of strings")),
        }
    }

    fn http_url(&self, key: &str) -> Result<String, SettingsError> {
        let text = self.text(key)?;
        let parsed = url::Url::parse(text.trim())
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some());
        match parsed {
            // slack-morphism appends `/method.name`: a trailing slash would double it.
            Some(_) => Ok(text.trim().trim_end_matches('/').to_string()),
            None => Err(self.invalid(key, "an http(s) URL such as https://example.com/path")),
        }
    }

    fn database_url(&self) -> Result<String, SettingsError> {
        let url = self.text("database.url")?;
        if url.starts_with("sqlite:") {
            Ok(url)
        } else {
            Err(self.invalid(
                "database.url",
                "a SQLite URL such as sqlite://data/pourover.db (PostgreSQL is planned, not built)",
            ))
        }
    }
}

fn display_value(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
