//! Shared by the Teams integration tests: a real bot on port 0 with its own SQLite file,
//! talking to its own Teams simulator. Nothing is shared between tests, and nothing
//! waits by sleeping blindly: `eventually` polls until a deadline.
#![allow(dead_code)] // Each test binary uses its own subset.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use pourover::app::{AppOptions, RunningApp};
use pourover::domain::{Platform, WorkspaceId};
use pourover::settings::{Settings, SettingsSources};
use pourover_simulator::teams::{
    BotActivity, SimTeam, TeamsBotDriver, TeamsSim, TeamsSimConfig, TenantSpec,
};

/// How long any condition in these tests may take before it counts as never.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The environment a bot needs to talk to `sim`, with its database in `dir`.
pub fn bot_env(sim: &TeamsSim, dir: &Path, admins: &[&str]) -> Vec<(String, String)> {
    let config = sim.config();
    [
        (
            "POUROVER_DATABASE_URL",
            format!("sqlite://{}", dir.join("pourover.db").display()),
        ),
        ("POUROVER_BIND", "127.0.0.1:0".to_owned()),
        ("TEAMS_APP_ID", config.app_id.clone()),
        ("TEAMS_APP_PASSWORD", config.app_password.clone()),
        ("TEAMS_TENANT_ID", config.tenant_id.clone()),
        ("TEAMS_OPENID_METADATA_URL", sim.openid_metadata_url()),
        ("TEAMS_TOKEN_URL", sim.token_url()),
        ("POUROVER_ADMINS", admins.join(",")),
        // Retries in milliseconds, not seconds, so fault tests finish quickly.
        ("POUROVER_DELIVERY_BACKOFF_BASE_MS", "20".to_owned()),
        ("POUROVER_DELIVERY_BACKOFF_MAX_MS", "200".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

pub fn settings_from(env: &[(String, String)]) -> Settings {
    let env: HashMap<String, String> = env.iter().cloned().collect();
    Settings::load_with_env(SettingsSources::default(), &|name| env.get(name).cloned())
        .expect("test settings are valid")
}

/// A bot serving Teams against a fresh simulator.
pub struct TeamsBot {
    pub sim: TeamsSim,
    pub app: RunningApp,
    pub dir: tempfile::TempDir,
    /// The first member of the first team; listed in POUROVER_ADMINS.
    pub admin: String,
}

impl TeamsBot {
    pub async fn start() -> Self {
        Self::start_with(TeamsSimConfig::default(), TenantSpec::default(), &[]).await
    }

    /// `extra` environment variables override the defaults.
    pub async fn start_with(
        config: TeamsSimConfig,
        spec: TenantSpec,
        extra: &[(&str, &str)],
    ) -> Self {
        // `TEAMS_TEST_LOG=pourover=debug` shows what the bot did, for a failing test.
        if let Ok(filter) = std::env::var("TEAMS_TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .try_init();
        }
        let sim = TeamsSim::start(config, spec)
            .await
            .expect("simulator starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let admin = sim.teams()[0].members[0].clone();
        let mut env = bot_env(&sim, dir.path(), &[&admin]);
        for (key, value) in extra {
            env.retain(|(k, _)| k != key);
            env.push(((*key).to_owned(), (*value).to_owned()));
        }
        let app = RunningApp::start_with(settings_from(&env), AppOptions::default())
            .await
            .expect("the bot starts");
        Self {
            sim,
            app,
            dir,
            admin,
        }
    }

    pub fn messages_url(&self) -> String {
        format!("http://{}/api/messages", self.app.local_addr())
    }

    pub fn driver(&self) -> TeamsBotDriver {
        self.sim.bot(&self.messages_url())
    }

    pub fn team(&self, index: usize) -> SimTeam {
        self.sim.teams().remove(index)
    }

    pub async fn workspace(&self) -> WorkspaceId {
        self.app
            .store()
            .list_workspaces()
            .await
            .unwrap()
            .into_iter()
            .find(|(_, platform, _)| *platform == Platform::Teams)
            .map(|(id, _, _)| id)
            .expect("the Teams tenant has a workspace")
    }

    /// Installs the bot in a team (by its first member) and waits until its roster is in.
    pub async fn install(&self, team: &SimTeam) {
        let response = self
            .driver()
            .install_in_team(&team.id, &team.members[0])
            .await
            .unwrap();
        assert_eq!(response.status, 200);
    }

    /// `user` types `text` to the bot; returns the bot's reply as a reader sees it.
    pub async fn say(&self, user: &str, text: &str) -> String {
        let driver = self.driver();
        let activity = driver.prepare_message(user, text).unwrap();
        let id = activity["id"].as_str().unwrap().to_owned();
        let response = driver.send_activity(activity).await.unwrap();
        assert_eq!(response.status, 200, "{text}");
        // Intros may arrive alongside: the reply is the message answering this one.
        let replies: Vec<BotActivity> = self
            .sim
            .recorder()
            .messages_to(user)
            .into_iter()
            .filter(|m| m.reply_to_id.as_deref() == Some(id.as_str()))
            .collect();
        assert_eq!(
            replies.len(),
            1,
            "one reply to `{text}`, sent before the bot answered Teams"
        );
        replies[0].plain_text()
    }

    pub async fn stop(self) {
        self.app.shutdown().await.unwrap();
        self.sim.shutdown().await;
    }
}

/// Activities in `user`'s 1:1 chat that are intros (they carry the feedback card and
/// open with "Coffee time").
pub fn intros_to(sim: &TeamsSim, user: &str) -> Vec<BotActivity> {
    sim.recorder()
        .messages_to(user)
        .into_iter()
        .filter(|m| m.text().is_some_and(|t| t.contains("Coffee time")))
        .collect()
}

#[path = "../common/poll.rs"]
mod poll;
#[allow(unused_imports)] // as dead_code above: not every test binary polls
pub use poll::eventually;
