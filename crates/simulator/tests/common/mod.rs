//! Helpers shared by the integration tests; each test builds its own, nothing is shared.
#![allow(dead_code)] // Each test binary uses a different subset.

pub mod install;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use hyper_util::client::legacy::connect::HttpConnector;
use slack_morphism::prelude::*;
use tokio::sync::Notify;

pub type SimClient = SlackClient<SlackClientHyperConnector<HttpConnector>>;

/// slack-morphism's client over a plain HTTP connector, pointed at the simulator, as the
/// bot builds it.
pub fn slack_client(api_url: &str) -> SimClient {
    SlackClient::new(
        SlackClientHyperConnector::with_connector(HttpConnector::new()).with_slack_api_url(api_url),
    )
}

pub fn token(value: &str) -> SlackApiToken {
    SlackApiToken::new(value.to_owned().into())
}

/// One request the fake app received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// A form field (the body must be form-encoded).
    pub fn form_field(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }
}

type Responder = Arc<dyn Fn(&Received) -> (StatusCode, String) + Send + Sync>;

#[derive(Clone)]
struct FakeAppState {
    received: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
    responder: Responder,
    /// How long the app takes before answering.
    delay: Duration,
}

/// A stand-in for the bot's HTTP endpoints that records every request.
pub struct FakeApp {
    pub base_url: String,
    state: FakeAppState,
}

impl FakeApp {
    /// Answers 200 with an empty body.
    pub async fn start() -> Self {
        Self::answering(|_| (StatusCode::OK, String::new())).await
    }

    pub async fn answering(
        responder: impl Fn(&Received) -> (StatusCode, String) + Send + Sync + 'static,
    ) -> Self {
        Self::answering_after(Duration::ZERO, responder).await
    }

    /// Answers like `responder`, but only after `delay`.
    pub async fn answering_after(
        delay: Duration,
        responder: impl Fn(&Received) -> (StatusCode, String) + Send + Sync + 'static,
    ) -> Self {
        let state = FakeAppState {
            received: Arc::default(),
            arrived: Arc::default(),
            responder: Arc::new(responder),
            delay,
        };
        let router = Router::new()
            .route("/slack/{kind}", post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake app");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { base_url, state }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().expect("not poisoned").clone()
    }

    /// Waits until `count` requests arrived (no sleeping: woken on each arrival).
    pub async fn wait_for_requests(&self, count: usize, timeout: Duration) -> Vec<Received> {
        tokio::time::timeout(timeout, async {
            loop {
                let arrived = self.state.arrived.notified();
                if self.received().len() >= count {
                    return self.received();
                }
                arrived.await;
            }
        })
        .await
        .expect("the fake app received the requests in time")
    }
}

async fn receive(
    State(state): State<FakeAppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let received = Received {
        path: uri.path().to_owned(),
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    value.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let answer = (state.responder)(&received);
    state.received.lock().expect("not poisoned").push(received);
    state.arrived.notify_waiters();
    if !state.delay.is_zero() {
        tokio::time::sleep(state.delay).await;
    }
    answer
}

/// Calls a Web API method the way most Slack clients do: a form POST with the token in
/// `Authorization: Bearer`. Returns the JSON answer.
pub async fn web_api(
    api_url: &str,
    token: &str,
    method: &str,
    form: &[(&str, &str)],
) -> serde_json::Value {
    reqwest::Client::new()
        .post(format!("{api_url}/{method}"))
        .bearer_auth(token)
        .form(form)
        .send()
        .await
        .expect("the simulator answers")
        .json()
        .await
        .expect("a JSON answer")
}

/// The answer's error code ("" when it is `ok`).
pub fn error_of(answer: &serde_json::Value) -> &str {
    answer["error"].as_str().unwrap_or_default()
}
