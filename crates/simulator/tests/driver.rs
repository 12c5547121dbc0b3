//! The driver sends what Slack sends, in shapes slack-morphism (and so the bot) parses,
//! and the simulator acts on the app's answers (response_url, App Home).

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::FakeApp;
use pourover_simulator::{
    CompanySpec, ProfileUpdate, ResponseUrlOrigin, SimError, SlackSim, SlackSimConfig,
};
use serde_json::{Value, json};
use slack_morphism::prelude::*;

const WAIT: Duration = Duration::from_secs(5);

async fn sim_with(config: SlackSimConfig) -> SlackSim {
    SlackSim::start(config, CompanySpec::new(8, 2))
        .await
        .expect("simulator starts")
}

async fn sim() -> SlackSim {
    sim_with(SlackSimConfig {
        rate_limits: false,
        ..SlackSimConfig::default()
    })
    .await
}

async fn api(sim: &SlackSim, method: &str, body: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}/{method}", sim.api_url()))
        .bearer_auth(&sim.config().bot_token)
        .json(&body)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json")
}

fn feedback_blocks() -> Value {
    json!([
        {"type": "section", "text": {"type": "mrkdwn", "text": "Did you meet?"}},
        {"type": "actions", "block_id": "feedback", "elements": [
            {"type": "button", "action_id": "met", "value": "group-7", "text": {"type": "plain_text", "text": "Yes, we met"}},
            {"type": "button", "action_id": "skipped", "value": "group-7", "text": {"type": "plain_text", "text": "Not this time"}}
        ]}
    ])
}

#[tokio::test]
async fn a_slash_command_parses_as_slack_morphism_reads_it_and_its_response_url_is_recorded() {
    let sim = sim().await;
    let app = FakeApp::start().await;
    let person = sim.people().remove(0);
    let response = sim
        .app(&app.base_url)
        .slash_command(&person.id, "/coffee", "join")
        .await
        .expect("delivered");
    assert_eq!(response.status, 200);
    let request = app.wait_for_requests(1, WAIT).await.remove(0);
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let command: SlackCommandEvent =
        serde_urlencoded::from_str(&request.body).expect("slack-morphism's model");
    assert_eq!(command.user_id.0, person.id);
    assert_eq!(command.command.0, "/coffee");
    assert_eq!(command.text.as_deref(), Some("join"));
    assert_eq!(command.team_id.0, sim.config().team_id);
    assert_eq!(
        request.form_field("user_name").as_deref(),
        Some(person.name.as_str())
    );
    assert!(command.response_url.0.as_str().starts_with(sim.base_url()));

    let answered = reqwest::Client::new()
        .post(command.response_url.0.clone())
        .json(&json!({"text": "You're in! First round on Monday."}))
        .send()
        .await
        .expect("answers");
    assert_eq!(answered.status(), 200);
    let posts = sim.recorder().response_url_posts();
    assert_eq!(posts.len(), 1);
    assert!(
        matches!(&posts[0].origin, ResponseUrlOrigin::SlashCommand { user, command, .. } if *user == person.id && command == "/coffee")
    );
    let ephemerals = sim.recorder().ephemerals();
    assert_eq!(
        ephemerals[0].text.as_deref(),
        Some("You're in! First round on Monday.")
    );
    assert!(ephemerals[0].via_response_url);
}

#[tokio::test]
async fn pressing_a_button_sends_block_actions_and_replace_original_updates_the_message() {
    let sim = sim().await;
    let app = FakeApp::start().await;
    let people = sim.people();
    let opened = api(
        &sim,
        "conversations.open",
        json!({"users": [people[0].id, people[1].id]}),
    )
    .await;
    let channel = opened["channel"]["id"].as_str().expect("id").to_owned();
    let posted = api(
        &sim,
        "chat.postMessage",
        json!({"channel": channel, "text": "Did you meet?", "blocks": feedback_blocks()}),
    )
    .await;
    let ts = posted["ts"].as_str().expect("ts").to_owned();

    sim.app(&app.base_url)
        .press_button(&people[1].id, &channel, &ts, "Not this time")
        .await
        .expect("delivered");
    let request = app.wait_for_requests(1, WAIT).await.remove(0);
    assert_eq!(request.path, "/slack/interactivity");
    let payload = request.form_field("payload").expect("a payload field");
    let event: SlackInteractionEvent =
        serde_json::from_str(&payload).expect("slack-morphism's model");
    let SlackInteractionEvent::BlockActions(actions) = event else {
        panic!("expected block_actions");
    };
    let action = &actions.actions.as_ref().expect("actions")[0];
    assert_eq!(action.action_id.0, "skipped");
    assert_eq!(action.value.as_deref(), Some("group-7"));
    assert_eq!(
        action.block_id.as_ref().map(|id| id.0.as_str()),
        Some("feedback")
    );
    assert_eq!(
        actions.user.as_ref().map(|user| user.id.0.as_str()),
        Some(people[1].id.as_str())
    );
    assert_eq!(
        actions
            .message
            .as_ref()
            .map(|message| message.origin.ts.0.as_str()),
        Some(ts.as_str())
    );
    assert!(
        matches!(&actions.container, SlackInteractionActionContainer::Message(container) if container.message_ts.0 == ts)
    );

    let response_url = actions.response_url.expect("a response_url").0;
    reqwest::Client::new()
        .post(response_url)
        .json(&json!({"replace_original": true, "text": "Thanks, noted!"}))
        .send()
        .await
        .expect("answers");
    let message = sim.recorder().message(&channel, &ts).expect("the message");
    assert_eq!(message.text.as_deref(), Some("Thanks, noted!"));
    assert!(message.was_updated());
    assert!(message.blocks.is_none(), "replaced, buttons gone");
}

#[tokio::test]
async fn a_missing_button_or_a_non_member_is_a_clear_error() {
    let sim = sim().await;
    let app = FakeApp::start().await;
    let people = sim.people();
    let posted = api(
        &sim,
        "chat.postMessage",
        json!({"channel": people[0].id, "text": "hi", "blocks": feedback_blocks()}),
    )
    .await;
    let (channel, ts) = (
        posted["channel"].as_str().expect("id"),
        posted["ts"].as_str().expect("ts"),
    );
    let driver = sim.app(&app.base_url);
    let missing = driver
        .press_button(&people[0].id, channel, ts, "Maybe")
        .await
        .expect_err("no such button");
    assert!(
        matches!(missing, SimError::ActionNotFound { .. }),
        "{missing:?}"
    );
    let stranger = driver
        .press_button(&people[1].id, channel, ts, "met")
        .await
        .expect_err("not their DM");
    assert!(
        matches!(stranger, SimError::NotAMember { .. }),
        "{stranger:?}"
    );
}

#[tokio::test]
async fn a_button_in_the_app_home_sends_a_view_container() {
    let sim = sim().await;
    let app = FakeApp::start().await;
    let person = sim.people().remove(0);
    let home = json!({"type": "home", "blocks": [
        {"type": "actions", "elements": [{"type": "button", "action_id": "pause", "text": {"type": "plain_text", "text": "Pause for a week"}}]}
    ]});
    let published = api(
        &sim,
        "views.publish",
        json!({"user_id": person.id, "view": home}),
    )
    .await;
    assert_eq!(published["ok"], json!(true), "{published}");
    sim.app(&app.base_url)
        .press_home_button(&person.id, "Pause for a week")
        .await
        .expect("delivered");
    let request = app.wait_for_requests(1, WAIT).await.remove(0);
    let event: SlackInteractionEvent =
        serde_json::from_str(&request.form_field("payload").expect("payload")).expect("parses");
    let SlackInteractionEvent::BlockActions(actions) = event else {
        panic!("expected block_actions");
    };
    assert!(matches!(
        actions.container,
        SlackInteractionActionContainer::View(_)
    ));
    assert!(actions.response_url.is_none());
    assert_eq!(actions.actions.expect("actions")[0].action_id.0, "pause");
}

#[tokio::test]
async fn workspace_changes_come_back_as_events_slack_morphism_parses() {
    let sim = sim().await;
    let app = FakeApp::start().await;
    let driver = sim.app(&app.base_url);
    let person = sim.people().remove(0);
    let coffee = sim.channel_named("coffee").expect("#coffee");
    let general = sim.channel_named("general").expect("#general");

    let moved = sim
        .set_profile_field(&person.id, ProfileUpdate::TimeZone("Asia/Kolkata".into()))
        .expect("changed");
    assert_eq!(sim.user(&person.id).expect("exists").tz_offset, 19_800);
    driver.event(moved).await.expect("delivered");
    let joined = sim.join_channel(&person.id, &coffee.id).expect("joined");
    driver
        .event(joined.expect("the bot is in #coffee"))
        .await
        .expect("delivered");
    assert!(
        sim.leave_channel(&person.id, &general.id)
            .expect("left")
            .is_none(),
        "the bot is not in #general"
    );

    let requests = app.wait_for_requests(2, WAIT).await;
    let events: Vec<SlackPushEvent> = requests
        .iter()
        .map(|request| serde_json::from_str(&request.body).expect("slack-morphism's model"))
        .collect();
    match &events[0] {
        SlackPushEvent::EventCallback(callback) => match &callback.event {
            SlackEventCallbackBody::UserChange(change) => {
                assert_eq!(change.user.tz.as_deref(), Some("Asia/Kolkata"))
            }
            other => panic!("expected user_change, got {other:?}"),
        },
        other => panic!("expected event_callback, got {other:?}"),
    }
    match &events[1] {
        SlackPushEvent::EventCallback(callback) => {
            assert!(matches!(
                callback.event,
                SlackEventCallbackBody::MemberJoinedChannel(_)
            ));
            assert!(callback.event_id.0.starts_with("Ev"));
        }
        other => panic!("expected event_callback, got {other:?}"),
    }
    let raw: Value = serde_json::from_str(&requests[1].body).expect("json");
    assert!(
        raw["event"]["event_ts"].is_string(),
        "every event carries event_ts"
    );

    let deactivated = sim.deactivate_user(&person.id).expect("deactivated");
    let SlackEventCallbackBody::UserChange(change) = &deactivated else {
        panic!("deactivation is a user_change");
    };
    assert_eq!(change.user.deleted, Some(true));
    assert!(
        !sim.channel_named("coffee")
            .expect("#coffee")
            .members
            .contains(&person.id)
    );
}

#[tokio::test]
async fn a_failing_app_gets_slack_style_retries_with_retry_headers() {
    // A Slack minute per 0.1 s, so the 1- and 5-minute back-offs are quick.
    let sim = sim_with(SlackSimConfig {
        rate_limits: false,
        time_scale: 600.0,
        ..SlackSimConfig::default()
    })
    .await;
    let app = FakeApp::answering(|_| (StatusCode::INTERNAL_SERVER_ERROR, String::new())).await;
    let driver = sim.app(&app.base_url);
    let event = sim
        .set_profile_field(&sim.people()[0].id, ProfileUpdate::Title("Barista".into()))
        .expect("changed");
    let envelope = driver.envelope(event).expect("wrapped");
    let attempts = driver.deliver_event_like_slack(&envelope).await;
    assert_eq!(attempts.len(), 4, "the first try and three retries");
    let requests = app.wait_for_requests(4, WAIT).await;
    let retry_numbers: Vec<Option<&str>> = requests
        .iter()
        .map(|request| request.header("x-slack-retry-num"))
        .collect();
    assert_eq!(retry_numbers, [None, Some("1"), Some("2"), Some("3")]);
    assert!(
        requests[1..]
            .iter()
            .all(|request| request.header("x-slack-retry-reason") == Some("http_error"))
    );
    let event_ids: Vec<String> = requests
        .iter()
        .map(|request| {
            serde_json::from_str::<Value>(&request.body).expect("json")["event_id"]
                .as_str()
                .expect("id")
                .to_owned()
        })
        .collect();
    assert!(
        event_ids.iter().all(|id| *id == envelope.event_id),
        "a retry is the same event"
    );
}

#[tokio::test]
async fn url_verification_and_a_slow_app() {
    let sim = sim().await;
    let echoing = FakeApp::answering(|request| {
        let body: Value = serde_json::from_str(&request.body).unwrap_or_default();
        (
            StatusCode::OK,
            body["challenge"].as_str().unwrap_or_default().to_owned(),
        )
    })
    .await;
    let verification = sim
        .app(&echoing.base_url)
        .url_verification()
        .await
        .expect("delivered");
    assert!(verification.echoed());

    let slow = FakeApp::answering_after(Duration::from_millis(500), |_| {
        (StatusCode::OK, String::new())
    })
    .await;
    let person = sim.people().remove(0);
    let outcome = sim
        .app(&slow.base_url)
        .with_ack_timeout(Duration::from_millis(100))
        .slash_command(&person.id, "/coffee", "status")
        .await;
    assert!(
        matches!(outcome, Err(SimError::AppTimeout(_))),
        "{outcome:?}"
    );
}
