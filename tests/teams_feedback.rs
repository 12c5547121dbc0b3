//! The feedback buttons on a Teams intro: a press is stored, the card is updated in
//! place to show the answers so far, and the presser is thanked.

mod teams_support;

use pourover::domain::{FeedbackAnswer, OutboxKind, OutboxState};
use pourover_simulator::teams::ConnectorOperation;
use teams_support::{PATIENCE, TeamsBot, eventually, intros_to};

/// A bot with a round delivered in the first team.
async fn round_delivered() -> (TeamsBot, Vec<String>) {
    let bot = TeamsBot::start().await;
    let team = bot.team(0);
    bot.install(&team).await;
    let reply = bot.say(&bot.admin, "admin round now coffee-lovers").await;
    assert!(reply.contains("is planned"), "{reply}");
    let people: Vec<String> = team.members[..8].to_vec();
    eventually("everyone's intro", PATIENCE, || async {
        people
            .iter()
            .all(|p| intros_to(&bot.sim, p).len() == 1)
            .then_some(())
    })
    .await;
    (bot, people)
}

#[tokio::test]
async fn pressing_we_met_stores_the_answer_and_updates_the_card_for_everyone_to_see() {
    let (bot, people) = round_delivered().await;
    let presser = &people[1];
    let intro = intros_to(&bot.sim, presser).remove(0);
    let response = bot
        .driver()
        .press_button(presser, &intro.conversation_id, &intro.id, "We met")
        .await
        .unwrap();
    assert_eq!(response.status, 200);

    let store = bot.app.store();
    let workspace = bot.workspace().await;
    let member = store
        .member_by_external_id(workspace, presser)
        .await
        .unwrap()
        .unwrap();
    let (_, group) = store.member_groups(member.id, 1).await.unwrap().remove(0);
    let feedback = store.group_feedback(group.id).await.unwrap();
    assert_eq!(feedback.len(), 1);
    assert_eq!(feedback[0].member_id, member.id);
    assert_eq!(feedback[0].answer, FeedbackAnswer::Met);

    let card = bot
        .sim
        .recorder()
        .activity(&intro.conversation_id, &intro.id)
        .unwrap();
    assert!(card.was_updated(), "the card was replaced in place");
    let text = card.plain_text();
    assert!(
        text.contains(&format!("So far: {} met.", member.display_name)),
        "{text}"
    );
    assert_eq!(
        card.buttons().len(),
        3,
        "the buttons stay for changing one's mind"
    );
    let thanks = bot.sim.recorder().messages_to(presser).pop().unwrap();
    assert!(
        thanks.plain_text().contains("You met"),
        "{}",
        thanks.plain_text()
    );
    assert_eq!(
        bot.sim
            .recorder()
            .calls_to(ConnectorOperation::UpdateActivity)
            .len(),
        1
    );
    bot.stop().await;
}

#[tokio::test]
async fn the_last_press_wins() {
    let (bot, people) = round_delivered().await;
    let presser = &people[2];
    let intro = intros_to(&bot.sim, presser).remove(0);
    let driver = bot.driver();
    for label in ["Scheduled", "Skip this one"] {
        driver
            .press_button(presser, &intro.conversation_id, &intro.id, label)
            .await
            .unwrap();
    }
    let card = bot
        .sim
        .recorder()
        .activity(&intro.conversation_id, &intro.id)
        .unwrap();
    assert!(
        card.plain_text().contains("skipped this one"),
        "{}",
        card.plain_text()
    );
    assert_eq!(card.versions.len(), 3);
    bot.stop().await;
}

#[tokio::test]
async fn a_button_on_someone_elses_intro_records_nothing() {
    let (bot, people) = round_delivered().await;
    let owner = &people[0];
    let intro = intros_to(&bot.sim, owner).remove(0);
    // Someone outside the group replays the owner's button in their own chat.
    let store = bot.app.store();
    let workspace = bot.workspace().await;
    let owner_member = store
        .member_by_external_id(workspace, owner)
        .await
        .unwrap()
        .unwrap();
    let (_, group) = store
        .member_groups(owner_member.id, 1)
        .await
        .unwrap()
        .remove(0);
    let mut outsider = None;
    for person in &people {
        let member = store
            .member_by_external_id(workspace, person)
            .await
            .unwrap()
            .unwrap();
        if !group.members.contains(&member.id) {
            outsider = Some(person.clone());
            break;
        }
    }
    let outsider = outsider.expect("someone outside the owner's group");
    let (_, data) = intro.buttons().remove(0);
    let driver = bot.driver();
    let mut activity = driver.prepare_message(&outsider, "").unwrap();
    activity["value"] = data;
    activity["replyToId"] = intro.id.clone().into();
    if let Some(fields) = activity.as_object_mut() {
        fields.remove("text");
    }
    assert_eq!(driver.send_activity(activity).await.unwrap().status, 200);
    assert!(store.group_feedback(group.id).await.unwrap().is_empty());
    let answer = bot.sim.recorder().messages_to(&outsider).pop().unwrap();
    assert!(
        answer.plain_text().contains("someone else's"),
        "{}",
        answer.plain_text()
    );
    bot.stop().await;
}

#[tokio::test]
async fn feedback_rows_of_the_round_stay_sent_and_the_nudge_is_still_owed() {
    let (bot, people) = round_delivered().await;
    let intro = intros_to(&bot.sim, &people[4]).remove(0);
    bot.driver()
        .press_button(&people[4], &intro.conversation_id, &intro.id, "We met")
        .await
        .unwrap();
    let store = bot.app.store();
    let program = store
        .programs(bot.workspace().await)
        .await
        .unwrap()
        .remove(0);
    let round = store.last_round(program.id).await.unwrap().unwrap();
    let mut nudges = 0;
    for group in store.round_groups(round.id).await.unwrap() {
        for item in store.group_outbox(group.id).await.unwrap() {
            match item.kind {
                OutboxKind::Intro => assert_eq!(item.state, OutboxState::Sent),
                OutboxKind::Nudge => nudges += 1,
                _ => {}
            }
        }
    }
    assert!(nudges > 0, "nudges are planned for later");
    bot.stop().await;
}
