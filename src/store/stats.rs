//! Read-only queries behind the admin figures (`crate::stats`): they load the plain records
//! of `domain::records` and leave every computation to pure code.

use std::collections::BTreeMap;

use super::{Store, StoreError, StoreResult, from_ms, parse_stored};
use crate::domain::records::{
    EnrollmentRecord, FeedbackRecord, GroupRecord, IntroRecord, Person, ProgramRecords, ProgramRef,
    RoundRecord,
};
use crate::domain::{EnrollmentState, GroupId, MemberId, ProgramId, RoundId, WorkspaceId};

/// The programs of a query, by name then workspace.
macro_rules! program_ref_query {
    ($filter:literal) => {
        concat!(
            "SELECT id, workspace_id, name, time_zone FROM programs ",
            $filter,
            " ORDER BY name, workspace_id"
        )
    };
}

/// Joins from a table with `group_id` to the program its group belongs to.
macro_rules! in_program {
    () => {
        " JOIN groups g ON g.id = t.group_id
          JOIN rounds r ON r.id = g.round_id
          WHERE r.program_id = $1"
    };
}

impl Store {
    /// Every program of every workspace.
    pub async fn stats_programs(&self) -> StoreResult<Vec<ProgramRef>> {
        let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(program_ref_query!(""))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(program_ref).collect()
    }

    /// The programs called `name` (at most one per workspace).
    pub async fn stats_programs_named(&self, name: &str) -> StoreResult<Vec<ProgramRef>> {
        let rows: Vec<(i64, i64, String, String)> =
            sqlx::query_as(program_ref_query!("WHERE name = $1"))
                .bind(name)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(program_ref).collect()
    }

    /// Everything the figures of `program` are computed from, read in one transaction so
    /// that rounds, groups and answers agree even while the bot is writing.
    pub async fn program_records(&self, program: &ProgramRef) -> StoreResult<ProgramRecords> {
        let id = program.id.0;
        let mut tx = self.pool.begin().await?;

        let rounds: Vec<(i64, i64, i64, String)> = sqlx::query_as(
            "SELECT id, seq, scheduled_for, state FROM rounds WHERE program_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let groups: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT g.id, g.round_id, g.position FROM groups g
             JOIN rounds r ON r.id = g.round_id
             WHERE r.program_id = $1 ORDER BY g.round_id, g.position",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let group_members: Vec<(i64, i64)> = sqlx::query_as(concat!(
            "SELECT t.group_id, t.member_id FROM group_members t",
            in_program!(),
            " ORDER BY t.group_id, t.member_id"
        ))
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let intros: Vec<(i64, Option<i64>, String)> = sqlx::query_as(concat!(
            "SELECT t.group_id, t.recipient_member_id, t.state FROM outbox t",
            in_program!(),
            " AND t.kind = 'intro' ORDER BY t.id"
        ))
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let feedback: Vec<(i64, i64, String)> = sqlx::query_as(concat!(
            "SELECT t.group_id, t.member_id, t.answer FROM feedback t",
            in_program!(),
            " ORDER BY t.group_id, t.member_id"
        ))
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let enrollments: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
            "SELECT member_id, state, paused_until FROM enrollments
             WHERE program_id = $1 ORDER BY member_id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let people: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(concat!(
            "SELECT id, external_id, display_name, COALESCE(chosen_team, profile_team)
             FROM members
             WHERE id IN (SELECT member_id FROM enrollments WHERE program_id = $1)
                OR id IN (SELECT t.member_id FROM group_members t",
            in_program!(),
            ") ORDER BY id"
        ))
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;

        let mut members_of: BTreeMap<i64, Vec<MemberId>> = BTreeMap::new();
        for (group, member) in group_members {
            members_of.entry(group).or_default().push(MemberId(member));
        }
        Ok(ProgramRecords {
            program: program.clone(),
            people: people
                .into_iter()
                .map(|(id, external_id, display_name, team)| {
                    let person = Person {
                        id: MemberId(id),
                        external_id,
                        display_name,
                        team: Person::normalize_team(team.as_deref()),
                    };
                    (person.id, person)
                })
                .collect(),
            enrollments: enrollments
                .into_iter()
                .map(|(member, state, paused_until)| {
                    Ok(EnrollmentRecord {
                        member_id: MemberId(member),
                        state: enrollment_state(&state, paused_until)?,
                    })
                })
                .collect::<StoreResult<_>>()?,
            rounds: rounds
                .into_iter()
                .map(|(id, seq, scheduled_for, state)| {
                    Ok(RoundRecord {
                        id: RoundId(id),
                        seq,
                        scheduled_for: from_ms(scheduled_for)?,
                        state: parse_stored(&state)?,
                    })
                })
                .collect::<StoreResult<_>>()?,
            groups: groups
                .into_iter()
                .map(|(id, round, position)| GroupRecord {
                    id: GroupId(id),
                    round_id: RoundId(round),
                    position,
                    members: members_of.remove(&id).unwrap_or_default(),
                })
                .collect(),
            intros: intros
                .into_iter()
                .map(|(group, recipient, state)| {
                    Ok(IntroRecord {
                        group_id: GroupId(group),
                        recipient: recipient.map(MemberId),
                        state: parse_stored(&state)?,
                    })
                })
                .collect::<StoreResult<_>>()?,
            feedback: feedback
                .into_iter()
                .map(|(group, member, answer)| {
                    Ok(FeedbackRecord {
                        group_id: GroupId(group),
                        member_id: MemberId(member),
                        answer: parse_stored(&answer)?,
                    })
                })
                .collect::<StoreResult<_>>()?,
        })
    }
}

fn program_ref(
    (id, workspace, name, time_zone): (i64, i64, String, String),
) -> StoreResult<ProgramRef> {
    Ok(ProgramRef {
        id: ProgramId(id),
        workspace_id: WorkspaceId(workspace),
        name,
        time_zone: time_zone.parse().map_err(|_| {
            StoreError::Corrupt(format!("program {id}: unknown time zone `{time_zone}`"))
        })?,
    })
}

fn enrollment_state(state: &str, paused_until: Option<i64>) -> StoreResult<EnrollmentState> {
    match state {
        "active" => Ok(EnrollmentState::Active),
        "paused" => Ok(EnrollmentState::Paused {
            until: paused_until.map(from_ms).transpose()?,
        }),
        "left" => Ok(EnrollmentState::Left),
        other => Err(StoreError::Corrupt(format!("enrollment state `{other}`"))),
    }
}
