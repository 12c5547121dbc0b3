use super::*;
use crate::chat::content::UserText;
use crate::commands::Reply;

struct NoNames;

impl Names for NoNames {
    fn person(&self, _: &str) -> Option<String> {
        None
    }
    fn team(&self, _: &str) -> Option<String> {
        None
    }
}

fn person(id: &str, name: &str, team: Option<&str>) -> IntroPerson {
    IntroPerson {
        external_id: id.into(),
        display_name: name.into(),
        team: team.map(UserText::from),
        time_zone: Some("Europe/Berlin".into()),
        local_time: Some("14:05".into()),
    }
}

fn intro(answers: Vec<(UserText, FeedbackAnswer)>) -> Message {
    Message::Intro(Intro {
        program: "coffee".into(),
        group_id: GroupId(7),
        people: vec![
            person("29:me", "Me Myself", None),
            person("29:ada", "Ada Lovelace", Some("Engineering")),
            person("29:bob", "Bob Marley", None),
        ],
        recipient: Some("29:me".into()),
        icebreaker: "What did you learn this week?".into(),
        answers,
    })
}

#[test]
fn an_intro_mentions_the_others_and_not_its_reader() {
    let activity = message_activity(&intro(Vec::new()), Some("intro:1:7:3"), &NoNames);
    let text = activity["text"].as_str().unwrap();
    assert!(
        text.contains("<at>Ada Lovelace</at> and <at>Bob Marley</at>"),
        "{text}"
    );
    assert!(!text.contains("Me Myself"), "{text}");
    let entities = activity["entities"].as_array().unwrap();
    assert_eq!(entities.len(), 2);
    assert_eq!(entities[0]["mentioned"]["id"], "29:ada");
    assert_eq!(entities[1]["text"], "<at>Bob Marley</at>");
}

#[test]
fn an_intro_card_shows_teams_and_local_times_and_carries_the_feedback_buttons() {
    let activity = message_activity(&intro(Vec::new()), Some("intro:1:7:3"), &NoNames);
    let card = &activity["attachments"][0]["content"];
    assert_eq!(
        activity["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let facts = card["body"][1]["facts"].as_array().unwrap();
    assert_eq!(facts[0]["title"], "Ada Lovelace");
    assert_eq!(
        facts[0]["value"],
        "Engineering · 14:05 for them (Europe/Berlin)"
    );
    let actions = card["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 3);
    for action in actions {
        assert_eq!(action["type"], "Action.Submit");
        let value = action["data"][ACTION_FIELD].as_str().unwrap();
        let decoded = FeedbackAction::decode(value).unwrap();
        assert_eq!(decoded.group_id, GroupId(7));
        assert_eq!(action["data"][KEY_FIELD], "intro:1:7:3");
    }
    assert_eq!(actions[0]["title"], "We met");
}

#[test]
fn answers_so_far_are_listed_under_the_buttons_once_anyone_pressed() {
    let activity = message_activity(
        &intro(vec![("Ada Lovelace".into(), FeedbackAnswer::Met)]),
        None,
        &NoNames,
    );
    let body = activity["attachments"][0]["content"]["body"]
        .as_array()
        .unwrap();
    let last = body.last().unwrap()["text"].as_str().unwrap();
    assert_eq!(last, "So far: Ada Lovelace met.");
    let actions = activity["attachments"][0]["content"]["actions"]
        .as_array()
        .unwrap();
    assert!(actions[0]["data"].get(KEY_FIELD).is_none());
}

#[test]
fn a_one_paragraph_reply_is_markdown_text() {
    let reply = Reply::text("You joined *coffee*. ☕");
    let activity = reply_activity(&reply, &NoNames);
    assert_eq!(activity["text"], "You joined **coffee**. ☕");
    assert!(activity.get("attachments").is_none());
}

#[test]
fn a_richer_reply_is_a_card_with_every_block() {
    let reply = Reply::default()
        .with(ReplyBlock::Heading("Your coffee".into()))
        .with(ReplyBlock::Fields(vec![(
            "Program".into(),
            "coffee".into(),
        )]))
        .with(ReplyBlock::Divider)
        .with(ReplyBlock::Context("Usage: `pause <2w>`".into()))
        .with(ReplyBlock::Link {
            label: "Export".into(),
            url: "https://example.com/x.csv".into(),
        });
    let activity = reply_activity(&reply, &NoNames);
    let card = &activity["attachments"][0]["content"];
    let body = card["body"].as_array().unwrap();
    assert_eq!(body[0]["text"], "Your coffee");
    assert_eq!(body[1]["facts"][0]["title"], "Program");
    assert_eq!(body[2]["text"], "Usage: `pause <2w>`");
    assert_eq!(body[2]["separator"], true);
    assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
    assert_eq!(activity["summary"], "Your coffee");
}
