//! When rounds happen: each program's cron expression in its IANA time zone, correct across
//! daylight-saving changes. Creating a round is idempotent (UNIQUE program + time), so a
//! restart, two ticks or two processes never run a round twice; a round missed while the
//! bot was down is caught up within a grace window, and skipped (and logged) beyond it.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::{Notify, watch};

use crate::chat::ChatDirectory;
use crate::clock::Clock;
use crate::domain::{Program, Round, RoundState, Schedule};
use crate::rounds::{PlanOutcome, RoundCloser, RoundError, RoundPlanner};
use crate::store::{NewRound, RoundWrite, Store};

/// What a program's schedule asks for at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    Nothing,
    /// Plan the round due at this time (the latest run at or before now).
    Run(DateTime<Utc>),
    /// The latest run is older than the grace window: record it as skipped. `missed` counts
    /// every run since the last round.
    TooLate {
        at: DateTime<Utc>,
        missed: usize,
    },
}

/// Most missed runs counted (for the log) in one go; a minutely cron after months of
/// downtime stays cheap.
const MAX_RUNS_COUNTED: usize = 10_000;

/// How far back the latest run is looked for first; the window doubles until a run is in
/// it, so a frequent cron scans about a day of runs and a yearly one a few windows.
const FIRST_LOOK_BACK: Duration = Duration::days(1);

/// Pure decision: given the last round's time (or the program's creation), which run is
/// due now. Only the latest due run is planned: after downtime people get one round, not a
/// burst of back-to-back ones.
pub fn due_round(
    schedule: &Schedule,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    grace: Duration,
) -> Due {
    let Some(latest) = latest_run(schedule, since, now) else {
        return Due::Nothing;
    };
    if now - latest <= grace {
        return Due::Run(latest);
    }
    let missed = runs_between(schedule, since, now)
        .take(MAX_RUNS_COUNTED)
        .count();
    Due::TooLate { at: latest, missed }
}

/// Runs after `since`, up to and including `now`, in UTC.
fn runs_between(
    schedule: &Schedule,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> impl Iterator<Item = DateTime<Utc>> + '_ {
    schedule
        .runs_after(since)
        .map(|at| at.with_timezone(&Utc))
        .take_while(move |at| *at <= now)
}

/// The latest run after `since` and at or before `now`. Scans growing windows back from
/// `now` rather than every run since `since`: after long downtime those can be many.
fn latest_run(
    schedule: &Schedule,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut window = FIRST_LOOK_BACK;
    loop {
        let from = now
            .checked_sub_signed(window)
            .map_or(since, |from| from.max(since));
        if let Some(latest) = runs_between(schedule, from, now).last() {
            return Some(latest);
        }
        if from == since {
            return None;
        }
        window = window.checked_mul(2).unwrap_or(Duration::MAX);
    }
}

/// What one scheduler tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    pub rounds_planned: usize,
    pub rounds_skipped: usize,
    pub rounds_closed: usize,
}

/// What a tick did for one program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProgramTick {
    /// A round was planned: intros are owed.
    Planned,
    /// A round was recorded as skipped (too few people, or missed beyond the grace window).
    Skipped,
    /// Nothing to do: not due, already done by someone else, or no platform to send on.
    NotDue,
}

#[derive(Debug, Clone)]
pub struct Scheduler {
    store: Store,
    planner: RoundPlanner,
    closer: RoundCloser,
    chats: ChatDirectory,
    clock: Clock,
    grace: Duration,
    /// Woken after planning, so intros go out at once.
    delivery: std::sync::Arc<Notify>,
}

impl Scheduler {
    pub fn new(
        store: Store,
        planner: RoundPlanner,
        chats: ChatDirectory,
        clock: Clock,
        grace: Duration,
        delivery: std::sync::Arc<Notify>,
    ) -> Self {
        let closer = RoundCloser::new(store.clone(), planner.config().ghost_pause_after);
        Self {
            store,
            planner,
            closer,
            chats,
            clock,
            grace,
            delivery,
        }
    }

    /// Plans due rounds, records missed ones, closes finished ones. Safe to run anywhere,
    /// any number of times: every step is idempotent.
    pub async fn tick(&self) -> Result<TickReport, RoundError> {
        let now = self.clock.now();
        let mut report = TickReport::default();
        for program in self.store.scheduled_programs().await? {
            match self.tick_program(&program, now).await {
                Ok(ProgramTick::Planned) => report.rounds_planned += 1,
                Ok(ProgramTick::Skipped) => report.rounds_skipped += 1,
                Ok(ProgramTick::NotDue) => {}
                Err(err) => {
                    tracing::error!(program = %program.name, error = %err, "scheduling failed")
                }
            }
        }
        report.rounds_closed = self.closer.close_due(now).await?.rounds_closed;
        if report.rounds_planned > 0 {
            self.delivery.notify_waiters();
        }
        Ok(report)
    }

    async fn tick_program(
        &self,
        program: &Program,
        now: DateTime<Utc>,
    ) -> Result<ProgramTick, RoundError> {
        let Some(schedule) = &program.schedule else {
            return Ok(ProgramTick::NotDue);
        };
        if schedule.two_runs_on_one_day().is_some() {
            // Stored before schedules were limited to one run a day; running it would send
            // everyone intros every few seconds.
            tracing::warn!(
                program = %program.name,
                schedule = %schedule.expression(),
                "not running a schedule that fires more than once a day; set a new one with `admin schedule`"
            );
            return Ok(ProgramTick::NotDue);
        }
        let last = self.store.last_round(program.id).await?;
        let since = last
            .as_ref()
            .map_or(program.created_at, |round| round.scheduled_for);
        match due_round(schedule, since, now, self.grace) {
            Due::Nothing => Ok(ProgramTick::NotDue),
            Due::Run(at) => {
                let Some(chat) = self.chats.get(program.workspace_id) else {
                    tracing::warn!(program = %program.name, "no chat platform for this program's workspace");
                    return Ok(ProgramTick::NotDue);
                };
                match self
                    .planner
                    .plan(program, at, chat.intro_fanout(), false)
                    .await?
                {
                    PlanOutcome::Planned(_) => Ok(ProgramTick::Planned),
                    PlanOutcome::Skipped { participants, .. } => {
                        tracing::info!(program = %program.name, participants, "round skipped: too few people");
                        Ok(ProgramTick::Skipped)
                    }
                    PlanOutcome::AlreadyPlanned | PlanOutcome::DryRun(_) => Ok(ProgramTick::NotDue),
                }
            }
            Due::TooLate { at, missed } => {
                tracing::warn!(
                    program = %program.name,
                    due = %at,
                    missed,
                    grace_hours = self.grace.num_hours(),
                    "missed round(s) while the bot was down; outside the catch-up window, skipping"
                );
                let created = self
                    .store
                    .create_round(NewRound {
                        program: program.id,
                        seq: Round::next_seq(last.as_ref()),
                        scheduled_for: at,
                        state: RoundState::Skipped,
                        seed: 0,
                        nudge_at: at,
                        close_at: at,
                    })
                    .await?;
                // Taken time: another process recorded it. Taken number: a round was planned
                // in between; the next tick looks again.
                Ok(match created {
                    RoundWrite::Written(_) => ProgramTick::Skipped,
                    RoundWrite::TimeTaken | RoundWrite::NumberTaken => ProgramTick::NotDue,
                })
            }
        }
    }

    /// Ticks every `period` until `stop` turns true.
    pub async fn run(self, period: StdDuration, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            if let Err(err) = self.tick().await {
                tracing::error!(error = %err, "scheduler tick failed");
            }
            tokio::select! {
                () = tokio::time::sleep(period) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests;
