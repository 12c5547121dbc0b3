//! A message typed to the bot is a command in the platform-neutral grammar (`join`,
//! `pause 2w`, `admin stats`…); Teams has no slash commands, so no command name either.

use super::TeamsEndpoint;
use super::text::command_text;
use crate::chat::Chat;
use crate::chat::teams::activity::Activity;

pub(super) async fn handle(endpoint: &TeamsEndpoint, activity: &Activity) {
    let (Some(from), Some(conversation)) = (&activity.from, &activity.conversation) else {
        return;
    };
    let text = command_text(activity, endpoint.chat.bot_id());
    let reply = endpoint
        .bot
        .run_command(endpoint.inbound(), &from.id, "", &text)
        .await;
    let chat = &endpoint.chat;
    // Replies are private to whoever typed the command: in a channel, they go to the
    // person's 1:1 chat with the bot instead of the thread everyone reads.
    let sent = if activity.is_personal() {
        chat.send_reply(&conversation.id, activity.id.as_deref(), &reply)
            .await
    } else {
        match chat.open_conversation(std::slice::from_ref(&from.id)).await {
            Ok(personal) => chat.send_reply(&personal, None, &reply).await,
            Err(err) => Err(err),
        }
    };
    if let Err(err) = sent {
        tracing::warn!(error = %err, "could not deliver a command's reply");
    }
}
