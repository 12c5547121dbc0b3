//! Socket Mode: slack-morphism's own `SlackClientSocketModeListener` connects to the
//! simulator's plain `ws://` URL, gets `hello`, receives envelopes and acknowledges them;
//! a bare WebSocket client sees the exact frames.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{SimClient, slack_client, token};
use futures_util::{SinkExt, StreamExt};
use pourover_simulator::{CompanySpec, SlackSim, SlackSimConfig};
use serde_json::{Value, json};
use slack_morphism::prelude::*;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(10);

type Seen = UnboundedSender<String>;

async fn report(states: &SlackClientEventsUserState, what: String) {
    if let Some(seen) = states.read().await.get_user_state::<Seen>() {
        let _ = seen.send(what);
    }
}

/// Generic over the event because slack-morphism 2.31 does not export
/// `SlackSocketModeHelloEvent` by a public path; the type is inferred.
async fn on_hello<Hello>(_: Hello, _: Arc<SimClient>, states: SlackClientEventsUserState) {
    report(&states, "hello".into()).await;
}

async fn on_command(
    event: SlackCommandEvent,
    _: Arc<SimClient>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    report(
        &states,
        format!(
            "command {} {}",
            event.command.0,
            event.text.unwrap_or_default()
        ),
    )
    .await;
    Ok(SlackCommandEventResponse::new(
        SlackMessageContent::new().with_text("You're in!".into()),
    ))
}

async fn on_push(
    event: SlackPushEventCallback,
    _: Arc<SimClient>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let kind = match event.event {
        SlackEventCallbackBody::MemberJoinedChannel(_) => "member_joined_channel",
        _ => "other",
    };
    report(&states, format!("event {kind}")).await;
    Ok(())
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _: Arc<SimClient>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    if let SlackInteractionEvent::BlockActions(actions) = event {
        let action = actions
            .actions
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(|a| a.action_id.0)
            .unwrap_or_default();
        report(&states, format!("button {action}")).await;
    }
    Ok(())
}

async fn next(seen: &mut UnboundedReceiver<String>) -> String {
    tokio::time::timeout(WAIT, seen.recv())
        .await
        .expect("in time")
        .expect("a report")
}

async fn sim() -> SlackSim {
    let config = SlackSimConfig {
        rate_limits: false,
        ..SlackSimConfig::default()
    };
    SlackSim::start(config, CompanySpec::new(6, 2))
        .await
        .expect("simulator starts")
}

#[tokio::test]
async fn slack_morphisms_socket_mode_listener_connects_receives_and_acknowledges() {
    let sim = sim().await;
    let (seen_sender, mut seen) = unbounded_channel::<String>();
    let client = Arc::new(slack_client(&sim.api_url()));
    let environment =
        Arc::new(SlackClientEventsListenerEnvironment::new(client).with_user_state(seen_sender));
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_hello_events(on_hello)
        .with_command_events(on_command)
        .with_push_events(on_push)
        .with_interaction_events(on_interaction);
    let listener = SlackClientSocketModeListener::new(
        &SlackClientSocketModeConfig::new().with_max_connections_count(1),
        environment,
        callbacks,
    );
    listener
        .listen_for(&token(&sim.config().app_token))
        .await
        .expect("registered");
    listener.start().await;
    sim.wait_for_socket_mode(1, WAIT).await.expect("connected");
    assert_eq!(next(&mut seen).await, "hello");

    let driver = sim.socket_mode_app();
    let person = sim.people().remove(0);
    let ack = driver
        .slash_command(&person.id, "/coffee", "join")
        .await
        .expect("acknowledged");
    assert_eq!(next(&mut seen).await, "command /coffee join");
    assert_eq!(
        ack.json()
            .and_then(|payload| payload["text"].as_str().map(str::to_owned))
            .as_deref(),
        Some("You're in!")
    );

    let coffee = sim.channel_named("coffee").expect("#coffee");
    let outsider = sim
        .people()
        .into_iter()
        .find(|p| !coffee.members.contains(&p.id))
        .expect("someone not in #coffee");
    let joined = sim
        .join_channel(&outsider.id, &coffee.id)
        .expect("joined")
        .expect("the bot sees it");
    driver.event(joined).await.expect("acknowledged");
    assert_eq!(next(&mut seen).await, "event member_joined_channel");

    let posted: Value = reqwest::Client::new()
        .post(format!("{}/chat.postMessage", sim.api_url()))
        .bearer_auth(&sim.config().bot_token)
        .json(&json!({"channel": person.id, "text": "Did you meet?", "blocks": [
            {"type": "actions", "elements": [{"type": "button", "action_id": "met", "text": {"type": "plain_text", "text": "Yes"}}]}
        ]}))
        .send()
        .await
        .expect("posted")
        .json()
        .await
        .expect("json");
    let (channel, ts) = (
        posted["channel"].as_str().expect("id"),
        posted["ts"].as_str().expect("ts"),
    );
    driver
        .press_button(&person.id, channel, ts, "Yes")
        .await
        .expect("acknowledged");
    assert_eq!(next(&mut seen).await, "button met");

    // Slack asks clients to reconnect now and then; slack-morphism opens a new connection.
    sim.socket_mode_disconnect("refresh_requested");
    sim.recorder()
        .wait_for(
            |recorder| recorder.calls_to("apps.connections.open").len() >= 2,
            WAIT,
        )
        .await
        .expect("reconnected through apps.connections.open");
    sim.wait_for_socket_mode(1, WAIT)
        .await
        .expect("connected again");
    assert_eq!(next(&mut seen).await, "hello");
    listener.shutdown().await;
}

#[tokio::test]
async fn a_plain_websocket_client_sees_hello_and_acks_envelopes() {
    let sim = sim().await;
    let opened: Value = reqwest::Client::new()
        .post(format!("{}/apps.connections.open", sim.api_url()))
        .bearer_auth(&sim.config().app_token)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    let url = opened["url"].as_str().expect("a url").to_owned();
    assert!(url.starts_with("ws://127.0.0.1:"), "{url}");
    let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect("plain ws connects");
    let hello = socket.next().await.expect("a frame").expect("readable");
    let hello: Value = serde_json::from_str(hello.to_text().expect("text")).expect("json");
    assert_eq!(hello["type"], "hello");
    assert_eq!(hello["connection_info"]["app_id"], sim.app_id());
    assert_eq!(hello["num_connections"], 1);
    let reused = tokio_tungstenite::connect_async(url.as_str()).await;
    assert!(reused.is_err(), "a ticket works once");

    let person = sim.people().remove(0);
    let driver = sim.socket_mode_app();
    let delivery = tokio::spawn({
        let person = person.id.clone();
        async move { driver.slash_command(&person, "/coffee", "help").await }
    });
    let envelope = socket.next().await.expect("a frame").expect("readable");
    let envelope: Value = serde_json::from_str(envelope.to_text().expect("text")).expect("json");
    assert_eq!(envelope["type"], "slash_commands");
    assert_eq!(envelope["accepts_response_payload"], true);
    assert_eq!(envelope["payload"]["command"], "/coffee");
    assert_eq!(envelope["payload"]["user_id"], person.id.as_str());
    let ack =
        json!({"envelope_id": envelope["envelope_id"], "payload": {"text": "Here's how it works"}});
    socket
        .send(Message::Text(ack.to_string().into()))
        .await
        .expect("sent");
    let answered = delivery.await.expect("joined").expect("acknowledged");
    assert_eq!(
        answered.json(),
        Some(json!({"text": "Here's how it works"}))
    );
}

#[tokio::test]
async fn without_a_connection_the_socket_driver_says_so() {
    let sim = sim().await;
    let person = sim.people().remove(0);
    let outcome = sim
        .socket_mode_app()
        .slash_command(&person.id, "/coffee", "join")
        .await;
    assert!(
        matches!(
            outcome,
            Err(pourover_simulator::SimError::NoSocketModeConnection)
        ),
        "{outcome:?}"
    );
}
