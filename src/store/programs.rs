use chrono::Utc;

use super::{Store, StoreError, StoreResult, to_ms};
use crate::domain::{
    GroupSize, Program, ProgramId, ProgramName, ProgramSettings, Schedule, WorkspaceId,
};

#[derive(sqlx::FromRow)]
struct ProgramRow {
    id: i64,
    workspace_id: i64,
    name: String,
    channel_id: Option<String>,
    schedule_cron: Option<String>,
    time_zone: String,
    group_size: i64,
    lookback_rounds: i64,
    nudge_after_hours: i64,
    close_after_hours: i64,
    created_at: i64,
}

/// The column list, as a macro so queries stay `&'static str` (sqlx refuses
/// dynamically built SQL unless it is audited).
macro_rules! program_columns {
    () => {
        "id, workspace_id, name, channel_id, schedule_cron, time_zone, \
     group_size, lookback_rounds, nudge_after_hours, close_after_hours, created_at"
    };
}

impl TryFrom<ProgramRow> for Program {
    type Error = StoreError;

    fn try_from(row: ProgramRow) -> Result<Self, Self::Error> {
        let corrupt = |err: crate::domain::InvalidValue| {
            StoreError::Corrupt(format!("program {}: {}", row.id, err.0))
        };
        let schedule = row
            .schedule_cron
            .as_deref()
            // Loads schedules stored before the once-a-day rule too; the scheduler skips them.
            .map(|cron| Schedule::parse_any_frequency(cron, &row.time_zone))
            .transpose()
            .map_err(corrupt)?;
        let hours = |value: i64| u32::try_from(value).unwrap_or(u32::MAX);
        Ok(Program {
            id: ProgramId(row.id),
            workspace_id: WorkspaceId(row.workspace_id),
            name: ProgramName::parse(&row.name).map_err(corrupt)?,
            channel_id: row.channel_id,
            schedule,
            settings: ProgramSettings {
                group_size: GroupSize::new(row.group_size).map_err(corrupt)?,
                lookback_rounds: hours(row.lookback_rounds),
                nudge_after_hours: hours(row.nudge_after_hours),
                close_after_hours: hours(row.close_after_hours),
            },
            created_at: super::from_ms(row.created_at)?,
        })
    }
}

/// What creating a program needs besides its name.
#[derive(Debug, Clone)]
pub struct NewProgram<'a> {
    pub workspace: WorkspaceId,
    pub name: &'a ProgramName,
    pub channel_id: Option<&'a str>,
    pub schedule: Option<&'a Schedule>,
    pub settings: ProgramSettings,
    pub created_by: Option<&'a str>,
}

impl Store {
    /// Creates a program; `Ok(None)` when the workspace already has one of that name.
    pub async fn create_program(&self, new: NewProgram<'_>) -> StoreResult<Option<Program>> {
        let row: Option<ProgramRow> = sqlx::query_as(concat!(
            "INSERT INTO programs (workspace_id, name, channel_id, schedule_cron, time_zone,
                 group_size, lookback_rounds, nudge_after_hours, close_after_hours,
                 created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (workspace_id, name) DO NOTHING
             RETURNING ",
            program_columns!()
        ))
        .bind(new.workspace.0)
        .bind(new.name.as_str())
        .bind(new.channel_id)
        .bind(new.schedule.map(Schedule::expression))
        .bind(new.schedule.map(|s| s.time_zone().name()).unwrap_or("UTC"))
        .bind(i64::from(new.settings.group_size.get()))
        .bind(i64::from(new.settings.lookback_rounds))
        .bind(i64::from(new.settings.nudge_after_hours))
        .bind(i64::from(new.settings.close_after_hours))
        .bind(new.created_by)
        .bind(to_ms(Utc::now()))
        .fetch_optional(&self.pool)
        .await?;
        row.map(Program::try_from).transpose()
    }

    pub async fn program(&self, id: ProgramId) -> StoreResult<Option<Program>> {
        let row: Option<ProgramRow> = sqlx::query_as(concat!(
            "SELECT ",
            program_columns!(),
            " FROM programs WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Program::try_from).transpose()
    }

    pub async fn program_by_name(
        &self,
        workspace: WorkspaceId,
        name: &ProgramName,
    ) -> StoreResult<Option<Program>> {
        let row: Option<ProgramRow> = sqlx::query_as(concat!(
            "SELECT ",
            program_columns!(),
            " FROM programs WHERE workspace_id = $1 AND name = $2"
        ))
        .bind(workspace.0)
        .bind(name.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(Program::try_from).transpose()
    }

    /// A workspace's programs, by name.
    pub async fn programs(&self, workspace: WorkspaceId) -> StoreResult<Vec<Program>> {
        let rows: Vec<ProgramRow> = sqlx::query_as(concat!(
            "SELECT ",
            program_columns!(),
            " FROM programs WHERE workspace_id = $1 ORDER BY name"
        ))
        .bind(workspace.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Program::try_from).collect()
    }

    /// Programs bound to a channel (Slack) or team (Teams).
    pub async fn programs_for_channel(
        &self,
        workspace: WorkspaceId,
        channel_id: &str,
    ) -> StoreResult<Vec<Program>> {
        let rows: Vec<ProgramRow> = sqlx::query_as(concat!(
            "SELECT ",
            program_columns!(),
            " FROM programs
             WHERE workspace_id = $1 AND channel_id = $2 ORDER BY name"
        ))
        .bind(workspace.0)
        .bind(channel_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Program::try_from).collect()
    }

    /// Every program with a schedule, across workspaces: the scheduler's worklist.
    pub async fn scheduled_programs(&self) -> StoreResult<Vec<Program>> {
        let rows: Vec<ProgramRow> = sqlx::query_as(concat!(
            "SELECT ",
            program_columns!(),
            " FROM programs WHERE schedule_cron IS NOT NULL ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Program::try_from).collect()
    }

    pub async fn set_program_schedule(
        &self,
        program: ProgramId,
        schedule: Option<&Schedule>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE programs SET schedule_cron = $1, time_zone = $2 WHERE id = $3")
            .bind(schedule.map(Schedule::expression))
            .bind(schedule.map(|s| s.time_zone().name()).unwrap_or("UTC"))
            .bind(program.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_program_group_size(
        &self,
        program: ProgramId,
        size: GroupSize,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE programs SET group_size = $1 WHERE id = $2")
            .bind(i64::from(size.get()))
            .bind(program.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Platform;
    use crate::store::test_support::temp_store;

    #[tokio::test]
    async fn a_program_round_trips_with_its_schedule() {
        let store = temp_store().await;
        let ws = store
            .upsert_workspace(Platform::Slack, "T1", "")
            .await
            .unwrap();
        let name = ProgramName::parse("coffee").unwrap();
        let schedule = Schedule::parse("0 9 * * MON", "Europe/Berlin").unwrap();
        let created = store
            .create_program(NewProgram {
                workspace: ws,
                name: &name,
                channel_id: Some("C1"),
                schedule: Some(&schedule),
                settings: ProgramSettings::default(),
                created_by: Some("U1"),
            })
            .await
            .unwrap()
            .unwrap();
        let loaded = store.program_by_name(ws, &name).await.unwrap().unwrap();
        assert_eq!(created, loaded);
        assert_eq!(
            loaded.schedule.unwrap().time_zone(),
            chrono_tz::Europe::Berlin
        );
        assert_eq!(store.programs_for_channel(ws, "C1").await.unwrap().len(), 1);
        assert_eq!(store.scheduled_programs().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_second_program_with_the_same_name_is_not_created() {
        let store = temp_store().await;
        let ws = store
            .upsert_workspace(Platform::Slack, "T1", "")
            .await
            .unwrap();
        let name = ProgramName::parse("coffee").unwrap();
        let new = NewProgram {
            workspace: ws,
            name: &name,
            channel_id: None,
            schedule: None,
            settings: ProgramSettings::default(),
            created_by: None,
        };
        assert!(store.create_program(new.clone()).await.unwrap().is_some());
        assert!(store.create_program(new).await.unwrap().is_none());
    }
}
