//! Hand-written programs for the figure tests: people with teams, rounds, groups, intro rows
//! and answers, built without a database so every expected number can be worked out on paper.

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::domain::records::{
    EnrollmentRecord, FeedbackRecord, GroupRecord, IntroRecord, Person, ProgramRecords, ProgramRef,
    RoundRecord,
};
use crate::domain::{
    EnrollmentState, FeedbackAnswer, GroupId, MemberId, OutboxState, ProgramId, RoundId,
    RoundState, WorkspaceId,
};

/// How a group's introduction was sent.
pub enum Intro {
    /// One message to the whole group (Slack group DM).
    Group(OutboxState),
    /// One message per member, in member order (Teams).
    PerMember(Vec<OutboxState>),
    /// No intro row at all.
    None,
}

pub struct ProgramBuilder {
    records: ProgramRecords,
}

/// Monday 2 November 2026, 09:00 UTC: round 1; each later round a week after.
pub fn first_round_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).single().unwrap()
}

impl ProgramBuilder {
    pub fn new(id: i64, name: &str) -> Self {
        Self {
            records: ProgramRecords::empty(ProgramRef {
                id: ProgramId(id),
                workspace_id: WorkspaceId(1),
                name: name.to_string(),
                time_zone: chrono_tz::UTC,
            }),
        }
    }

    pub fn time_zone(mut self, time_zone: chrono_tz::Tz) -> Self {
        self.records.program.time_zone = time_zone;
        self
    }

    /// An active member; `team` is taken as the profile says it (blank = unknown).
    pub fn person(self, id: i64, name: &str, team: Option<&str>) -> Self {
        self.person_in_state(id, name, team, EnrollmentState::Active)
    }

    pub fn person_in_state(
        mut self,
        id: i64,
        name: &str,
        team: Option<&str>,
        state: EnrollmentState,
    ) -> Self {
        self.records.people.insert(
            MemberId(id),
            Person {
                id: MemberId(id),
                external_id: format!("U{id}"),
                display_name: name.to_string(),
                team: Person::normalize_team(team),
            },
        );
        self.records.enrollments.push(EnrollmentRecord {
            member_id: MemberId(id),
            state,
        });
        self
    }

    /// Round `seq`; its id is `seq` too (one program per builder).
    pub fn round(mut self, seq: i64, state: RoundState) -> Self {
        self.records.rounds.push(RoundRecord {
            id: RoundId(self.records.program.id.0 * 1000 + seq),
            seq,
            scheduled_for: first_round_at() + Duration::weeks(seq - 1),
            state,
        });
        self
    }

    /// A group in round `seq` with members (ids), intro rows and answers `(member, answer)`.
    pub fn group(
        mut self,
        seq: i64,
        members: &[i64],
        intro: Intro,
        answers: &[(i64, FeedbackAnswer)],
    ) -> Self {
        let round_id = RoundId(self.records.program.id.0 * 1000 + seq);
        let position = self
            .records
            .groups
            .iter()
            .filter(|g| g.round_id == round_id)
            .count() as i64;
        let id = GroupId(round_id.0 * 100 + position);
        self.records.groups.push(GroupRecord {
            id,
            round_id,
            position,
            members: members.iter().map(|m| MemberId(*m)).collect(),
        });
        match intro {
            Intro::Group(state) => self.records.intros.push(IntroRecord {
                group_id: id,
                recipient: None,
                state,
            }),
            Intro::PerMember(states) => {
                for (member, state) in members.iter().zip(states) {
                    self.records.intros.push(IntroRecord {
                        group_id: id,
                        recipient: Some(MemberId(*member)),
                        state,
                    });
                }
            }
            Intro::None => {}
        }
        for (member, answer) in answers {
            self.records.feedback.push(FeedbackRecord {
                group_id: id,
                member_id: MemberId(*member),
                answer: *answer,
            });
        }
        self
    }

    pub fn build(self) -> ProgramRecords {
        self.records
    }
}
