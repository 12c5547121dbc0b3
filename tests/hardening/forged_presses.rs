//! Button presses nobody could make by pressing a button: thousands of actions in one
//! payload, or a press naming another group's message. Only a few actions are looked at,
//! and no press makes the bot edit a message of a group it does not belong to.

use std::time::{SystemTime, UNIX_EPOCH};

use pourover_simulator::CompanySpec;
use pourover_simulator::slack::signing::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use serde_json::{Value, json};

use crate::common::harness::SlackTestBot;

async fn post_press(bot: &SlackTestBot, payload: &Value) {
    let body = serde_urlencoded::to_string([("payload", payload.to_string())]).expect("a form");
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() as i64);
    let signature = sign(&bot.sim.config().signing_secret, timestamp, &body).expect("signs");
    let response = reqwest::Client::new()
        .post(format!("{}/slack/interactivity", bot.base_url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await
        .expect("the bot answers");
    assert_eq!(response.status(), 200);
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
    let press = bot
        .recorder()
        .deliveries()
        .into_iter()
        .rev()
        .find(|delivery| delivery.kind == "interactive")
        .expect("the press")
        .payload;
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
