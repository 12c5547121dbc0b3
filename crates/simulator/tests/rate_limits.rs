//! Slack's rate limits: 429 + Retry-After once a tier is exhausted, gone after waiting.

mod common;

use std::time::Duration;

use common::{slack_client, token};
use pourover_simulator::slack::web_api::PRECISE_RETRY_AFTER_HEADER;
use pourover_simulator::{CompanySpec, Fault, SlackSim, SlackSimConfig};
use serde_json::{Value, json};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use tokio::time::Instant;

/// A Slack minute in six real seconds: fast, but slow enough that a quick burst of
/// calls outruns the refill even on a loaded machine.
const TIME_SCALE: f64 = 10.0;

async fn sim() -> SlackSim {
    sim_at(TIME_SCALE).await
}

async fn sim_at(time_scale: f64) -> SlackSim {
    let config = SlackSimConfig {
        time_scale,
        ..SlackSimConfig::default()
    };
    SlackSim::start(config, CompanySpec::new(10, 2))
        .await
        .expect("simulator starts")
}

async fn users_list(sim: &SlackSim) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}/users.list", sim.api_url()))
        .bearer_auth(&sim.config().bot_token)
        .send()
        .await
        .expect("answers")
}

#[tokio::test]
async fn an_exhausted_tier_answers_429_with_retry_after_until_the_wait_is_over() {
    let sim = sim().await;
    let mut limited = None;
    for _ in 0..100 {
        let response = users_list(&sim).await;
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status(), 200);
    }
    let limited = limited.expect("Tier 2 (20 per minute) runs out within 100 quick calls");
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("whole seconds");
    assert!(retry_after >= 1, "never advertises a zero wait");
    let body: Value = limited.json().await.expect("json");
    assert_eq!(body, json!({"ok": false, "error": "ratelimited"}));
    assert!(sim.recorder().rate_limited_count("users.list") >= 1);

    // Poll, never sleeping longer than the simulator says to, until the advertised
    // Retry-After (plus scheduling slack) has passed: the call must have succeeded.
    let deadline = Instant::now() + Duration::from_secs(retry_after) + Duration::from_millis(500);
    loop {
        let response = users_list(&sim).await;
        if response.status() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "still limited after Retry-After");
        let precise_ms: u64 = response.headers()[PRECISE_RETRY_AFTER_HEADER]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("milliseconds");
        tokio::time::sleep(Duration::from_millis(precise_ms)).await;
    }
}

#[tokio::test]
async fn slack_morphism_reads_the_429_as_a_rate_limit_error_with_retry_after() {
    let sim = sim().await;
    let client = slack_client(&sim.api_url());
    let bot_token = token(&sim.config().bot_token);
    let session = client.open_session(&bot_token);
    let mut error = None;
    for _ in 0..100 {
        if let Err(failure) = session.users_list(&SlackApiUsersListRequest::new()).await {
            error = Some(failure);
            break;
        }
    }
    match error.expect("limited within 100 calls") {
        SlackClientError::RateLimitError(rate) => {
            assert!(
                rate.retry_after
                    .is_some_and(|wait| wait >= Duration::from_secs(1))
            );
        }
        other => panic!("expected a rate limit error, got {other:?}"),
    }
}

#[tokio::test]
async fn chat_post_message_is_limited_per_channel_not_across_channels() {
    // Real time: the per-channel bucket refills once a second, so nothing refills
    // between the assertions below even on a slow machine.
    let sim = sim_at(1.0).await;
    let client = slack_client(&sim.api_url());
    let bot_token = token(&sim.config().bot_token);
    let session = client.open_session(&bot_token);
    let people = sim.people();
    let post = |channel: String| {
        let request = SlackApiChatPostMessageRequest::new(
            channel.into(),
            SlackMessageContent::new().with_text("hi".into()),
        );
        let session = &session;
        async move { session.chat_post_message(&request).await }
    };
    let mut first_limited = None;
    for attempt in 0..20 {
        if post(people[0].id.clone()).await.is_err() {
            first_limited = Some(attempt);
            break;
        }
    }
    let attempt = first_limited.expect("1 per second per channel runs out");
    assert!(attempt >= 1, "a short burst is allowed");
    let im = sim.dm_with(&[&people[0].id]).expect("the IM");
    assert!(
        post(im.id).await.is_err(),
        "the IM id and the user id share one allowance"
    );
    assert!(
        post(people[1].id.clone()).await.is_ok(),
        "another channel has its own allowance"
    );
    assert!(sim.recorder().rate_limited_count("chat.postMessage") >= 1);
}

#[tokio::test]
async fn limits_can_be_switched_off() {
    let config = SlackSimConfig {
        rate_limits: false,
        ..SlackSimConfig::default()
    };
    let sim = SlackSim::start(config, CompanySpec::new(5, 1))
        .await
        .expect("starts");
    for _ in 0..60 {
        assert_eq!(users_list(&sim).await.status(), 200);
    }
    assert!(sim.recorder().rate_limited_counts().is_empty());
}

#[tokio::test]
async fn an_injected_429_carries_the_requested_retry_after() {
    let sim = sim().await;
    sim.faults().inject(
        "auth.test",
        Fault::RateLimited {
            retry_after_seconds: 7,
        },
        1,
    );
    let client = slack_client(&sim.api_url());
    let bot_token = token(&sim.config().bot_token);
    let session = client.open_session(&bot_token);
    match session.auth_test().await {
        Err(SlackClientError::RateLimitError(rate)) => {
            assert_eq!(rate.retry_after, Some(Duration::from_secs(7)))
        }
        other => panic!("expected the injected 429, got {other:?}"),
    }
    assert!(
        session.auth_test().await.is_ok(),
        "only the next call was faulted"
    );
    assert_eq!(sim.recorder().rate_limited_count("auth.test"), 1);
}
