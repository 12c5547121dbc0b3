//! The `/coffee` commands: the grammar and what each command does. Platform-neutral: input
//! is text plus who typed it, output a [`Reply`]; adapters render it.

mod admin;
mod context;
pub mod grammar;
mod member;
mod reply;
mod status;

pub use context::{AdminBackend, BackendError, CommandContext, ProgramDefaults, RoundNowOutcome};
pub use grammar::{AdminCommand, Command, UsageError, parse};
pub use reply::{Reply, ReplyBlock, with_command};
pub use status::{describe_enrollment, describe_people, next_round_for};

use crate::store::StoreError;

/// Runs the command in `text` for `ctx.actor`. Never fails: every problem becomes a reply
/// that says what went wrong (and a log line when it is ours, not the user's).
pub async fn execute(ctx: &CommandContext<'_>, text: &str) -> Reply {
    match parse(text) {
        Ok(command) => run(ctx, command).await,
        Err(error) => Reply::usage(&error, ctx.command_name),
    }
}

/// Runs an already parsed command (a typed one, or a button that stands for one).
pub async fn run(ctx: &CommandContext<'_>, command: Command) -> Reply {
    let result = match command {
        Command::Admin(admin) if !ctx.is_admin => Ok(admin::refusal(ctx, &admin)),
        Command::Admin(admin) => admin::run(ctx, admin).await,
        member => member::run(ctx, member).await,
    };
    result.unwrap_or_else(|err| {
        tracing::error!(error = %err, member = %ctx.actor.id, "command failed");
        Reply::text(
            "Sorry, something went wrong on my side and nothing was changed. Please try again in a minute.",
        )
    })
}

/// Why a command could not be carried out, when it is not the user's mistake.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Roster(#[from] crate::roster::RosterError),
}

pub type CommandResult = Result<Reply, CommandError>;
