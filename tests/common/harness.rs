//! The real bot against the Slack simulator, for integration tests: a `SlackSim` inventing
//! a company, and the bot started through `RunningApp::start_with` on port 0 with its own
//! temp SQLite file and the simulator's URL, tokens and signing secret.
//!
//! ```ignore
//! let bot = SlackTestBot::start(CompanySpec::new(12, 3)).await;
//! let ada = bot.member();
//! assert!(bot.command(&ada.id, "join coffee").await.contains("…"));
//! bot.shutdown().await;
//! ```
//!
//! Nothing waits by sleeping: `wait_for` re-checks the simulator's recorder whenever its
//! state changes, up to a deadline.

use std::time::Duration;

use pourover::app::{AppOptions, RunningApp};
use pourover::chat::slack::WORKING_ON_IT;
use pourover::clock::Clock;
use pourover::domain::{EnrollmentState, Platform, WorkspaceId};
use pourover::settings::Settings;
use pourover::store::Store;
use pourover_simulator::{
    AppResponse, CompanySpec, RecordedMessage, Recorder, ResponseUrlOrigin, SimUser,
    SlackAppDriver, SlackSim, SlackSimConfig,
};
use serde_json::Value;
use slack_morphism::prelude::SlackEventCallbackBody;
use tempfile::TempDir;

/// How long any single wait in a test may take before it fails.
pub const WAIT: Duration = Duration::from_secs(15);

/// The slash command the simulator's people type.
pub const COMMAND: &str = "/coffee";

/// How the bot hears from Slack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Signed HTTP requests to `/slack/*` (the default).
    Http,
    /// Socket Mode only: no signing secret, so no HTTP endpoints either.
    SocketMode,
}

/// Computes settings from the invented company.
pub type EnvFromCompany = fn(&SlackSim) -> Vec<(String, String)>;

/// What to start.
#[derive(Debug, Clone)]
pub struct HarnessOptions {
    pub company: CompanySpec,
    pub sim: SlackSimConfig,
    /// Runs both the simulator's Slack time and the bot's pacing this much faster than
    /// real time (rate limits, Retry-After, response_url expiry).
    pub time_scale: f64,
    pub transport: Transport,
    /// More environment settings for the bot, e.g. `("POUROVER_RATE_…", "…")`.
    pub env: Vec<(String, String)>,
    /// Settings that depend on the invented company (e.g. `POUROVER_ADMINS` naming one
    /// of its people), computed once the simulator runs.
    pub env_from_company: Option<EnvFromCompany>,
    /// The bot's clock, kept across `restart` (tests move it forward to reach nudges,
    /// closing prompts and scheduled rounds; a clone given here moves with the bot's).
    pub clock: Clock,
}

impl HarnessOptions {
    pub fn new(company: CompanySpec) -> Self {
        Self {
            company,
            sim: SlackSimConfig::default(),
            time_scale: 60.0,
            transport: Transport::Http,
            env: Vec::new(),
            env_from_company: None,
            clock: Clock::system(),
        }
    }

    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }
}

/// What the bot acknowledged a slash command with (or, if that was "working on it", what
/// it later sent to the command's response_url).
#[derive(Debug, Clone)]
pub struct CommandAnswer {
    pub status: u16,
    /// The reply's plain text (its `text` field).
    pub text: String,
    pub blocks: Value,
    pub response_type: Option<String>,
    /// True when the reply came through the response_url after a "working on it" ack.
    pub answered_later: bool,
}

/// A running simulator and bot. Call `shutdown` at the end of a test.
pub struct SlackTestBot {
    pub sim: SlackSim,
    app: Option<RunningApp>,
    settings: Settings,
    _dir: TempDir,
    pub base_url: String,
    transport: Transport,
    clock: Clock,
}

impl SlackTestBot {
    pub async fn start(company: CompanySpec) -> Self {
        Self::start_with(HarnessOptions::new(company)).await
    }

    pub async fn start_with(options: HarnessOptions) -> Self {
        let sim_config = SlackSimConfig {
            time_scale: options.time_scale,
            ..options.sim.clone()
        };
        let sim = SlackSim::start(sim_config, options.company.clone())
            .await
            .expect("the simulator starts");
        let dir = tempfile::tempdir().expect("a temp dir");
        let config = sim.config().clone();
        let scale = options.time_scale.to_string();
        let api_url = sim.api_url();
        let mut env: Vec<(&str, &str)> = vec![
            ("SLACK_BOT_TOKEN", config.bot_token.as_str()),
            ("SLACK_API_URL", api_url.as_str()),
            ("POUROVER_SLACK_RATE_LIMIT_TIME_SCALE", scale.as_str()),
        ];
        match options.transport {
            Transport::Http => env.push(("SLACK_SIGNING_SECRET", config.signing_secret.as_str())),
            Transport::SocketMode => env.push(("SLACK_APP_TOKEN", config.app_token.as_str())),
        }
        let from_company = options
            .env_from_company
            .map(|compute| compute(&sim))
            .unwrap_or_default();
        for (name, value) in options.env.iter().chain(&from_company) {
            env.push((name.as_str(), value.as_str()));
        }
        let settings = super::settings_in(dir.path(), &env);
        let mut bot = Self {
            sim,
            app: None,
            settings,
            _dir: dir,
            base_url: String::new(),
            transport: options.transport,
            clock: options.clock.clone(),
        };
        bot.start_app().await;
        bot
    }

    async fn start_app(&mut self) {
        let options = AppOptions {
            clock: self.clock.clone(),
        };
        let app = RunningApp::start_with(self.settings.clone(), options)
            .await
            .expect("the bot starts");
        self.base_url = format!("http://{}", app.local_addr());
        self.app = Some(app);
        if self.transport == Transport::SocketMode {
            self.sim
                .wait_for_socket_mode(1, WAIT)
                .await
                .expect("the bot connects in Socket Mode");
        }
    }

    /// Stops the bot and starts it again on the same database (and a new port), as a
    /// deployment or a crash would.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.start_app().await;
    }

    /// Stops the bot (the simulator keeps running) until `start_again`: the bot is down.
    pub async fn stop(&mut self) {
        if let Some(app) = self.app.take() {
            app.shutdown().await.expect("the bot stops cleanly");
        }
    }

    /// Starts the bot again on the same database after `stop`.
    pub async fn start_again(&mut self) {
        assert!(self.app.is_none(), "the bot is still running");
        self.start_app().await;
    }

    pub fn app(&self) -> &RunningApp {
        self.app.as_ref().expect("running until shutdown")
    }

    pub fn store(&self) -> &Store {
        self.app().store()
    }

    /// The bot's clock (shared with the running bot, and with the next one after `restart`).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn recorder(&self) -> Recorder {
        self.sim.recorder()
    }

    /// Sends what Slack sends, over the bot's transport.
    pub fn driver(&self) -> SlackAppDriver {
        match self.transport {
            Transport::Http => self.sim.app(&self.base_url),
            Transport::SocketMode => self.sim.socket_mode_app(),
        }
    }

    /// Active full members (no bots, guests or deactivated accounts), by user id.
    pub fn people(&self) -> Vec<SimUser> {
        self.sim.people()
    }

    /// The workspace's primary owner (a Slack admin).
    pub fn owner(&self) -> SimUser {
        self.people()
            .into_iter()
            .find(|user| user.is_primary_owner)
            .expect("every company has an owner")
    }

    /// People who are not workspace admins or owners.
    pub fn members(&self) -> Vec<SimUser> {
        self.people()
            .into_iter()
            .filter(|user| !user.is_admin && !user.is_owner)
            .collect()
    }

    /// The first person who is not a workspace admin.
    pub fn member(&self) -> SimUser {
        self.members()
            .into_iter()
            .next()
            .expect("the company has a non-admin")
    }

    /// The bot's workspace id for the simulated team.
    pub async fn workspace(&self) -> WorkspaceId {
        self.store()
            .list_workspaces()
            .await
            .expect("workspaces")
            .into_iter()
            .find(|(_, platform, team)| {
                *platform == Platform::Slack && team == &self.sim.config().team_id
            })
            .map(|(id, _, _)| id)
            .expect("the Slack workspace is recorded")
    }

    /// `/coffee <text>` typed by `user_id`; the reply's plain text.
    pub async fn command(&self, user_id: &str, text: &str) -> String {
        self.command_answer(user_id, text).await.text
    }

    /// `/coffee <text>` typed by `user_id`, with everything about the answer.
    pub async fn command_answer(&self, user_id: &str, text: &str) -> CommandAnswer {
        let recorder = self.recorder();
        let posts_before = recorder.response_url_posts().len();
        let response = self
            .driver()
            .slash_command(user_id, COMMAND, text)
            .await
            .expect("the bot acknowledges the command");
        let body = response.json().unwrap_or(Value::Null);
        let mut answer = CommandAnswer {
            status: response.status,
            text: body["text"].as_str().unwrap_or_default().to_owned(),
            blocks: body["blocks"].clone(),
            response_type: body["response_type"].as_str().map(str::to_owned),
            answered_later: false,
        };
        if answer.text == WORKING_ON_IT {
            let later = recorder
                .wait_for_value(
                    |recorder| {
                        recorder
                            .response_url_posts()
                            .into_iter()
                            .skip(posts_before)
                            .find(|post| {
                                matches!(&post.origin, ResponseUrlOrigin::SlashCommand { user, .. } if user == user_id)
                            })
                    },
                    WAIT,
                )
                .await
                .expect("the slow reply arrives through the response_url");
            answer.text = later.body["text"].as_str().unwrap_or_default().to_owned();
            answer.blocks = later.body["blocks"].clone();
            answer.answered_later = true;
        }
        answer
    }

    /// The owner creates program `name`, bound to the public channel `channel` (its name,
    /// without `#`) when given. Returns the reply's text.
    pub async fn create_program(&self, name: &str, channel: Option<&str>) -> String {
        let command = match channel {
            Some(channel) => {
                let id = self
                    .sim
                    .channel_named(channel)
                    .unwrap_or_else(|| panic!("no #{channel}"))
                    .id;
                format!("admin program create {name} <#{id}|{channel}>")
            }
            None => format!("admin program create {name}"),
        };
        let reply = self.command(&self.owner().id, &command).await;
        assert!(reply.contains(&format!("Created *{name}*")), "{reply}");
        reply
    }

    /// Every message the bot posted from its outbox (intros, nudges, prompts, notices), as
    /// they stand now: they carry `pourover_outbox` metadata with the outbox key.
    pub fn outbox_messages(&self) -> Vec<RecordedMessage> {
        self.recorder()
            .all_messages()
            .into_iter()
            .filter(|message| {
                message
                    .metadata
                    .as_ref()
                    .is_some_and(|metadata| metadata["event_type"] == "pourover_outbox")
            })
            .collect()
    }

    /// Delivers an event (e.g. what a simulator mutation returned).
    pub async fn deliver(&self, event: SlackEventCallbackBody) -> AppResponse {
        let response = self
            .driver()
            .event(event)
            .await
            .expect("the bot acknowledges the event");
        assert!(response.is_success(), "event refused: {response:?}");
        response
    }

    /// `user_id` presses the button labelled (or with action id) `button` on a message.
    pub async fn press_button(&self, user_id: &str, channel: &str, ts: &str, button: &str) {
        let response = self
            .driver()
            .press_button(user_id, channel, ts, button)
            .await
            .expect("the bot acknowledges the press");
        assert!(response.is_success(), "press refused: {response:?}");
    }

    /// `user_id` opens the App Home tab; returns once a new view is published.
    pub async fn open_home(&self, user_id: &str) -> Value {
        let before = self.published_for(user_id);
        let response = self
            .driver()
            .app_home_opened(user_id)
            .await
            .expect("the bot acknowledges app_home_opened");
        assert!(response.is_success(), "{response:?}");
        self.wait_for_home(user_id, before).await
    }

    /// `user_id` presses a button in their App Home; returns the re-published view.
    pub async fn press_home_button(&self, user_id: &str, button: &str) -> Value {
        let before = self.published_for(user_id);
        let response = self
            .driver()
            .press_home_button(user_id, button)
            .await
            .expect("the bot acknowledges the press");
        assert!(response.is_success(), "{response:?}");
        self.wait_for_home(user_id, before).await
    }

    fn published_for(&self, user_id: &str) -> usize {
        self.recorder()
            .published_views()
            .iter()
            .filter(|view| view.user_id == user_id)
            .count()
    }

    async fn wait_for_home(&self, user_id: &str, published_before: usize) -> Value {
        self.recorder()
            .wait_for_value(
                |recorder| {
                    recorder
                        .published_views()
                        .into_iter()
                        .filter(|view| view.user_id == user_id)
                        .nth(published_before)
                        .map(|view| view.view)
                },
                WAIT,
            )
            .await
            .expect("the bot publishes the App Home")
    }

    /// Waits until `probe` finds something in the simulator's record.
    pub async fn wait_for<T>(&self, what: &str, probe: impl Fn(&Recorder) -> Option<T>) -> T {
        match self.recorder().wait_for_value(probe, WAIT).await {
            Ok(found) => found,
            Err(err) => panic!("waiting for {what}: {err}"),
        }
    }

    /// `user_id`'s enrollment state in `program`, if they have one.
    pub async fn enrollment(&self, user_id: &str, program: &str) -> Option<EnrollmentState> {
        let store = self.store();
        let workspace = self.workspace().await;
        let member = store
            .member_by_external_id(workspace, user_id)
            .await
            .expect("members")?;
        let program = store
            .programs(workspace)
            .await
            .expect("programs")
            .into_iter()
            .find(|p| p.name.to_string() == program)?;
        store
            .enrollment(program.id, member.id)
            .await
            .expect("enrollment")
            .map(|e| e.state)
    }

    /// Stops the bot (gracefully) and the simulator.
    pub async fn shutdown(mut self) {
        if let Some(app) = self.app.take() {
            app.shutdown().await.expect("the bot stops cleanly");
        }
        self.sim.shutdown().await;
    }
}

/// Visible texts (section, field, context and header texts) of a list of blocks, joined.
pub fn blocks_text(blocks: &Value) -> String {
    let mut texts = Vec::new();
    collect_texts(blocks, &mut texts);
    texts.join("\n")
}

fn collect_texts(value: &Value, texts: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(text)) = map.get("text") {
                texts.push(text.clone());
            }
            for (key, nested) in map {
                if key != "text" || nested.is_object() || nested.is_array() {
                    collect_texts(nested, texts);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_texts(item, texts)),
        _ => {}
    }
}
