//! Injected faults: the next N calls of a method fail the way Slack sometimes does.

mod common;

use std::time::Duration;

use common::{slack_client, token};
use pourover_simulator::{CallOutcome, CompanySpec, Fault, SlackSim, SlackSimConfig};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use tokio::time::Instant;

async fn sim() -> SlackSim {
    let config = SlackSimConfig {
        rate_limits: false,
        ..SlackSimConfig::default()
    };
    SlackSim::start(config, CompanySpec::new(6, 2))
        .await
        .expect("simulator starts")
}

fn intro(channel: &str) -> SlackApiChatPostMessageRequest {
    SlackApiChatPostMessageRequest::new(
        channel.to_owned().into(),
        SlackMessageContent::new().with_text("Meet your coffee partner!".into()),
    )
}

#[tokio::test]
async fn a_dropped_connection_posts_the_message_yet_the_client_sees_an_error() {
    let sim = sim().await;
    let client = slack_client(&sim.api_url());
    let bot_token = token(&sim.config().bot_token);
    let session = client.open_session(&bot_token);
    let person = sim.people().remove(0);
    sim.faults()
        .inject("chat.postMessage", Fault::DropConnectionAfterProcessing, 1);

    let error = session
        .chat_post_message(&intro(&person.id))
        .await
        .expect_err("the reply never arrives");
    assert!(
        !matches!(
            error,
            SlackClientError::ApiError(_) | SlackClientError::RateLimitError(_)
        ),
        "a transport error, not a Slack answer: {error:?}"
    );
    let dm = sim.dm_with(&[&person.id]).expect("the IM was opened");
    let messages = sim.recorder().messages(&dm.id);
    assert_eq!(messages.len(), 1, "the message IS posted");
    assert_eq!(
        messages[0].text.as_deref(),
        Some("Meet your coffee partner!")
    );
    let outcomes: Vec<CallOutcome> = sim
        .recorder()
        .calls_to("chat.postMessage")
        .into_iter()
        .map(|call| call.outcome)
        .collect();
    assert_eq!(outcomes, [CallOutcome::DroppedAfterProcessing]);

    // A naive retry posts it twice: exactly what the bot's reconciliation must avoid.
    session
        .chat_post_message(&intro(&person.id))
        .await
        .expect("the retry succeeds");
    assert_eq!(sim.recorder().messages(&dm.id).len(), 2);
}

#[tokio::test]
async fn a_held_reply_shows_the_message_before_the_client_hears_back() {
    let sim = sim().await;
    let client = slack_client(&sim.api_url());
    let bot_token = token(&sim.config().bot_token);
    let person = sim.people().remove(0);
    sim.faults().inject(
        "chat.postMessage",
        Fault::SlowAfterProcessing(Duration::from_secs(30)),
        1,
    );

    let channel = person.id.clone();
    let call = tokio::spawn(async move {
        let session = client.open_session(&bot_token);
        session.chat_post_message(&intro(&channel)).await
    });
    let posted = sim
        .recorder()
        .wait_for_value(
            |recorder| {
                recorder
                    .all_messages()
                    .into_iter()
                    .find(|m| m.text.as_deref() == Some("Meet your coffee partner!"))
            },
            Duration::from_secs(10),
        )
        .await;
    assert!(
        posted.is_ok(),
        "the message is posted while the reply is held"
    );
    assert!(
        !call.is_finished(),
        "the client is still waiting for its answer"
    );
    call.abort();
}

#[tokio::test]
async fn a_server_error_or_a_slack_error_posts_nothing() {
    let sim = sim().await;
    let client = slack_client(&sim.api_url());
    let bot_token = token(&sim.config().bot_token);
    let session = client.open_session(&bot_token);
    let coffee = sim.channel_named("coffee").expect("#coffee");
    sim.faults()
        .inject("chat.postMessage", Fault::ServerError, 1);
    sim.faults().inject(
        "chat.postMessage",
        Fault::SlackError("fatal_error".into()),
        1,
    );

    match session.chat_post_message(&intro(&coffee.id)).await {
        Err(SlackClientError::HttpError(http)) => assert_eq!(http.status_code.as_u16(), 500),
        other => panic!("expected HTTP 500, got {other:?}"),
    }
    match session.chat_post_message(&intro(&coffee.id)).await {
        Err(SlackClientError::ApiError(api)) => assert_eq!(api.code, "fatal_error"),
        other => panic!("expected fatal_error, got {other:?}"),
    }
    assert!(sim.recorder().messages(&coffee.id).is_empty());
    assert_eq!(sim.faults().pending("chat.postMessage"), 0);
    session
        .chat_post_message(&intro(&coffee.id))
        .await
        .expect("faults are used up");
    assert_eq!(sim.recorder().messages(&coffee.id).len(), 1);
}

#[tokio::test]
async fn a_slow_call_answers_late_but_normally() {
    let sim = sim().await;
    let client = slack_client(&sim.api_url());
    let bot_token = token(&sim.config().bot_token);
    let session = client.open_session(&bot_token);
    sim.faults()
        .inject("auth.test", Fault::Slow(Duration::from_millis(300)), 1);
    let started = Instant::now();
    session.auth_test().await.expect("answers");
    assert!(started.elapsed() >= Duration::from_millis(300));
}
