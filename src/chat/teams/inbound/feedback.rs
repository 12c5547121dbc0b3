//! A feedback button (`Action.Submit`) pressed on an intro or prompt card: recorded,
//! then the card is updated to show everyone's answers and the presser gets a thank-you.

use super::TeamsEndpoint;
use crate::bot::{ApplyError, FeedbackOutcome};
use crate::chat::teams::activity::Activity;
use crate::chat::teams::render::ACTION_FIELD;
use crate::chat::{Chat, FeedbackAction, Posted};

pub(super) async fn handle(
    endpoint: &TeamsEndpoint,
    activity: &Activity,
) -> Result<(), ApplyError> {
    let (Some(from), Some(conversation)) = (&activity.from, &activity.conversation) else {
        return Ok(());
    };
    let chat = &endpoint.chat;
    let action = activity
        .value
        .as_ref()
        .and_then(|value| value.get(ACTION_FIELD))
        .and_then(|value| value.as_str())
        .and_then(FeedbackAction::decode);
    let Some(action) = action else {
        tracing::warn!("a card submit carried no feedback Pourover understands");
        return Ok(());
    };
    let posted = activity.reply_to_id.as_ref().map(|id| Posted {
        conversation_id: conversation.id.clone(),
        message_id: id.clone(),
    });
    let answer = match endpoint
        .bot
        .record_feedback(endpoint.inbound(), &from.id, action, posted.as_ref())
        .await
    {
        Ok(FeedbackOutcome::Recorded { updated, ack }) => {
            if let (Some(updated), Some(posted)) = (updated, &posted)
                && let Err(err) = chat.update(posted, &updated).await
            {
                tracing::warn!(error = %err, "could not update the card after feedback");
            }
            ack
        }
        Ok(FeedbackOutcome::NotYourGroup) => {
            "That button belongs to someone else's coffee group, so I didn't record anything."
                .to_owned()
        }
        Err(err) => match ApplyError::from(err) {
            // Tried again until the database takes it; the thank-you comes then.
            retry @ ApplyError::Retry(_) => return Err(retry),
            ApplyError::GiveUp(why) => {
                tracing::error!(%why, "could not record feedback");
                "Sorry, I couldn't record that just now. Please press the button again in a minute."
                    .to_owned()
            }
        },
    };
    if let Err(err) = chat.send_text(&conversation.id, &answer).await {
        tracing::warn!(error = %err, "could not acknowledge a button press");
    }
    Ok(())
}
