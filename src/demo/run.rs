use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use pourover_simulator::{CompanySpec, SimUser, SlackAppDriver, SlackSim, SlackSimConfig};
use serde_json::Value;

use super::people::{Behaviour, Moment};
use super::transcript::{message_text, write_group_dm};
use super::{DemoError, DemoGroup, DemoOptions, DemoOutcome, DemoRound};
use crate::app::{AppOptions, RunningApp};
use crate::chat::slack::WORKING_ON_IT;
use crate::clock::Clock;
use crate::domain::{
    FeedbackAnswer, LocalZone, OutboxKind, OutboxState, Platform, Program, ProgramName, Round,
    WorkspaceId,
};
use crate::rounds::RoundCloser;
use crate::settings::{Settings, SettingsSources};
use crate::stats::{self, OutputFormat};
use crate::store::Store;

/// Simulated Slack runs this much faster than real time, rate limits included.
const TIME_SCALE: f64 = 60.0;
/// The company's offices.
const ZONES: [&str; 3] = ["Europe/Berlin", "America/New_York", "Asia/Kolkata"];
/// How long to wait for the bot to finish something before calling the demo stuck.
const PATIENCE: Duration = Duration::from_secs(120);
const PROGRAM: &str = "coffee";
/// As in `config/default.toml`: people who ignore three intros in a row are paused.
const GHOST_PAUSE_AFTER: u32 = 3;

/// Runs the whole demo, narrating to `out`.
pub async fn run(options: &DemoOptions, out: &mut dyn Write) -> Result<DemoOutcome, DemoError> {
    let started = Instant::now();
    let sim = SlackSim::start(
        SlackSimConfig {
            seed: options.seed,
            time_scale: TIME_SCALE,
            ..SlackSimConfig::default()
        },
        CompanySpec {
            people: options.people,
            teams: options.teams,
            time_zones: ZONES.iter().map(|zone| zone.to_string()).collect(),
            admins: 2,
            bots: 1,
            guests: 0,
            deactivated: 0,
            coffee_share: 0.0,
        },
    )
    .await?;
    let temp = tempfile::tempdir()?;
    let database = options
        .database
        .clone()
        .unwrap_or_else(|| temp.path().join("pourover.db"));
    let clock = Clock::system();
    let app = RunningApp::start_with(
        settings_for(&sim, &database)?,
        AppOptions {
            clock: clock.clone(),
        },
    )
    .await?;
    let driver = sim.app(&format!("http://{}", app.local_addr()));
    let demo = Demo {
        sim: &sim,
        app: &app,
        driver,
        clock,
        store: app.store().clone(),
    };
    writeln!(
        out,
        "☕ Pourover demo: a simulated Slack workspace with {} people in {} teams across {}, \
         and the real bot on {}.\n",
        options.people,
        options.teams,
        ZONES.join(", "),
        app.local_addr()
    )?;
    let outcome = demo.tell_the_story(options, out).await;
    app.shutdown().await?;
    sim.shutdown().await;
    let outcome = outcome?;
    writeln!(
        out,
        "\nDone in {:.1} s: {} people joined, {} rounds, {} intros. Report: {}",
        started.elapsed().as_secs_f64(),
        outcome.joined,
        outcome.rounds.len(),
        outcome.rounds.iter().map(|r| r.groups.len()).sum::<usize>(),
        outcome.report.display()
    )?;
    Ok(outcome)
}

fn settings_for(sim: &SlackSim, database: &std::path::Path) -> Result<Settings, DemoError> {
    let config = sim.config();
    let env: HashMap<&str, String> = HashMap::from([
        ("SLACK_BOT_TOKEN", config.bot_token.clone()),
        ("SLACK_SIGNING_SECRET", config.signing_secret.clone()),
        ("SLACK_API_URL", sim.api_url()),
        ("POUROVER_BIND", "127.0.0.1:0".to_string()),
        (
            "POUROVER_DATABASE_URL",
            format!("sqlite://{}", database.display()),
        ),
        (
            "POUROVER_SLACK_RATE_LIMIT_TIME_SCALE",
            TIME_SCALE.to_string(),
        ),
        ("POUROVER_DELIVERY_WORKERS", "8".to_string()),
    ]);
    Ok(Settings::load_with_env(
        SettingsSources::default(),
        &|name| env.get(name).cloned(),
    )?)
}

struct Demo<'a> {
    sim: &'a SlackSim,
    app: &'a RunningApp,
    driver: SlackAppDriver,
    clock: Clock,
    store: Store,
}

impl Demo<'_> {
    async fn tell_the_story(
        &self,
        options: &DemoOptions,
        out: &mut dyn Write,
    ) -> Result<DemoOutcome, DemoError> {
        let mut behaviour = Behaviour::new(options.seed);
        let people = self.sim.people();
        let owner = people
            .iter()
            .find(|p| p.is_primary_owner)
            .ok_or_else(|| DemoError::Stuck("the company has no owner".into()))?;
        writeln!(
            out,
            "{} (workspace owner) sets up the program:",
            owner.real_name
        )?;
        for text in [
            format!("admin program create {PROGRAM}"),
            format!("admin schedule {PROGRAM} \"0 10 * * MON\" Europe/Berlin"),
        ] {
            let reply = self.command(&owner.id, &text).await?;
            writeln!(out, "  /coffee {text}\n{}", indent(&reply, "    "))?;
        }
        let mut joined = 0;
        for person in &people {
            if !behaviour.joins() {
                continue;
            }
            self.command(&person.id, &format!("join {PROGRAM}")).await?;
            joined += 1;
            if behaviour.prefers_biweekly() {
                self.command(&person.id, "cadence biweekly").await?;
            }
        }
        writeln!(
            out,
            "\n{joined} of {} people typed /coffee join (some asked for every other week).",
            people.len()
        )?;
        let workspace = self.workspace().await?;
        let name = ProgramName::parse(PROGRAM).map_err(|e| DemoError::Stuck(e.0))?;
        let mut rounds = Vec::new();
        for _ in 0..options.rounds {
            let program = self
                .store
                .program_by_name(workspace, &name)
                .await?
                .ok_or_else(|| DemoError::Stuck("the program vanished".into()))?;
            let round = self.play_round(&program, &mut behaviour, out).await?;
            rounds.push(self.describe_round(&program, &round).await?);
        }
        self.close_last_round(workspace, &name).await?;
        if let Some(first) = rounds.first() {
            self.print_transcript(first, &people, out)?;
        }
        let stats = self
            .command(&owner.id, &format!("admin stats {PROGRAM}"))
            .await?;
        writeln!(
            out,
            "\nWhat the admin sees with /coffee admin stats {PROGRAM}:\n{}",
            indent(&stats, "  ")
        )?;
        let table = stats::render_stats(
            &self.store,
            Some(PROGRAM),
            OutputFormat::Text,
            self.clock.now(),
        )
        .await?;
        writeln!(out, "\nAnd `pourover stats --program {PROGRAM}`:\n{table}")?;
        let html = crate::report::report_html(&self.store, None, self.clock.now()).await?;
        std::fs::write(&options.report, html)?;
        Ok(DemoOutcome {
            joined,
            rounds,
            report: options.report.clone(),
        })
    }

    /// `/coffee <text>` typed by `user`, signed like Slack; the reply as readable text.
    async fn command(&self, user: &str, text: &str) -> Result<String, DemoError> {
        let posts_before = self.sim.recorder().response_url_posts().len();
        let response = self.driver.slash_command(user, "/coffee", text).await?;
        let body = response.json().unwrap_or(Value::Null);
        if body["text"].as_str() != Some(WORKING_ON_IT) {
            return Ok(reply_text(&body));
        }
        // A slow command answers through its response_url a moment later.
        let later = self
            .sim
            .recorder()
            .wait_for_value(
                |recorder| recorder.response_url_posts().into_iter().nth(posts_before),
                PATIENCE,
            )
            .await?;
        Ok(reply_text(&later.body))
    }

    async fn workspace(&self) -> Result<WorkspaceId, DemoError> {
        self.store
            .list_workspaces()
            .await?
            .into_iter()
            .find(|(_, platform, _)| *platform == Platform::Slack)
            .map(|(id, _, _)| id)
            .ok_or_else(|| DemoError::Stuck("no Slack workspace recorded".into()))
    }

    /// Moves time to the next scheduled round and lives through it: intros, presses, a
    /// nudge three days later, the closing prompt, more presses.
    async fn play_round(
        &self,
        program: &Program,
        behaviour: &mut Behaviour,
        out: &mut dyn Write,
    ) -> Result<Round, DemoError> {
        let schedule = program
            .schedule
            .as_ref()
            .ok_or_else(|| DemoError::Stuck("the program has no schedule".into()))?;
        let due = schedule
            .runs_after(self.clock.now())
            .next()
            .ok_or_else(|| DemoError::Stuck("the schedule never runs".into()))?
            .with_timezone(&Utc);
        self.advance_to(due + chrono::Duration::minutes(1));
        self.app.core().scheduler.tick().await?;
        let round = self
            .store
            .last_round(program.id)
            .await?
            .ok_or_else(|| DemoError::Stuck("the scheduler planned no round".into()))?;
        self.wait_until_handled(&round, OutboxKind::Intro).await?;
        let groups = self.store.round_groups(round.id).await?;
        let zone = LocalZone::Named(schedule.time_zone());
        writeln!(
            out,
            "\nRound {} ({}): {} people in {} groups; every intro sent.",
            round.seq,
            zone.format_day_time(round.scheduled_for),
            groups.iter().map(|g| g.members.len()).sum::<usize>(),
            groups.len()
        )?;
        let mut counts = HashMap::new();
        for (moment, kind, at) in [
            (Moment::Intro, OutboxKind::Intro, None),
            (Moment::Nudge, OutboxKind::Nudge, Some(round.nudge_at)),
            (
                Moment::ClosingPrompt,
                OutboxKind::ClosePrompt,
                Some(round.close_at),
            ),
        ] {
            if let Some(at) = at {
                self.advance_to(at + chrono::Duration::minutes(1));
                self.wait_until_handled(&round, kind).await?;
            }
            self.react(&round, kind, moment, behaviour, &mut counts)
                .await?;
        }
        writeln!(
            out,
            "  Button presses: {} \"We met\", {} \"Scheduled\", {} \"Skip this one\"; {} people never answered.",
            counts.get(&FeedbackAnswer::Met).unwrap_or(&0),
            counts.get(&FeedbackAnswer::Planned).unwrap_or(&0),
            counts.get(&FeedbackAnswer::Skipped).unwrap_or(&0),
            self.unanswered(&round).await?
        )?;
        Ok(round)
    }

    fn advance_to(&self, at: DateTime<Utc>) {
        let now = self.clock.now();
        if at > now {
            self.clock.advance(at - now);
        }
        self.app.core().delivery.waker().notify_waiters();
    }

    /// Waits until every message of `kind` owed for `round` was sent, cancelled or failed.
    async fn wait_until_handled(&self, round: &Round, kind: OutboxKind) -> Result<(), DemoError> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let mut pending = 0;
            for group in self.store.round_groups(round.id).await? {
                pending += self
                    .store
                    .group_outbox(group.id)
                    .await?
                    .iter()
                    .filter(|item| item.kind == kind)
                    .filter(|item| {
                        matches!(item.state, OutboxState::Pending | OutboxState::Sending)
                    })
                    .count();
            }
            if pending == 0 {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(DemoError::Stuck(format!(
                    "{pending} {kind} messages were never sent"
                )));
            }
            self.app.core().delivery.waker().notify_waiters();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// People who have not answered yet react to the message of `kind` in their group.
    async fn react(
        &self,
        round: &Round,
        kind: OutboxKind,
        moment: Moment,
        behaviour: &mut Behaviour,
        counts: &mut HashMap<FeedbackAnswer, usize>,
    ) -> Result<(), DemoError> {
        for group in self.store.round_groups(round.id).await? {
            let message = self
                .store
                .group_outbox(group.id)
                .await?
                .into_iter()
                .find(|item| item.kind == kind && item.state == OutboxState::Sent);
            let Some(message) = message else { continue };
            let (Some(channel), Some(ts)) = (message.conversation_id, message.message_id) else {
                continue;
            };
            let answered: Vec<_> = self
                .store
                .group_feedback(group.id)
                .await?
                .into_iter()
                .map(|f| f.member_id)
                .collect();
            for member in self.store.members_by_ids(&group.members).await? {
                if answered.contains(&member.id) {
                    continue;
                }
                let reaction = behaviour.react(moment);
                let (Some(button), Some(answer)) = (reaction.button(), reaction.answer()) else {
                    continue;
                };
                self.driver
                    .press_button(&member.external_id, &channel, &ts, button)
                    .await?;
                *counts.entry(answer).or_default() += 1;
            }
        }
        Ok(())
    }

    async fn unanswered(&self, round: &Round) -> Result<usize, DemoError> {
        let mut silent = 0;
        for group in self.store.round_groups(round.id).await? {
            let answered = self.store.group_feedback(group.id).await?.len();
            silent += group.members.len().saturating_sub(answered);
        }
        Ok(silent)
    }

    /// Counts the last round's answers, as closing it at the end of its answer window would
    /// (without moving time on into another round).
    async fn close_last_round(
        &self,
        workspace: WorkspaceId,
        name: &ProgramName,
    ) -> Result<(), DemoError> {
        let Some(program) = self.store.program_by_name(workspace, name).await? else {
            return Ok(());
        };
        if let Some(round) = self.store.last_round(program.id).await? {
            let after = round.scheduled_for + chrono::Duration::seconds(1);
            RoundCloser::new(self.store.clone(), GHOST_PAUSE_AFTER)
                .close_program_rounds(program.id, after)
                .await?;
        }
        Ok(())
    }

    async fn describe_round(
        &self,
        program: &Program,
        round: &Round,
    ) -> Result<DemoRound, DemoError> {
        let recorder = self.sim.recorder();
        let mut groups = Vec::new();
        for group in self.store.round_groups(round.id).await? {
            let members: Vec<String> = self
                .store
                .members_by_ids(&group.members)
                .await?
                .into_iter()
                .map(|m| m.external_id)
                .collect();
            let conversation = group.conversation_id.clone().unwrap_or_default();
            let key = format!(
                "p{}-t{}-g{}-intro",
                program.id,
                round.scheduled_for.timestamp_millis(),
                group.position
            );
            let intros_posted = recorder
                .messages(&conversation)
                .iter()
                .filter(|m| {
                    m.metadata
                        .as_ref()
                        .and_then(|meta| meta["event_payload"]["key"].as_str())
                        == Some(key.as_str())
                })
                .count();
            groups.push(DemoGroup {
                members,
                conversation,
                intros_posted,
            });
        }
        Ok(DemoRound {
            seq: round.seq,
            groups,
        })
    }

    /// One group's DMs as its members saw them.
    fn print_transcript(
        &self,
        round: &DemoRound,
        people: &[SimUser],
        out: &mut dyn Write,
    ) -> Result<(), DemoError> {
        write_group_dm(out, &self.sim.recorder(), round, people)?;
        Ok(())
    }
}

/// An ephemeral reply's text and blocks as plain lines.
fn reply_text(body: &Value) -> String {
    let lines = message_text(body.get("blocks"), body["text"].as_str());
    lines.join("\n")
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| format!("{prefix}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
