//! What the bot says, without any platform's markup. Adapters render these as Block Kit
//! (Slack) or Adaptive Cards (Teams). Text uses a small neutral markup: `*bold*`, `_italic_`
//! and `<@USER_ID>` mentions; adapters translate it.

use std::fmt;

use crate::domain::{FeedbackAnswer, GroupId};

/// One person as an intro shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroPerson {
    pub external_id: String,
    pub display_name: String,
    pub team: Option<String>,
    /// IANA zone, when known.
    pub time_zone: Option<String>,
    /// Their wall-clock time when the message was written, e.g. "14:05".
    pub local_time: Option<String>,
}

/// "Meet your group": the message that starts a round for one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intro {
    pub program: String,
    pub group_id: GroupId,
    pub people: Vec<IntroPerson>,
    /// Set when this copy goes to one member alone; None when the whole group reads it.
    pub recipient: Option<String>,
    pub icebreaker: String,
    /// Answers so far (display name, answer), shown under the buttons once anyone pressed.
    pub answers: Vec<(String, FeedbackAnswer)>,
}

/// A nudge mid-round or the closing "did you meet?" prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub program: String,
    pub group_id: GroupId,
    pub people: Vec<IntroPerson>,
    pub recipient: Option<String>,
    pub answers: Vec<(String, FeedbackAnswer)>,
}

/// Told to someone who ignored several intros in a row and was paused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GhostPauseNotice {
    pub program: String,
    pub ignored_in_a_row: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Intro(Intro),
    Nudge(FollowUp),
    ClosePrompt(FollowUp),
    GhostPause(GhostPauseNotice),
    Text(String),
}

impl Message {
    /// Plain text for notifications and clients that cannot show rich layouts.
    pub fn fallback_text(&self) -> String {
        match self {
            Message::Intro(intro) => format!(
                "Coffee time! Meet your {} group: {}",
                intro.program,
                names(&intro.people)
            ),
            Message::Nudge(follow_up) => format!(
                "A friendly nudge: have you found a time to meet {}?",
                names(&follow_up.people)
            ),
            Message::ClosePrompt(follow_up) => format!(
                "Did you meet {}? Let us know with a button below.",
                names(&follow_up.people)
            ),
            Message::GhostPause(notice) => format!(
                "You've been paused in {} after {} intros without a reply. Send `resume` to come back.",
                notice.program, notice.ignored_in_a_row
            ),
            Message::Text(text) => text.clone(),
        }
    }
}

fn names(people: &[IntroPerson]) -> String {
    people
        .iter()
        .map(|p| p.display_name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The feedback buttons under intros and prompts, in display order.
pub const FEEDBACK_BUTTONS: [(FeedbackAnswer, &str); 3] = [
    (FeedbackAnswer::Met, "We met"),
    (FeedbackAnswer::Planned, "Scheduled"),
    (FeedbackAnswer::Skipped, "Skip this one"),
];

pub fn feedback_label(answer: FeedbackAnswer) -> &'static str {
    match answer {
        FeedbackAnswer::Met => "met",
        FeedbackAnswer::Planned => "scheduled a meeting",
        FeedbackAnswer::Skipped => "skipped this one",
        FeedbackAnswer::NoAnswer => "did not answer",
    }
}

/// A feedback button press, encoded in the button's value as `feedback:<group>:<answer>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackAction {
    pub group_id: GroupId,
    pub answer: FeedbackAnswer,
}

impl FeedbackAction {
    pub const PREFIX: &'static str = "feedback";

    pub fn decode(value: &str) -> Option<Self> {
        let mut parts = value.split(':');
        if parts.next()? != Self::PREFIX {
            return None;
        }
        let group_id = GroupId(parts.next()?.parse().ok()?);
        let answer: FeedbackAnswer = parts.next()?.parse().ok()?;
        if parts.next().is_some() || answer == FeedbackAnswer::NoAnswer {
            return None;
        }
        Some(Self { group_id, answer })
    }
}

impl fmt::Display for FeedbackAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", Self::PREFIX, self.group_id, self.answer)
    }
}

/// A person's home tab: their programs and what they can do from there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HomeView {
    pub display_name: String,
    pub programs: Vec<HomeProgram>,
    /// Programs they could join.
    pub joinable: Vec<String>,
    /// The people in their current group(s), by display name.
    pub current_partners: Vec<String>,
    /// Lines of an admin summary; None for non-admins.
    pub admin_summary: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeProgram {
    pub name: String,
    /// e.g. "active, weekly", "paused until 8 Dec".
    pub status: String,
    pub paused: bool,
    pub skipping_next: bool,
    /// Next round in the person's time zone, e.g. "Mon 30 Nov, 10:00".
    pub next_round: Option<String>,
}

/// A home-tab button, encoded as `home:<verb>[:<program>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HomeAction {
    Join(String),
    Leave(String),
    Pause,
    Resume,
    Skip,
}

impl HomeAction {
    pub const PREFIX: &'static str = "home";

    pub fn decode(value: &str) -> Option<Self> {
        let rest = value.strip_prefix("home:")?;
        let (verb, program) = match rest.split_once(':') {
            Some((verb, program)) => (verb, Some(program.to_string())),
            None => (rest, None),
        };
        match (verb, program) {
            ("join", Some(program)) => Some(HomeAction::Join(program)),
            ("leave", Some(program)) => Some(HomeAction::Leave(program)),
            ("pause", None) => Some(HomeAction::Pause),
            ("resume", None) => Some(HomeAction::Resume),
            ("skip", None) => Some(HomeAction::Skip),
            _ => None,
        }
    }
}

impl fmt::Display for HomeAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HomeAction::Join(program) => write!(f, "home:join:{program}"),
            HomeAction::Leave(program) => write!(f, "home:leave:{program}"),
            HomeAction::Pause => f.write_str("home:pause"),
            HomeAction::Resume => f.write_str("home:resume"),
            HomeAction::Skip => f.write_str("home:skip"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_actions_round_trip_through_button_values() {
        for (answer, _) in FEEDBACK_BUTTONS {
            let action = FeedbackAction {
                group_id: GroupId(42),
                answer,
            };
            assert_eq!(FeedbackAction::decode(&action.to_string()), Some(action));
        }
        for bad in [
            "",
            "feedback",
            "feedback:x:met",
            "feedback:1:maybe",
            "feedback:1:met:2",
            "home:pause",
            "feedback:1:no_answer",
        ] {
            assert_eq!(FeedbackAction::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn home_actions_round_trip_through_button_values() {
        for action in [
            HomeAction::Join("coffee".into()),
            HomeAction::Leave("coffee".into()),
            HomeAction::Pause,
            HomeAction::Resume,
            HomeAction::Skip,
        ] {
            assert_eq!(HomeAction::decode(&action.to_string()), Some(action));
        }
        assert_eq!(HomeAction::decode("home:join"), None);
        assert_eq!(HomeAction::decode("home:dance"), None);
    }
}
