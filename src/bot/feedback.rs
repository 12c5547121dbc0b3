//! Feedback buttons on an intro, a nudge or a closing prompt ("We met", "Scheduled", …).

use super::{Bot, BotError, Inbound};
use crate::chat::content::feedback_label;
use crate::chat::{FeedbackAction, Message, Posted};
use crate::domain::FeedbackAnswer;
use crate::rounds::messages::{self, ComposeError};

/// What a feedback button press did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedbackOutcome {
    /// Stored. `updated` is the pressed message re-rendered with everyone's answers, to
    /// replace the original; `ack` is a private confirmation for the presser.
    Recorded {
        updated: Option<Message>,
        ack: String,
    },
    /// The presser is not in that group (a forwarded message, a stale button).
    NotYourGroup,
}

impl Bot {
    /// A feedback button was pressed on `posted` (when the platform says which message).
    pub async fn record_feedback(
        &self,
        at: Inbound<'_>,
        user_id: &str,
        action: FeedbackAction,
        posted: Option<&Posted>,
    ) -> Result<FeedbackOutcome, BotError> {
        let Some(member) = self
            .store
            .member_by_external_id(at.workspace, user_id)
            .await?
        else {
            return Ok(FeedbackOutcome::NotYourGroup);
        };
        let Some(group) = self.store.group(action.group_id).await? else {
            return Ok(FeedbackOutcome::NotYourGroup);
        };
        if !group.members.contains(&member.id) {
            return Ok(FeedbackOutcome::NotYourGroup);
        }
        let now = self.clock.now();
        self.store
            .record_feedback(group.id, member.id, action.answer, now)
            .await?;
        let updated = match posted {
            Some(posted) => {
                match self
                    .store
                    .outbox_by_message(&posted.conversation_id, &posted.message_id)
                    .await?
                {
                    Some(item) => match messages::compose(&self.store, &item, now).await {
                        Ok(message) => Some(message),
                        Err(ComposeError::Store(err)) => return Err(err.into()),
                        // The answer is stored; only the message cannot be redrawn.
                        Err(err) => {
                            tracing::warn!(key = %item.key, error = %err, "cannot redraw a pressed message");
                            None
                        }
                    },
                    None => None,
                }
            }
            None => None,
        };
        let ack = match action.answer {
            FeedbackAnswer::Met => "Lovely — thanks for letting me know! ☕",
            FeedbackAnswer::Planned => "Great, enjoy your coffee when it happens!",
            FeedbackAnswer::Skipped => "No problem — see you next round.",
            FeedbackAnswer::NoAnswer => "Noted.",
        };
        tracing::info!(group = %group.id, member = %member.id, answer = %action.answer, "feedback recorded");
        Ok(FeedbackOutcome::Recorded {
            updated,
            ack: format!("{ack} (You {}.)", feedback_label(action.answer)),
        })
    }
}
