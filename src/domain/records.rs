//! The plain data every admin figure (`crate::stats`) is computed from, as `store::stats`
//! loads it. Nothing here knows about SQL, so tests build these by hand and check figures
//! computed on paper.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{
    EnrollmentState, FeedbackAnswer, GroupId, MemberId, OutboxState, ProgramId, RoundId,
    RoundState, WorkspaceId,
};

/// A program as the figures name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramRef {
    pub id: ProgramId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// The program's schedule time zone: dates are shown as its people live them.
    pub time_zone: Tz,
}

impl ProgramRef {
    /// The calendar day of `at` in the program's time zone.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.time_zone).date_naive()
    }
}

/// A person who is or was enrolled in the program, or who was ever placed in one of its
/// groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: MemberId,
    /// The platform's user id (Slack `U…`): what an admin can look up.
    pub external_id: String,
    pub display_name: String,
    /// `COALESCE(chosen_team, profile_team)`, trimmed; None when blank (unknown team).
    pub team: Option<String>,
}

impl Person {
    /// The team as the figures see it: a blank or whitespace-only name is unknown.
    pub fn normalize_team(raw: Option<&str>) -> Option<String> {
        raw.map(str::trim)
            .filter(|team| !team.is_empty())
            .map(str::to_owned)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentRecord {
    pub member_id: MemberId,
    pub state: EnrollmentState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundRecord {
    pub id: RoundId,
    pub seq: i64,
    pub scheduled_for: DateTime<Utc>,
    pub state: RoundState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    pub id: GroupId,
    pub round_id: RoundId,
    /// Order within the round (0, 1, 2…), as planned.
    pub position: i64,
    pub members: Vec<MemberId>,
}

/// One `kind = 'intro'` outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroRecord {
    pub group_id: GroupId,
    /// None: one message to the whole group (Slack group DM); Some: one member alone (Teams).
    pub recipient: Option<MemberId>,
    pub state: OutboxState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRecord {
    pub group_id: GroupId,
    pub member_id: MemberId,
    pub answer: FeedbackAnswer,
}

/// Everything about one program that its figures need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramRecords {
    pub program: ProgramRef,
    pub people: BTreeMap<MemberId, Person>,
    /// Every enrollment, including people who left.
    pub enrollments: Vec<EnrollmentRecord>,
    /// In any order; the figures sort by `seq`.
    pub rounds: Vec<RoundRecord>,
    pub groups: Vec<GroupRecord>,
    pub intros: Vec<IntroRecord>,
    pub feedback: Vec<FeedbackRecord>,
}

impl ProgramRecords {
    /// A program with nobody and nothing in it yet.
    pub fn empty(program: ProgramRef) -> Self {
        Self {
            program,
            people: BTreeMap::new(),
            enrollments: Vec::new(),
            rounds: Vec::new(),
            groups: Vec::new(),
            intros: Vec::new(),
            feedback: Vec::new(),
        }
    }

    /// A person's team, None when unknown (or when the person is not in `people`).
    pub fn team_of(&self, member: MemberId) -> Option<&str> {
        self.people
            .get(&member)
            .and_then(|person| person.team.as_deref())
    }
}
