//! Commands anyone can use.

use super::grammar::{Command, usage};
use super::reply::{Reply, ReplyBlock, with_command};
use super::{CommandContext, CommandResult, status};
use crate::chat::content::{UserText, mention};
use crate::domain::{Cadence, LocalZone, PauseRequest, Program, ProgramName};
use crate::roster::{self, RosterError};
use crate::store::EnrollmentChange;

pub(super) async fn run(ctx: &CommandContext<'_>, command: Command) -> CommandResult {
    match command {
        Command::Help => Ok(help(ctx)),
        Command::Join { program } => join(ctx, program).await,
        Command::Leave { program } => leave(ctx, program).await,
        Command::Pause(request) => pause(ctx, request).await,
        Command::Resume => resume(ctx).await,
        Command::Skip => skip(ctx).await,
        Command::Cadence(cadence) => set_cadence(ctx, cadence).await,
        Command::Team(team) => set_team(ctx, team).await,
        Command::Never { user_id } => never(ctx, &user_id).await,
        Command::NeverRemove { user_id } => never_remove(ctx, &user_id).await,
        Command::Status => status::status(ctx).await,
        Command::History => status::history(ctx).await,
        // Routed to the admin module before we get here.
        Command::Admin(_) => Ok(help(ctx)),
    }
}

fn help(ctx: &CommandContext<'_>) -> Reply {
    let lines = |commands: &[&str]| {
        commands
            .iter()
            .map(|usage| format!("• `{}`", with_command(ctx.command_name, usage)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut reply = Reply::default()
        .with(ReplyBlock::Heading(
            "☕ Pourover — meet people across the company".into(),
        ))
        .with(ReplyBlock::Text(
            "Join a program and I'll pair you with someone from another team every round, \
             then introduce you in a group message."
                .into(),
        ))
        .with(ReplyBlock::Text(lines(&usage::MEMBER_COMMANDS)));
    if ctx.is_admin {
        reply = reply
            .with(ReplyBlock::Divider)
            .with(ReplyBlock::Text(format!(
                "*Admin commands*\n{}",
                lines(&usage::ADMIN_COMMANDS)
            )));
    }
    reply
}

/// The program a command is about: the named one, or the only one there is.
/// `Err(reply)` explains why it cannot be decided.
pub(super) async fn pick_program(
    ctx: &CommandContext<'_>,
    name: Option<&ProgramName>,
    usage_line: &str,
) -> Result<Result<Program, Reply>, crate::store::StoreError> {
    let programs = ctx.store.programs(ctx.workspace).await?;
    let names = || {
        programs
            .iter()
            .map(|p| format!("`{}`", p.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let usage = ReplyBlock::Context(format!(
        "Usage: `{}`",
        with_command(ctx.command_name, usage_line)
    ));
    if let Some(name) = name {
        return Ok(match programs.iter().find(|p| &p.name == name) {
            Some(program) => Ok(program.clone()),
            None if programs.is_empty() => Err(Reply::text(format!(
                "There is no program called `{name}` — there are no programs yet."
            ))
            .with(usage)),
            None => Err(Reply::text(format!(
                "There is no program called `{name}`. Programs: {}.",
                names()
            ))
            .with(usage)),
        });
    }
    Ok(match programs.as_slice() {
        [only] => Ok(only.clone()),
        [] if ctx.is_admin => Err(Reply::text(format!(
            "There are no programs yet. Create one with `{}`.",
            with_command(ctx.command_name, "admin program create coffee #channel")
        ))),
        [] => Err(Reply::text(
            "There are no programs yet — ask a workspace admin to create one.",
        )),
        _ => Err(Reply::text(format!("Which program? There are {}.", names())).with(usage)),
    })
}

async fn join(ctx: &CommandContext<'_>, name: Option<ProgramName>) -> CommandResult {
    let program = match pick_program(ctx, name.as_ref(), usage::JOIN).await? {
        Ok(program) => program,
        Err(reply) => return Ok(reply),
    };
    if let Err(why) = ctx.policy.check(ctx.actor) {
        return Ok(Reply::text(format!(
            "Sorry, you can't join `{}`: {}.",
            program.name,
            why.explanation()
        )));
    }
    let change = ctx.store.enroll(program.id, ctx.actor.id).await?;
    let zone = LocalZone::of(ctx.actor);
    let next = status::next_round_of(ctx, &program).await?;
    let when = next
        .map(|at| {
            format!(
                " The next round is *{}* ({}).",
                zone.format_day_time(at),
                zone.label()
            )
        })
        .unwrap_or_default();
    let opening = match change {
        EnrollmentChange::Joined => format!("You're in *{}*! ☕", program.name),
        EnrollmentChange::Rejoined => format!("Welcome back to *{}*! ☕", program.name),
        EnrollmentChange::AlreadyActive => format!("You're already in *{}*.", program.name),
    };
    let team = match ctx.actor.team().map(UserText::from) {
        Some(team) => format!(
            "I'll pair you with people outside *{}*. Wrong team? `{}`",
            team.markup(),
            with_command(ctx.command_name, "team <name>")
        ),
        None => format!(
            "Tell me your team with `{}` so I can pair you across teams.",
            with_command(ctx.command_name, "team <name>")
        ),
    };
    Ok(Reply::text(format!("{opening}{when}")).with(ReplyBlock::Context(team)))
}

async fn leave(ctx: &CommandContext<'_>, name: Option<ProgramName>) -> CommandResult {
    let programs = match name {
        Some(name) => match pick_program(ctx, Some(&name), usage::LEAVE).await? {
            Ok(program) => vec![program],
            Err(reply) => return Ok(reply),
        },
        None => ctx.store.programs(ctx.workspace).await?,
    };
    let mut left = Vec::new();
    for program in programs {
        if ctx.store.leave_program(program.id, ctx.actor.id).await? {
            left.push(format!("*{}*", program.name));
        }
    }
    Ok(if left.is_empty() {
        Reply::text("You're not in that program — nothing to leave.")
    } else {
        Reply::text(format!(
            "You've left {}. No more intros from me — come back any time with `{}`.",
            left.join(" and "),
            with_command(ctx.command_name, "join")
        ))
    })
}

async fn pause(ctx: &CommandContext<'_>, request: PauseRequest) -> CommandResult {
    let zone = LocalZone::of(ctx.actor);
    let back_on = match request.back_on(zone.date(ctx.now)) {
        Ok(date) => date,
        Err(err) => {
            return Ok(
                Reply::text(format!("{} 🤔", err.0)).with(ReplyBlock::Context(format!(
                    "Usage: `{}`",
                    with_command(ctx.command_name, usage::PAUSE)
                ))),
            );
        }
    };
    let until = zone.start_of(back_on);
    let paused = ctx.store.pause_member(ctx.actor.id, Some(until)).await?;
    Ok(if paused == 0 {
        not_in_any_program(ctx)
    } else {
        Reply::text(format!(
            "Paused until *{}*. I'll pair you again from then — or `{}` whenever you like.",
            zone.format_day(until),
            with_command(ctx.command_name, "resume")
        ))
    })
}

async fn resume(ctx: &CommandContext<'_>) -> CommandResult {
    let resumed = ctx.store.resume_member(ctx.actor.id).await?;
    if resumed > 0 {
        return Ok(Reply::text("Welcome back! You'll be in the next round. ☕"));
    }
    let enrolled = ctx.store.member_enrollments(ctx.actor.id).await?;
    Ok(if enrolled.is_empty() {
        not_in_any_program(ctx)
    } else {
        Reply::text("You weren't paused — you're already in the next round.")
    })
}

async fn skip(ctx: &CommandContext<'_>) -> CommandResult {
    let skipped = ctx.store.skip_next_round(ctx.actor.id).await?;
    Ok(if skipped == 0 {
        let enrolled = ctx.store.member_enrollments(ctx.actor.id).await?;
        if enrolled.is_empty() {
            not_in_any_program(ctx)
        } else {
            Reply::text(format!(
                "You're paused, so there's no round to skip. `{}` brings you back.",
                with_command(ctx.command_name, "resume")
            ))
        }
    } else {
        Reply::text(format!(
            "Got it — you'll sit out the next round only, then you're back. Changed your mind? `{}`",
            with_command(ctx.command_name, "resume")
        ))
    })
}

async fn set_cadence(ctx: &CommandContext<'_>, cadence: Cadence) -> CommandResult {
    let changed = ctx.store.set_cadence(ctx.actor.id, cadence).await?;
    let how_often = match cadence {
        Cadence::Weekly => "every round",
        Cadence::Biweekly => "every other round",
        Cadence::Monthly => "every fourth round (about monthly)",
    };
    Ok(if changed == 0 {
        not_in_any_program(ctx)
    } else {
        Reply::text(format!("Done: you'll be paired {how_often}."))
    })
}

async fn set_team(ctx: &CommandContext<'_>, team: Option<String>) -> CommandResult {
    ctx.store
        .set_chosen_team(ctx.actor.id, team.as_deref())
        .await?;
    Ok(match (team, ctx.actor.profile_team.as_deref()) {
        (Some(team), _) => Reply::text(format!(
            "Noted: you're in *{}*. I'll pair you with people from other teams.",
            UserText::from(team).markup()
        )),
        (None, Some(profile)) => Reply::text(format!(
            "Cleared. I'll use the team from your profile: *{}*.",
            UserText::from(profile).markup()
        )),
        (None, None) => {
            Reply::text("Cleared. Your profile has no team, so I'll treat it as unknown.")
        }
    })
}

async fn never(ctx: &CommandContext<'_>, user_id: &str) -> CommandResult {
    if user_id == ctx.actor.external_id {
        return Ok(Reply::text(
            "You won't be paired with yourself, promise. 🙂",
        ));
    }
    let other =
        match roster::ensure_member(ctx.store, ctx.chat, ctx.workspace, user_id, ctx.now).await {
            Ok(other) => other,
            // The platform does not know them (a typo'd or pasted id, someone from another
            // workspace): the person's mistake, not ours.
            Err(RosterError::Chat(err)) if err.is_permanent() => {
                tracing::debug!(error = %err, "`never` named someone the platform does not know");
                return Ok(never_usage(
                    ctx,
                    "I can't find that person here: type @ and pick them from the list 🤔",
                ));
            }
            Err(err) => return Err(err.into()),
        };
    if other.is_bot {
        return Ok(never_usage(
            ctx,
            &format!(
                "{} is a bot, and bots are never paired with anyone 🙂",
                mention(user_id)
            ),
        ));
    }
    let added = ctx.store.add_exclusion(ctx.actor.id, other.id).await?;
    Ok(Reply::text(if added {
        format!(
            "Got it: you'll never be paired with {}. Only you can see this.",
            mention(user_id)
        )
    } else {
        format!(
            "You already asked never to be paired with {}.",
            mention(user_id)
        )
    })
    .with(ReplyBlock::Context(format!(
        "Undo with `{} {}`",
        with_command(ctx.command_name, "never remove"),
        mention(user_id)
    ))))
}

/// A `never` that names nobody it can apply to: why, then the usage.
fn never_usage(ctx: &CommandContext<'_>, problem: &str) -> Reply {
    Reply::text(problem).with(ReplyBlock::Context(format!(
        "Usage: `{}`",
        with_command(ctx.command_name, usage::NEVER)
    )))
}

async fn never_remove(ctx: &CommandContext<'_>, user_id: &str) -> CommandResult {
    let removed = match ctx
        .store
        .member_by_external_id(ctx.workspace, user_id)
        .await?
    {
        Some(other) => ctx.store.remove_exclusion(ctx.actor.id, other.id).await?,
        None => false,
    };
    Ok(Reply::text(if removed {
        format!(
            "Removed: you can be paired with {} again.",
            mention(user_id)
        )
    } else {
        format!(
            "You hadn't asked never to be paired with {}, so nothing changed.",
            mention(user_id)
        )
    }))
}

fn not_in_any_program(ctx: &CommandContext<'_>) -> Reply {
    Reply::text(format!(
        "You're not in any program yet — `{}` first.",
        with_command(ctx.command_name, "join")
    ))
}
