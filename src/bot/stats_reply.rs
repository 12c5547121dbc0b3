//! `/coffee admin stats` as a neutral reply: headline numbers with their change since the
//! round before (adapters render the fields as a compact grid).

use crate::commands::{Reply, ReplyBlock};
use crate::stats::text::{count_change, percent, points_change};
use crate::stats::{OverallStats, ProgramSummary};

fn with_change(value: String, change: String) -> String {
    if change.is_empty() {
        value
    } else {
        format!("{value}  ({change})")
    }
}

/// One program: who is in, then the latest round against the one before.
pub fn program_reply(summary: &ProgramSummary) -> Reply {
    let enrollment = &summary.enrollment;
    let mut reply = Reply::default().with(ReplyBlock::Heading(format!(
        "📊 {} — coffee stats",
        summary.program
    )));
    let mut fields = vec![(
        "People".to_string(),
        format!(
            "{} enrolled · {} active · {} paused",
            enrollment.enrolled, enrollment.active, enrollment.paused
        ),
    )];
    let Some(latest) = &summary.latest else {
        fields.push(("Rounds".into(), "none yet".into()));
        return reply.with(ReplyBlock::Fields(fields));
    };
    let open = if latest.state == crate::domain::RoundState::Open {
        ", still collecting answers"
    } else {
        ""
    };
    fields.extend([
        (
            "Latest round".to_string(),
            format!(
                "Round {} on {}{open}",
                latest.seq,
                latest.date.format("%a %-d %b")
            ),
        ),
        (
            "Participants".to_string(),
            with_change(
                latest.participants.latest.to_string(),
                count_change(&latest.participants),
            ),
        ),
        (
            "Met".to_string(),
            with_change(
                percent(latest.met_rate.latest),
                points_change(&latest.met_rate),
            ),
        ),
        (
            "Answered".to_string(),
            with_change(
                percent(latest.feedback_rate.latest),
                points_change(&latest.feedback_rate),
            ),
        ),
        (
            "Across teams".to_string(),
            with_change(
                percent(latest.cross_team_share.latest),
                points_change(&latest.cross_team_share),
            ),
        ),
        (
            "Reach".to_string(),
            format!(
                "{} of {} team pairs ({})",
                latest.team_pairs_met.latest,
                latest.team_pairs_possible.latest,
                percent(latest.reach.latest)
            ),
        ),
        ("Repeats".to_string(), percent(latest.repeat_rate.latest)),
        (
            "Failed intros".to_string(),
            with_change(
                latest.intros_failed.latest.to_string(),
                count_change(&latest.intros_failed),
            ),
        ),
    ]);
    reply = reply.with(ReplyBlock::Fields(fields));
    let totals = &summary.totals;
    reply.with(ReplyBlock::Context(format!(
        "Since the start: {} rounds, {} groups, {} met ({}), {} people met someone from another \
         team. Changes are since the previous round.",
        totals.rounds_run,
        totals.groups,
        totals.groups_met,
        percent(totals.met_rate),
        totals.people_met_across_teams
    )))
}

/// Every program of the workspace, one line each.
pub fn workspace_reply(stats: &OverallStats) -> Reply {
    let mut reply = Reply::default().with(ReplyBlock::Heading("📊 Coffee stats".into()));
    if stats.programs.is_empty() {
        return reply.with(ReplyBlock::Text("No programs yet.".into()));
    }
    let lines: Vec<String> = stats
        .programs
        .iter()
        .map(|program| {
            let totals = &program.totals;
            format!(
                "*{}*: {} enrolled, {} rounds, met {}, across teams {}, reach {}",
                program.program,
                program.enrollment.enrolled,
                totals.rounds_run,
                percent(totals.met_rate),
                percent(totals.cross_team_share),
                percent(totals.reach)
            )
        })
        .collect();
    reply = reply.with(ReplyBlock::Text(lines.join("\n")));
    let totals = &stats.totals;
    reply.with(ReplyBlock::Context(format!(
        "{} people enrolled; {} met someone from another team; {} of {} team pairs connected. \
         `admin stats &lt;program&gt;` shows one program with trends.",
        stats.enrollment.enrolled,
        totals.people_met_across_teams,
        totals.team_pairs_met,
        totals.team_pairs_possible
    )))
}
