//! Where settings come from, merged lowest to highest: the built-in defaults (the
//! `config/default.toml` compiled into the binary), `config/default.toml` in the working
//! directory, an optional `--config FILE`, then environment variables.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::SettingsError;

/// The documented defaults, compiled in so a bare binary needs no files.
pub const BUILT_IN_DEFAULTS: &str = include_str!("../../config/default.toml");

/// How a value is read from a string (environment variables are strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    Float,
    Bool,
    /// Comma-separated in the environment, an array in TOML.
    List,
}

/// One setting: its dotted key in TOML, the environment variables that set it (first wins),
/// and whether it is a secret (never echoed, also readable from `<ENV>_FILE`).
#[derive(Debug)]
pub struct Key {
    pub key: &'static str,
    pub env: &'static [&'static str],
    pub kind: Kind,
    pub secret: bool,
}

const fn key(key: &'static str, env: &'static [&'static str], kind: Kind) -> Key {
    Key {
        key,
        env,
        kind,
        secret: false,
    }
}

const fn secret(key: &'static str, env: &'static [&'static str]) -> Key {
    Key {
        key,
        env,
        kind: Kind::Text,
        secret: true,
    }
}

/// Every setting Pourover reads. The env names of Slack settings are the ones Bolt apps use;
/// Teams' are Pourover's own (`TEAMS_*`).
pub const KEYS: &[Key] = &[
    key("server.bind", &["POUROVER_BIND"], Kind::Text),
    key("server.public_url", &["POUROVER_PUBLIC_URL"], Kind::Text),
    key("server.log_format", &["POUROVER_LOG_FORMAT"], Kind::Text),
    key(
        "server.max_body_bytes",
        &["POUROVER_MAX_BODY_BYTES"],
        Kind::Integer,
    ),
    key(
        "server.max_connections",
        &["POUROVER_MAX_CONNECTIONS"],
        Kind::Integer,
    ),
    key(
        "server.read_timeout_ms",
        &["POUROVER_READ_TIMEOUT_MS"],
        Kind::Integer,
    ),
    key("database.url", &["POUROVER_DATABASE_URL"], Kind::Text),
    key(
        "database.max_connections",
        &["POUROVER_DATABASE_MAX_CONNECTIONS"],
        Kind::Integer,
    ),
    key(
        "database.busy_timeout_ms",
        &["POUROVER_DATABASE_BUSY_TIMEOUT_MS"],
        Kind::Integer,
    ),
    key("admins", &["POUROVER_ADMINS"], Kind::List),
    secret("slack.bot_token", &["SLACK_BOT_TOKEN"]),
    secret("slack.signing_secret", &["SLACK_SIGNING_SECRET"]),
    secret("slack.app_token", &["SLACK_APP_TOKEN"]),
    key("slack.api_url", &["SLACK_API_URL"], Kind::Text),
    key(
        "slack.team_field",
        &["POUROVER_SLACK_TEAM_FIELD"],
        Kind::Text,
    ),
    key(
        "slack.team_field_fallback",
        &["POUROVER_SLACK_TEAM_FIELD_FALLBACK"],
        Kind::Text,
    ),
    key(
        "slack.enroll_guests",
        &["POUROVER_SLACK_ENROLL_GUESTS"],
        Kind::Bool,
    ),
    key(
        "slack.rate_limit_time_scale",
        &["POUROVER_SLACK_RATE_LIMIT_TIME_SCALE"],
        Kind::Float,
    ),
    key("teams.app_id", &["TEAMS_APP_ID"], Kind::Text),
    secret("teams.app_password", &["TEAMS_APP_PASSWORD"]),
    key("teams.tenant_id", &["TEAMS_TENANT_ID"], Kind::Text),
    key(
        "teams.openid_metadata_url",
        &["TEAMS_OPENID_METADATA_URL"],
        Kind::Text,
    ),
    key("teams.token_url", &["TEAMS_TOKEN_URL"], Kind::Text),
    key(
        "rounds.default_cron",
        &["POUROVER_DEFAULT_CRON"],
        Kind::Text,
    ),
    key("rounds.group_size", &["POUROVER_GROUP_SIZE"], Kind::Integer),
    key(
        "rounds.lookback_rounds",
        &["POUROVER_LOOKBACK_ROUNDS"],
        Kind::Integer,
    ),
    key(
        "rounds.nudge_after_hours",
        &["POUROVER_NUDGE_AFTER_HOURS"],
        Kind::Integer,
    ),
    key(
        "rounds.close_after_hours",
        &["POUROVER_CLOSE_AFTER_HOURS"],
        Kind::Integer,
    ),
    key(
        "rounds.catch_up_grace_hours",
        &["POUROVER_CATCH_UP_GRACE_HOURS"],
        Kind::Integer,
    ),
    key(
        "rounds.ghost_pause_after",
        &["POUROVER_GHOST_PAUSE_AFTER"],
        Kind::Integer,
    ),
    key(
        "rounds.tick_seconds",
        &["POUROVER_TICK_SECONDS"],
        Kind::Integer,
    ),
    key("rounds.icebreakers", &[], Kind::List),
    key(
        "delivery.workers",
        &["POUROVER_DELIVERY_WORKERS"],
        Kind::Integer,
    ),
    key(
        "delivery.max_attempts",
        &["POUROVER_DELIVERY_MAX_ATTEMPTS"],
        Kind::Integer,
    ),
    key(
        "delivery.backoff_base_ms",
        &["POUROVER_DELIVERY_BACKOFF_BASE_MS"],
        Kind::Integer,
    ),
    key(
        "delivery.backoff_max_ms",
        &["POUROVER_DELIVERY_BACKOFF_MAX_MS"],
        Kind::Integer,
    ),
    key(
        "delivery.lease_seconds",
        &["POUROVER_DELIVERY_LEASE_SECONDS"],
        Kind::Integer,
    ),
];

pub fn find_key(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.key == name)
}

/// Which layer a value came from; named in every error so the operator knows what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    File(PathBuf),
    Env(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::BuiltIn => f.write_str("built-in default"),
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::Env(name) => write!(f, "environment variable {name}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Sourced {
    pub value: toml::Value,
    pub origin: Origin,
}

/// The merged view: dotted key -> value and where it came from.
#[derive(Debug, Default)]
pub struct Layers {
    values: BTreeMap<&'static str, Sourced>,
}

impl Layers {
    pub fn get(&self, key: &str) -> Option<&Sourced> {
        self.values.get(key)
    }

    /// Merges a TOML document; unknown keys are errors, because a typo that silently falls
    /// back to a default is worse than refusing to start.
    pub fn merge_toml(&mut self, text: &str, origin: Origin) -> Result<(), SettingsError> {
        let table: toml::Table =
            text.parse()
                .map_err(|err: toml::de::Error| SettingsError::File {
                    origin: origin.to_string(),
                    message: err.message().to_string(),
                })?;
        let mut flat = Vec::new();
        flatten("", &toml::Value::Table(table), &mut flat);
        for (name, value) in flat {
            let key = find_key(&name).ok_or_else(|| SettingsError::Unknown {
                key: name.clone(),
                origin: origin.to_string(),
            })?;
            self.values.insert(
                key.key,
                Sourced {
                    value,
                    origin: origin.clone(),
                },
            );
        }
        Ok(())
    }

    pub fn merge_file(&mut self, path: &Path) -> Result<(), SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|err| SettingsError::File {
            origin: path.display().to_string(),
            message: format!("cannot read it: {err}"),
        })?;
        self.merge_toml(&text, Origin::File(path.to_path_buf()))
    }

    /// Reads every key's environment variables through `env` (injected so tests do not
    /// touch the process environment). Secrets may also come from `<NAME>_FILE`.
    pub fn merge_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Result<(), SettingsError> {
        for key in KEYS {
            for &name in key.env {
                let from_env = match env(name) {
                    Some(value) => Some((value, Origin::Env(name.to_string()))),
                    None if key.secret => read_secret_file(name, env)?,
                    None => None,
                };
                if let Some((raw, origin)) = from_env {
                    let value = parse_env_value(key, &raw, &origin)?;
                    self.values.insert(key.key, Sourced { value, origin });
                    break;
                }
            }
        }
        Ok(())
    }
}

fn read_secret_file(
    name: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(String, Origin)>, SettingsError> {
    let file_var = format!("{name}_FILE");
    let Some(path) = env(&file_var) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path).map_err(|err| SettingsError::Invalid {
        key: name.to_string(),
        origin: format!("environment variable {file_var}"),
        expected: format!("a readable file holding the secret ({err})"),
        got: Some(path.clone()),
    })?;
    Ok(Some((text.trim().to_string(), Origin::Env(file_var))))
}

fn parse_env_value(key: &Key, raw: &str, origin: &Origin) -> Result<toml::Value, SettingsError> {
    let invalid = |expected: &str| SettingsError::Invalid {
        key: key.key.to_string(),
        origin: origin.to_string(),
        expected: expected.to_string(),
        got: (!key.secret).then(|| raw.to_string()),
    };
    let raw = raw.trim();
    Ok(match key.kind {
        Kind::Text => toml::Value::String(raw.to_string()),
        Kind::Integer => toml::Value::Integer(raw.parse().map_err(|_| invalid("an integer"))?),
        Kind::Float => toml::Value::Float(raw.parse().map_err(|_| invalid("a number"))?),
        Kind::Bool => toml::Value::Boolean(match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => true,
            "false" | "0" | "no" | "off" => false,
            _ => return Err(invalid("true or false")),
        }),
        Kind::List => toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| toml::Value::String(item.to_string()))
                .collect(),
        ),
    })
}

fn flatten(prefix: &str, value: &toml::Value, out: &mut Vec<(String, toml::Value)>) {
    match value {
        toml::Value::Table(table) => {
            for (name, child) in table {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                flatten(&path, child, out);
            }
        }
        leaf => out.push((prefix.to_string(), leaf.clone())),
    }
}
