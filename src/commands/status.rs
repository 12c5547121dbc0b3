//! `status` and `history`: what a person can see about themselves.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::reply::{Reply, ReplyBlock, with_command};
use super::{CommandContext, CommandResult};
use crate::chat::content::{UserText, feedback_label};
use crate::domain::{
    Enrollment, EnrollmentState, LocalZone, Member, MemberId, Program, RoundState,
};
use crate::store::{Store, StoreError};

/// The next time `enrollment` takes part in `program`, given the program's last round
/// number; None without a schedule (or nothing in the next year of runs).
pub fn next_round_for(
    program: &Program,
    enrollment: Option<&Enrollment>,
    last_seq: i64,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let schedule = program.schedule.as_ref()?;
    schedule
        .runs_after(now)
        .take(60)
        .enumerate()
        .map(|(k, at)| (last_seq + 1 + k as i64, at.with_timezone(&Utc)))
        .find(|(seq, at)| match enrollment {
            None => true,
            // A skip applies to the very next round only.
            Some(e) if *seq > last_seq + 1 => Enrollment {
                skip_next: false,
                ..e.clone()
            }
            .takes_part(*seq, *at),
            Some(e) => e.takes_part(*seq, *at),
        })
        .map(|(_, at)| at)
}

/// The actor's next round in `program`, from the stored enrollment and rounds.
pub(super) async fn next_round_of(
    ctx: &CommandContext<'_>,
    program: &Program,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let enrollment = ctx.store.enrollment(program.id, ctx.actor.id).await?;
    let last_seq = ctx.store.last_round(program.id).await?.map_or(0, |r| r.seq);
    Ok(next_round_for(
        program,
        enrollment.as_ref(),
        last_seq,
        ctx.now,
    ))
}

/// How an enrollment reads to its owner, e.g. "active, weekly" or "paused until Tue 8 Dec".
pub fn describe_enrollment(enrollment: &Enrollment, zone: &LocalZone) -> String {
    let state = match enrollment.state {
        EnrollmentState::Active if enrollment.skip_next => "skipping the next round".to_string(),
        EnrollmentState::Active => "active".to_string(),
        EnrollmentState::Paused { until: Some(until) } => {
            format!("paused until {}", zone.format_day(until))
        }
        EnrollmentState::Paused { until: None } => "paused".to_string(),
        EnrollmentState::Left => "left".to_string(),
    };
    format!("{state}, {}", enrollment.cadence)
}

/// Display names of `ids`, "Name (Team)" when the team is known, as bot text.
pub async fn describe_people(store: &Store, ids: &[MemberId]) -> Result<Vec<String>, StoreError> {
    Ok(store
        .members_by_ids(ids)
        .await?
        .iter()
        .map(describe_person)
        .collect())
}

/// Bot text: names and teams are typed text, escaped.
fn describe_person(member: &Member) -> String {
    let name = UserText::from(member.display_name.as_str());
    match member.team().map(UserText::from) {
        Some(team) => format!("{} ({})", name.markup(), team.markup()),
        None => name.markup().to_string(),
    }
}

pub(super) async fn status(ctx: &CommandContext<'_>) -> CommandResult {
    let zone = LocalZone::of(ctx.actor);
    let enrollments = ctx.store.member_enrollments(ctx.actor.id).await?;
    if enrollments.is_empty() {
        return Ok(Reply::text(format!(
            "You're not in any program. `{}` to get paired with someone new.",
            with_command(ctx.command_name, "join")
        )));
    }
    let programs: HashMap<_, _> = ctx
        .store
        .programs(ctx.workspace)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut reply = Reply::default().with(ReplyBlock::Heading("☕ Your coffee status".into()));
    for enrollment in &enrollments {
        let Some(program) = programs.get(&enrollment.program_id) else {
            continue;
        };
        let last_seq = ctx.store.last_round(program.id).await?.map_or(0, |r| r.seq);
        let next = next_round_for(program, Some(enrollment), last_seq, ctx.now)
            .map(|at| format!("{} ({})", zone.format_day_time(at), zone.label()))
            .unwrap_or_else(|| "not scheduled".into());
        reply = reply.with(ReplyBlock::Fields(vec![
            ("Program".into(), program.name.to_string()),
            ("Status".into(), describe_enrollment(enrollment, &zone)),
            ("Next round".into(), next),
            (
                "Team".into(),
                ctx.actor.team().map_or_else(
                    || "unknown".to_owned(),
                    |team| UserText::from(team).markup().to_string(),
                ),
            ),
        ]));
    }
    let current: Vec<_> = ctx
        .store
        .member_groups(ctx.actor.id, 5)
        .await?
        .into_iter()
        .filter(|(round, _)| round.state == RoundState::Open)
        .collect();
    for (_, group) in current {
        let others: Vec<MemberId> = group
            .members
            .iter()
            .copied()
            .filter(|id| *id != ctx.actor.id)
            .collect();
        let names = describe_people(ctx.store, &others).await?;
        reply = reply.with(ReplyBlock::Text(format!(
            "This round you're meeting *{}*.",
            names.join("*, *")
        )));
    }
    Ok(reply)
}

pub(super) async fn history(ctx: &CommandContext<'_>) -> CommandResult {
    const SHOWN: u32 = 10;
    let zone = LocalZone::of(ctx.actor);
    let groups = ctx.store.member_groups(ctx.actor.id, SHOWN).await?;
    if groups.is_empty() {
        return Ok(Reply::text(
            "No coffee chats yet — your first intro arrives with the next round.",
        ));
    }
    let programs: HashMap<_, _> = ctx
        .store
        .programs(ctx.workspace)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut lines = Vec::new();
    for (round, group) in &groups {
        let others: Vec<MemberId> = group
            .members
            .iter()
            .copied()
            .filter(|id| *id != ctx.actor.id)
            .collect();
        let names = describe_people(ctx.store, &others).await?;
        let answer = ctx
            .store
            .group_feedback(group.id)
            .await?
            .into_iter()
            .find(|f| f.member_id == ctx.actor.id)
            .map(|f| format!(" — you {}", feedback_label(f.answer)))
            .unwrap_or_default();
        let program = programs
            .get(&round.program_id)
            .map(|name| format!(" ({name})"))
            .unwrap_or_default();
        lines.push(format!(
            "• *{}*{program}: {}{answer}",
            zone.format_day(round.scheduled_for),
            names.join(", ")
        ));
    }
    Ok(Reply::default()
        .with(ReplyBlock::Heading("☕ Your recent coffee chats".into()))
        .with(ReplyBlock::Text(lines.join("\n")))
        .with(ReplyBlock::Context(format!(
            "The last {} rounds you took part in.",
            groups.len()
        ))))
}
