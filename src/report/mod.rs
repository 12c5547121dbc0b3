//! `pourover report`: one self-contained HTML file (inline CSS and SVG; no script, font, CDN
//! or any other fetch) with the headline figures, charts drawn by plotters, the round-by-round
//! table and the definitions behind every number. Opens from disk, mails as an attachment,
//! prints.

mod charts;
mod heatmap;
pub(crate) mod html;
mod palette;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::stats::{self, OverallStats, StatsError};
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Stats(#[from] StatsError),
    #[error("cannot draw a chart: {0}")]
    Chart(String),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ReportError {
    /// True when the person typed something wrong (a program that does not exist).
    pub fn is_user_mistake(&self) -> bool {
        matches!(self, ReportError::Stats(err) if err.is_user_mistake())
    }
}

/// The report of one named program, or of every program when `program` is None.
pub async fn report_html(
    store: &Store,
    program: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, ReportError> {
    let records = stats::load_records(store, program).await?;
    render_html(&stats::overall_stats(&records, now), now)
}

/// Writes the report of one named program, or of every program, to `out` (`pourover report`).
pub async fn write_report(
    store: &Store,
    program: Option<&str>,
    out: &Path,
    now: DateTime<Utc>,
) -> Result<(), ReportError> {
    let html = report_html(store, program, now).await?;
    std::fs::write(out, html).map_err(|source| ReportError::Write {
        path: out.to_path_buf(),
        source,
    })
}

/// The page for already computed figures: every program in `stats`, plus the overall figures
/// when there are several.
pub fn render_html(
    stats: &OverallStats,
    generated_at: DateTime<Utc>,
) -> Result<String, ReportError> {
    html::page(stats, generated_at)
}
