use chrono::{DateTime, Utc};

use super::{Store, StoreError, StoreResult, from_ms, parse_stored, to_ms};
use crate::domain::{
    Cadence, Enrollment, EnrollmentState, EnrollmentTransition, MemberId, ProgramId, Round,
};

#[derive(sqlx::FromRow)]
struct EnrollmentRow {
    program_id: i64,
    member_id: i64,
    state: String,
    paused_until: Option<i64>,
    cadence: String,
    cadence_slot: i64,
    skip_next: bool,
    ignored_streak: i64,
    joined_at: i64,
}

/// The column list, as a macro so queries stay `&'static str` (sqlx refuses
/// dynamically built SQL unless it is audited).
macro_rules! enrollment_columns {
    () => {
        "program_id, member_id, state, paused_until, cadence, \
     cadence_slot, skip_next, ignored_streak, joined_at"
    };
}

impl TryFrom<EnrollmentRow> for Enrollment {
    type Error = StoreError;

    fn try_from(row: EnrollmentRow) -> Result<Self, Self::Error> {
        let state = match row.state.as_str() {
            "active" => EnrollmentState::Active,
            "paused" => EnrollmentState::Paused {
                until: row.paused_until.map(from_ms).transpose()?,
            },
            "left" => EnrollmentState::Left,
            other => return Err(StoreError::Corrupt(format!("enrollment state `{other}`"))),
        };
        Ok(Enrollment {
            program_id: ProgramId(row.program_id),
            member_id: MemberId(row.member_id),
            state,
            cadence: parse_stored::<Cadence>(&row.cadence)?,
            cadence_slot: u32::try_from(row.cadence_slot).unwrap_or(0),
            skip_next: row.skip_next,
            ignored_streak: u32::try_from(row.ignored_streak).unwrap_or(0),
            joined_at: from_ms(row.joined_at)?,
        })
    }
}

/// What `enroll` did, so the reply can say the right thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollmentChange {
    Joined,
    /// Was paused or had left, and is active again.
    Rejoined,
    AlreadyActive,
}

/// Reads the member's enrolments (in one program, or in all of them), applies `transition`
/// to each ([`Enrollment::after`] decides) and writes those it applies to. Returns them.
pub(super) async fn transition_enrollments(
    conn: &mut sqlx::SqliteConnection,
    member: MemberId,
    program: Option<ProgramId>,
    transition: EnrollmentTransition,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Enrollment>> {
    let rows: Vec<EnrollmentRow> = sqlx::query_as(concat!(
        "SELECT ",
        enrollment_columns!(),
        " FROM enrollments WHERE member_id = $1 AND ($2 IS NULL OR program_id = $2)
          ORDER BY program_id"
    ))
    .bind(member.0)
    .bind(program.map(|p| p.0))
    .fetch_all(&mut *conn)
    .await?;
    let mut changed = Vec::new();
    for row in rows {
        if let Some(next) = Enrollment::try_from(row)?.after(transition) {
            write_enrollment(conn, &next, now).await?;
            changed.push(next);
        }
    }
    Ok(changed)
}

/// The enrolments, in its program, of everyone placed in `round`.
pub(super) async fn round_enrollments(
    conn: &mut sqlx::SqliteConnection,
    round: &Round,
) -> StoreResult<Vec<Enrollment>> {
    let rows: Vec<EnrollmentRow> = sqlx::query_as(concat!(
        "SELECT ",
        enrollment_columns!(),
        " FROM enrollments
          WHERE program_id = $1 AND member_id IN
              (SELECT gm.member_id FROM group_members gm JOIN groups g ON g.id = gm.group_id
               WHERE g.round_id = $2)"
    ))
    .bind(round.program_id.0)
    .bind(round.id.0)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Enrollment::try_from).collect()
}

/// Writes an enrolment's state, pause, skip and streak (the fields transitions change).
pub(super) async fn write_enrollment(
    conn: &mut sqlx::SqliteConnection,
    enrollment: &Enrollment,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let paused_until = match enrollment.state {
        EnrollmentState::Paused { until } => until.map(to_ms),
        EnrollmentState::Active | EnrollmentState::Left => None,
    };
    sqlx::query(
        "UPDATE enrollments SET state = $3, paused_until = $4, skip_next = $5,
             ignored_streak = $6, updated_at = $7
         WHERE program_id = $1 AND member_id = $2",
    )
    .bind(enrollment.program_id.0)
    .bind(enrollment.member_id.0)
    .bind(enrollment.state.as_str())
    .bind(paused_until)
    .bind(enrollment.skip_next)
    .bind(i64::from(enrollment.ignored_streak))
    .bind(to_ms(now))
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// Applies `transition` to the member's enrolments in one transaction; returns how many
    /// it applied to. IMMEDIATE: this transaction reads, then writes. A deferred one would
    /// fail at once with SQLITE_BUSY_SNAPSHOT when another writer commits in between (two
    /// roster reconciliations at the same time), where busy_timeout cannot help.
    async fn transition(
        &self,
        member: MemberId,
        program: Option<ProgramId>,
        transition: EnrollmentTransition,
    ) -> StoreResult<u64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let changed = transition_enrollments(&mut tx, member, program, transition, Utc::now())
            .await?
            .len();
        tx.commit().await?;
        Ok(changed as u64)
    }

    /// Makes a member active in a program (joining, or coming back after a pause or leave).
    pub async fn enroll(
        &self,
        program: ProgramId,
        member: MemberId,
    ) -> StoreResult<EnrollmentChange> {
        let now = Utc::now();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let existing = transition_enrollments(
            &mut tx,
            member,
            Some(program),
            EnrollmentTransition::Join,
            now,
        )
        .await?;
        let change = if !existing.is_empty() {
            EnrollmentChange::Rejoined
        } else {
            let inserted = sqlx::query(
                "INSERT INTO enrollments (program_id, member_id, joined_at, updated_at)
                 VALUES ($1, $2, $3, $3)
                 ON CONFLICT (program_id, member_id) DO NOTHING",
            )
            .bind(program.0)
            .bind(member.0)
            .bind(to_ms(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 1 {
                EnrollmentChange::Joined
            } else {
                EnrollmentChange::AlreadyActive
            }
        };
        tx.commit().await?;
        Ok(change)
    }

    /// Returns false when the member was not (or no longer) in the program.
    pub async fn leave_program(&self, program: ProgramId, member: MemberId) -> StoreResult<bool> {
        Ok(self
            .transition(member, Some(program), EnrollmentTransition::Leave)
            .await?
            == 1)
    }

    /// Takes a member out of every program (deactivated accounts). Returns how many.
    pub async fn leave_all_programs(&self, member: MemberId) -> StoreResult<u64> {
        self.transition(member, None, EnrollmentTransition::Leave)
            .await
    }

    /// Pauses every program the member has not left; None = until they resume.
    pub async fn pause_member(
        &self,
        member: MemberId,
        until: Option<DateTime<Utc>>,
    ) -> StoreResult<u64> {
        self.transition(member, None, EnrollmentTransition::Pause { until })
            .await
    }

    /// Resumes every paused program of the member; also drops a pending skip.
    pub async fn resume_member(&self, member: MemberId) -> StoreResult<u64> {
        self.transition(member, None, EnrollmentTransition::Resume)
            .await
    }

    /// Sits out the next round of every active program.
    pub async fn skip_next_round(&self, member: MemberId) -> StoreResult<u64> {
        self.transition(member, None, EnrollmentTransition::SkipNext)
            .await
    }

    /// Sets the cadence in every program of the member, in the slot of that cadence
    /// [`Cadence::least_crowded_slot`] picks from the program's other members.
    pub async fn set_cadence(&self, member: MemberId, cadence: Cadence) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await?;
        let programs: Vec<i64> = sqlx::query_scalar(
            "SELECT program_id FROM enrollments WHERE member_id = $1 AND state <> 'left'",
        )
        .bind(member.0)
        .fetch_all(&mut *tx)
        .await?;
        for program in &programs {
            let counts: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT cadence_slot, COUNT(*) FROM enrollments
                 WHERE program_id = $1 AND cadence = $2 AND state <> 'left' AND member_id <> $3
                 GROUP BY cadence_slot",
            )
            .bind(program)
            .bind(cadence.as_str())
            .bind(member.0)
            .fetch_all(&mut *tx)
            .await?;
            let slot = cadence.least_crowded_slot(|slot| {
                counts
                    .iter()
                    .find(|(s, _)| *s == i64::from(slot))
                    .map_or(0, |(_, count)| *count)
            });
            sqlx::query(
                "UPDATE enrollments SET cadence = $1, cadence_slot = $2, updated_at = $3
                 WHERE program_id = $4 AND member_id = $5",
            )
            .bind(cadence.as_str())
            .bind(i64::from(slot))
            .bind(to_ms(Utc::now()))
            .bind(program)
            .bind(member.0)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(programs.len() as u64)
    }

    pub async fn enrollment(
        &self,
        program: ProgramId,
        member: MemberId,
    ) -> StoreResult<Option<Enrollment>> {
        let row: Option<EnrollmentRow> = sqlx::query_as(concat!(
            "SELECT ",
            enrollment_columns!(),
            " FROM enrollments WHERE program_id = $1 AND member_id = $2"
        ))
        .bind(program.0)
        .bind(member.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Enrollment::try_from).transpose()
    }

    /// A member's enrollments that have not been left.
    pub async fn member_enrollments(&self, member: MemberId) -> StoreResult<Vec<Enrollment>> {
        let rows: Vec<EnrollmentRow> = sqlx::query_as(concat!(
            "SELECT ",
            enrollment_columns!(),
            " FROM enrollments
             WHERE member_id = $1 AND state <> 'left' ORDER BY program_id"
        ))
        .bind(member.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Enrollment::try_from).collect()
    }

    /// A program's enrollments that have not been left.
    pub async fn program_enrollments(&self, program: ProgramId) -> StoreResult<Vec<Enrollment>> {
        let rows: Vec<EnrollmentRow> = sqlx::query_as(concat!(
            "SELECT ",
            enrollment_columns!(),
            " FROM enrollments
             WHERE program_id = $1 AND state <> 'left' ORDER BY member_id"
        ))
        .bind(program.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Enrollment::try_from).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MemberProfile;
    use crate::store::test_support::{TempStore, coffee_program, temp_store};

    async fn program_with_members(n: usize) -> (TempStore, ProgramId, Vec<MemberId>) {
        let store = temp_store().await;
        let program = coffee_program(&store).await;
        let ws = program.workspace_id;
        let mut members = Vec::new();
        for i in 0..n {
            let profile = MemberProfile {
                external_id: format!("U{i}"),
                ..MemberProfile::default()
            };
            members.push(store.upsert_member(ws, &profile).await.unwrap().id);
        }
        (store, program.id, members)
    }

    #[tokio::test]
    async fn joining_twice_is_harmless_and_coming_back_is_a_rejoin() {
        let (store, program, members) = program_with_members(1).await;
        let m = members[0];
        assert_eq!(
            store.enroll(program, m).await.unwrap(),
            EnrollmentChange::Joined
        );
        assert_eq!(
            store.enroll(program, m).await.unwrap(),
            EnrollmentChange::AlreadyActive
        );
        assert!(store.leave_program(program, m).await.unwrap());
        assert!(!store.leave_program(program, m).await.unwrap());
        assert!(store.member_enrollments(m).await.unwrap().is_empty());
        assert_eq!(
            store.enroll(program, m).await.unwrap(),
            EnrollmentChange::Rejoined
        );
    }

    #[tokio::test]
    async fn pause_resume_and_skip_change_the_enrollment() {
        let (store, program, members) = program_with_members(1).await;
        let m = members[0];
        store.enroll(program, m).await.unwrap();
        let until = Utc::now() + chrono::Duration::days(14);
        store.pause_member(m, Some(until)).await.unwrap();
        let paused = store.enrollment(program, m).await.unwrap().unwrap();
        assert!(
            matches!(paused.state, EnrollmentState::Paused { until: Some(u) }
            if u.timestamp_millis() == until.timestamp_millis())
        );
        store.resume_member(m).await.unwrap();
        store.skip_next_round(m).await.unwrap();
        let skipping = store.enrollment(program, m).await.unwrap().unwrap();
        assert_eq!(skipping.state, EnrollmentState::Active);
        assert!(skipping.skip_next);
    }

    #[tokio::test]
    async fn biweekly_people_are_spread_over_both_slots() {
        let (store, program, members) = program_with_members(4).await;
        for &m in &members {
            store.enroll(program, m).await.unwrap();
            store.set_cadence(m, Cadence::Biweekly).await.unwrap();
        }
        let mut slots: Vec<u32> = store
            .program_enrollments(program)
            .await
            .unwrap()
            .iter()
            .map(|e| e.cadence_slot)
            .collect();
        slots.sort();
        assert_eq!(slots, vec![0, 0, 1, 1]);
    }
}
