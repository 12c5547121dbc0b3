//! Pourover's neutral messages and replies as Teams activities: markdown text with real
//! mentions, and Adaptive Cards with `Action.Submit` feedback buttons.

mod markup;

use serde_json::{Value, json};

pub(crate) use markup::{Mention, Mentions, Names, Target, to_markdown, translate, typed};

use crate::chat::content::{FEEDBACK_BUTTONS, UserText, feedback_label, unescape};
use crate::chat::{FeedbackAction, FollowUp, Intro, IntroPerson, Message};
use crate::commands::{Reply, ReplyBlock};
use crate::domain::{FeedbackAnswer, GroupId};

/// The field of a button's data that carries the feedback action.
pub(crate) const ACTION_FIELD: &str = "pourover";
/// The field carrying the outbox key of the message the button was posted with.
pub(crate) const KEY_FIELD: &str = "key";

/// An activity for `message`; `key` (the outbox key) rides along in the buttons' data so
/// any copy of a message can be traced to the row it was sent for.
pub(crate) fn message_activity(message: &Message, key: Option<&str>, names: &dyn Names) -> Value {
    let mut mentions = Mentions::default();
    let (text, card) = match message {
        Message::Intro(intro) => {
            let others = mention_others(&intro.people, intro.recipient.as_deref(), &mut mentions);
            let text = format!(
                "☕ Coffee time! This round of **{}** you're meeting {others}.",
                typed(&intro.program, Target::MessageText)
            );
            (text, Some(intro_card(intro, key)))
        }
        Message::Nudge(follow_up) => {
            let others = mention_others(
                &follow_up.people,
                follow_up.recipient.as_deref(),
                &mut mentions,
            );
            let text = format!("A friendly nudge: have you found a time to meet {others}?");
            (
                text,
                Some(follow_up_card(follow_up, key, "Let me know once you have:")),
            )
        }
        Message::ClosePrompt(follow_up) => {
            let others = mention_others(
                &follow_up.people,
                follow_up.recipient.as_deref(),
                &mut mentions,
            );
            let text = format!("Did you meet {others}? Let me know below.");
            (text, Some(follow_up_card(follow_up, key, "How did it go?")))
        }
        Message::GhostPause(_) | Message::Text(_) => (
            to_markdown(&message.fallback_text(), names, &mut mentions),
            None,
        ),
    };
    let mut activity = json!({
        "type": "message",
        "textFormat": "markdown",
        "text": text,
        "summary": unescape(&message.fallback_text()),
    });
    if !mentions.is_empty() {
        activity["entities"] = Value::Array(mentions.entities());
    }
    if let Some(card) = card {
        activity["attachments"] = json!([attachment(card)]);
    }
    activity
}

/// A command's reply: one paragraph as markdown text, anything richer as a card.
pub(crate) fn reply_activity(reply: &Reply, names: &dyn Names) -> Value {
    let mut mentions = Mentions::default();
    if let [ReplyBlock::Text(text)] = reply.blocks.as_slice() {
        let mut activity = json!({
            "type": "message",
            "textFormat": "markdown",
            "text": to_markdown(text, names, &mut mentions),
        });
        if !mentions.is_empty() {
            activity["entities"] = Value::Array(mentions.entities());
        }
        return activity;
    }
    let mut body = Vec::new();
    let mut actions = Vec::new();
    let mut separator = false;
    let card_text =
        |text: &str, mentions: &mut Mentions| translate(text, names, mentions, Target::CardText);
    for block in &reply.blocks {
        let element = match block {
            ReplyBlock::Heading(text) => Some(json!({
                "type": "TextBlock",
                "text": card_text(text, &mut mentions),
                "weight": "Bolder",
                "size": "Medium",
                "wrap": true,
            })),
            ReplyBlock::Text(text) => Some(json!({
                "type": "TextBlock",
                "text": card_text(text, &mut mentions),
                "wrap": true,
            })),
            ReplyBlock::Context(text) => Some(json!({
                "type": "TextBlock",
                "text": card_text(text, &mut mentions),
                "isSubtle": true,
                "size": "Small",
                "wrap": true,
            })),
            ReplyBlock::Fields(fields) => Some(json!({
                "type": "FactSet",
                "facts": fields
                    .iter()
                    .map(|(title, value)| json!({
                        "title": card_text(title, &mut mentions),
                        "value": card_text(value, &mut mentions),
                    }))
                    .collect::<Vec<_>>(),
            })),
            ReplyBlock::Link { label, url } => {
                actions.push(
                    json!({ "type": "Action.OpenUrl", "title": unescape(label), "url": url }),
                );
                None
            }
            ReplyBlock::Divider => {
                separator = true;
                None
            }
        };
        if let Some(mut element) = element {
            if std::mem::take(&mut separator) {
                element["separator"] = json!(true);
            }
            body.push(element);
        }
    }
    let mut card = card(body, actions);
    if !mentions.is_empty() {
        card["msteams"]["entities"] = Value::Array(mentions.entities());
    }
    json!({
        "type": "message",
        "summary": unescape(reply.plain_text().lines().next().unwrap_or_default()),
        "attachments": [attachment(card)],
    })
}

/// Mentions of everyone but the recipient, as "A", "A and B", "A, B and C".
fn mention_others(
    people: &[IntroPerson],
    recipient: Option<&str>,
    mentions: &mut Mentions,
) -> String {
    let tags: Vec<String> = others(people, recipient)
        .map(|person| {
            mentions.add(Mention {
                id: person.external_id.clone(),
                name: person.display_name.as_str().to_owned(),
            })
        })
        .collect();
    match tags.as_slice() {
        [] => "your group".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn others<'a>(
    people: &'a [IntroPerson],
    recipient: Option<&'a str>,
) -> impl Iterator<Item = &'a IntroPerson> {
    people
        .iter()
        .filter(move |person| Some(person.external_id.as_str()) != recipient)
}

/// "Engineering · 14:05 for them (Europe/Berlin)".
fn describe(person: &IntroPerson) -> String {
    let mut parts = Vec::new();
    if let Some(team) = &person.team {
        parts.push(typed(team, Target::CardText));
    }
    match (&person.local_time, &person.time_zone) {
        (Some(time), Some(zone)) => parts.push(format!("{time} for them ({zone})")),
        (Some(time), None) => parts.push(format!("{time} for them")),
        _ => {}
    }
    if parts.is_empty() {
        "no team or time zone shared yet".to_owned()
    } else {
        parts.join(" · ")
    }
}

fn intro_card(intro: &Intro, key: Option<&str>) -> Value {
    let facts: Vec<Value> = others(&intro.people, intro.recipient.as_deref())
        .map(|person| {
            json!({
                "title": typed(&person.display_name, Target::CardText),
                "value": describe(person),
            })
        })
        .collect();
    let mut body = vec![
        json!({
            "type": "TextBlock",
            "text": format!("Meet your {} group", typed(&intro.program, Target::CardText)),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": true,
        }),
        json!({ "type": "FactSet", "facts": facts }),
    ];
    if !intro.icebreaker.is_empty() {
        body.push(json!({
            "type": "TextBlock",
            "text": format!(
                "💬 Icebreaker: {}",
                typed(&UserText::from(intro.icebreaker.as_str()), Target::CardText)
            ),
            "wrap": true,
        }));
    }
    body.push(json!({
        "type": "TextBlock",
        "text": "Find a time that suits you both, then tell me how it went:",
        "isSubtle": true,
        "wrap": true,
    }));
    body.extend(answers_block(&intro.answers));
    card(body, feedback_buttons(intro.group_id, key))
}

fn follow_up_card(follow_up: &FollowUp, key: Option<&str>, prompt: &str) -> Value {
    let mut body = vec![json!({
        "type": "TextBlock",
        "text": prompt,
        "wrap": true,
    })];
    body.extend(answers_block(&follow_up.answers));
    card(body, feedback_buttons(follow_up.group_id, key))
}

fn answers_block(answers: &[(UserText, FeedbackAnswer)]) -> Option<Value> {
    if answers.is_empty() {
        return None;
    }
    let lines: Vec<String> = answers
        .iter()
        .map(|(name, answer)| {
            format!(
                "{} {}",
                typed(name, Target::CardText),
                feedback_label(*answer)
            )
        })
        .collect();
    Some(json!({
        "type": "TextBlock",
        "text": format!("So far: {}.", lines.join("; ")),
        "isSubtle": true,
        "wrap": true,
        "separator": true,
    }))
}

fn feedback_buttons(group_id: GroupId, key: Option<&str>) -> Vec<Value> {
    FEEDBACK_BUTTONS
        .iter()
        .map(|(answer, label)| {
            let action = FeedbackAction {
                group_id,
                answer: *answer,
            };
            let mut data = json!({ ACTION_FIELD: action.to_string() });
            if let Some(key) = key {
                data[KEY_FIELD] = json!(key);
            }
            json!({ "type": "Action.Submit", "title": label, "data": data })
        })
        .collect()
}

fn card(body: Vec<Value>, actions: Vec<Value>) -> Value {
    let mut card = json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": body,
        "msteams": { "width": "Full" },
    });
    if !actions.is_empty() {
        card["actions"] = Value::Array(actions);
    }
    card
}

fn attachment(card: Value) -> Value {
    json!({
        "contentType": "application/vnd.microsoft.card.adaptive",
        "content": card,
    })
}

#[cfg(test)]
mod tests;
