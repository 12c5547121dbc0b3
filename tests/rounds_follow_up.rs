//! After the intros: people press "We met", "Scheduled" or "Skip this one" on them (the
//! answer is stored, the last press wins, and the intro is updated in place for the whole
//! group); with the bot's clock moved past `nudge_at`, groups that pressed nothing get a
//! nudge and the others do not; past `close_at` comes the closing prompt, except for groups
//! where everyone already answered.

mod common;

use std::collections::BTreeMap;

use common::harness::{SlackTestBot, blocks_text};
use common::rounds::{
    OwedGroup, SETTLE, everyone_in_coffee, on_demand_program, posted_by_key, round_now,
    round_options, settled,
};
use common::{eventually, harness::WAIT};
use pourover::domain::{FeedbackAnswer, OutboxKind, OutboxState, Program};
use pourover_simulator::RecordedMessage;

/// The one message carrying `group`'s row of `kind`.
fn posted(bot: &SlackTestBot, group: &OwedGroup, kind: OutboxKind) -> RecordedMessage {
    let key = &group.row(kind).key;
    let mut copies = posted_by_key(&bot.sim).remove(key).unwrap_or_default();
    assert_eq!(copies.len(), 1, "{key} is in Slack {} times", copies.len());
    copies.remove(0)
}

/// Answers stored for `group`, by Slack user id.
async fn answers(bot: &SlackTestBot, group: &OwedGroup) -> BTreeMap<String, FeedbackAnswer> {
    let stored = bot
        .store()
        .group_feedback(group.group.id)
        .await
        .expect("feedback");
    stored
        .into_iter()
        .filter_map(|f| {
            group
                .people
                .iter()
                .find(|m| m.id == f.member_id)
                .map(|m| (m.external_id.clone(), f.answer))
        })
        .collect()
}

/// `person` presses `button` on `message`; returns once the answer is stored and the
/// message shows it (presses are handled after Slack gets its 200).
async fn press(
    bot: &SlackTestBot,
    group: &OwedGroup,
    message: &RecordedMessage,
    person: &str,
    button: &str,
    stored: FeedbackAnswer,
) {
    let versions = bot
        .recorder()
        .message(&message.channel, &message.ts)
        .map_or(0, |m| m.versions.len());
    bot.press_button(person, &message.channel, &message.ts, button)
        .await;
    eventually("the press to be stored", WAIT, || async {
        (answers(bot, group).await.get(person) == Some(&stored)).then_some(())
    })
    .await;
    bot.wait_for("the pressed message to be updated", |recorder| {
        recorder
            .message(&message.channel, &message.ts)
            .filter(|m| m.versions.len() > versions)
    })
    .await;
}

fn name_of(group: &OwedGroup, person: &str) -> String {
    group
        .people
        .iter()
        .find(|m| m.external_id == person)
        .map(|m| m.display_name.clone())
        .expect("in the group")
}

fn row_state(group: &OwedGroup, kind: OutboxKind) -> (OutboxState, Option<String>) {
    let row = group.row(kind);
    (row.state, row.last_error.clone())
}

async fn groups_after(bot: &SlackTestBot, program: &Program, kind: OutboxKind) -> Vec<OwedGroup> {
    settled(bot.store(), program, kind, SETTLE).await
}

#[tokio::test]
async fn presses_are_stored_and_shown_then_only_silent_groups_are_nudged_and_prompts_follow() {
    let bot = SlackTestBot::start_with(round_options(everyone_in_coffee(8, 4))).await;
    let coffee = on_demand_program(&bot, "coffee").await;
    round_now(&bot, "coffee").await;
    let groups = groups_after(&bot, &coffee, OutboxKind::Intro).await;
    assert_eq!(groups.len(), 4);
    let ids: Vec<Vec<String>> = groups
        .iter()
        .map(|g| g.external_ids().into_iter().collect())
        .collect();

    // Group 0: one "We met". Group 1: "Scheduled", then "Skip this one" (the last press
    // wins). Group 2: both met. Group 3: silence.
    let intro0 = posted(&bot, &groups[0], OutboxKind::Intro);
    press(
        &bot,
        &groups[0],
        &intro0,
        &ids[0][0],
        "We met",
        FeedbackAnswer::Met,
    )
    .await;
    let intro1 = posted(&bot, &groups[1], OutboxKind::Intro);
    press(
        &bot,
        &groups[1],
        &intro1,
        &ids[1][0],
        "Scheduled",
        FeedbackAnswer::Planned,
    )
    .await;
    press(
        &bot,
        &groups[1],
        &intro1,
        &ids[1][0],
        "Skip this one",
        FeedbackAnswer::Skipped,
    )
    .await;
    let intro2 = posted(&bot, &groups[2], OutboxKind::Intro);
    for person in &ids[2] {
        press(
            &bot,
            &groups[2],
            &intro2,
            person,
            "We met",
            FeedbackAnswer::Met,
        )
        .await;
    }

    assert_eq!(
        answers(&bot, &groups[1]).await,
        BTreeMap::from([(ids[1][0].clone(), FeedbackAnswer::Skipped)]),
        "one answer per person: the last press replaced the first"
    );
    assert!(answers(&bot, &groups[3]).await.is_empty());

    // The intros themselves now say who answered what, buttons and key intact.
    let shown = |message: &RecordedMessage| {
        let now = bot
            .recorder()
            .message(&message.channel, &message.ts)
            .expect("still there");
        assert!(common::rounds::outbox_key(&now).is_some(), "{now:?}");
        blocks_text(now.blocks.as_ref().expect("blocks"))
    };
    let text0 = shown(&intro0);
    assert!(
        text0.contains(&format!("✅ {} met", name_of(&groups[0], &ids[0][0]))),
        "{text0}"
    );
    assert!(text0.contains("We met") && text0.contains("Skip this one"));
    let text1 = shown(&intro1);
    let skipper = name_of(&groups[1], &ids[1][0]);
    assert!(
        text1.contains(&format!("⏭️ {skipper} skipped this one")),
        "{text1}"
    );
    assert!(!text1.contains("scheduled a meeting"), "{text1}");
    let intro3 = posted(&bot, &groups[3], OutboxKind::Intro);
    assert!(!intro3.was_updated());

    // Past nudge_at (72 hours), only the silent group is nudged.
    bot.clock()
        .advance(chrono::Duration::hours(72) + chrono::Duration::minutes(1));
    let groups = groups_after(&bot, &coffee, OutboxKind::Nudge).await;
    for group in &groups[..3] {
        assert_eq!(
            row_state(group, OutboxKind::Nudge),
            (
                OutboxState::Cancelled,
                Some("the group already answered".into())
            )
        );
    }
    assert_eq!(
        row_state(&groups[3], OutboxKind::Nudge).0,
        OutboxState::Sent
    );
    let nudge = posted(&bot, &groups[3], OutboxKind::Nudge);
    assert_eq!(
        nudge.channel, intro3.channel,
        "the nudge goes to the group's DM"
    );
    let nudge_text = blocks_text(nudge.blocks.as_ref().expect("blocks"));
    assert!(nudge_text.contains("friendly nudge"), "{nudge_text}");
    for person in &ids[3] {
        assert!(nudge_text.contains(&format!("<@{person}>")), "{nudge_text}");
    }
    let nudges: usize = posted_by_key(&bot.sim)
        .keys()
        .filter(|key| key.ends_with("-nudge"))
        .count();
    assert_eq!(nudges, 1);

    // Past close_at (144 hours), the closing prompt goes to every group where someone has
    // not answered; group 2 already told us everything.
    bot.clock().advance(chrono::Duration::hours(72));
    let groups = groups_after(&bot, &coffee, OutboxKind::ClosePrompt).await;
    assert_eq!(
        row_state(&groups[2], OutboxKind::ClosePrompt),
        (
            OutboxState::Cancelled,
            Some("everyone already answered".into())
        )
    );
    for (index, group) in groups.iter().enumerate().filter(|(i, _)| *i != 2) {
        assert_eq!(
            row_state(group, OutboxKind::ClosePrompt).0,
            OutboxState::Sent,
            "group {index}"
        );
        let prompt = posted(&bot, group, OutboxKind::ClosePrompt);
        let text = blocks_text(prompt.blocks.as_ref().expect("blocks"));
        assert!(text.contains("did you get to meet?"), "{text}");
    }

    // The prompt's buttons work like the intro's, and update the prompt itself.
    let prompt3 = posted(&bot, &groups[3], OutboxKind::ClosePrompt);
    press(
        &bot,
        &groups[3],
        &prompt3,
        &ids[3][1],
        "We met",
        FeedbackAnswer::Met,
    )
    .await;
    let updated = bot
        .recorder()
        .message(&prompt3.channel, &prompt3.ts)
        .expect("the prompt");
    let text = blocks_text(updated.blocks.as_ref().expect("blocks"));
    assert!(
        text.contains(&format!("✅ {} met", name_of(&groups[3], &ids[3][1]))),
        "{text}"
    );
    // Presses are acknowledged privately, once each ("… (You met.)"): six presses.
    bot.wait_for("six private thank-yous", |recorder| {
        let acks = recorder
            .ephemerals()
            .into_iter()
            .filter(|e| {
                e.via_response_url && e.text.as_deref().is_some_and(|t| t.contains("(You "))
            })
            .count();
        (acks == 6).then_some(())
    })
    .await;
    bot.shutdown().await;
}
