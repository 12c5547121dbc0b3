use chrono::{TimeZone, Timelike};
use chrono_tz::Europe::Berlin;

use super::*;

fn berlin(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Berlin
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn weekly_monday_9_berlin() -> Schedule {
    Schedule::parse("0 9 * * MON", "Europe/Berlin").unwrap()
}

#[test]
fn a_weekly_berlin_round_fires_at_nine_local_on_both_sides_of_the_spring_change() {
    let schedule = weekly_monday_9_berlin();
    // 23 March 2026 is CET (UTC+1); 30 March is CEST (UTC+2) after the 29 March change.
    let before = berlin(2026, 3, 23, 9, 0);
    assert_eq!(before, Utc.with_ymd_and_hms(2026, 3, 23, 8, 0, 0).unwrap());
    let after_change = Utc.with_ymd_and_hms(2026, 3, 30, 12, 0, 0).unwrap();
    let Due::Run(at) = due_round(&schedule, before, after_change, Duration::hours(24)) else {
        panic!("the round after the change should be due");
    };
    assert_eq!(at, Utc.with_ymd_and_hms(2026, 3, 30, 7, 0, 0).unwrap());
    assert_eq!(at.with_timezone(&Berlin).hour(), 9);
}

#[test]
fn a_weekly_berlin_round_fires_at_nine_local_on_both_sides_of_the_autumn_change() {
    let schedule = weekly_monday_9_berlin();
    // 19 October 2026 is CEST; 26 October is CET after the 25 October change.
    let before = berlin(2026, 10, 19, 9, 0);
    assert_eq!(before, Utc.with_ymd_and_hms(2026, 10, 19, 7, 0, 0).unwrap());
    let now = Utc.with_ymd_and_hms(2026, 10, 26, 8, 30, 0).unwrap();
    let Due::Run(at) = due_round(&schedule, before, now, Duration::hours(24)) else {
        panic!("the round after the change should be due");
    };
    assert_eq!(at, Utc.with_ymd_and_hms(2026, 10, 26, 8, 0, 0).unwrap());
    assert_eq!(at.with_timezone(&Berlin).hour(), 9);
}

#[test]
fn nothing_is_due_before_the_next_run() {
    let schedule = weekly_monday_9_berlin();
    let last = berlin(2026, 11, 23, 9, 0);
    let now = berlin(2026, 11, 30, 8, 59);
    assert_eq!(
        due_round(&schedule, last, now, Duration::hours(24)),
        Due::Nothing
    );
    assert_eq!(
        due_round(
            &schedule,
            last,
            berlin(2026, 11, 30, 9, 0),
            Duration::hours(24)
        ),
        Due::Run(berlin(2026, 11, 30, 9, 0))
    );
}

#[test]
fn a_round_missed_during_downtime_is_caught_up_inside_the_grace_window() {
    let schedule = weekly_monday_9_berlin();
    let last = berlin(2026, 11, 23, 9, 0);
    let restart = berlin(2026, 12, 1, 8, 0); // 23 hours late
    assert_eq!(
        due_round(&schedule, last, restart, Duration::hours(24)),
        Due::Run(berlin(2026, 11, 30, 9, 0))
    );
}

#[test]
fn a_round_missed_beyond_the_grace_window_is_skipped() {
    let schedule = weekly_monday_9_berlin();
    let last = berlin(2026, 11, 23, 9, 0);
    let restart = berlin(2026, 12, 1, 10, 0); // 25 hours late
    assert_eq!(
        due_round(&schedule, last, restart, Duration::hours(24)),
        Due::TooLate {
            at: berlin(2026, 11, 30, 9, 0),
            missed: 1
        }
    );
}

#[test]
fn after_long_downtime_only_the_latest_run_is_planned() {
    let schedule = weekly_monday_9_berlin();
    let last = berlin(2026, 11, 2, 9, 0);
    let restart = berlin(2026, 11, 30, 11, 0);
    assert_eq!(
        due_round(&schedule, last, restart, Duration::hours(24)),
        Due::Run(berlin(2026, 11, 30, 9, 0))
    );
}

#[test]
fn after_more_missed_runs_than_are_counted_only_the_latest_is_planned() {
    // A daily run, thirty years of downtime: over ten thousand missed runs.
    let schedule = Schedule::parse("0 9 * * *", "UTC").unwrap();
    let last = Utc.with_ymd_and_hms(1996, 11, 2, 9, 0, 0).unwrap();
    let restart = Utc.with_ymd_and_hms(2026, 11, 9, 9, 0, 30).unwrap();
    assert_eq!(
        due_round(&schedule, last, restart, Duration::hours(24)),
        Due::Run(Utc.with_ymd_and_hms(2026, 11, 9, 9, 0, 0).unwrap())
    );
    let later = Utc.with_ymd_and_hms(2026, 11, 10, 9, 0, 30).unwrap();
    assert_eq!(
        due_round(&schedule, last, later, Duration::hours(1)),
        Due::Run(Utc.with_ymd_and_hms(2026, 11, 10, 9, 0, 0).unwrap())
    );
}

#[test]
fn a_yearly_round_missed_long_ago_is_found_and_skipped() {
    let schedule = Schedule::parse("0 9 1 1 *", "Europe/Berlin").unwrap();
    let created = berlin(2020, 6, 1, 12, 0);
    let now = berlin(2026, 11, 30, 12, 0);
    assert_eq!(
        due_round(&schedule, created, now, Duration::hours(24)),
        Due::TooLate {
            at: berlin(2026, 1, 1, 9, 0),
            missed: 6
        }
    );
}
