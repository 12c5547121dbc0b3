//! Commands for workspace owners/admins and the people in `POUROVER_ADMINS`.

use chrono::Utc;

use super::grammar::{AdminCommand, usage};
use super::member::pick_program;
use super::reply::{Reply, ReplyBlock, with_command};
use super::{CommandContext, CommandResult, RoundNowOutcome};
use crate::chat::content::UserText;
use crate::domain::{GroupSize, LocalZone, Program, ProgramName, RoundState, Schedule};
use crate::roster;
use crate::store::NewProgram;

/// A non-admin tried an admin command: say no kindly, change nothing.
pub(super) fn refusal(ctx: &CommandContext<'_>, _command: &AdminCommand) -> Reply {
    Reply::text(
        "Sorry, only workspace admins can use admin commands, and nothing was changed. \
         If you run coffee chats here, ask an admin to add you.",
    )
    .with(ReplyBlock::Context(format!(
        "Everything else is yours: `{}`",
        with_command(ctx.command_name, "help")
    )))
}

pub(super) async fn run(ctx: &CommandContext<'_>, command: AdminCommand) -> CommandResult {
    match command {
        AdminCommand::Help => Ok(admin_help(ctx)),
        AdminCommand::ProgramCreate { name, channel_id } => {
            create_program(ctx, name, channel_id).await
        }
        AdminCommand::Schedule { program, schedule } => set_schedule(ctx, program, *schedule).await,
        AdminCommand::GroupSize { program, size } => set_group_size(ctx, program, size).await,
        AdminCommand::Stats { program } => {
            let program = match program {
                Some(name) => match pick_program(ctx, Some(&name), usage::STATS).await? {
                    Ok(program) => Some(program),
                    Err(reply) => return Ok(reply),
                },
                None => None,
            };
            Ok(backend_reply(
                ctx.backend.stats(ctx.workspace, program.as_ref()).await,
            ))
        }
        AdminCommand::RoundNow { program, again } => {
            let program = match pick_program(ctx, Some(&program), usage::ROUND_NOW).await? {
                Ok(program) => program,
                Err(reply) => return Ok(reply),
            };
            if !again && let Some(reply) = just_planned(ctx, &program).await? {
                return Ok(reply);
            }
            Ok(match ctx.backend.run_round_now(&program).await {
                Ok(outcome) => round_now_reply(&program.name, outcome),
                Err(err) => Reply::text(format!("I couldn't start the round: {err}")),
            })
        }
        AdminCommand::Export { program } => {
            let program = match pick_program(ctx, Some(&program), usage::EXPORT).await? {
                Ok(program) => program,
                Err(reply) => return Ok(reply),
            };
            Ok(backend_reply(ctx.backend.export(&program).await))
        }
        AdminCommand::Failures => Ok(backend_reply(ctx.backend.failures(ctx.workspace).await)),
    }
}

/// A round planned this recently makes `admin round now` ask before planning another: a
/// second one sends everyone a second intro.
const ROUND_NOW_COOLDOWN: chrono::Duration = chrono::Duration::hours(1);

/// Asks for `again` when the program's last round was planned within the cooldown.
async fn just_planned(
    ctx: &CommandContext<'_>,
    program: &Program,
) -> Result<Option<Reply>, crate::store::StoreError> {
    let Some(last) = ctx.store.last_round(program.id).await? else {
        return Ok(None);
    };
    let ago = ctx.now - last.scheduled_for;
    if last.state == RoundState::Skipped || ago >= ROUND_NOW_COOLDOWN {
        return Ok(None);
    }
    let minutes = ago.num_minutes().max(0);
    let when = match minutes {
        0 => "less than a minute ago".to_owned(),
        1 => "a minute ago".to_owned(),
        n => format!("{n} minutes ago"),
    };
    Ok(Some(
        Reply::text(format!(
            "Round {} of *{}* was planned {when}, so I didn't plan another: everyone would \
             get a second intro. 🤔",
            last.seq, program.name
        ))
        .with(ReplyBlock::Context(format!(
            "To plan one more anyway: `{}`",
            with_command(
                ctx.command_name,
                &format!("admin round now {} again", program.name)
            )
        ))),
    ))
}

fn backend_reply(result: Result<Reply, super::BackendError>) -> Reply {
    result.unwrap_or_else(|err| Reply::text(format!("Sorry, that didn't work: {err}")))
}

fn admin_help(ctx: &CommandContext<'_>) -> Reply {
    let lines = usage::ADMIN_COMMANDS
        .iter()
        .map(|usage| format!("• `{}`", with_command(ctx.command_name, usage)))
        .collect::<Vec<_>>()
        .join("\n");
    Reply::default()
        .with(ReplyBlock::Heading("Admin commands".into()))
        .with(ReplyBlock::Text(lines))
}

fn next_runs(schedule: &Schedule, count: usize) -> String {
    let zone = LocalZone::Named(schedule.time_zone());
    schedule
        .runs_after(Utc::now())
        .take(count)
        .map(|at| format!("• {}", zone.format_day_time(at.with_timezone(&Utc))))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn create_program(
    ctx: &CommandContext<'_>,
    name: ProgramName,
    channel_id: Option<String>,
) -> CommandResult {
    // New programs run weekly in the creating admin's time zone until told otherwise.
    let zone = match LocalZone::of(ctx.actor) {
        LocalZone::Named(tz) => tz.name().to_string(),
        LocalZone::Fixed(_) => "UTC".to_string(),
    };
    let schedule = Schedule::parse(&ctx.defaults.cron, &zone).ok();
    let created = ctx
        .store
        .create_program(NewProgram {
            workspace: ctx.workspace,
            name: &name,
            channel_id: channel_id.as_deref(),
            schedule: schedule.as_ref(),
            settings: ctx.defaults.settings,
            created_by: Some(&ctx.actor.external_id),
        })
        .await?;
    let Some(program) = created else {
        return Ok(Reply::text(format!(
            "A program called `{name}` already exists. Pick another name."
        ))
        .with(ReplyBlock::Context(format!(
            "Usage: `{}`",
            with_command(ctx.command_name, usage::PROGRAM_CREATE)
        ))));
    };
    let mut reply = Reply::text(format!("Created *{}*. ☕", program.name));
    if let Some(schedule) = &schedule {
        reply = reply.with(ReplyBlock::Text(format!(
            "Rounds run `{}` ({}). Next rounds:\n{}",
            schedule.expression(),
            schedule.time_zone().name(),
            next_runs(schedule, 3)
        )));
    }
    if let Some(channel) = &channel_id {
        let enrolled = match roster::sync_channel(ctx.store, ctx.chat, ctx.policy, &program).await {
            Ok(report) => format!(
                "Everyone in <#{channel}> is in ({} people so far); people joining or leaving \
                 the channel join or leave the program.",
                report.enrolled
            ),
            Err(err) => {
                tracing::warn!(error = %err, %channel, "first channel sync failed; the daily sync retries");
                format!(
                    "Members of <#{channel}> will be enrolled shortly (I couldn't read the \
                     channel just now). Make sure I'm a member of it."
                )
            }
        };
        reply = reply.with(ReplyBlock::Text(enrolled));
    } else {
        reply = reply.with(ReplyBlock::Text(format!(
            "People join with `{}`.",
            with_command(ctx.command_name, &format!("join {}", program.name))
        )));
    }
    Ok(reply.with(ReplyBlock::Context(format!(
        "Change the schedule with `{}`",
        with_command(ctx.command_name, usage::SCHEDULE)
    ))))
}

async fn set_schedule(
    ctx: &CommandContext<'_>,
    name: ProgramName,
    schedule: Schedule,
) -> CommandResult {
    let program = match pick_program(ctx, Some(&name), usage::SCHEDULE).await? {
        Ok(program) => program,
        Err(reply) => return Ok(reply),
    };
    ctx.store
        .set_program_schedule(program.id, Some(&schedule))
        .await?;
    Ok(Reply::text(format!(
        "*{}* now runs `{}` in {}. The next three rounds:\n{}",
        program.name,
        schedule.expression(),
        schedule.time_zone().name(),
        next_runs(&schedule, 3)
    )))
}

async fn set_group_size(
    ctx: &CommandContext<'_>,
    name: ProgramName,
    size: GroupSize,
) -> CommandResult {
    let program = match pick_program(ctx, Some(&name), usage::GROUP_SIZE).await? {
        Ok(program) => program,
        Err(reply) => return Ok(reply),
    };
    ctx.store.set_program_group_size(program.id, size).await?;
    let described = match size.get() {
        2 => "pairs".to_string(),
        n => format!("groups of {n}"),
    };
    Ok(Reply::text(format!(
        "*{}* will meet in {described} from the next round.",
        program.name
    )))
}

fn round_now_reply(program: &ProgramName, outcome: RoundNowOutcome) -> Reply {
    match outcome {
        RoundNowOutcome::Planned {
            round_seq,
            groups,
            people,
            trios_or_larger,
            unplaced,
        } => {
            let mut reply = Reply::text(format!(
                "Round {round_seq} of *{program}* is planned: {people} people in {groups} groups. \
                 Intros are on their way. ☕"
            ));
            if trios_or_larger > 0 {
                reply = reply.with(ReplyBlock::Context(format!(
                    "{trios_or_larger} group(s) are one larger so nobody is left out."
                )));
            }
            if !unplaced.is_empty() {
                let unplaced: Vec<String> = unplaced
                    .iter()
                    .map(|(member, reason)| {
                        let name = UserText::from(member.display_name.as_str());
                        format!("{} ({reason})", name.markup())
                    })
                    .collect();
                reply = reply.with(ReplyBlock::Context(format!(
                    "Not placed this time: {}.",
                    unplaced.join("; ")
                )));
            }
            reply
        }
        RoundNowOutcome::TooFewPeople { people } => Reply::text(format!(
            "Not enough people in *{program}* right now ({people} taking part; at least 2 are \
             needed), so no round was started."
        )),
    }
}
