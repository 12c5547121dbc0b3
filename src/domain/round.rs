use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use super::{GroupId, InvalidValue, MemberId, ProgramId, RoundId};

/// A round is open from planning (intros owed, then sent) until its answers are counted;
/// or skipped when too few people took part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundState {
    Open,
    Closed,
    Skipped,
}

impl RoundState {
    pub fn as_str(self) -> &'static str {
        match self {
            RoundState::Open => "open",
            RoundState::Closed => "closed",
            RoundState::Skipped => "skipped",
        }
    }
}

impl FromStr for RoundState {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "open" => Ok(RoundState::Open),
            "closed" => Ok(RoundState::Closed),
            "skipped" => Ok(RoundState::Skipped),
            other => Err(InvalidValue::new(format!("unknown round state `{other}`"))),
        }
    }
}

impl fmt::Display for RoundState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: RoundId,
    pub program_id: ProgramId,
    /// 1, 2, 3… within the program.
    pub seq: i64,
    pub scheduled_for: DateTime<Utc>,
    pub state: RoundState,
    pub seed: u64,
    pub nudge_at: DateTime<Utc>,
    pub close_at: DateTime<Utc>,
}

impl Round {
    /// The number the program's next round takes, after `last` (its latest round, if any).
    /// The planner computes it once, hands it to the engine and stores it.
    pub fn next_seq(last: Option<&Round>) -> i64 {
        last.map_or(0, |round| round.seq) + 1
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub round_id: RoundId,
    pub position: i64,
    pub members: Vec<MemberId>,
    pub conversation_id: Option<String>,
}
