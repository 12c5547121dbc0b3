//! Typed `/coffee …` commands.

use super::{Bot, Inbound};
use crate::commands::{self, Command, CommandContext, Reply, UsageError};
use crate::roster;

impl Bot {
    /// Runs a `/coffee …` command typed by `user_id`. Never fails: problems become replies.
    pub async fn run_command(
        &self,
        at: Inbound<'_>,
        user_id: &str,
        command_name: &str,
        text: &str,
    ) -> Reply {
        self.run_parsed(at, user_id, command_name, commands::parse(text))
            .await
    }

    /// Runs a parsed command (or answers its usage error) for `user_id`, looked up first: a
    /// person the bot cannot look up changes nothing.
    pub(super) async fn run_parsed(
        &self,
        at: Inbound<'_>,
        user_id: &str,
        command_name: &str,
        parsed: Result<Command, UsageError>,
    ) -> Reply {
        let now = self.clock.now();
        let actor =
            match roster::ensure_member(&self.store, at.chat, at.workspace, user_id, now).await {
                Ok(member) => member,
                Err(err) => {
                    tracing::error!(error = %err, "cannot look up the person behind a command");
                    return Reply::text(
                        "Sorry, I couldn't look you up just now, so nothing was changed. \
                         Please try again in a minute.",
                    );
                }
            };
        let ctx = CommandContext {
            store: &self.store,
            chat: at.chat,
            backend: self.backend.as_ref(),
            workspace: at.workspace,
            actor: &actor,
            is_admin: self.is_admin(&actor),
            command_name,
            now,
            defaults: &self.config.defaults,
            policy: self.config.policy,
        };
        match parsed {
            Ok(command) => commands::run(&ctx, command).await,
            Err(error) => Reply::usage(&error, ctx.command_name),
        }
    }
}
