//! The real `pourover serve` binary against the Slack simulator, for tests that kill it with
//! SIGKILL mid-round and start it again on the same database. The test reads that database
//! alongside the bot (SQLite in WAL mode allows it).

use std::time::Duration;

use pourover::app::open_store;
use pourover::chat::slack::WORKING_ON_IT;
use pourover::store::Store;
use pourover_simulator::{CompanySpec, ResponseUrlOrigin, SlackSim, SlackSimConfig};
use serde_json::Value;
use tempfile::TempDir;

use super::process::ServeProcess;

/// A simulator, a `pourover serve` child (when running) and the database they share.
pub struct SlackServe {
    pub sim: SlackSim,
    pub store: Store,
    process: Option<ServeProcess>,
    env: Vec<(&'static str, String)>,
    dir: TempDir,
    /// Every finished process's log, oldest first.
    logs: Vec<String>,
}

impl SlackServe {
    /// Starts the simulator at `time_scale` (the bot paces itself to the same scale) and
    /// `pourover serve` with `env` on top of what connects it to the simulator.
    pub async fn start(
        company: CompanySpec,
        time_scale: f64,
        env: &[(&'static str, &str)],
    ) -> Self {
        let config = SlackSimConfig {
            time_scale,
            ..SlackSimConfig::default()
        };
        let sim = SlackSim::start(config, company)
            .await
            .expect("the simulator starts");
        let dir = tempfile::tempdir().expect("a temp dir");
        let settings = super::settings_in(dir.path(), &[]);
        let mut all_env: Vec<(&'static str, String)> = vec![
            ("POUROVER_DATABASE_URL", settings.database.url.clone()),
            ("SLACK_BOT_TOKEN", sim.config().bot_token.clone()),
            ("SLACK_SIGNING_SECRET", sim.config().signing_secret.clone()),
            ("SLACK_API_URL", sim.api_url()),
            (
                "POUROVER_SLACK_RATE_LIMIT_TIME_SCALE",
                time_scale.to_string(),
            ),
        ];
        all_env.extend(env.iter().map(|(name, value)| (*name, (*value).to_owned())));
        let process = spawn(dir.path().to_path_buf(), all_env.clone()).await;
        // Opened once the bot has created and migrated the database.
        let store = open_store(&settings).await.expect("the bot's database");
        Self {
            sim,
            store,
            process: Some(process),
            env: all_env,
            dir,
            logs: Vec::new(),
        }
    }

    fn process(&self) -> &ServeProcess {
        self.process.as_ref().expect("the bot is running")
    }

    /// SIGKILL: no shutdown, leases left behind, replies never read.
    pub async fn kill9(&mut self) {
        let process = self.process.take().expect("the bot is running");
        let log = tokio::task::spawn_blocking(move || process.kill9())
            .await
            .expect("killed");
        self.logs.push(log);
    }

    /// Starts `pourover serve` again on the same database.
    pub async fn start_again(&mut self) {
        assert!(self.process.is_none(), "the bot is still running");
        self.process = Some(spawn(self.dir.path().to_path_buf(), self.env.clone()).await);
    }

    /// Everything every process logged so far.
    pub fn log(&self) -> String {
        let mut all = self.logs.clone();
        if let Some(process) = &self.process {
            all.push(process.log());
        }
        all.join("\n---- restarted ----\n")
    }

    /// The first person of the company: its primary owner, a Slack admin.
    pub fn owner(&self) -> String {
        self.sim
            .people()
            .into_iter()
            .find(|user| user.is_primary_owner)
            .expect("an owner")
            .id
    }

    /// `/coffee <text>` typed by `user`, signed as Slack signs it; the reply's text (from
    /// the response_url when the bot answered "working on it" first).
    pub async fn command(&self, user: &str, text: &str) -> String {
        let recorder = self.sim.recorder();
        let before = recorder.response_url_posts().len();
        let response = self
            .sim
            .app(&self.process().base_url())
            .slash_command(user, "/coffee", text)
            .await
            .expect("the bot acknowledges the command");
        let body = response.json().unwrap_or(Value::Null);
        let text = body["text"].as_str().unwrap_or_default().to_owned();
        if text != WORKING_ON_IT {
            return text;
        }
        let later = recorder
            .wait_for_value(
                |recorder| {
                    recorder
                        .response_url_posts()
                        .into_iter()
                        .skip(before)
                        .find(|post| {
                            matches!(&post.origin, ResponseUrlOrigin::SlashCommand { user: u, .. } if u == user)
                        })
                },
                Duration::from_secs(30),
            )
            .await
            .expect("the slow reply arrives through the response_url");
        later.body["text"].as_str().unwrap_or_default().to_owned()
    }

    pub async fn shutdown(mut self) {
        if let Some(process) = self.process.take() {
            let _ = tokio::task::spawn_blocking(move || process.kill9()).await;
        }
        self.store.close().await;
        self.sim.shutdown().await;
    }
}

/// `ServeProcess::start` waits with blocking sleeps; off the runtime, so the simulator
/// (on this runtime) can answer the bot's start-up calls meanwhile.
async fn spawn(dir: std::path::PathBuf, env: Vec<(&'static str, String)>) -> ServeProcess {
    tokio::task::spawn_blocking(move || ServeProcess::start(&dir, &env))
        .await
        .expect("pourover serve starts")
}
