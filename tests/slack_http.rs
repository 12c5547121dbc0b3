//! HTTP mode's front door: request signatures, body limits, url_verification, event
//! retries, and the 3-second acknowledgement of slow commands.

mod common;

use std::time::Duration;

use common::harness::{COMMAND, SlackTestBot};
use pourover_simulator::slack::signing::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use pourover_simulator::{AppEndpoints, CompanySpec, EventRetry, Fault, Forgery};
use slack_morphism::prelude::*;

const ENDPOINTS: [&str; 3] = ["/slack/commands", "/slack/events", "/slack/interactivity"];

#[tokio::test]
async fn forged_stale_and_missing_signatures_get_401_on_every_endpoint() {
    let bot = SlackTestBot::start(CompanySpec::new(4, 2)).await;
    let person = bot.member();
    for path in ENDPOINTS {
        // The signature is checked before the body is read as anything, so any payload
        // sent to any endpoint shows the check.
        let url = format!("{}{path}", bot.base_url);
        let endpoints = AppEndpoints {
            commands: url.clone(),
            events: url.clone(),
            interactivity: url,
        };
        for forgery in [
            Forgery::WrongSecret,
            Forgery::StaleTimestamp,
            Forgery::MissingSignature,
            Forgery::MissingTimestamp,
            Forgery::MissingHeaders,
            Forgery::TamperedBody,
        ] {
            let response = bot
                .sim
                .app(&bot.base_url)
                .with_endpoints(endpoints.clone())
                .with_forgery(forgery)
                .slash_command(&person.id, COMMAND, "join")
                .await
                .expect("the bot answers");
            assert_eq!(response.status, 401, "{path} {forgery:?}");
            assert!(
                response.body.is_empty(),
                "{path} {forgery:?}: {}",
                response.body
            );
        }
    }
    // Nothing forged reached the bot's core: it never looked anyone up.
    assert!(bot.recorder().calls_to("users.info").is_empty());
    bot.shutdown().await;
}

#[tokio::test]
async fn a_body_over_one_mebibyte_gets_413_on_every_endpoint() {
    let bot = SlackTestBot::start(CompanySpec::new(4, 2)).await;
    let body = format!("text={}", "a".repeat(1024 * 1024 + 1));
    let timestamp = chrono::Utc::now().timestamp();
    let signature = sign(&bot.sim.config().signing_secret, timestamp, &body).expect("signs");
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    for path in ENDPOINTS {
        let response = client
            .post(format!("{}{path}", bot.base_url))
            .header("content-type", "application/x-www-form-urlencoded")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, &signature)
            .body(body.clone())
            .send()
            .await
            .expect("the bot answers");
        assert_eq!(response.status(), 413, "{path}");
    }
    bot.shutdown().await;
}

#[tokio::test]
async fn url_verification_echoes_the_challenge() {
    let bot = SlackTestBot::start(CompanySpec::new(4, 2)).await;
    let verification = bot
        .driver()
        .url_verification()
        .await
        .expect("the bot answers");
    assert!(verification.echoed(), "{verification:?}");
    bot.shutdown().await;
}

#[tokio::test]
async fn a_retried_event_is_processed_once() {
    let bot = SlackTestBot::start(CompanySpec::new(6, 2)).await;
    let people = bot.members();
    let (ada, bo) = (&people[0], &people[1]);
    let driver = bot.driver();
    let opened = SlackEventCallbackBody::AppHomeOpened(
        SlackAppHomeOpenedEvent::new(ada.id.clone().into(), "D0000000001".to_owned().into())
            .with_tab("home".into()),
    );
    let envelope = driver.envelope(opened).expect("an envelope");
    let first = driver.send_event(&envelope, None).await.expect("delivered");
    assert_eq!(first.status, 200);
    bot.wait_for("the first delivery's App Home", |recorder| {
        recorder.home_view(&ada.id).map(|_| ())
    })
    .await;
    for num in 1..=3 {
        let retry = EventRetry {
            num,
            reason: "http_timeout".into(),
        };
        let again = driver
            .send_event(&envelope, Some(retry))
            .await
            .expect("delivered");
        assert_eq!(again.status, 200, "retries are acknowledged too");
    }
    // A later, different event is handled; by then the retries have been looked at.
    bot.open_home(&bo.id).await;
    let published_for_ada = bot
        .recorder()
        .published_views()
        .iter()
        .filter(|view| view.user_id == ada.id)
        .count();
    assert_eq!(published_for_ada, 1);
    bot.shutdown().await;
}

#[tokio::test]
async fn a_slow_command_is_acknowledged_at_once_and_answered_through_its_response_url() {
    let bot = SlackTestBot::start(CompanySpec::new(4, 2)).await;
    let person = bot.member();
    // The person's first command looks them up; Slack is slow to answer that.
    bot.sim
        .faults()
        .inject("users.info", Fault::Slow(Duration::from_millis(3200)), 1);
    // The driver gives up after Slack's 3 seconds, so a late ack fails this test.
    let answer = bot.command_answer(&person.id, "help").await;
    assert_eq!(answer.status, 200);
    assert!(answer.answered_later, "{answer:?}");
    assert!(answer.text.contains("/coffee join"), "{}", answer.text);
    let posts = bot.recorder().response_url_posts();
    assert_eq!(posts.len(), 1);
    assert!(posts[0].body["blocks"].is_array());
    bot.shutdown().await;
}

#[tokio::test]
async fn slack_calls_are_counted_in_the_metrics() {
    let bot = SlackTestBot::start(CompanySpec::new(4, 2)).await;
    bot.command(&bot.member().id, "status").await;
    let metrics = reqwest::get(format!("{}/metrics", bot.base_url))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(r#"pourover_chat_calls_total{method="users.info",outcome="ok"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"method="auth.test",outcome="ok""#),
        "{metrics}"
    );
    bot.shutdown().await;
}

#[test]
fn serve_stops_with_a_clear_error_when_slack_cannot_be_reached() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pourover"))
        .arg("serve")
        .current_dir(dir.path())
        .env("RUST_LOG", "debug")
        .env("POUROVER_BIND", "127.0.0.1:0")
        .env("POUROVER_DATABASE_URL", "sqlite://pourover.db")
        .env("SLACK_BOT_TOKEN", "xoxb-SECRET-token")
        .env("SLACK_SIGNING_SECRET", "SECRET-signing")
        .env("SLACK_API_URL", "http://127.0.0.1:9/api")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot reach Slack at http://127.0.0.1:9/api"),
        "{stderr}"
    );
    assert!(!stderr.contains("SECRET"), "{stderr}");
}
