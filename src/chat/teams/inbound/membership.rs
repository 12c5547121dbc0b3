//! `conversationUpdate` in a team: the bot installed (a program bound to the team, its
//! roster enrolled), removed, or people joining and leaving (enrolled, or leaving).

use super::TeamsEndpoint;
use crate::bot::ApplyError;
use crate::chat::teams::activity::{Activity, TeamRef};

/// Every change is applied even when one fails; the first failure is returned, so that
/// the activity is applied again (each change is idempotent).
pub(super) async fn handle(
    endpoint: &TeamsEndpoint,
    activity: &Activity,
) -> Result<(), ApplyError> {
    let Some(team) = activity.team() else {
        // Installed in someone's personal scope or a group chat: nothing to bind.
        return Ok(());
    };
    let mut outcome = Ok(());
    let bot_id = endpoint.chat.bot_id();
    for added in &activity.members_added {
        if added.id == bot_id {
            if let Err(err) = installed(endpoint, activity, team).await {
                outcome = outcome.and(Err(err));
            }
        } else {
            endpoint.chat.directory().learn_person(
                &added.id,
                added.name.as_deref(),
                Some(&team.id),
            );
            if let Err(err) = endpoint
                .bot
                .member_joined_channel(endpoint.inbound(), &team.id, &added.id)
                .await
            {
                tracing::warn!(error = %err, "could not enrol someone who joined a team");
                outcome = outcome.and(Err(ApplyError::from(err)));
            }
        }
    }
    for removed in &activity.members_removed {
        if removed.id == bot_id {
            endpoint.chat.directory().forget_team(&team.id);
            tracing::info!(team = %team.id, "the bot was removed from a team; its program stays, without new members");
        } else if let Err(err) = endpoint
            .bot
            .member_left_channel(endpoint.inbound(), &team.id, &removed.id)
            .await
        {
            tracing::warn!(error = %err, "could not remove someone who left a team");
            outcome = outcome.and(Err(ApplyError::from(err)));
        }
    }
    outcome
}

async fn installed(
    endpoint: &TeamsEndpoint,
    activity: &Activity,
    team: &TeamRef,
) -> Result<(), ApplyError> {
    let installer = activity.from.as_ref().map_or("", |from| from.id.as_str());
    let name = team.name.as_deref().unwrap_or("coffee");
    match endpoint
        .bot
        .installed_in_channel(endpoint.inbound(), &team.id, name, installer)
        .await
    {
        Ok(installed) => {
            tracing::info!(
                program = %installed.program.name,
                created = installed.created,
                enrolled = installed.enrolled,
                "the bot was installed in a team"
            );
            Ok(())
        }
        Err(err) => {
            tracing::error!(error = %err, "could not set up a program for a team");
            Err(err.into())
        }
    }
}
