//! Exactly-once intros while Slack misbehaves: replies lost after the message was posted,
//! storms of 429s with Retry-After, 500s and Slack's own transient errors, and a reply slower
//! than the bot's call timeout. Every group still ends with exactly one intro and every
//! intro row ends `sent`.

mod common;

use common::harness::SlackTestBot;
use common::rounds::{
    OwedGroup, SETTLE, assert_exactly_one_intro_per_group, everyone_in_coffee, last_round,
    on_demand_program, round_now, round_options, settled,
};
use pourover::chat::slack::CALL_TIMEOUT;
use pourover::domain::{OutboxKind, Round};
use pourover_simulator::{CallOutcome, Fault, Faults};

/// 16 people (8 groups) in #coffee; `faults` are queued before the round starts, so the
/// first calls of each method meet them.
async fn round_meeting(
    faults: impl FnOnce(&Faults),
    env: &[(&str, &str)],
) -> (SlackTestBot, Round, Vec<OwedGroup>) {
    let mut options = round_options(everyone_in_coffee(16, 4));
    for (name, value) in env {
        options = options.env(name, value);
    }
    let bot = SlackTestBot::start_with(options).await;
    let coffee = on_demand_program(&bot, "coffee").await;
    faults(&bot.sim.faults());
    round_now(&bot, "coffee").await;
    let groups = settled(bot.store(), &coffee, OutboxKind::Intro, SETTLE).await;
    let round = last_round(bot.store(), &coffee).await.expect("the round");
    assert_eq!(groups.len(), 8);
    (bot, round, groups)
}

fn outcomes(bot: &SlackTestBot, method: &str, wanted: fn(&CallOutcome) -> bool) -> usize {
    bot.recorder()
        .calls_to(method)
        .iter()
        .filter(|call| wanted(&call.outcome))
        .count()
}

#[tokio::test]
async fn intros_posted_before_the_connection_dropped_are_found_in_the_history_not_sent_again() {
    let (bot, round, groups) = round_meeting(
        |faults| faults.inject("chat.postMessage", Fault::DropConnectionAfterProcessing, 3),
        &[],
    )
    .await;
    assert_exactly_one_intro_per_group(&bot.sim, &round, &groups);
    assert_eq!(
        outcomes(&bot, "chat.postMessage", |o| matches!(
            o,
            CallOutcome::DroppedAfterProcessing
        )),
        3
    );
    // 8 intros, 3 of them with lost replies: never a ninth post.
    assert_eq!(bot.recorder().calls_to("chat.postMessage").len(), 8);
    assert!(
        bot.recorder().calls_to("conversations.history").len() >= 3,
        "each lost reply was reconciled by reading the conversation"
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn a_storm_of_429s_delays_intros_without_spending_retries_or_doubling_them() {
    let throttled = Fault::RateLimited {
        retry_after_seconds: 1,
    };
    // Two attempts in all: had a 429 counted as a failed attempt, rows would fail.
    let (bot, round, groups) = round_meeting(
        |faults| {
            faults.inject("conversations.open", throttled.clone(), 4);
            faults.inject("chat.postMessage", throttled.clone(), 4);
        },
        &[("POUROVER_DELIVERY_MAX_ATTEMPTS", "2")],
    )
    .await;
    assert_exactly_one_intro_per_group(&bot.sim, &round, &groups);
    for group in &groups {
        assert_eq!(
            group.row(OutboxKind::Intro).attempts,
            1,
            "waits for Retry-After are not attempts"
        );
    }
    let limited = bot.recorder().rate_limited_counts();
    assert_eq!(limited.get("conversations.open"), Some(&4), "{limited:?}");
    assert_eq!(limited.get("chat.postMessage"), Some(&4), "{limited:?}");
    bot.shutdown().await;
}

#[tokio::test]
async fn server_errors_and_slacks_transient_errors_are_retried_until_each_intro_is_out_once() {
    let (bot, round, groups) = round_meeting(
        |faults| {
            faults.inject("conversations.open", Fault::ServerError, 3);
            faults.inject(
                "conversations.open",
                Fault::SlackError("service_unavailable".into()),
                1,
            );
            faults.inject("chat.postMessage", Fault::ServerError, 3);
            faults.inject(
                "chat.postMessage",
                Fault::SlackError("internal_error".into()),
                2,
            );
        },
        &[],
    )
    .await;
    assert_exactly_one_intro_per_group(&bot.sim, &round, &groups);
    assert_eq!(
        outcomes(&bot, "chat.postMessage", |o| matches!(o, CallOutcome::Ok)),
        8
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn everything_at_once_still_gives_every_group_exactly_one_intro() {
    let (bot, round, groups) = round_meeting(
        |faults| {
            let throttled = Fault::RateLimited {
                retry_after_seconds: 1,
            };
            faults.inject("conversations.open", Fault::ServerError, 2);
            faults.inject("conversations.open", throttled.clone(), 2);
            faults.inject("chat.postMessage", Fault::DropConnectionAfterProcessing, 2);
            faults.inject("chat.postMessage", throttled.clone(), 2);
            faults.inject("chat.postMessage", Fault::ServerError, 2);
            faults.inject("chat.postMessage", Fault::DropConnectionAfterProcessing, 1);
            // Reconciliation itself fails first, then works.
            faults.inject("conversations.history", Fault::ServerError, 1);
            faults.inject("conversations.history", throttled, 1);
        },
        &[],
    )
    .await;
    assert_exactly_one_intro_per_group(&bot.sim, &round, &groups);
    for method in [
        "conversations.open",
        "chat.postMessage",
        "conversations.history",
    ] {
        assert_eq!(
            bot.sim.faults().pending(method),
            0,
            "{method} met every fault"
        );
    }
    bot.shutdown().await;
}

#[tokio::test]
async fn a_reply_slower_than_the_call_timeout_is_reconciled_instead_of_resent() {
    let held = CALL_TIMEOUT + std::time::Duration::from_secs(2);
    let (bot, round, groups) = round_meeting(
        |faults| faults.inject("chat.postMessage", Fault::SlowAfterProcessing(held), 1),
        &[],
    )
    .await;
    assert_exactly_one_intro_per_group(&bot.sim, &round, &groups);
    let timed_out: Vec<_> = groups
        .iter()
        .map(|g| g.row(OutboxKind::Intro))
        .filter(|row| row.attempts > 1)
        .collect();
    assert_eq!(
        timed_out.len(),
        1,
        "one intro timed out and was found on its second attempt: {timed_out:#?}"
    );
    bot.shutdown().await;
}
