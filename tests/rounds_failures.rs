//! Messages Slack refuses for good end `failed` after one try, the rest of the round goes
//! ahead, and admins see what failed and why with `/coffee admin failures`.

mod common;

use common::harness::{SlackTestBot, blocks_text};
use common::rounds::{
    SETTLE, everyone_in_coffee, on_demand_program, posted_by_key, round_now, round_options, settled,
};
use pourover::domain::{OutboxKind, OutboxState};
use pourover_simulator::Fault;

#[tokio::test]
async fn an_intro_slack_refuses_for_good_is_failed_once_and_listed_for_admins() {
    let bot = SlackTestBot::start_with(round_options(everyone_in_coffee(10, 2))).await;
    let coffee = on_demand_program(&bot, "coffee").await;
    // Someone's account is deactivated, and the bot has not heard of it yet (the
    // `user_change` event is never delivered): Slack refuses to open their group DM.
    let gone = bot.members().remove(0);
    bot.sim.deactivate_user(&gone.id).expect("deactivated");
    // And Slack refuses one more intro outright (a workspace policy forbids the post).
    bot.sim.faults().inject(
        "chat.postMessage",
        Fault::SlackError("restricted_action".into()),
        1,
    );
    round_now(&bot, "coffee").await;
    let groups = settled(bot.store(), &coffee, OutboxKind::Intro, SETTLE).await;
    assert_eq!(groups.len(), 5);

    let failed: Vec<_> = groups
        .iter()
        .filter(|g| g.row(OutboxKind::Intro).state == OutboxState::Failed)
        .collect();
    assert_eq!(failed.len(), 2, "{groups:#?}");
    let disabled = failed
        .iter()
        .find(|g| g.external_ids().contains(&gone.id))
        .expect("the deactivated person's group failed");
    let row = disabled.row(OutboxKind::Intro);
    assert_eq!(
        row.last_error.as_deref(),
        Some("refused: slack: user_disabled")
    );
    assert_eq!(row.attempts, 1, "a refusal is not retried");
    assert!(row.conversation_id.is_none());
    let refused = failed
        .iter()
        .find(|g| !g.external_ids().contains(&gone.id))
        .expect("the other refused intro");
    assert_eq!(
        refused.row(OutboxKind::Intro).last_error.as_deref(),
        Some("refused: slack: restricted_action")
    );
    // Everyone else got exactly one intro; the failed ones are nowhere in Slack.
    let posted = posted_by_key(&bot.sim);
    for group in &groups {
        let row = group.row(OutboxKind::Intro);
        let copies = posted.get(&row.key).map_or(0, Vec::len);
        let expected = usize::from(row.state == OutboxState::Sent);
        assert_eq!(copies, expected, "{}", row.key);
    }
    let opens_for_gone = bot
        .recorder()
        .calls_to("conversations.open")
        .iter()
        .filter(|call| call.params.to_string().contains(&gone.id))
        .count();
    assert_eq!(opens_for_gone, 1);

    let answer = bot.command_answer(&bot.owner().id, "admin failures").await;
    let failures = format!("{}\n{}", answer.text, blocks_text(&answer.blocks));
    assert!(
        failures.contains("2 message(s) could not be delivered"),
        "{failures}"
    );
    assert!(failures.contains("user_disabled"), "{failures}");
    assert!(failures.contains("restricted_action"), "{failures}");
    for group in &failed {
        for person in group.external_ids() {
            assert!(failures.contains(&format!("<@{person}>")), "{failures}");
        }
    }
    bot.shutdown().await;
}

#[tokio::test]
async fn a_group_whose_intro_failed_is_neither_nudged_nor_prompted() {
    let bot = SlackTestBot::start_with(round_options(everyone_in_coffee(6, 2))).await;
    let coffee = on_demand_program(&bot, "coffee").await;
    bot.sim.faults().inject(
        "chat.postMessage",
        Fault::SlackError("restricted_action".into()),
        1,
    );
    round_now(&bot, "coffee").await;
    let groups = settled(bot.store(), &coffee, OutboxKind::Intro, SETTLE).await;
    let refused = groups
        .iter()
        .position(|g| g.row(OutboxKind::Intro).state == OutboxState::Failed)
        .expect("one intro was refused");

    // Nobody answers; past close_at both follow-ups are due for every group.
    let close_after = i64::from(coffee.settings.close_after_hours);
    bot.clock()
        .advance(chrono::Duration::hours(close_after) + chrono::Duration::minutes(1));
    let groups = settled(bot.store(), &coffee, OutboxKind::Nudge, SETTLE).await;
    let groups_closed = settled(bot.store(), &coffee, OutboxKind::ClosePrompt, SETTLE).await;
    let posted = posted_by_key(&bot.sim);
    for (index, (group, closed)) in groups.iter().zip(&groups_closed).enumerate() {
        for row in [
            group.row(OutboxKind::Nudge),
            closed.row(OutboxKind::ClosePrompt),
        ] {
            if index == refused {
                assert_eq!(row.state, OutboxState::Cancelled, "{row:#?}");
                assert_eq!(
                    row.last_error.as_deref(),
                    Some("the intro was never delivered")
                );
                assert!(!posted.contains_key(&row.key), "{}", row.key);
            } else {
                assert_eq!(row.state, OutboxState::Sent, "{row:#?}");
                assert_eq!(posted[&row.key].len(), 1);
            }
        }
    }
    let answer = bot.command_answer(&bot.owner().id, "admin failures").await;
    let failures = format!("{}\n{}", answer.text, blocks_text(&answer.blocks));
    assert!(
        failures.contains("1 message(s) could not be delivered"),
        "{failures}"
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn a_message_whose_stored_payload_does_not_decode_is_failed_and_never_sent() {
    let bot = SlackTestBot::start_with(round_options(everyone_in_coffee(6, 2))).await;
    let coffee = on_demand_program(&bot, "coffee").await;
    round_now(&bot, "coffee").await;
    let groups = settled(bot.store(), &coffee, OutboxKind::Intro, SETTLE).await;
    // A nudge whose payload lost its program (damaged by hand, or written by a release
    // this one cannot read): sending it would greet people about a program named "".
    let damaged = groups[0].row(OutboxKind::Nudge).id;
    sqlx::query("UPDATE outbox SET payload = $1 WHERE id = $2")
        .bind(r#"{"v":1,"kind":"nudge"}"#)
        .bind(damaged.0)
        .execute(bot.store().pool())
        .await
        .expect("payload replaced");

    let nudge_after = i64::from(coffee.settings.nudge_after_hours);
    bot.clock()
        .advance(chrono::Duration::hours(nudge_after) + chrono::Duration::minutes(1));
    let groups = settled(bot.store(), &coffee, OutboxKind::Nudge, SETTLE).await;
    let posted = posted_by_key(&bot.sim);
    let row = groups[0].row(OutboxKind::Nudge);
    assert_eq!(row.state, OutboxState::Failed, "{row:#?}");
    let error = row.last_error.as_deref().unwrap_or_default();
    assert!(error.starts_with("payload does not decode"), "{error}");
    assert!(!posted.contains_key(&row.key), "{}", row.key);
    for group in &groups[1..] {
        let row = group.row(OutboxKind::Nudge);
        assert_eq!(row.state, OutboxState::Sent, "{row:#?}");
        assert_eq!(posted[&row.key].len(), 1);
    }
    let answer = bot.command_answer(&bot.owner().id, "admin failures").await;
    let failures = format!("{}\n{}", answer.text, blocks_text(&answer.blocks));
    assert!(
        failures.contains("1 message(s) could not be delivered"),
        "{failures}"
    );
    bot.shutdown().await;
}
