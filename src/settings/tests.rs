use std::collections::HashMap;
use std::io::Write;

use secrecy::ExposeSecret;

use super::*;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

fn load(pairs: &[(&str, &str)], file: Option<&Path>) -> Result<Settings, SettingsError> {
    Settings::load_with_env(
        SettingsSources {
            base_dir: None,
            config_file: file,
        },
        &env_of(pairs),
    )
}

fn config_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

#[test]
fn built_in_defaults_load_without_any_file_or_variable() {
    let settings = load(&[], None).unwrap();
    assert_eq!(settings.server.bind.to_string(), "127.0.0.1:3000");
    assert_eq!(settings.database.url, "sqlite://data/pourover.db");
    assert_eq!(settings.slack.api_url, "https://slack.com/api");
    assert!(!settings.slack.enabled());
    assert!(settings.admins.is_empty());
    assert!(!settings.rounds.icebreakers.is_empty());
}

#[test]
fn a_config_file_overrides_defaults_and_the_environment_overrides_the_file() {
    let file = config_file(
        "[server]\nbind = \"127.0.0.1:4000\"\n[database]\nurl = \"sqlite://file.db\"\n",
    );
    let from_file = load(&[], Some(file.path())).unwrap();
    assert_eq!(from_file.server.bind.to_string(), "127.0.0.1:4000");
    assert_eq!(from_file.database.url, "sqlite://file.db");

    let from_env = load(&[("POUROVER_BIND", "0.0.0.0:5000")], Some(file.path())).unwrap();
    assert_eq!(from_env.server.bind.to_string(), "0.0.0.0:5000");
    assert_eq!(from_env.database.url, "sqlite://file.db");
}

#[test]
fn the_documented_environment_names_all_work() {
    let settings = load(
        &[
            ("SLACK_BOT_TOKEN", "xoxb-1"),
            ("SLACK_SIGNING_SECRET", "s3cr3t"),
            ("SLACK_APP_TOKEN", "xapp-1"),
            ("SLACK_API_URL", "http://127.0.0.1:9/api/"),
            ("POUROVER_DATABASE_URL", "sqlite::memory:"),
            ("POUROVER_BIND", "127.0.0.1:0"),
            ("POUROVER_ADMINS", "U1, U2,,"),
        ],
        None,
    )
    .unwrap();
    assert_eq!(
        settings.slack.bot_token.as_ref().unwrap().expose_secret(),
        "xoxb-1"
    );
    assert_eq!(
        settings
            .slack
            .signing_secret
            .as_ref()
            .unwrap()
            .expose_secret(),
        "s3cr3t"
    );
    assert!(settings.slack.socket_mode());
    assert_eq!(settings.slack.api_url, "http://127.0.0.1:9/api");
    assert_eq!(settings.database.url, "sqlite::memory:");
    assert_eq!(settings.server.bind.port(), 0);
    assert_eq!(settings.admins, vec!["U1", "U2"]);
}

#[test]
fn a_malformed_setting_names_the_key_the_source_and_what_is_expected() {
    let err = load(&[("POUROVER_BIND", "localhost-3000")], None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "setting `server.bind` (environment variable POUROVER_BIND): expected a socket \
         address such as 127.0.0.1:3000, got `localhost-3000`"
    );
    assert!(!err.to_string().contains('\n'));

    let file = config_file("[database]\nmax_connections = \"many\"\n");
    let err = load(&[], Some(file.path())).unwrap_err().to_string();
    assert!(err.contains("`database.max_connections`"), "{err}");
    assert!(err.contains("an integer from 1 to 256"), "{err}");

    let err = load(&[("SLACK_API_URL", "slack.com")], None).unwrap_err();
    assert!(err.to_string().contains("http(s) URL"), "{err}");
}

#[test]
fn unknown_keys_in_a_file_are_refused() {
    let file = config_file("[server]\nbnid = \"127.0.0.1:1\"\n");
    let err = load(&[], Some(file.path())).unwrap_err();
    assert!(matches!(err, SettingsError::Unknown { ref key, .. } if key == "server.bnid"));
}

#[test]
fn http_mode_without_a_signing_secret_stops_start_up() {
    let err = load(&[("SLACK_BOT_TOKEN", "xoxb-1")], None).unwrap_err();
    assert!(err.to_string().contains("SLACK_SIGNING_SECRET"), "{err}");
    // Socket Mode needs no signing secret: Slack is not calling us over HTTP.
    assert!(
        load(
            &[("SLACK_BOT_TOKEN", "xoxb-1"), ("SLACK_APP_TOKEN", "xapp-1")],
            None
        )
        .is_ok()
    );
}

#[test]
fn secrets_never_appear_in_debug_output_or_errors() {
    let settings = load(
        &[
            ("SLACK_BOT_TOKEN", "xoxb-very-secret-token"),
            ("SLACK_SIGNING_SECRET", "signing-very-secret"),
        ],
        None,
    )
    .unwrap();
    let debug = format!("{settings:?}");
    assert!(!debug.contains("very-secret"), "{debug}");

    let file = config_file("[slack]\nbot_token = 12345\n");
    let err = load(&[], Some(file.path())).unwrap_err().to_string();
    assert!(err.contains("slack.bot_token"), "{err}");
    assert!(!err.contains("12345"), "{err}");
}

#[test]
fn a_secret_can_be_read_from_a_file() {
    let secret_file = config_file("xoxb-from-file\n");
    let path = secret_file.path().to_str().unwrap().to_string();
    let settings = load(
        &[
            ("SLACK_BOT_TOKEN_FILE", &path),
            ("SLACK_SIGNING_SECRET", "x"),
        ],
        None,
    )
    .unwrap();
    assert_eq!(
        settings.slack.bot_token.unwrap().expose_secret(),
        "xoxb-from-file"
    );
}

#[test]
fn every_setting_is_documented_with_a_comment_in_default_toml() {
    let lines: Vec<&str> = BUILT_IN_DEFAULTS.lines().collect();
    for key in KEYS {
        let (section, name) = match key.key.rsplit_once('.') {
            Some((section, name)) => (Some(section), name),
            None => (None, key.key),
        };
        let section_start = match section {
            Some(section) => lines
                .iter()
                .position(|l| l.trim() == format!("[{section}]"))
                .unwrap_or_else(|| panic!("section [{section}] missing for {}", key.key)),
            None => 0,
        };
        let line = lines[section_start..]
            .iter()
            .position(|l| {
                let l = l.trim_start_matches('#').trim();
                l.starts_with(&format!("{name} =")) || l == format!("{name} = [")
            })
            .map(|i| i + section_start)
            .unwrap_or_else(|| panic!("{} is not in config/default.toml", key.key));
        assert!(
            line > 0 && lines[line - 1].trim_start().starts_with('#'),
            "{} has no comment above it in config/default.toml",
            key.key
        );
    }
}
