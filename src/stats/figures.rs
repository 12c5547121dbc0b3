//! What the figures are, and exactly how each one is counted. Every surface (CLI, JSON, CSV,
//! HTML, Slack) shows these structs, so a number means the same thing everywhere.
//!
//! Words used below:
//! - **participant** of a round: a person placed in one of its groups.
//! - **team**: `COALESCE(chosen_team, profile_team)`, trimmed; blank means *unknown*. Unknown
//!   teams never make anything "cross-team": we do not claim a tie we cannot see.
//! - **answered**: the person's last button press was `met`, `planned` or `skipped`
//!   (`no_answer`, or no row at all, is not an answer).
//! - a group **met** when at least one member answered `met` (in a pair, one "yes" is enough:
//!   the other often just does not click).
//! - two people **met** when their group met and neither said `skipped` — except that a
//!   meeting needs two people, so when excluding the `skipped` members would leave fewer than
//!   two, everyone in the group counts (someone reported meeting *someone*).
//! - a **team pair** is an unordered pair of two different known teams.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::domain::RoundState;

/// Enrollment right now (not per round: the database keeps the current state only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EnrollmentCounts {
    /// In the program and not left: `active + paused`.
    pub enrolled: u64,
    /// Will be considered for the next round. A pause whose end date has passed counts as
    /// active, as it does for pairing.
    pub active: u64,
    /// Paused until a future date or until they resume.
    pub paused: u64,
    /// Joined once and left since.
    pub left: u64,
}

/// One round's figures. Rounds appear when they have groups or were skipped; a round that is
/// still only scheduled is not shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundStats {
    pub seq: i64,
    pub scheduled_for: DateTime<Utc>,
    /// The day of `scheduled_for` in the program's time zone.
    pub date: NaiveDate,
    #[serde(serialize_with = "serialize_round_state")]
    pub state: RoundState,
    /// People placed in a group this round.
    pub participants: u64,
    pub groups: u64,
    /// Participants whose introduction reached them: the group's message (one per group) or
    /// their own (one per member) was sent. Counted in people so one-message-per-group and
    /// one-message-per-member platforms compare.
    pub intros_delivered: u64,
    /// Participants whose introduction the platform refused for good (and none was sent).
    pub intros_failed: u64,
    /// Participants whose introduction is queued, being sent, or not queued at all.
    pub intros_waiting: u64,
    /// Participants who answered (see module docs).
    pub answered: u64,
    /// `answered / participants`.
    pub feedback_rate: Option<f64>,
    /// Groups where someone answered `met`.
    pub groups_met: u64,
    /// Groups with no `met` but at least one `planned`: a meeting is on the calendar.
    pub groups_planned: u64,
    /// `groups_met / groups`. Groups that never answered count as not met, so this is a
    /// floor, never an estimate.
    pub met_rate: Option<f64>,
    /// Groups whose members come from at least two different known teams.
    pub cross_team_groups: u64,
    /// `cross_team_groups / groups`.
    pub cross_team_share: Option<f64>,
    /// Pairs of people introduced this round: 1 per pair, 3 per trio, n(n-1)/2 per group.
    pub pairs: u64,
    /// Of `pairs`, those already introduced to each other in an earlier round of this program
    /// (whether or not they met then): what the pairing engine tries to avoid.
    pub repeat_pairs: u64,
    /// `repeat_pairs / pairs`.
    pub repeat_rate: Option<f64>,
    /// Participants with a known team who met someone from another known team for the first
    /// time in this program.
    pub first_cross_team: u64,
    /// Team pairs connected by a meeting in this round or before (reach's numerator).
    pub team_pairs_met: u64,
    /// `k(k-1)/2` for the `k` known teams among participants of this round and the ones
    /// before: the team pairs the program could have connected by now.
    pub team_pairs_possible: u64,
    /// `team_pairs_met / team_pairs_possible`: how much of the organisation is tied together.
    pub reach: Option<f64>,
}

/// Figures over every round of a program (or of all programs, for the overall view).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Rounds with at least one group.
    pub rounds_run: u64,
    /// Rounds skipped (too few people).
    pub rounds_skipped: u64,
    pub groups: u64,
    /// Sum of every round's participants: a person in three rounds counts three times.
    pub participations: u64,
    /// People placed in at least one group.
    pub distinct_participants: u64,
    pub intros_delivered: u64,
    pub intros_failed: u64,
    pub intros_waiting: u64,
    pub answered: u64,
    /// `answered / participations`.
    pub feedback_rate: Option<f64>,
    pub groups_met: u64,
    pub groups_planned: u64,
    /// `groups_met / groups`, over every round (open ones included: see each round's state).
    pub met_rate: Option<f64>,
    pub cross_team_groups: u64,
    /// `cross_team_groups / groups`.
    pub cross_team_share: Option<f64>,
    pub pairs: u64,
    pub repeat_pairs: u64,
    /// `repeat_pairs / pairs`.
    pub repeat_rate: Option<f64>,
    /// People who have met someone from another known team at least once (the sum of every
    /// round's `first_cross_team`, for one program).
    pub people_met_across_teams: u64,
    /// Known teams among everyone who took part.
    pub teams: u64,
    /// Team pairs connected by at least one meeting.
    pub team_pairs_met: u64,
    /// Team pairs that were at least introduced (put in a group together), met or not.
    pub team_pairs_introduced: u64,
    /// `teams (teams - 1) / 2` for one program. Across programs, the team pairs that share at
    /// least one program: teams in different workspaces could never have met.
    pub team_pairs_possible: u64,
    /// `team_pairs_met / team_pairs_possible`.
    pub reach: Option<f64>,
}

/// Meetings between teams: `meetings[i][j]` counts pairs of people (one in `teams[i]`, one in
/// `teams[j]`) who met. Symmetric; the diagonal is meetings inside a team. People with an
/// unknown team are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TeamMatrix {
    /// Alphabetical.
    pub teams: Vec<String>,
    pub meetings: Vec<Vec<u64>>,
}

/// Someone who ties teams together. Only people with a known team are listed: with an
/// unknown one we cannot tell which teams are "other".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connector {
    pub external_id: String,
    pub display_name: String,
    pub team: Option<String>,
    /// Distinct known teams, other than their own, of the people they met.
    pub teams_met: u64,
    /// Groups in which they met someone.
    pub meetings: u64,
}

/// How many connectors the figures list.
pub const TOP_CONNECTORS: usize = 5;

/// Everything about one program.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgramStats {
    pub program: String,
    /// IANA name; round dates are days in this zone.
    pub time_zone: String,
    pub enrollment: EnrollmentCounts,
    /// Oldest first.
    pub rounds: Vec<RoundStats>,
    pub totals: Totals,
    pub team_matrix: TeamMatrix,
    /// Most `teams_met` first, then most `meetings`, then by name; at most
    /// [`TOP_CONNECTORS`], only people who met at least one other team.
    pub top_connectors: Vec<Connector>,
}

/// Every program, and all of them together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverallStats {
    /// By name.
    pub programs: Vec<ProgramStats>,
    /// Distinct people: enrolled in at least one program; active in at least one; paused
    /// (enrolled but active in none); left (left every program they joined).
    pub enrollment: EnrollmentCounts,
    /// Counts summed over programs; distinct people, teams and team pairs counted once.
    /// Repeats are judged within each program.
    pub totals: Totals,
    pub team_matrix: TeamMatrix,
    pub top_connectors: Vec<Connector>,
}

pub(crate) fn serialize_round_state<S: serde::Serializer>(
    state: &RoundState,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(state.as_str())
}

/// `part / whole`, None when there is no whole to speak of.
pub(crate) fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Unordered pairs among `n` things.
pub(crate) fn pairs_among(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}
