//! Helpers for the Teams simulator's tests: a stand-in bot endpoint and a connector
//! client with a token. Each test builds its own; nothing is shared.
#![allow(dead_code)] // Each test binary uses a different subset.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use pourover_simulator::teams::{TeamsSim, TeamsSimConfig, TenantSpec};
use serde_json::Value;

/// What the stand-in bot received.
#[derive(Debug, Clone)]
pub struct Received {
    pub authorization: Option<String>,
    pub activity: Value,
}

/// A bot endpoint that records every activity and answers 200.
pub struct FakeBot {
    pub endpoint: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl FakeBot {
    pub async fn start() -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let router = Router::new()
            .route("/api/messages", post(receive))
            .with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            endpoint: format!("http://{address}/api/messages"),
            received,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn last(&self) -> Received {
        self.received().pop().expect("the bot received something")
    }
}

async fn receive(
    State(received): State<Arc<Mutex<Vec<Received>>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    received.lock().unwrap().push(Received {
        authorization: headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned()),
        activity: serde_json::from_slice(&body).unwrap(),
    });
    StatusCode::OK
}

pub async fn sim() -> TeamsSim {
    TeamsSim::start(TeamsSimConfig::default(), TenantSpec::default())
        .await
        .unwrap()
}

pub async fn sim_with(config: TeamsSimConfig, spec: TenantSpec) -> TeamsSim {
    TeamsSim::start(config, spec).await.unwrap()
}

/// A connector client as a bot would be: a token from the token endpoint.
pub struct Connector {
    pub http: reqwest::Client,
    pub service_url: String,
    pub token: String,
}

impl Connector {
    pub async fn for_sim(sim: &TeamsSim) -> Self {
        let http = reqwest::Client::new();
        let token: Value = http
            .post(sim.token_url())
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", sim.config().app_id.as_str()),
                ("client_secret", sim.config().app_password.as_str()),
                ("scope", "https://api.botframework.com/.default"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Self {
            http,
            service_url: sim.service_url(),
            token: token["access_token"].as_str().unwrap().to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.service_url)
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .put(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    /// Opens the 1:1 chat with `user` (the bot must be able to reach them).
    pub async fn open(&self, sim: &TeamsSim, user: &str) -> String {
        let answer = self
            .post(
                "v3/conversations",
                &serde_json::json!({
                    "bot": { "id": sim.bot_id() },
                    "members": [{ "id": user }],
                    "channelData": { "tenant": { "id": sim.config().tenant_id } },
                }),
            )
            .await;
        assert_eq!(answer.status(), 201);
        let body: Value = answer.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }
}
