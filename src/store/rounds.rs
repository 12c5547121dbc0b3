use chrono::{DateTime, Utc};

use super::{Store, StoreResult, from_ms, parse_stored, to_ms};
use crate::domain::{ProgramId, Round, RoundId};

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

/// A round about to be created.
#[derive(Debug, Clone, Copy)]
pub struct NewRound {
    pub program: ProgramId,
    pub scheduled_for: DateTime<Utc>,
    pub seed: u64,
    pub nudge_at: DateTime<Utc>,
    pub close_at: DateTime<Utc>,
}

impl Store {
    /// Creates the round due at `scheduled_for`, numbered after the program's last one.
    /// `Ok(None)` when that round already exists: UNIQUE (program, scheduled_for) is what
    /// makes a restart, two ticks or two processes unable to run a round twice.
    pub async fn create_round(&self, new: NewRound) -> StoreResult<Option<Round>> {
        let row: Option<RoundRow> = sqlx::query_as(concat!(
            "INSERT INTO rounds (program_id, seq, scheduled_for, state, seed, nudge_at, close_at,
                 created_at)
             SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, 'planned', $3, $4, $5, $6
             FROM rounds WHERE program_id = $1
             ON CONFLICT DO NOTHING
             RETURNING ",
            round_columns!()
        ))
        .bind(new.program.0)
        .bind(to_ms(new.scheduled_for))
        .bind(new.seed as i64)
        .bind(to_ms(new.nudge_at))
        .bind(to_ms(new.close_at))
        .bind(to_ms(Utc::now()))
        .fetch_optional(&self.pool)
        .await?;
        row.map(Round::try_from).transpose()
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
    use crate::domain::{Platform, ProgramName, RoundState};
    use crate::store::programs::{NewProgram, tests::pairs_settings};
    use crate::store::test_support::temp_store;
    use chrono::TimeZone;

    #[tokio::test]
    async fn a_second_round_at_the_same_time_is_rejected_and_numbers_increase() {
        let store = temp_store().await;
        let ws = store
            .upsert_workspace(Platform::Slack, "T1", "")
            .await
            .unwrap();
        let name = ProgramName::parse("coffee").unwrap();
        let program = store
            .create_program(NewProgram {
                workspace: ws,
                name: &name,
                channel_id: None,
                schedule: None,
                settings: pairs_settings(),
                created_by: None,
            })
            .await
            .unwrap()
            .unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        let new = NewRound {
            program: program.id,
            scheduled_for: at,
            seed: u64::MAX - 7,
            nudge_at: at,
            close_at: at,
        };
        let first = store.create_round(new).await.unwrap().unwrap();
        assert_eq!(first.seq, 1);
        assert_eq!(first.state, RoundState::Planned);
        assert_eq!(first.seed, u64::MAX - 7);
        assert!(store.create_round(new).await.unwrap().is_none());

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

        let later = NewRound {
            scheduled_for: at + chrono::Duration::days(7),
            ..new
        };
        assert_eq!(store.create_round(later).await.unwrap().unwrap().seq, 2);
        assert_eq!(store.program_rounds(program.id).await.unwrap().len(), 2);
    }
}
