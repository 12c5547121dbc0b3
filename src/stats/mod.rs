//! Admin figures: who takes part, whether people meet, and how far the program ties teams
//! together. Shared by every surface — `pourover stats` (text and JSON), the CSV export, the
//! HTML report and `/coffee admin stats` — so a number means the same thing everywhere.
//!
//! `store::stats` loads plain [`ProgramRecords`] (defined in `domain::records`, so the store
//! never imports this module); everything else here is pure functions over them
//! ([`program_stats`], [`overall_stats`], [`ProgramSummary::from_stats`]). The exact
//! definition of each figure is on its field in [`figures`].

mod compute;
pub mod export;
pub mod figures;
mod summary;
pub mod text;
mod views;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

pub use crate::domain::records::{
    EnrollmentRecord, FeedbackRecord, GroupRecord, IntroRecord, Person, ProgramRecords, ProgramRef,
    RoundRecord,
};
pub use compute::{enrollment_counts, overall_stats, program_stats};
pub use figures::{
    Connector, EnrollmentCounts, OverallStats, ProgramStats, RoundStats, TeamMatrix, Totals,
};
pub use summary::{Figure, ProgramSummary, RoundTrend};
pub use views::{GroupOutcome, IntroStatus};
pub(crate) use views::{GroupView, round_views};

use crate::domain::{Program, ProgramName, WorkspaceId};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The text lists the programs that do exist, so the admin can retype.
    #[error("there is no program named `{name}` ({})", known_programs(.known))]
    UnknownProgram { name: String, known: Vec<String> },
    #[error("`{name}` is not a program name: {reason}")]
    InvalidProgramName { name: String, reason: String },
    #[error(
        "{count} workspaces have a program named `{name}`; this command reads one program at a time"
    )]
    AmbiguousProgram { name: String, count: usize },
    #[error("cannot write the figures as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl StatsError {
    /// True when the person typed something wrong (as opposed to a failing database): worth
    /// one line to them, not an error log.
    pub fn is_user_mistake(&self) -> bool {
        matches!(
            self,
            StatsError::UnknownProgram { .. }
                | StatsError::InvalidProgramName { .. }
                | StatsError::AmbiguousProgram { .. }
        )
    }
}

fn known_programs(known: &[String]) -> String {
    if known.is_empty() {
        "there are no programs yet".to_string()
    } else {
        format!("programs: {}", known.join(", "))
    }
}

impl From<&Program> for ProgramRef {
    fn from(program: &Program) -> Self {
        ProgramRef {
            id: program.id,
            workspace_id: program.workspace_id,
            name: program.name.to_string(),
            // Programs without a schedule are stored with UTC.
            time_zone: program
                .schedule
                .as_ref()
                .map_or(chrono_tz::UTC, |schedule| schedule.time_zone()),
        }
    }
}

/// Finds the program an admin named on the command line, in any workspace.
pub async fn find_program(store: &Store, name: &str) -> Result<ProgramRef, StatsError> {
    let parsed = ProgramName::parse(name).map_err(|err| StatsError::InvalidProgramName {
        name: name.to_string(),
        reason: err.0,
    })?;
    let mut found = store.stats_programs_named(parsed.as_str()).await?;
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => {
            let mut known: Vec<String> = store
                .stats_programs()
                .await?
                .into_iter()
                .map(|program| program.name)
                .collect();
            known.dedup();
            Err(StatsError::UnknownProgram {
                name: parsed.to_string(),
                known,
            })
        }
        count => Err(StatsError::AmbiguousProgram {
            name: parsed.to_string(),
            count,
        }),
    }
}

/// The records of one named program, or of every program when `name` is None.
pub async fn load_records(
    store: &Store,
    name: Option<&str>,
) -> Result<Vec<ProgramRecords>, StatsError> {
    let programs = match name {
        Some(name) => vec![find_program(store, name).await?],
        None => store.stats_programs().await?,
    };
    let mut records = Vec::with_capacity(programs.len());
    for program in &programs {
        records.push(store.program_records(program).await?);
    }
    Ok(records)
}

/// Every program of one workspace and all of them together (`/coffee admin stats` without a
/// program: an admin sees their own install only).
pub async fn workspace_stats(
    store: &Store,
    workspace: WorkspaceId,
    now: DateTime<Utc>,
) -> Result<OverallStats, StatsError> {
    let mut records = Vec::new();
    for program in store.programs(workspace).await? {
        records.push(store.program_records(&ProgramRef::from(&program)).await?);
    }
    Ok(overall_stats(&records, now))
}

/// What `/coffee admin stats <program>` shows.
pub async fn program_summary(
    store: &Store,
    program: &ProgramRef,
    now: DateTime<Utc>,
) -> Result<ProgramSummary, StatsError> {
    let records = store.program_records(program).await?;
    Ok(ProgramSummary::from_stats(&program_stats(&records, now)))
}

/// How `pourover stats` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Text,
    Json,
}

/// `pourover stats [--program NAME] [--json]`: one program's figures, or every program's and
/// the overall ones. JSON is [`ProgramStats`] for one program, [`OverallStats`] otherwise.
pub async fn render_stats(
    store: &Store,
    program: Option<&str>,
    format: OutputFormat,
    now: DateTime<Utc>,
) -> Result<String, StatsError> {
    match program {
        Some(name) => {
            let program = find_program(store, name).await?;
            let stats = program_stats(&store.program_records(&program).await?, now);
            match format {
                OutputFormat::Json => to_json(&stats),
                OutputFormat::Text => Ok(text::program(&stats)),
            }
        }
        None => {
            let stats = overall_stats(&load_records(store, None).await?, now);
            match format {
                OutputFormat::Json => to_json(&stats),
                OutputFormat::Text => Ok(text::overall(&stats)),
            }
        }
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<String, StatsError> {
    let mut json = serde_json::to_string_pretty(value)?;
    json.push('\n');
    Ok(json)
}
