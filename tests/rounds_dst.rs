//! Daylight saving through the running bot: a weekly 09:00 Europe/Berlin program, with the
//! bot's clock moved across the next change of the clocks there, fires at 09:00 local on
//! both sides — an hour earlier in UTC after the spring change, an hour later after the
//! autumn one — and not a minute before. Each step goes through `Scheduler::tick`.
//!
//! The dates are the next real changes after today (the bot's clock only moves forward),
//! so the test keeps working whenever it runs. `src/schedule/tests.rs` pins fixed dates.

mod common;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Europe::Berlin;
use chrono_tz::OffsetComponents;
use common::harness::SlackTestBot;
use common::rounds::{
    SETTLE, assert_exactly_one_intro_per_group, everyone_in_coffee, last_round, program,
    round_options, settled,
};
use pourover::domain::OutboxKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Clocks go forward: CET (UTC+1) to CEST (UTC+2).
    Spring,
    /// Clocks go back: CEST to CET.
    Autumn,
}

/// Whether Berlin keeps summer time at noon on `day`.
fn summer_time(day: NaiveDate) -> bool {
    let noon = Berlin
        .with_ymd_and_hms(day.year(), day.month(), day.day(), 12, 0, 0)
        .single()
        .expect("noon exists every day");
    noon.offset().dst_offset() != Duration::zero()
}

/// The Sunday of the next `change` in Berlin after `today`.
fn next_change(today: NaiveDate, change: Change) -> NaiveDate {
    let mut day = today;
    for _ in 0..800 {
        let next = day.succ_opt().expect("a next day");
        let (before, after) = (summer_time(day), summer_time(next));
        if before != after && after == (change == Change::Spring) {
            assert_eq!(next.weekday(), Weekday::Sun, "Berlin changes on Sundays");
            return next;
        }
        day = next;
    }
    panic!("no {change:?} change within two years of {today}");
}

/// 09:00 in Berlin on `day`, in UTC.
fn nine_in_berlin(day: NaiveDate) -> DateTime<Utc> {
    Berlin
        .with_ymd_and_hms(day.year(), day.month(), day.day(), 9, 0, 0)
        .single()
        .expect("09:00 exists on a Monday")
        .with_timezone(&Utc)
}

/// Moves the bot's clock to `at` (forward only).
fn move_clock_to(bot: &SlackTestBot, at: DateTime<Utc>) {
    let now = bot.clock().now();
    assert!(at > now, "the clock only moves forward");
    bot.clock().advance(at - now);
}

async fn tick(bot: &SlackTestBot) -> pourover::schedule::TickReport {
    bot.app()
        .core()
        .scheduler
        .tick()
        .await
        .expect("the scheduler ticks")
}

async fn fires_at_nine_local_on_both_sides_of(change: Change) {
    let bot = SlackTestBot::start_with(round_options(everyone_in_coffee(4, 2))).await;
    bot.create_program("coffee", Some("coffee")).await;
    let scheduled = bot
        .command(
            &bot.owner().id,
            r#"admin schedule coffee "0 9 * * MON" Europe/Berlin"#,
        )
        .await;
    assert!(scheduled.contains("now runs `0 9 * * MON`"), "{scheduled}");
    let coffee = program(bot.store(), bot.workspace().await, "coffee").await;

    let sunday = next_change(bot.clock().now().date_naive(), change);
    let before = nine_in_berlin(sunday - Duration::days(6));
    let after = nine_in_berlin(sunday + Duration::days(1));
    let hours_apart = (after - before).num_hours();
    match change {
        Change::Spring => assert_eq!(hours_apart, 7 * 24 - 1),
        Change::Autumn => assert_eq!(hours_apart, 7 * 24 + 1),
    }

    // The Monday before the change: planned at 09:00 Berlin time.
    move_clock_to(&bot, before + Duration::seconds(30));
    let report = tick(&bot).await;
    assert_eq!(report.rounds_planned, 1, "{report:?}");
    let first = last_round(bot.store(), &coffee).await.expect("a round");
    assert_eq!(first.scheduled_for, before);

    // A minute before 09:00 on the Monday after: nothing yet, whatever the UTC hour of
    // last week's round would suggest.
    move_clock_to(&bot, after - Duration::seconds(30));
    let report = tick(&bot).await;
    assert_eq!(report.rounds_planned, 0, "{report:?}");
    assert_eq!(
        last_round(bot.store(), &coffee).await.expect("a round").id,
        first.id
    );

    // 09:00 Berlin time on the Monday after: planned, and its intros go out.
    move_clock_to(&bot, after + Duration::seconds(30));
    let report = tick(&bot).await;
    assert_eq!(report.rounds_planned, 1, "{report:?}");
    let second = last_round(bot.store(), &coffee).await.expect("a round");
    assert_eq!(second.scheduled_for, after);
    for round in [&first, &second] {
        let local = round.scheduled_for.with_timezone(&Berlin);
        assert_eq!((local.hour(), local.minute()), (9, 0), "{local}");
        assert_eq!(local.weekday(), Weekday::Mon);
    }
    assert_ne!(
        first.scheduled_for.hour(),
        second.scheduled_for.hour(),
        "09:00 local moved in UTC"
    );
    let groups = settled(bot.store(), &coffee, OutboxKind::Intro, SETTLE).await;
    assert_exactly_one_intro_per_group(&bot.sim, &second, &groups);
    for group in &groups {
        assert_eq!(group.row(OutboxKind::Intro).not_before, after);
    }
    bot.shutdown().await;
}

#[tokio::test]
async fn a_weekly_nine_o_clock_berlin_round_fires_at_nine_local_across_the_spring_change() {
    fires_at_nine_local_on_both_sides_of(Change::Spring).await;
}

#[tokio::test]
async fn a_weekly_nine_o_clock_berlin_round_fires_at_nine_local_across_the_autumn_change() {
    fires_at_nine_local_on_both_sides_of(Change::Autumn).await;
}
