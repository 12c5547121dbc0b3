//! What the bot says, without any platform's markup. Adapters render these as Block Kit
//! (Slack) or Adaptive Cards (Teams).
//!
//! Two kinds of text meet here, and they never mix unmarked:
//! - **Bot text** (`String`) is written by the bot in a small neutral markup: `*bold*`,
//!   `_italic_`, `` `code` ``, `<@USER_ID>` mentions and `<#CHANNEL_ID>` references, with
//!   `&amp;`, `&lt;` and `&gt;` standing for `&`, `<` and `>` (Slack's escapes: a bare
//!   `<` always opens a reference). Adapters translate it.
//! - **Typed text** ([`UserText`]: team names, display names, program names…) is what people
//!   typed. It is shown as written and never read as markup: a team called
//!   `Ops <!here> <https://evil.example|Verify>` must not ping a channel or hide a link in
//!   someone else's intro. Placed inside bot text it goes through [`UserText::markup`];
//!   placed on its own (a card's fact, a field label) each adapter escapes it for its
//!   format. Mentions the bot makes come from member ids only ([`mention`]).

use std::fmt;

use crate::domain::{FeedbackAnswer, GroupId};

/// Text a person typed or a platform profile holds. Deliberately not `Display`: writing it
/// anywhere means choosing [`UserText::markup`] (inside bot text) or [`UserText::as_str`]
/// (the raw text, for storage, CSV, logs and adapters that escape it themselves).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct UserText(String);

impl UserText {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text exactly as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// The text as a piece of bot text: `&`, `<` and `>` escaped, so nothing typed can
    /// open a mention, a link or a broadcast.
    pub fn markup(&self) -> Escaped<'_> {
        Escaped(&self.0)
    }
}

impl From<&str> for UserText {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl From<String> for UserText {
    fn from(text: String) -> Self {
        Self(text)
    }
}

/// Typed text on its way into bot text (see [`UserText::markup`]).
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape(self.0))
    }
}

/// `text` with `&`, `<` and `>` as the neutral markup's escapes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Bot text's escapes turned back into the characters they stand for (for plain-text
/// places such as notification previews).
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A mention of the person with this platform id, in bot text. Anything that cannot be part
/// of a Slack or Teams user id is dropped, so the result is always exactly one mention.
pub fn mention(external_id: &str) -> String {
    let id: String = external_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    format!("<@{id}>")
}

/// One person as an intro shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroPerson {
    pub external_id: String,
    pub display_name: UserText,
    pub team: Option<UserText>,
    /// IANA zone, when known.
    pub time_zone: Option<String>,
    /// Their wall-clock time when the message was written, e.g. "14:05".
    pub local_time: Option<String>,
}

/// "Meet your group": the message that starts a round for one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intro {
    pub program: UserText,
    pub group_id: GroupId,
    pub people: Vec<IntroPerson>,
    /// Set when this copy goes to one member alone; None when the whole group reads it.
    pub recipient: Option<String>,
    /// From the operator's settings: bot text.
    pub icebreaker: String,
    /// Answers so far (display name, answer), shown under the buttons once anyone pressed.
    pub answers: Vec<(UserText, FeedbackAnswer)>,
}

/// A nudge mid-round or the closing "did you meet?" prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub program: UserText,
    pub group_id: GroupId,
    pub people: Vec<IntroPerson>,
    pub recipient: Option<String>,
    pub answers: Vec<(UserText, FeedbackAnswer)>,
}

/// Told to someone who ignored several intros in a row and was paused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GhostPauseNotice {
    pub program: UserText,
    pub ignored_in_a_row: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Intro(Intro),
    Nudge(FollowUp),
    ClosePrompt(FollowUp),
    GhostPause(GhostPauseNotice),
    /// Bot text.
    Text(String),
}

impl Message {
    /// Bot text for notifications and clients that cannot show rich layouts.
    pub fn fallback_text(&self) -> String {
        match self {
            Message::Intro(intro) => format!(
                "Coffee time! Meet your {} group: {}",
                intro.program.markup(),
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
                notice.program.markup(),
                notice.ignored_in_a_row
            ),
            Message::Text(text) => text.clone(),
        }
    }
}

fn names(people: &[IntroPerson]) -> String {
    people
        .iter()
        .map(|p| p.display_name.markup().to_string())
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
    pub display_name: UserText,
    pub programs: Vec<HomeProgram>,
    /// Programs they could join.
    pub joinable: Vec<UserText>,
    /// The people in their current group(s), by display name (bot text).
    pub current_partners: Vec<String>,
    /// Lines of an admin summary (bot text); None for non-admins.
    pub admin_summary: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeProgram {
    pub name: UserText,
    /// e.g. "active, weekly", "paused until 8 Dec" (bot text).
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
    fn typed_text_inside_bot_text_cannot_open_a_reference() {
        let team = UserText::from("Ops <!here> <https://evil.example|Verify> & co");
        let text = format!("Noted: you're in *{}*.", team.markup());
        assert_eq!(
            text,
            "Noted: you're in *Ops &lt;!here&gt; &lt;https://evil.example|Verify&gt; &amp; co*."
        );
        assert!(!text.contains('<'));
        assert_eq!(unescape(&escape(team.as_str())), team.as_str());
    }

    #[test]
    fn a_mention_is_built_from_an_id_only() {
        assert_eq!(mention("U123"), "<@U123>");
        assert_eq!(mention("29:1a-B_c.d"), "<@29:1a-B_c.d>");
        assert_eq!(mention("U1> <!here"), "<@U1here>");
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
