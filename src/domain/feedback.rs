use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use super::{GroupId, InvalidValue, MemberId};

/// What a person said about their group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedbackAnswer {
    Met,
    /// "Scheduled": a meeting is planned.
    Planned,
    Skipped,
    NoAnswer,
}

impl FeedbackAnswer {
    /// "We met" or "Scheduled": the group's coffee happened or will.
    pub fn shows_engagement(self) -> bool {
        matches!(self, FeedbackAnswer::Met | FeedbackAnswer::Planned)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackAnswer::Met => "met",
            FeedbackAnswer::Planned => "planned",
            FeedbackAnswer::Skipped => "skipped",
            FeedbackAnswer::NoAnswer => "no_answer",
        }
    }
}

impl fmt::Display for FeedbackAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FeedbackAnswer {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "met" => Ok(FeedbackAnswer::Met),
            "planned" => Ok(FeedbackAnswer::Planned),
            "skipped" => Ok(FeedbackAnswer::Skipped),
            "no_answer" => Ok(FeedbackAnswer::NoAnswer),
            other => Err(InvalidValue::new(format!("unknown answer `{other}`"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub group_id: GroupId,
    pub member_id: MemberId,
    pub answer: FeedbackAnswer,
    pub answered_at: DateTime<Utc>,
}
