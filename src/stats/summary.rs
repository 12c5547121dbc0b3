//! The compact view for chat (`/coffee admin stats`): headline numbers of a program with their
//! change since the round before. Platform-neutral: adapters render it (Block Kit, cards).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::figures::{EnrollmentCounts, ProgramStats, RoundStats, Totals, serialize_round_state};
use crate::domain::RoundState;

/// A figure of the latest round next to the same figure of the round before it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figure<T> {
    pub latest: T,
    /// None when the latest round is the first one.
    pub previous: Option<T>,
}

impl Figure<u64> {
    /// `latest - previous`.
    pub fn change(&self) -> Option<i64> {
        let previous = self.previous?;
        Some(i64::try_from(self.latest).ok()? - i64::try_from(previous).ok()?)
    }
}

impl Figure<Option<f64>> {
    /// The change in percentage points (0.40 → 0.55 is +15.0).
    pub fn change_points(&self) -> Option<f64> {
        Some((self.latest? - self.previous??) * 100.0)
    }
}

/// The latest round that had groups, compared with the one before it that had groups
/// (skipped rounds are passed over: there is nothing to compare in them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundTrend {
    pub seq: i64,
    pub scheduled_for: DateTime<Utc>,
    /// The day of the round in the program's time zone.
    pub date: NaiveDate,
    /// An `open` round is still collecting answers: its rates can still go up.
    #[serde(serialize_with = "serialize_round_state")]
    pub state: RoundState,
    pub previous_seq: Option<i64>,
    pub participants: Figure<u64>,
    pub groups: Figure<u64>,
    pub intros_failed: Figure<u64>,
    pub feedback_rate: Figure<Option<f64>>,
    pub met_rate: Figure<Option<f64>>,
    pub cross_team_share: Figure<Option<f64>>,
    pub repeat_rate: Figure<Option<f64>>,
    pub first_cross_team: Figure<u64>,
    /// Cumulative: team pairs connected by the end of each round.
    pub team_pairs_met: Figure<u64>,
    pub team_pairs_possible: Figure<u64>,
    pub reach: Figure<Option<f64>>,
}

/// What an admin asking "is it working?" in chat gets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgramSummary {
    pub program: String,
    pub enrollment: EnrollmentCounts,
    /// Since the program started.
    pub totals: Totals,
    /// None until a round has had groups.
    pub latest: Option<RoundTrend>,
}

impl ProgramSummary {
    pub fn from_stats(stats: &ProgramStats) -> Self {
        let mut with_groups = stats.rounds.iter().rev().filter(|round| round.groups > 0);
        let latest = with_groups
            .next()
            .map(|latest| trend(latest, with_groups.next()));
        Self {
            program: stats.program.clone(),
            enrollment: stats.enrollment,
            totals: stats.totals.clone(),
            latest,
        }
    }
}

fn trend(latest: &RoundStats, previous: Option<&RoundStats>) -> RoundTrend {
    fn figure<T: Copy>(
        latest: &RoundStats,
        previous: Option<&RoundStats>,
        read: impl Fn(&RoundStats) -> T,
    ) -> Figure<T> {
        Figure {
            latest: read(latest),
            previous: previous.map(read),
        }
    }
    RoundTrend {
        seq: latest.seq,
        scheduled_for: latest.scheduled_for,
        date: latest.date,
        state: latest.state,
        previous_seq: previous.map(|round| round.seq),
        participants: figure(latest, previous, |r| r.participants),
        groups: figure(latest, previous, |r| r.groups),
        intros_failed: figure(latest, previous, |r| r.intros_failed),
        feedback_rate: figure(latest, previous, |r| r.feedback_rate),
        met_rate: figure(latest, previous, |r| r.met_rate),
        cross_team_share: figure(latest, previous, |r| r.cross_team_share),
        repeat_rate: figure(latest, previous, |r| r.repeat_rate),
        first_cross_team: figure(latest, previous, |r| r.first_cross_team),
        team_pairs_met: figure(latest, previous, |r| r.team_pairs_met),
        team_pairs_possible: figure(latest, previous, |r| r.team_pairs_possible),
        reach: figure(latest, previous, |r| r.reach),
    }
}
