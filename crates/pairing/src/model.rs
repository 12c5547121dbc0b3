//! What the engine is asked: people, history, exclusions and settings.

/// Someone taking part in the round being planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person<Id> {
    pub id: Id,
    /// Team or department. `None` means unknown: it never counts as "same team".
    pub team: Option<String>,
    /// Offset from UTC in minutes (`330` for India), `None` when unknown. An unknown offset
    /// is never penalised: we would rather not guess.
    pub utc_offset_minutes: Option<i32>,
}

impl<Id> Person<Id> {
    /// A person with no team and no known time zone.
    pub fn new(id: Id) -> Self {
        Self {
            id,
            team: None,
            utc_offset_minutes: None,
        }
    }

    pub fn with_team(mut self, team: impl Into<String>) -> Self {
        self.team = Some(team.into());
        self
    }

    pub fn with_utc_offset(mut self, minutes: i32) -> Self {
        self.utc_offset_minutes = Some(minutes);
        self
    }
}

/// A group that met in an earlier round. Ids that are not in today's roster are ignored
/// (people leave), so the caller can pass history as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastGroup<Id> {
    /// The round it happened in; larger is more recent.
    pub round: u64,
    pub members: Vec<Id>,
}

/// Which soft criteria are in play. They are strict priorities, not weights to trade
/// against each other: a repeat is worse than any number of same-team pairs, a same-team
/// pair is worse than any time-zone gap, and seeded noise only decides between equals.
/// Avoiding repeats is always on (it is the point of the product).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Priorities {
    /// Prefer people from different teams.
    pub cross_team: bool,
    /// Prefer people whose UTC offsets are close.
    pub close_time_zones: bool,
}

impl Default for Priorities {
    fn default() -> Self {
        Self {
            cross_team: true,
            close_time_zones: true,
        }
    }
}

/// How the matching is computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Solver {
    /// Exact for small rosters, approximate (sparse candidates + local search) above
    /// [`EXACT_LIMIT`](crate::EXACT_LIMIT) people.
    #[default]
    Auto,
    /// Always exact (Edmonds' blossom algorithm, O(n³) time and O(n²) memory).
    Exact,
    /// Always approximate: O(n log n) time, O(n) memory.
    Approximate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// People per group, 2..=8. When the roster does not divide, some groups get one more.
    pub group_size: usize,
    /// A past meeting in round `r` counts as a repeat when `current_round - r <= lookback_rounds`.
    pub lookback_rounds: u64,
    pub priorities: Priorities,
    pub solver: Solver,
}

impl Settings {
    pub const MIN_GROUP_SIZE: usize = 2;
    pub const MAX_GROUP_SIZE: usize = 8;
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            group_size: 2,
            lookback_rounds: 12,
            priorities: Priorities::default(),
            solver: Solver::Auto,
        }
    }
}

/// Everything one call to [`plan`](crate::plan) needs. Borrowed, so the caller keeps its data.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a, Id> {
    pub people: &'a [Person<Id>],
    pub history: &'a [PastGroup<Id>],
    /// Pairs that must never share a group, in either order. Ids not in the roster are ignored.
    pub exclusions: &'a [(Id, Id)],
    /// The round being planned; ages of past meetings are measured from it.
    pub current_round: u64,
    pub settings: Settings,
}

impl<'a, Id> Input<'a, Id> {
    /// A roster with no history and no exclusions, planned as round 0 with default settings.
    pub fn new(people: &'a [Person<Id>]) -> Self {
        Self {
            people,
            history: &[],
            exclusions: &[],
            current_round: 0,
            settings: Settings::default(),
        }
    }
}
