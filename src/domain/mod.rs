//! Plain types and their invariants. Imports nothing else of ours; user-facing values are
//! built with `parse()` returning a `Result` whose error text can be shown to the user.

mod cron_words;
mod enrollment;
mod feedback;
mod ids;
mod member;
mod outbox;
mod program;
pub mod records;
mod round;
mod zone;

pub use enrollment::{Cadence, Enrollment, EnrollmentState, EnrollmentTransition, PauseRequest};
pub use feedback::{Feedback, FeedbackAnswer};
pub use ids::{GroupId, MemberId, OutboxId, Platform, ProgramId, RoundId, WorkspaceId};
pub use member::{Member, MemberProfile};
pub use outbox::{OutboxItem, OutboxKind, OutboxPayload, OutboxState, OwedMessage, PayloadError};
pub use program::{GroupSize, Program, ProgramName, ProgramSettings, Schedule};
pub use round::{Group, Round, RoundState};
pub use zone::LocalZone;

/// Why a user-supplied value was refused. The text is written for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

impl InvalidValue {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
