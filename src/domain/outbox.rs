use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    GroupId, InvalidValue, MemberId, OutboxId, ProgramId, ProgramName, RoundId, WorkspaceId,
};

/// What kind of message the bot owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxKind {
    Intro,
    Nudge,
    ClosePrompt,
    GhostPause,
    Notice,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::Intro => "intro",
            OutboxKind::Nudge => "nudge",
            OutboxKind::ClosePrompt => "close_prompt",
            OutboxKind::GhostPause => "ghost_pause",
            OutboxKind::Notice => "notice",
        }
    }
}

impl fmt::Display for OutboxKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OutboxKind {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "intro" => Ok(OutboxKind::Intro),
            "nudge" => Ok(OutboxKind::Nudge),
            "close_prompt" => Ok(OutboxKind::ClosePrompt),
            "ghost_pause" => Ok(OutboxKind::GhostPause),
            "notice" => Ok(OutboxKind::Notice),
            other => Err(InvalidValue::new(format!("unknown outbox kind `{other}`"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxState {
    Pending,
    /// Claimed by a worker that is talking to the platform right now (or died doing so).
    Sending,
    Sent,
    /// Permanently refused by the platform; shown to admins.
    Failed,
    /// Not needed any more when it came due (a nudge to a group that already answered).
    Cancelled,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
            OutboxState::Cancelled => "cancelled",
        }
    }
}

impl FromStr for OutboxState {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(OutboxState::Pending),
            "sending" => Ok(OutboxState::Sending),
            "sent" => Ok(OutboxState::Sent),
            "failed" => Ok(OutboxState::Failed),
            "cancelled" => Ok(OutboxState::Cancelled),
            other => Err(InvalidValue::new(format!("unknown outbox state `{other}`"))),
        }
    }
}

/// One message the bot owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: OutboxId,
    /// Unique; travels with the message (Slack `metadata`) so a resend can be detected.
    pub key: String,
    pub workspace_id: WorkspaceId,
    pub kind: OutboxKind,
    pub group_id: Option<GroupId>,
    /// None: the whole group in one conversation; Some: one member alone.
    pub recipient: Option<MemberId>,
    /// What the message says, as decided when it was owed; an error when the stored payload
    /// does not decode (the worker then marks the row failed rather than send a wrong message).
    pub payload: Result<OutboxPayload, PayloadError>,
    pub state: OutboxState,
    pub attempts: u32,
    pub not_before: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub conversation_id: Option<String>,
    pub message_id: Option<String>,
    pub last_error: Option<String>,
}

/// What a message the bot owes says beyond who gets it, decided when it was owed. Everything
/// else (names, teams, local times, answers so far) is read again when it is sent.
///
/// Stored as JSON tagged with its kind and a format version ([`OutboxPayload::VERSION`]), e.g.
/// `{"v":1,"kind":"intro","program":"coffee","icebreaker":"…"}`, so a later release knows
/// what an earlier one wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutboxPayload {
    /// Introduces a group; the icebreaker is empty when none are configured.
    Intro {
        program: ProgramName,
        icebreaker: String,
    },
    /// Mid-round: "have you found a time yet?".
    Nudge { program: ProgramName },
    /// End of round: "did you meet?".
    ClosePrompt { program: ProgramName },
    /// Tells someone they were paused for ignoring their last intros.
    GhostPause {
        program: ProgramName,
        ignored_in_a_row: u32,
    },
    /// A plain note, e.g. to someone a round could not place.
    Notice { program: ProgramName, text: String },
}

/// Why a stored payload cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("payload format version {found} is not one this release reads (it reads {reads})")]
    UnknownVersion { found: u64, reads: u32 },
    #[error("payload does not decode: {0}")]
    Malformed(String),
    #[error("a {payload} payload on a {row} row")]
    KindMismatch {
        row: OutboxKind,
        payload: OutboxKind,
    },
}

impl OutboxPayload {
    /// The format written today. Change it (and read the older ones) when a variant changes.
    pub const VERSION: u32 = 1;
    const VERSION_FIELD: &'static str = "v";

    pub fn kind(&self) -> OutboxKind {
        match self {
            OutboxPayload::Intro { .. } => OutboxKind::Intro,
            OutboxPayload::Nudge { .. } => OutboxKind::Nudge,
            OutboxPayload::ClosePrompt { .. } => OutboxKind::ClosePrompt,
            OutboxPayload::GhostPause { .. } => OutboxKind::GhostPause,
            OutboxPayload::Notice { .. } => OutboxKind::Notice,
        }
    }

    pub fn program(&self) -> &ProgramName {
        match self {
            OutboxPayload::Intro { program, .. }
            | OutboxPayload::Nudge { program }
            | OutboxPayload::ClosePrompt { program }
            | OutboxPayload::GhostPause { program, .. }
            | OutboxPayload::Notice { program, .. } => program,
        }
    }

    /// The stored form: the variant's fields, its `kind` and the format version.
    pub fn encode(&self) -> Result<String, PayloadError> {
        let mut value =
            serde_json::to_value(self).map_err(|err| PayloadError::Malformed(err.to_string()))?;
        if let serde_json::Value::Object(fields) = &mut value {
            fields.insert(Self::VERSION_FIELD.into(), Self::VERSION.into());
        }
        Ok(value.to_string())
    }

    /// Reads a stored payload back, checking its version and that it is the kind of message
    /// its row says.
    pub fn decode(stored: &str, row_kind: OutboxKind) -> Result<Self, PayloadError> {
        let value: serde_json::Value =
            serde_json::from_str(stored).map_err(|err| PayloadError::Malformed(err.to_string()))?;
        let version = value.get(Self::VERSION_FIELD).and_then(|v| v.as_u64());
        if version != Some(u64::from(Self::VERSION)) {
            return Err(PayloadError::UnknownVersion {
                found: version.unwrap_or(0),
                reads: Self::VERSION,
            });
        }
        let payload: Self = serde_json::from_value(value)
            .map_err(|err| PayloadError::Malformed(err.to_string()))?;
        if payload.kind() != row_kind {
            return Err(PayloadError::KindMismatch {
                row: row_kind,
                payload: payload.kind(),
            });
        }
        Ok(payload)
    }
}

/// Why a message is owed. Its idempotency key says exactly that and nothing else, so owing
/// the same message again (a retried transaction, a second process) stores it once, and the
/// key a message carries on Slack finds it again after a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwedMessage {
    /// A group's intro, nudge or closing prompt, to the whole group (`recipient: None`) or
    /// to one member of it; `position` is the group's place in its round.
    Group {
        program: ProgramId,
        scheduled_for: DateTime<Utc>,
        position: usize,
        recipient: Option<MemberId>,
        kind: OutboxKind,
    },
    /// A note to someone the round scheduled for `scheduled_for` could not place.
    Unplaced {
        program: ProgramId,
        scheduled_for: DateTime<Utc>,
        member: MemberId,
    },
    /// A note to someone closing `round` paused for ignoring their intros.
    GhostPause { round: RoundId, member: MemberId },
}

impl OwedMessage {
    /// The outbox idempotency key: the one place keys are built.
    pub fn idempotency_key(&self) -> String {
        let round_prefix = |program: &ProgramId, at: &DateTime<Utc>| {
            format!("p{program}-t{}", at.timestamp_millis())
        };
        match self {
            OwedMessage::Group {
                program,
                scheduled_for,
                position,
                recipient,
                kind,
            } => {
                let who = recipient.map(|m| format!("-m{m}")).unwrap_or_default();
                let what = match kind {
                    OutboxKind::ClosePrompt => "close",
                    other => other.as_str(),
                };
                format!(
                    "{}-g{position}{who}-{what}",
                    round_prefix(program, scheduled_for)
                )
            }
            OwedMessage::Unplaced {
                program,
                scheduled_for,
                member,
            } => format!(
                "{}-unplaced-m{member}",
                round_prefix(program, scheduled_for)
            ),
            OwedMessage::GhostPause { round, member } => format!("ghost-r{round}-m{member}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coffee() -> ProgramName {
        ProgramName::parse("coffee").unwrap()
    }

    #[test]
    fn every_payload_reads_back_as_written() {
        for payload in [
            OutboxPayload::Intro {
                program: coffee(),
                icebreaker: "Best \"coffee\" ever?".into(),
            },
            OutboxPayload::Nudge { program: coffee() },
            OutboxPayload::ClosePrompt { program: coffee() },
            OutboxPayload::GhostPause {
                program: coffee(),
                ignored_in_a_row: 3,
            },
            OutboxPayload::Notice {
                program: coffee(),
                text: "Sorry".into(),
            },
        ] {
            let stored = payload.encode().unwrap();
            assert!(stored.contains(r#""v":1"#), "{stored}");
            assert_eq!(OutboxPayload::decode(&stored, payload.kind()), Ok(payload));
        }
    }

    #[test]
    fn a_payload_without_a_known_version_is_refused() {
        let unversioned = r#"{"kind":"nudge","program":"coffee"}"#;
        assert_eq!(
            OutboxPayload::decode(unversioned, OutboxKind::Nudge),
            Err(PayloadError::UnknownVersion { found: 0, reads: 1 })
        );
        let future = r#"{"v":2,"kind":"nudge","program":"coffee"}"#;
        assert!(matches!(
            OutboxPayload::decode(future, OutboxKind::Nudge),
            Err(PayloadError::UnknownVersion { found: 2, .. })
        ));
    }

    #[test]
    fn a_payload_missing_its_program_is_an_error_not_an_empty_name() {
        for stored in [
            r#"{"v":1,"kind":"intro","icebreaker":""}"#,
            r#"{"v":1,"kind":"intro","program":"","icebreaker":""}"#,
            "not json",
        ] {
            assert!(
                matches!(
                    OutboxPayload::decode(stored, OutboxKind::Intro),
                    Err(PayloadError::Malformed(_))
                ),
                "{stored}"
            );
        }
    }

    #[test]
    fn a_payload_of_another_kind_than_its_row_is_refused() {
        let stored = OutboxPayload::Nudge { program: coffee() }.encode().unwrap();
        assert_eq!(
            OutboxPayload::decode(&stored, OutboxKind::Intro),
            Err(PayloadError::KindMismatch {
                row: OutboxKind::Intro,
                payload: OutboxKind::Nudge
            })
        );
    }

    #[test]
    fn idempotency_keys_name_the_reason_a_message_is_owed() {
        let at = DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
        let group = |recipient, kind| OwedMessage::Group {
            program: ProgramId(3),
            scheduled_for: at,
            position: 2,
            recipient,
            kind,
        };
        assert_eq!(
            group(None, OutboxKind::Intro).idempotency_key(),
            "p3-t1700000000000-g2-intro"
        );
        assert_eq!(
            group(Some(MemberId(9)), OutboxKind::ClosePrompt).idempotency_key(),
            "p3-t1700000000000-g2-m9-close"
        );
        assert_eq!(
            group(None, OutboxKind::Nudge).idempotency_key(),
            "p3-t1700000000000-g2-nudge"
        );
        assert_eq!(
            OwedMessage::Unplaced {
                program: ProgramId(3),
                scheduled_for: at,
                member: MemberId(9)
            }
            .idempotency_key(),
            "p3-t1700000000000-unplaced-m9"
        );
        assert_eq!(
            OwedMessage::GhostPause {
                round: RoundId(4),
                member: MemberId(9)
            }
            .idempotency_key(),
            "ghost-r4-m9"
        );
    }
}
