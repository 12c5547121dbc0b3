//! What the engine answers: groups, who could not be placed and why, and how good it is.

use std::fmt;

/// The groups for one round.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan<Id> {
    /// Each group's members, sorted by id; groups sorted by their first member.
    pub groups: Vec<Vec<Id>>,
    /// People who got no group, with the reason. Empty unless the roster has one person or
    /// exclusions leave someone nowhere to go.
    pub unplaced: Vec<Unplaced<Id>>,
    pub quality: Quality,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaced<Id> {
    pub id: Id,
    pub reason: UnplacedReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnplacedReason {
    /// The roster has nobody else.
    NobodyElse,
    /// Every group this person could join contains someone they must not meet.
    Excluded,
}

impl fmt::Display for UnplacedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NobodyElse => "nobody else is available",
            Self::Excluded => "every possible group contains someone they must not meet",
        })
    }
}

/// What the engine minimises, compared lexicographically (field order is priority order).
/// Every pair of people inside a group contributes, so a trio contributes three pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score {
    /// Pairs that already met within the look-back.
    pub repeats: u64,
    /// Sum over repeated pairs of how recent their last meeting was: the most recent
    /// possible round weighs `min(lookback + 1, 64)`, the oldest in the window weighs 1.
    pub repeat_recency: u64,
    pub same_team_pairs: u64,
    /// Sum over pairs of (time-zone gap in quarter hours)², so two 3-hour gaps beat one
    /// 6-hour gap: we would rather nobody gets a hopeless pairing.
    pub time_zone_cost: u64,
    /// Seeded noise; only decides between otherwise equal groupings.
    pub jitter: u64,
}

impl std::ops::Add for Score {
    type Output = Score;
    fn add(self, other: Score) -> Score {
        Score {
            repeats: self.repeats + other.repeats,
            repeat_recency: self.repeat_recency + other.repeat_recency,
            same_team_pairs: self.same_team_pairs + other.same_team_pairs,
            time_zone_cost: self.time_zone_cost + other.time_zone_cost,
            jitter: self.jitter + other.jitter,
        }
    }
}

impl std::iter::Sum for Score {
    fn sum<I: Iterator<Item = Score>>(iter: I) -> Score {
        iter.fold(Score::default(), std::ops::Add::add)
    }
}

/// Figures about a grouping, for summaries, stats and benchmarks. Counts are what
/// happened, whichever priorities were switched on; `score` is what the engine minimised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quality {
    pub groups: usize,
    pub people_placed: usize,
    /// Pairs of people sharing a group (a trio has three).
    pub pairs: u64,
    /// Pairs that already met within the look-back.
    pub repeats: u64,
    pub same_team_pairs: u64,
    /// Pairs whose members both have a team, and different ones.
    pub cross_team_pairs: u64,
    /// Time-zone figures only count pairs where both offsets are known. The gap is the
    /// difference of local clock times, so UTC-11 and UTC+13 are 0 minutes apart.
    pub pairs_with_known_time_zones: u64,
    pub max_tz_gap_minutes: u32,
    pub mean_tz_gap_minutes: f64,
    pub score: Score,
}

/// Input the engine refuses to plan with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairingError {
    GroupSize {
        requested: usize,
    },
    /// `people[first]` and `people[second]` have the same id.
    DuplicateId {
        first: usize,
        second: usize,
    },
    /// A group passed to [`evaluate`](crate::evaluate) names someone not in the roster, or
    /// names someone twice.
    NotInRoster {
        group: usize,
    },
}

impl fmt::Display for PairingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::GroupSize { requested } => write!(
                f,
                "group size must be between {} and {}, got {requested}",
                crate::Settings::MIN_GROUP_SIZE,
                crate::Settings::MAX_GROUP_SIZE
            ),
            Self::DuplicateId { first, second } => {
                write!(f, "people[{first}] and people[{second}] have the same id")
            }
            Self::NotInRoster { group } => {
                write!(
                    f,
                    "group {group} names someone twice or someone not in the roster"
                )
            }
        }
    }
}

impl std::error::Error for PairingError {}
