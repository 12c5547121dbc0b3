//! Catching up after downtime: the bot is stopped before a scheduled round, its clock moves
//! on while it is down, and it starts again on the same database. Within the grace window
//! (24 hours by default) the missed round is planned and delivered at start-up; beyond it,
//! the round is recorded as skipped, logged, and nobody is introduced — and the schedule
//! goes on as usual from there.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use common::eventually;
use common::harness::{SlackTestBot, WAIT};
use common::rounds::{
    SETTLE, assert_exactly_one_intro_per_group, everyone_in_coffee, last_round, owed_groups,
    program, round_options, settled,
};
use pourover::domain::{OutboxKind, Program, RoundState, Schedule};

const CRON: &str = "0 9 * * MON";
const ZONE: &str = "Europe/Berlin";

/// A bot whose `coffee` program runs weekly, and the next time it is due.
async fn scheduled_bot() -> (SlackTestBot, Program, DateTime<Utc>) {
    let bot = SlackTestBot::start_with(round_options(everyone_in_coffee(6, 3))).await;
    bot.create_program("coffee", Some("coffee")).await;
    let reply = bot
        .command(
            &bot.owner().id,
            &format!(r#"admin schedule coffee "{CRON}" {ZONE}"#),
        )
        .await;
    assert!(reply.contains("now runs"), "{reply}");
    let coffee = program(bot.store(), bot.workspace().await, "coffee").await;
    let due = Schedule::parse(CRON, ZONE)
        .expect("a valid schedule")
        .runs_after(bot.clock().now())
        .next()
        .expect("a next run")
        .with_timezone(&Utc);
    (bot, coffee, due)
}

/// Stops the bot, lets its clock reach `due + late` while it is down, and starts it again:
/// the scheduler's first tick runs at start-up.
async fn down_until(bot: &mut SlackTestBot, due: DateTime<Utc>, late: Duration) {
    bot.stop().await;
    let now = bot.clock().now();
    bot.clock().advance(due + late - now);
    bot.start_again().await;
}

/// Log lines written while the returned guard lives (this thread only: `#[tokio::test]`
/// runs the bot's tasks on the test's own thread).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn start(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::WARN)
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

#[tokio::test]
async fn a_round_missed_by_23_hours_is_planned_and_delivered_when_the_bot_starts() {
    let (mut bot, coffee, due) = scheduled_bot().await;
    assert!(last_round(bot.store(), &coffee).await.is_none());
    down_until(&mut bot, due, Duration::hours(23)).await;

    let groups = settled(bot.store(), &coffee, OutboxKind::Intro, SETTLE).await;
    let round = last_round(bot.store(), &coffee).await.expect("the round");
    assert_eq!(
        round.scheduled_for, due,
        "the missed run, not the restart time"
    );
    assert_eq!(round.state, RoundState::Open);
    assert_eq!(groups.len(), 3);
    assert_exactly_one_intro_per_group(&bot.sim, &round, &groups);
    // Follow-ups count from the missed run, as if the round had been on time.
    assert_eq!(
        round.nudge_at,
        due + Duration::hours(i64::from(coffee.settings.nudge_after_hours))
    );

    // Another tick, or another restart, does not run it again.
    let report = bot.app().core().scheduler.tick().await.expect("ticks");
    assert_eq!(
        report.rounds_planned + report.rounds_skipped,
        0,
        "{report:?}"
    );
    bot.restart().await;
    let report = bot.app().core().scheduler.tick().await.expect("ticks");
    assert_eq!(
        report.rounds_planned + report.rounds_skipped,
        0,
        "{report:?}"
    );
    let rounds = bot.store().program_rounds(coffee.id).await.expect("rounds");
    assert_eq!(rounds.len(), 1, "{rounds:?}");
    assert_eq!(bot.recorder().calls_to("chat.postMessage").len(), 3);
    bot.shutdown().await;
}

#[tokio::test]
async fn a_round_missed_by_25_hours_is_skipped_logged_and_nobody_is_introduced() {
    let (mut bot, coffee, due) = scheduled_bot().await;
    let log = Captured::default();
    let _capturing = log.start();
    down_until(&mut bot, due, Duration::hours(25)).await;

    let round = eventually("the missed round to be recorded", WAIT, || async {
        last_round(bot.store(), &coffee).await
    })
    .await;
    assert_eq!(round.scheduled_for, due);
    assert_eq!(round.state, RoundState::Skipped);
    assert!(owed_groups(bot.store(), &round).await.is_empty());
    let logged = log.text();
    assert!(
        logged.contains("outside the catch-up window, skipping")
            && logged.contains("program=coffee")
            && logged.contains("grace_hours=24"),
        "{logged}"
    );
    let report = bot.app().core().scheduler.tick().await.expect("ticks");
    assert_eq!(
        report.rounds_planned + report.rounds_skipped,
        0,
        "{report:?}"
    );
    assert!(bot.recorder().calls_to("conversations.open").is_empty());
    assert!(bot.recorder().calls_to("chat.postMessage").is_empty());

    // The following week runs as usual.
    let next = Schedule::parse(CRON, ZONE)
        .expect("a valid schedule")
        .runs_after(due)
        .next()
        .expect("a next run")
        .with_timezone(&Utc);
    let now = bot.clock().now();
    bot.clock().advance(next + Duration::minutes(1) - now);
    let report = bot.app().core().scheduler.tick().await.expect("ticks");
    assert_eq!(report.rounds_planned, 1, "{report:?}");
    let groups = settled(bot.store(), &coffee, OutboxKind::Intro, SETTLE).await;
    let round = last_round(bot.store(), &coffee).await.expect("the round");
    assert_eq!((round.seq, round.scheduled_for), (2, next));
    assert_exactly_one_intro_per_group(&bot.sim, &round, &groups);
    bot.shutdown().await;
}
