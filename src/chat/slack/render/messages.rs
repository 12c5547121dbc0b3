//! The bot's own messages (intros, nudges, closing prompts, notices) as Block Kit.

use slack_morphism::prelude::*;

use super::blocks::{
    ButtonStyle, actions, button, context, divider, fields, header, limits, mention, section,
    truncate,
};
use crate::chat::content::{FEEDBACK_BUTTONS, UserText, feedback_label};
use crate::chat::{FeedbackAction, FollowUp, GhostPauseNotice, Intro, IntroPerson, Message};
use crate::domain::{FeedbackAnswer, GroupId};

/// The slash command people type; the app manifest registers it under this name.
pub const COMMAND: &str = "/coffee";

/// Text and blocks for `message` (metadata is the sender's business).
pub fn message_content(message: &Message) -> SlackMessageContent {
    let blocks = match message {
        Message::Intro(intro) => intro_blocks(intro),
        Message::Nudge(follow_up) => nudge_blocks(follow_up),
        Message::ClosePrompt(follow_up) => close_prompt_blocks(follow_up),
        Message::GhostPause(notice) => ghost_pause_blocks(notice),
        Message::Text(text) => vec![section(text)],
    };
    SlackMessageContent::new()
        .with_text(truncate(&message.fallback_text(), limits::FALLBACK_TEXT))
        .with_blocks(super::blocks::capped(blocks, limits::MESSAGE_BLOCKS))
}

fn intro_blocks(intro: &Intro) -> Vec<SlackBlock> {
    let greeting = match &intro.recipient {
        Some(recipient) => format!(
            "Hi {}! This round of *{}* pairs you with {}. Find half an hour in the next few \
             days for a coffee, in person or on a call.",
            mention(recipient),
            intro.program.markup(),
            mentions(intro.people.iter().filter(|p| &p.external_id != recipient)),
        ),
        None => format!(
            "Hi {}! You're this round's *{}* group. Find half an hour in the next few days \
             for a coffee, in person or on a call.",
            mentions(intro.people.iter()),
            intro.program.markup(),
        ),
    };
    let mut blocks = vec![header("☕ Time for coffee!"), section(&greeting)];
    blocks.extend(fields(&people_fields(&intro.people)));
    if !intro.icebreaker.trim().is_empty() {
        blocks.push(section(&format!(
            "💬 *Icebreaker:* {}",
            intro.icebreaker.trim()
        )));
    }
    blocks.push(divider());
    blocks.push(feedback_buttons(intro.group_id));
    blocks.extend(answers_context(&intro.answers));
    blocks.push(context(&format!(
        "Tell me how it went with the buttons. Too busy this time? `{COMMAND} skip` or \
         `{COMMAND} pause 2w`."
    )));
    blocks
}

fn nudge_blocks(follow_up: &FollowUp) -> Vec<SlackBlock> {
    let mut blocks = vec![section(&format!(
        "👋 Hi {}! A friendly nudge from *{}*: have you found a time for your coffee yet?",
        audience(follow_up),
        follow_up.program.markup()
    ))];
    blocks.push(feedback_buttons(follow_up.group_id));
    blocks.extend(answers_context(&follow_up.answers));
    blocks.push(context(
        "No time this round? Press *Skip this one* and I'll pair you again next round.",
    ));
    blocks
}

fn close_prompt_blocks(follow_up: &FollowUp) -> Vec<SlackBlock> {
    let mut blocks = vec![section(&format!(
        "🏁 This round of *{}* is wrapping up. {}, did you get to meet?",
        follow_up.program.markup(),
        audience(follow_up)
    ))];
    blocks.push(feedback_buttons(follow_up.group_id));
    blocks.extend(answers_context(&follow_up.answers));
    blocks.push(context(
        "Your answer helps me pair people better next time. Only your group sees it.",
    ));
    blocks
}

fn ghost_pause_blocks(notice: &GhostPauseNotice) -> Vec<SlackBlock> {
    let why = match notice.ignored_in_a_row {
        0 => "recent intros went unanswered".to_owned(),
        1 => "the last intro went unanswered".to_owned(),
        count => format!("the last {count} intros went unanswered"),
    };
    vec![
        section(&format!(
            "😴 I've paused you in *{}* because {why}. No hard feelings, people get busy!",
            notice.program.markup()
        )),
        section(&format!(
            "Whenever you're ready, type `{COMMAND} resume` and you'll be back in the next round."
        )),
    ]
}

/// Whom a follow-up greets: its one recipient, or everyone in the group.
fn audience(follow_up: &FollowUp) -> String {
    match &follow_up.recipient {
        Some(recipient) => mention(recipient),
        None => mentions(follow_up.people.iter()),
    }
}

/// "<@A>, <@B> and <@C>".
fn mentions<'a>(people: impl Iterator<Item = &'a IntroPerson>) -> String {
    let names: Vec<String> = people.map(|p| mention(&p.external_id)).collect();
    match names.split_last() {
        None => "everyone".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// One field per person: who, which team, and what time it is for them.
fn people_fields(people: &[IntroPerson]) -> Vec<(String, String)> {
    people
        .iter()
        .map(|person| {
            let mut details = vec![mention(&person.external_id)];
            details.push(match &person.team {
                Some(team) => format!("🏢 {}", team.markup()),
                None => "🏢 Team not set".to_owned(),
            });
            if let Some(time) = &person.local_time {
                details.push(match &person.time_zone {
                    Some(zone) => format!("🕒 {time} local time ({zone})"),
                    None => format!("🕒 {time} local time"),
                });
            }
            (person.display_name.markup().to_string(), details.join("\n"))
        })
        .collect()
}

fn feedback_buttons(group_id: GroupId) -> SlackBlock {
    let buttons = FEEDBACK_BUTTONS
        .iter()
        .map(|(answer, label)| {
            let value = FeedbackAction {
                group_id,
                answer: *answer,
            };
            let style = if *answer == FeedbackAnswer::Met {
                ButtonStyle::Primary
            } else {
                ButtonStyle::Plain
            };
            button(
                label,
                &format!("feedback_{answer}"),
                &value.to_string(),
                style,
            )
        })
        .collect();
    actions(&format!("feedback_{group_id}"), buttons)
}

/// "✅ Ada met · 📅 Bo scheduled a meeting", once anyone answered.
fn answers_context(answers: &[(UserText, FeedbackAnswer)]) -> Option<SlackBlock> {
    if answers.is_empty() {
        return None;
    }
    let line = answers
        .iter()
        .map(|(name, answer)| {
            let emoji = match answer {
                FeedbackAnswer::Met => "✅",
                FeedbackAnswer::Planned => "📅",
                FeedbackAnswer::Skipped => "⏭️",
                FeedbackAnswer::NoAnswer => "…",
            };
            format!("{emoji} {} {}", name.markup(), feedback_label(*answer))
        })
        .collect::<Vec<_>>()
        .join("  ·  ");
    Some(context(&line))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn person(id: &str, name: &str, team: Option<&str>) -> IntroPerson {
        IntroPerson {
            external_id: id.into(),
            display_name: name.into(),
            team: team.map(UserText::from),
            time_zone: Some("Europe/Berlin".into()),
            local_time: Some("14:05".into()),
        }
    }

    fn intro(answers: Vec<(UserText, FeedbackAnswer)>) -> Intro {
        Intro {
            program: "coffee".into(),
            group_id: GroupId(7),
            people: vec![
                person("U1", "Ada", Some("Engineering")),
                person("U2", "Bo", None),
            ],
            recipient: None,
            icebreaker: "What did you learn this week?".into(),
            answers,
        }
    }

    fn json(message: &Message) -> Value {
        serde_json::to_value(message_content(message)).expect("serialises")
    }

    fn buttons(content: &Value) -> Vec<(String, String)> {
        content["blocks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|block| block["type"] == "actions")
            .flat_map(|block| block["elements"].as_array().cloned().unwrap_or_default())
            .map(|button| {
                (
                    button["text"]["text"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    button["value"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn an_intro_names_everyone_their_team_local_time_and_the_icebreaker() {
        let content = json(&Message::Intro(intro(Vec::new())));
        let text = content.to_string();
        for expected in [
            "<@U1> and <@U2>",
            "*coffee*",
            "Engineering",
            "Team not set",
            "14:05 local time (Europe/Berlin)",
            "What did you learn this week?",
        ] {
            assert!(text.contains(expected), "missing {expected}: {text}");
        }
        assert!(
            content["text"]
                .as_str()
                .is_some_and(|t| t.contains("Ada, Bo"))
        );
    }

    #[test]
    fn intro_buttons_carry_feedback_actions_in_display_order() {
        let content = json(&Message::Intro(intro(Vec::new())));
        assert_eq!(
            buttons(&content),
            vec![
                ("We met".into(), "feedback:7:met".into()),
                ("Scheduled".into(), "feedback:7:planned".into()),
                ("Skip this one".into(), "feedback:7:skipped".into()),
            ]
        );
        for (_, value) in buttons(&content) {
            assert!(FeedbackAction::decode(&value).is_some());
        }
    }

    #[test]
    fn once_people_answered_a_context_line_says_who_said_what() {
        let content = json(&Message::Intro(intro(vec![
            ("Ada".into(), FeedbackAnswer::Met),
            ("Bo".into(), FeedbackAnswer::Planned),
        ])));
        let text = content.to_string();
        assert!(text.contains("✅ Ada met"), "{text}");
        assert!(text.contains("📅 Bo scheduled a meeting"), "{text}");
    }

    #[test]
    fn a_personal_intro_greets_its_recipient_and_names_the_others() {
        let mut personal = intro(Vec::new());
        personal.recipient = Some("U2".into());
        let text = json(&Message::Intro(personal)).to_string();
        assert!(
            text.contains("Hi <@U2>! This round of *coffee* pairs you with <@U1>."),
            "{text}"
        );
    }

    #[test]
    fn nudges_and_closing_prompts_carry_the_same_buttons() {
        let follow_up = FollowUp {
            program: "coffee".into(),
            group_id: GroupId(7),
            people: intro(Vec::new()).people,
            recipient: None,
            answers: Vec::new(),
        };
        for message in [
            Message::Nudge(follow_up.clone()),
            Message::ClosePrompt(follow_up.clone()),
        ] {
            let content = json(&message);
            assert_eq!(buttons(&content).len(), 3, "{content}");
        }
    }

    #[test]
    fn a_ghost_pause_notice_explains_how_to_come_back() {
        let text = json(&Message::GhostPause(GhostPauseNotice {
            program: "coffee".into(),
            ignored_in_a_row: 3,
        }))
        .to_string();
        assert!(text.contains("last 3 intros"), "{text}");
        assert!(text.contains("/coffee resume"), "{text}");
    }

    #[test]
    fn a_plain_notice_is_one_section_with_the_same_fallback_text() {
        let content = json(&Message::Text("Round 3 is *planned*.".into()));
        assert_eq!(content["text"], "Round 3 is *planned*.");
        assert_eq!(content["blocks"][0]["text"]["type"], "mrkdwn");
    }
}
