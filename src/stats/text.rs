//! The figures as plain text for a terminal (`pourover stats`). Shares its number formatting
//! with the HTML report, so both say "55%" for the same figure.

use std::fmt::Write;

use super::figures::{Connector, OverallStats, ProgramStats, RoundStats, Totals};
use super::summary::{Figure, ProgramSummary};

/// "55%", or "–" when there is nothing to divide by.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_string(), |rate| format!("{:.0}%", rate * 100.0))
}

/// "+2", "-1", "±0"; empty without a previous round.
pub fn count_change(figure: &Figure<u64>) -> String {
    match figure.change() {
        Some(0) => "±0".to_string(),
        Some(change) => format!("{change:+}"),
        None => String::new(),
    }
}

/// "+5 pts", "-3 pts", "±0 pts"; empty when either round has no value.
pub fn points_change(figure: &Figure<Option<f64>>) -> String {
    match figure.change_points() {
        Some(points) if points.round() == 0.0 => "±0 pts".to_string(),
        Some(points) => format!("{points:+.0} pts"),
        None => String::new(),
    }
}

/// "13 of 15 (87%)".
pub fn reach(met: u64, possible: u64, reach: Option<f64>) -> String {
    format!("{met} of {possible} team pairs ({})", percent(reach))
}

/// Every program, then the overall figures when there is more than one.
pub fn overall(stats: &OverallStats) -> String {
    if stats.programs.is_empty() {
        return "No programs yet: nothing to report.\n".to_string();
    }
    let mut out = String::new();
    for (i, program_stats) in stats.programs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&program(program_stats));
    }
    if stats.programs.len() > 1 {
        out.push('\n');
        heading(&mut out, "All programs");
        let e = &stats.enrollment;
        let _ = writeln!(
            out,
            "Enrolled   {} people ({} active, {} paused; {} left)",
            e.enrolled, e.active, e.paused, e.left
        );
        totals(&mut out, &stats.totals);
        connectors(&mut out, &stats.top_connectors);
    }
    out
}

/// One program: headline with the trend since the round before, totals, rounds, connectors.
pub fn program(stats: &ProgramStats) -> String {
    let mut out = String::new();
    heading(&mut out, &format!("Program {}", stats.program));
    let e = &stats.enrollment;
    let _ = writeln!(
        out,
        "Enrolled   {} ({} active, {} paused; {} left)",
        e.enrolled, e.active, e.paused, e.left
    );
    let t = &stats.totals;
    if t.rounds_run == 0 {
        let skipped = match t.rounds_skipped {
            0 => String::new(),
            n => format!(" ({n} skipped for lack of people)"),
        };
        let _ = writeln!(out, "No rounds yet{skipped}.");
        return out;
    }
    let _ = writeln!(
        out,
        "Rounds     {} run, {} skipped",
        t.rounds_run, t.rounds_skipped
    );
    if let Some(latest) = ProgramSummary::from_stats(stats).latest {
        out.push('\n');
        let compared = latest
            .previous_seq
            .map(|seq| format!(", compared with round {seq}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "Latest: round {} on {} ({}){compared}",
            latest.seq, latest.date, latest.state
        );
        let rows = [
            (
                "Participants",
                latest.participants.latest.to_string(),
                count_change(&latest.participants),
            ),
            (
                "Groups",
                latest.groups.latest.to_string(),
                count_change(&latest.groups),
            ),
            (
                "Feedback rate",
                percent(latest.feedback_rate.latest),
                points_change(&latest.feedback_rate),
            ),
            (
                "Met rate",
                percent(latest.met_rate.latest),
                points_change(&latest.met_rate),
            ),
            (
                "Cross-team share",
                percent(latest.cross_team_share.latest),
                points_change(&latest.cross_team_share),
            ),
            (
                "Repeat rate",
                percent(latest.repeat_rate.latest),
                points_change(&latest.repeat_rate),
            ),
            (
                "First time across teams",
                latest.first_cross_team.latest.to_string(),
                count_change(&latest.first_cross_team),
            ),
            (
                "Intros failed",
                latest.intros_failed.latest.to_string(),
                count_change(&latest.intros_failed),
            ),
            (
                "Reach",
                reach(
                    latest.team_pairs_met.latest,
                    latest.team_pairs_possible.latest,
                    latest.reach.latest,
                ),
                points_change(&latest.reach),
            ),
        ];
        for (label, value, change) in rows {
            let _ = writeln!(out, "  {label:<24} {value:>6}  {change}");
        }
    }
    out.push('\n');
    let _ = writeln!(out, "Since the start");
    totals(&mut out, t);
    out.push('\n');
    let _ = writeln!(out, "Per round");
    out.push_str(&round_table(&stats.rounds));
    connectors(&mut out, &stats.top_connectors);
    out
}

fn heading(out: &mut String, title: &str) {
    let _ = writeln!(out, "{title}\n{}", "=".repeat(title.chars().count()));
}

fn totals(out: &mut String, t: &Totals) {
    let _ = writeln!(
        out,
        "  {} groups, {} participations by {} people",
        t.groups, t.participations, t.distinct_participants
    );
    let _ = writeln!(
        out,
        "  Intros: {} delivered, {} failed, {} waiting",
        t.intros_delivered, t.intros_failed, t.intros_waiting
    );
    let _ = writeln!(
        out,
        "  Feedback rate {}, met rate {}, cross-team share {}, repeat rate {}",
        percent(t.feedback_rate),
        percent(t.met_rate),
        percent(t.cross_team_share),
        percent(t.repeat_rate)
    );
    let _ = writeln!(
        out,
        "  Reach: {} met ({} introduced)",
        reach(t.team_pairs_met, t.team_pairs_possible, t.reach),
        t.team_pairs_introduced
    );
    let _ = writeln!(
        out,
        "  People who met someone from another team: {}",
        t.people_met_across_teams
    );
}

fn round_table(rounds: &[RoundStats]) -> String {
    let headers = [
        "Round",
        "Date",
        "State",
        "People",
        "Groups",
        "Intros sent/failed/waiting",
        "Feedback",
        "Met",
        "Cross-team",
        "Repeats",
        "First across",
        "Reach",
    ];
    let rows: Vec<Vec<String>> = rounds
        .iter()
        .map(|r| {
            vec![
                r.seq.to_string(),
                r.date.to_string(),
                r.state.to_string(),
                r.participants.to_string(),
                r.groups.to_string(),
                format!(
                    "{}/{}/{}",
                    r.intros_delivered, r.intros_failed, r.intros_waiting
                ),
                percent(r.feedback_rate),
                percent(r.met_rate),
                percent(r.cross_team_share),
                percent(r.repeat_rate),
                r.first_cross_team.to_string(),
                format!("{}/{}", r.team_pairs_met, r.team_pairs_possible),
            ]
        })
        .collect();
    table(&headers, &rows)
}

/// Left-aligns the first three columns (words), right-aligns the rest (numbers).
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            rows.iter()
                .map(|row| row.get(i).map_or(0, |cell| cell.chars().count()))
                .chain([header.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let line = |cells: &mut dyn Iterator<Item = &str>, out: &mut String| {
        let mut text = String::from(" ");
        for (i, cell) in cells.enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            if i < 3 {
                let _ = write!(text, " {cell:<width$}");
            } else {
                let _ = write!(text, " {cell:>width$}");
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut headers.iter().copied(), &mut out);
    for row in rows {
        line(&mut row.iter().map(String::as_str), &mut out);
    }
    out
}

fn connectors(out: &mut String, connectors: &[Connector]) {
    if connectors.is_empty() {
        return;
    }
    out.push('\n');
    let _ = writeln!(out, "Top connectors (most other teams met)");
    for (i, c) in connectors.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {}. {} ({}, {}): {} in {}",
            i + 1,
            c.display_name,
            c.external_id,
            c.team.as_deref().unwrap_or("no team"),
            plural(c.teams_met, "other team", "other teams"),
            plural(c.meetings, "meeting", "meetings"),
        );
    }
}

/// "1 meeting", "3 meetings".
pub fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
