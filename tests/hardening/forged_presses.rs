//! Button presses nobody could make by pressing a button: thousands of actions in one
//! payload, or a press naming another group's message. Only a few actions are looked at,
//! and no press makes the bot edit a message of a group it does not belong to.

use pourover_simulator::CompanySpec;
use serde_json::{Value, json};

use crate::common::harness::SlackTestBot;
use crate::signed;

async fn post_press(bot: &SlackTestBot, payload: &Value) {
    let body = signed::press_form(payload);
    let (status, _) = signed::post(bot, "/slack/interactivity", &body, signed::now_seconds()).await;
    assert_eq!(status, 200);
}

async fn acks(bot: &SlackTestBot, count: usize) {
    bot.wait_for(&format!("{count} acknowledgements"), |recorder| {
        (recorder.response_url_posts().len() >= count).then_some(())
    })
    .await;
}

#[tokio::test]
async fn forged_presses_edit_no_other_group_and_only_a_few_actions_count() {
    let bot = SlackTestBot::start(CompanySpec::new(6, 2)).await;
    bot.create_program("coffee", None).await;
    for member in bot.members().iter().take(4) {
        bot.command(&member.id, "join coffee").await;
    }
    let round = bot.command(&bot.owner().id, "admin round now coffee").await;
    assert!(round.contains("2 groups"), "{round}");
    let intros = bot
        .wait_for("two intros", |_| {
            let intros = bot.outbox_messages();
            (intros.len() == 2).then_some(intros)
        })
        .await;
    let (ours, theirs) = (&intros[0], &intros[1]);
    let presser = bot
        .sim
        .conversation(&ours.channel)
        .expect("the group DM")
        .members
        .into_iter()
        .find(|id| id != bot.sim.bot_user_id())
        .expect("a member of the group");
    bot.press_button(&presser, &ours.channel, &ours.ts, "We met")
        .await;
    acks(&bot, 1).await;
    let press = signed::last_press(&bot);
    let value = press["actions"][0]["value"]
        .as_str()
        .expect("a value")
        .to_owned();
    let group = value.split(':').nth(1).expect("a group").to_owned();

    // The same press, claiming to come from the other group's message.
    let theirs_before = bot
        .recorder()
        .message(&theirs.channel, &theirs.ts)
        .expect("their intro")
        .versions
        .len();
    let mut forged = press.clone();
    forged["trigger_id"] = json!("forged.1");
    forged["container"]["message_ts"] = json!(theirs.ts);
    forged["container"]["channel_id"] = json!(theirs.channel);
    forged["channel"]["id"] = json!(theirs.channel);
    forged["actions"][0]["value"] = json!(format!("feedback:{group}:planned"));
    post_press(&bot, &forged).await;
    acks(&bot, 2).await;
    let theirs_after = bot
        .recorder()
        .message(&theirs.channel, &theirs.ts)
        .expect("their intro")
        .versions
        .len();
    assert_eq!(
        theirs_before, theirs_after,
        "the other group's intro was edited"
    );

    // Thousands of actions in one press: only the first few are applied.
    let updates_before = bot.recorder().calls_to("chat.update").len();
    let mut flood = press.clone();
    flood["trigger_id"] = json!("flood.1");
    let action = press["actions"][0].clone();
    flood["actions"] = Value::Array(vec![action; 2000]);
    post_press(&bot, &flood).await;
    acks(&bot, 5).await;
    let updates = bot.recorder().calls_to("chat.update").len() - updates_before;
    assert_eq!(updates, 3, "one update per action looked at");
    bot.shutdown().await;
}
