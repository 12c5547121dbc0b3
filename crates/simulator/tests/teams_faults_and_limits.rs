//! Microsoft's documented rate limits and injected faults on the Bot Connector.

mod teams_common;

use std::time::Duration;

use pourover_simulator::teams::{
    ConnectorFault, ConnectorOperation, ConnectorOutcome, PRECISE_RETRY_AFTER_HEADER,
    TeamsSimConfig, TenantSpec,
};
use serde_json::json;
use teams_common::{Connector, FakeBot, sim_with};

async fn ready(
    config: TeamsSimConfig,
) -> (pourover_simulator::TeamsSim, Connector, String, String) {
    let sim = sim_with(config, TenantSpec::one_team("Everyone", 4)).await;
    let bot = FakeBot::start().await;
    let team = sim.teams().remove(0);
    sim.bot(&bot.endpoint)
        .install_in_team(&team.id, &team.members[0])
        .await
        .unwrap();
    let connector = Connector::for_sim(&sim).await;
    let member = team.members[1].clone();
    let conversation = connector.open(&sim, &member).await;
    (sim, connector, conversation, member)
}

fn message(n: usize) -> serde_json::Value {
    json!({ "type": "message", "text": format!("message {n}") })
}

#[tokio::test]
async fn the_eighth_send_in_a_second_to_one_chat_is_throttled_with_retry_after() {
    let (sim, connector, conversation, member) = ready(TeamsSimConfig::default()).await;
    let path = format!("v3/conversations/{conversation}/activities");
    let mut statuses = Vec::new();
    let mut throttled = None;
    for n in 0..8 {
        let answer = connector.post(&path, &message(n)).await;
        statuses.push(answer.status().as_u16());
        if answer.status() == 429 {
            throttled = Some(answer);
        }
    }
    assert_eq!(statuses, [201, 201, 201, 201, 201, 201, 201, 429]);
    let throttled = throttled.unwrap();
    assert_eq!(throttled.headers()["retry-after"], "1");
    assert!(throttled.headers().contains_key(PRECISE_RETRY_AFTER_HEADER));
    let body: serde_json::Value = throttled.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Throttled");
    assert_eq!(sim.recorder().messages_to(&member).len(), 7);
    assert_eq!(
        sim.recorder()
            .rate_limited_count(ConnectorOperation::SendToConversation),
        1
    );
}

#[tokio::test]
async fn a_throttled_chat_opens_again_once_its_window_has_passed() {
    let config = TeamsSimConfig {
        time_scale: 20.0,
        ..TeamsSimConfig::default()
    };
    let (_sim, connector, conversation, _member) = ready(config).await;
    let path = format!("v3/conversations/{conversation}/activities");
    for n in 0..7 {
        assert_eq!(connector.post(&path, &message(n)).await.status(), 201);
    }
    let throttled = connector.post(&path, &message(7)).await;
    assert_eq!(throttled.status(), 429);
    let wait: u64 = throttled.headers()[PRECISE_RETRY_AFTER_HEADER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        wait <= 50,
        "one Teams second is 50 ms at scale 20, got {wait} ms"
    );
    tokio::time::sleep(Duration::from_millis(wait + 5)).await;
    assert_eq!(connector.post(&path, &message(8)).await.status(), 201);
}

#[tokio::test]
async fn injected_faults_come_in_order_after_the_calls_let_through() {
    let config = TeamsSimConfig {
        rate_limits: false,
        ..TeamsSimConfig::default()
    };
    let (sim, connector, conversation, member) = ready(config).await;
    let send = ConnectorOperation::SendToConversation;
    let faults = sim.faults();
    faults.inject_after(send, 1, ConnectorFault::ServerError, 1);
    faults.inject(
        send,
        ConnectorFault::RateLimited {
            retry_after_seconds: 7,
        },
        1,
    );
    faults.inject(
        send,
        ConnectorFault::Status {
            status: 412,
            code: "PreconditionFailed".into(),
        },
        1,
    );
    let path = format!("v3/conversations/{conversation}/activities");
    let mut statuses = Vec::new();
    for n in 0..5 {
        statuses.push(connector.post(&path, &message(n)).await.status().as_u16());
    }
    assert_eq!(statuses, [201, 500, 429, 412, 201]);
    assert_eq!(sim.recorder().messages_to(&member).len(), 2);
    assert_eq!(faults.pending(send), 0);
}

#[tokio::test]
async fn a_connection_dropped_after_processing_still_posted_the_message() {
    let config = TeamsSimConfig {
        rate_limits: false,
        ..TeamsSimConfig::default()
    };
    let (sim, connector, conversation, member) = ready(config).await;
    sim.faults().inject(
        ConnectorOperation::SendToConversation,
        ConnectorFault::DropConnectionAfterProcessing,
        1,
    );
    let result = connector
        .http
        .post(connector.url(&format!("v3/conversations/{conversation}/activities")))
        .bearer_auth(&connector.token)
        .json(&message(1))
        .send()
        .await;
    assert!(result.is_err(), "no reply came back");
    assert_eq!(sim.recorder().messages_to(&member).len(), 1);
    let calls = sim
        .recorder()
        .calls_to(ConnectorOperation::SendToConversation);
    assert_eq!(calls[0].outcome, ConnectorOutcome::DroppedAfterProcessing);
}

#[tokio::test]
async fn a_hung_request_is_never_processed_and_one_hung_after_processing_is() {
    let config = TeamsSimConfig {
        rate_limits: false,
        ..TeamsSimConfig::default()
    };
    let (sim, connector, conversation, member) = ready(config).await;
    let send = ConnectorOperation::SendToConversation;
    let url = connector.url(&format!("v3/conversations/{conversation}/activities"));
    let post = |n: usize| {
        connector
            .http
            .post(&url)
            .bearer_auth(&connector.token)
            .json(&message(n))
            .timeout(Duration::from_millis(300))
            .send()
    };
    sim.faults().inject(send, ConnectorFault::Hang, 1);
    assert!(post(1).await.unwrap_err().is_timeout());
    assert!(sim.recorder().messages_to(&member).is_empty());

    sim.faults()
        .inject(send, ConnectorFault::HangAfterProcessing, 1);
    assert!(post(2).await.unwrap_err().is_timeout());
    assert_eq!(sim.recorder().messages_to(&member).len(), 1);
    let outcomes: Vec<_> = sim
        .recorder()
        .calls_to(send)
        .into_iter()
        .map(|c| c.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            ConnectorOutcome::Hung,
            ConnectorOutcome::HungAfterProcessing
        ]
    );
    sim.shutdown().await;
}
