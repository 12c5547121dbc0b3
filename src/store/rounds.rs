use chrono::{DateTime, Utc};

use super::enrollments::{round_enrollments, transition_enrollments, write_enrollment};
use super::outbox::{GroupRef, NewOutboxItem, insert_outbox};
use super::{Store, StoreError, StoreResult, from_ms, parse_stored, to_ms};
use crate::domain::{
    Enrollment, EnrollmentTransition, FeedbackAnswer, Group, GroupId, MemberId, ProgramId, Round,
    RoundId, RoundState,
};

#[derive(sqlx::FromRow)]
struct RoundRow {
    id: i64,
    program_id: i64,
    seq: i64,
    scheduled_for: i64,
    state: String,
    seed: i64,
    nudge_at: i64,
    close_at: i64,
}

/// The column list, as a macro so queries stay `&'static str` (sqlx refuses
/// dynamically built SQL unless it is audited).
macro_rules! round_columns {
    () => {
        "id, program_id, seq, scheduled_for, state, seed, nudge_at, close_at"
    };
}

/// True for a group member (`gm`) whose intro never reached them: their group's message, or
/// their own one-to-one, was refused for good or cancelled.
macro_rules! intro_never_arrived {
    () => {
        "EXISTS (SELECT 1 FROM outbox o
                 WHERE o.group_id = gm.group_id AND o.kind = 'intro'
                   AND o.state IN ('failed', 'cancelled')
                   AND (o.recipient_member_id IS NULL OR o.recipient_member_id = gm.member_id))"
    };
}

impl TryFrom<RoundRow> for Round {
    type Error = super::StoreError;

    fn try_from(row: RoundRow) -> Result<Self, Self::Error> {
        Ok(Round {
            id: RoundId(row.id),
            program_id: ProgramId(row.program_id),
            seq: row.seq,
            scheduled_for: from_ms(row.scheduled_for)?,
            state: parse_stored(&row.state)?,
            // Seeds are u64 on the engine side and stored bit-for-bit in a BIGINT.
            seed: row.seed as u64,
            nudge_at: from_ms(row.nudge_at)?,
            close_at: from_ms(row.close_at)?,
        })
    }
}

/// One person of a round being closed, as the closing transaction reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosingMember {
    pub group: GroupId,
    pub member: MemberId,
    /// False when their intro (their group's, or their own one-to-one) was refused for good
    /// or cancelled: they were never asked anything.
    pub intro_arrived: bool,
    /// Their own last button press in the group, if any.
    pub answer: Option<FeedbackAnswer>,
    /// Their enrolment in the round's program, if they still have one.
    pub enrollment: Option<Enrollment>,
}

/// What closing a round writes, as `rounds::closer` decided it from [`ClosingMember`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundClosing {
    /// Recorded as having given no answer.
    pub no_answer: Vec<(GroupId, MemberId)>,
    /// Enrolments as they are after the round (streaks, pauses), written as they are.
    pub enrollments: Vec<Enrollment>,
    /// Messages owed because of it (a notice to everyone paused).
    pub notices: Vec<NewOutboxItem>,
}

/// What taking a round's roster snapshot changes, saved with the round.
#[derive(Debug, Clone, Default)]
pub struct RosterEffects {
    pub program: ProgramId,
    /// Their "skip the next round" was this round: it is used up.
    pub clear_skip: Vec<MemberId>,
    /// Their pause ran out and they take part again: show them as active.
    pub reactivate: Vec<MemberId>,
}

async fn apply_roster_effects(
    conn: &mut sqlx::SqliteConnection,
    effects: &RosterEffects,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let program = Some(effects.program);
    for member in &effects.clear_skip {
        transition_enrollments(conn, *member, program, EnrollmentTransition::SkipUsed, now).await?;
    }
    for member in &effects.reactivate {
        transition_enrollments(
            conn,
            *member,
            program,
            EnrollmentTransition::PauseEnded,
            now,
        )
        .await?;
    }
    Ok(())
}

/// A round about to be created.
#[derive(Debug, Clone, Copy)]
pub struct NewRound {
    pub program: ProgramId,
    /// Its number in the program, from [`Round::next_seq`]: the planner gave the engine this
    /// number, so it is the one stored.
    pub seq: i64,
    pub scheduled_for: DateTime<Utc>,
    /// Open, or skipped when too few people take part (recorded so it is not retried).
    pub state: RoundState,
    pub seed: u64,
    pub nudge_at: DateTime<Utc>,
    pub close_at: DateTime<Utc>,
}

/// What writing a new round did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoundWrite<T> {
    Written(T),
    /// A round for that time exists already, and nothing was written: UNIQUE (program,
    /// scheduled_for) is what makes a restart, two ticks or two processes unable to run a
    /// round twice.
    TimeTaken,
    /// Another round of the program took that number since it was computed, and nothing was
    /// written: plan again with the next number.
    NumberTaken,
}

async fn insert_round(
    conn: &mut sqlx::SqliteConnection,
    new: &NewRound,
    now: DateTime<Utc>,
) -> StoreResult<RoundWrite<Round>> {
    let inserted: Result<Option<RoundRow>, StoreError> = sqlx::query_as(concat!(
        "INSERT INTO rounds (program_id, seq, scheduled_for, state, seed, nudge_at, close_at,
             created_at)
         VALUES ($1, $8, $2, $7, $3, $4, $5, $6)
         ON CONFLICT (program_id, scheduled_for) DO NOTHING
         RETURNING ",
        round_columns!()
    ))
    .bind(new.program.0)
    .bind(to_ms(new.scheduled_for))
    .bind(new.seed as i64)
    .bind(to_ms(new.nudge_at))
    .bind(to_ms(new.close_at))
    .bind(to_ms(now))
    .bind(new.state.as_str())
    .bind(new.seq)
    .fetch_optional(conn)
    .await
    .map_err(StoreError::from);
    match inserted {
        Ok(Some(row)) => Ok(RoundWrite::Written(Round::try_from(row)?)),
        Ok(None) => Ok(RoundWrite::TimeTaken),
        // The table's other UNIQUE constraint: (program, seq).
        Err(err) if err.is_unique_violation() => Ok(RoundWrite::NumberTaken),
        Err(err) => Err(err),
    }
}

/// The people of `round` with what closing it needs to know about them.
async fn closing_members(
    conn: &mut sqlx::SqliteConnection,
    round: &Round,
) -> StoreResult<Vec<ClosingMember>> {
    let rows: Vec<(i64, i64, bool, Option<String>)> = sqlx::query_as(concat!(
        "SELECT gm.group_id, gm.member_id, NOT ",
        intro_never_arrived!(),
        ", f.answer
         FROM group_members gm
         JOIN groups g ON g.id = gm.group_id
         LEFT JOIN feedback f ON f.group_id = gm.group_id AND f.member_id = gm.member_id
         WHERE g.round_id = $1
         ORDER BY g.position, gm.member_id"
    ))
    .bind(round.id.0)
    .fetch_all(&mut *conn)
    .await?;
    let enrollments = round_enrollments(conn, round).await?;
    rows.into_iter()
        .map(|(group, member, intro_arrived, answer)| {
            let member = MemberId(member);
            Ok(ClosingMember {
                group: GroupId(group),
                member,
                intro_arrived,
                answer: answer.as_deref().map(parse_stored).transpose()?,
                enrollment: enrollments.iter().find(|e| e.member_id == member).cloned(),
            })
        })
        .collect()
}

impl Store {
    /// Creates the round `new` describes (a skipped one: no groups, nothing owed).
    pub async fn create_round(&self, new: NewRound) -> StoreResult<RoundWrite<Round>> {
        let mut conn = self.pool.acquire().await?;
        insert_round(&mut conn, &new, Utc::now()).await
    }

    /// Creates a round with its groups and every message it owes, in ONE transaction:
    /// either all of it exists or none does, so a crash can never lose an intro.
    pub async fn save_planned_round(
        &self,
        new: NewRound,
        groups: &[Vec<MemberId>],
        outbox: &[NewOutboxItem],
        effects: &RosterEffects,
    ) -> StoreResult<RoundWrite<(Round, Vec<Group>)>> {
        let now = Utc::now();
        let mut tx = self.pool.begin().await?;
        let round = match insert_round(&mut tx, &new, now).await? {
            RoundWrite::Written(round) => round,
            RoundWrite::TimeTaken => return Ok(RoundWrite::TimeTaken),
            RoundWrite::NumberTaken => return Ok(RoundWrite::NumberTaken),
        };
        let mut saved = Vec::with_capacity(groups.len());
        for (position, members) in groups.iter().enumerate() {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO groups (round_id, position) VALUES ($1, $2) RETURNING id",
            )
            .bind(round.id.0)
            .bind(position as i64)
            .fetch_one(&mut *tx)
            .await?;
            for member in members {
                sqlx::query("INSERT INTO group_members (group_id, member_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(member.0)
                    .execute(&mut *tx)
                    .await?;
            }
            saved.push(Group {
                id: GroupId(id),
                round_id: round.id,
                position: position as i64,
                members: members.clone(),
                conversation_id: None,
            });
        }
        for item in outbox {
            let group = match item.group {
                Some(GroupRef::Planned(index)) => Some(
                    saved
                        .get(index)
                        .map(|g| g.id)
                        .ok_or_else(|| StoreError::Corrupt(format!("no planned group {index}")))?,
                ),
                Some(GroupRef::Existing(id)) => Some(id),
                None => None,
            };
            insert_outbox(&mut tx, item, group, now).await?;
        }
        apply_roster_effects(&mut tx, effects, now).await?;
        tx.commit().await?;
        Ok(RoundWrite::Written((round, saved)))
    }

    /// Open rounds whose closing time has passed `before`, across programs.
    pub async fn rounds_to_close(&self, before: DateTime<Utc>) -> StoreResult<Vec<Round>> {
        let rows: Vec<RoundRow> = sqlx::query_as(concat!(
            "SELECT ",
            round_columns!(),
            " FROM rounds WHERE state = 'open' AND close_at <= $1 ORDER BY close_at"
        ))
        .bind(to_ms(before))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Round::try_from).collect()
    }

    /// Open rounds of a program scheduled before `before`, oldest first.
    pub async fn open_rounds_before(
        &self,
        program: ProgramId,
        before: DateTime<Utc>,
    ) -> StoreResult<Vec<Round>> {
        let rows: Vec<RoundRow> = sqlx::query_as(concat!(
            "SELECT ",
            round_columns!(),
            " FROM rounds WHERE program_id = $1 AND state = 'open' AND scheduled_for < $2
              ORDER BY seq"
        ))
        .bind(program.0)
        .bind(to_ms(before))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Round::try_from).collect()
    }

    /// Closes an open round in one transaction: marks it closed, reads its people
    /// ([`ClosingMember`]), asks `decide` what that means and writes it. Returns what was
    /// written; `Ok(None)` (and nothing written) when the round was not open any more.
    pub async fn close_round(
        &self,
        round: &Round,
        at: DateTime<Utc>,
        decide: &(dyn Fn(&[ClosingMember]) -> RoundClosing + Sync),
    ) -> StoreResult<Option<RoundClosing>> {
        let mut tx = self.pool.begin().await?;
        // Written first: the transaction holds the write lock from here on, so no button
        // press can slip in between what is read below and what is written.
        let closed = sqlx::query(
            "UPDATE rounds SET state = 'closed', closed_at = $1 WHERE id = $2 AND state = 'open'",
        )
        .bind(to_ms(at))
        .bind(round.id.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if closed == 0 {
            return Ok(None);
        }
        let closing = decide(&closing_members(&mut tx, round).await?);
        for (group, member) in &closing.no_answer {
            sqlx::query(
                "INSERT INTO feedback (group_id, member_id, answer, answered_at)
                 VALUES ($1, $2, 'no_answer', $3)
                 ON CONFLICT (group_id, member_id) DO NOTHING",
            )
            .bind(group.0)
            .bind(member.0)
            .bind(to_ms(at))
            .execute(&mut *tx)
            .await?;
        }
        for enrollment in &closing.enrollments {
            write_enrollment(&mut tx, enrollment, at).await?;
        }
        for notice in &closing.notices {
            insert_outbox(&mut tx, notice, None, at).await?;
        }
        tx.commit().await?;
        Ok(Some(closing))
    }

    pub async fn round(&self, id: RoundId) -> StoreResult<Option<Round>> {
        let row: Option<RoundRow> = sqlx::query_as(concat!(
            "SELECT ",
            round_columns!(),
            " FROM rounds WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Round::try_from).transpose()
    }

    /// The program's most recent round.
    pub async fn last_round(&self, program: ProgramId) -> StoreResult<Option<Round>> {
        let row: Option<RoundRow> = sqlx::query_as(concat!(
            "SELECT ",
            round_columns!(),
            " FROM rounds WHERE program_id = $1 ORDER BY seq DESC LIMIT 1"
        ))
        .bind(program.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Round::try_from).transpose()
    }

    /// A program's rounds, oldest first.
    pub async fn program_rounds(&self, program: ProgramId) -> StoreResult<Vec<Round>> {
        let rows: Vec<RoundRow> = sqlx::query_as(concat!(
            "SELECT ",
            round_columns!(),
            " FROM rounds WHERE program_id = $1 ORDER BY seq"
        ))
        .bind(program.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Round::try_from).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{coffee_program, temp_store};
    use chrono::TimeZone;

    #[tokio::test]
    async fn a_second_round_at_the_same_time_or_with_the_same_number_is_not_written() {
        let store = temp_store().await;
        let program = coffee_program(&store).await;
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        let new = NewRound {
            program: program.id,
            seq: 1,
            scheduled_for: at,
            state: RoundState::Open,
            seed: u64::MAX - 7,
            nudge_at: at,
            close_at: at,
        };
        let RoundWrite::Written(first) = store.create_round(new).await.unwrap() else {
            panic!("the first round is written");
        };
        assert_eq!(first.seq, 1);
        assert_eq!(first.state, RoundState::Open);
        assert_eq!(first.seed, u64::MAX - 7);
        assert_eq!(
            store.create_round(new).await.unwrap(),
            RoundWrite::TimeTaken
        );

        // The constraint itself refuses a duplicate, whatever code path writes it.
        let raw = sqlx::query(
            "INSERT INTO rounds (program_id, seq, scheduled_for, seed, nudge_at, close_at, created_at)
             VALUES ($1, 99, $2, 0, 0, 0, 0)",
        )
        .bind(program.id.0)
        .bind(to_ms(at))
        .execute(store.pool())
        .await
        .map_err(super::super::StoreError::from)
        .unwrap_err();
        assert!(raw.is_unique_violation());

        // Another time with a number already taken: nothing is written, the caller renumbers.
        let later = NewRound {
            scheduled_for: at + chrono::Duration::days(7),
            ..new
        };
        assert_eq!(
            store.create_round(later).await.unwrap(),
            RoundWrite::NumberTaken
        );
        let later = NewRound { seq: 2, ..later };
        assert!(matches!(
            store.create_round(later).await.unwrap(),
            RoundWrite::Written(Round { seq: 2, .. })
        ));
        assert_eq!(store.program_rounds(program.id).await.unwrap().len(), 2);
    }
}
