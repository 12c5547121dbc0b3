//! Socket Mode: apps.connections.open hands out a one-time `ws://…/link/?ticket=…` URL;
//! on connect the app gets `hello`; the driver then pushes envelopes (`slash_commands`,
//! `events_api`, `interactive`) over a connection and waits for the app's
//! acknowledgement, which may carry a response payload.
//!
//! The `hello` and `disconnect` frames are written as JSON here because slack-morphism
//! 2.31's Socket Mode wire models (`models::socket_mode`) are not reachable from outside
//! the crate: the name `socket_mode` resolves to its client module. The Socket Mode test
//! checks slack-morphism's own client accepts these frames.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot, watch};

use super::state::SimState;
use crate::error::SimError;
use crate::sync::lock;

/// Slack names the server host in `debug_info`.
const DEBUG_HOST: &str = "pourover-simulator";

enum Outgoing {
    Text(String),
}

struct Connection {
    id: u64,
    outbox: mpsc::UnboundedSender<Outgoing>,
}

#[derive(Default)]
struct Hub {
    tickets: HashSet<String>,
    connections: Vec<Connection>,
    /// Envelope id → who waits for its acknowledgement.
    pending_acks: HashMap<String, oneshot::Sender<Value>>,
    next_connection_id: u64,
    next_pick: usize,
}

pub(crate) struct SocketModeHub {
    hub: Mutex<Hub>,
    connection_count: watch::Sender<usize>,
}

impl Default for SocketModeHub {
    fn default() -> Self {
        Self {
            hub: Mutex::new(Hub::default()),
            connection_count: watch::channel(0).0,
        }
    }
}

impl SocketModeHub {
    pub(crate) fn issue_ticket(&self, ticket: &str) {
        lock(&self.hub).tickets.insert(ticket.to_owned());
    }

    fn redeem_ticket(&self, ticket: &str) -> bool {
        lock(&self.hub).tickets.remove(ticket)
    }

    pub(crate) fn connection_count(&self) -> usize {
        *self.connection_count.borrow()
    }

    /// Waits until at least `count` connections are open.
    pub(crate) async fn wait_for_connections(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<(), SimError> {
        let mut receiver = self.connection_count.subscribe();
        tokio::time::timeout(timeout, receiver.wait_for(|open| *open >= count))
            .await
            .map_err(|_| SimError::WaitTimedOut {
                timeout,
                what: format!("{count} Socket Mode connection(s)"),
            })?
            .map(|_| ())
            .map_err(|_| SimError::NoSocketModeConnection)
    }

    fn register(&self, outbox: mpsc::UnboundedSender<Outgoing>) -> (u64, usize) {
        let mut hub = lock(&self.hub);
        let id = hub.next_connection_id;
        hub.next_connection_id += 1;
        hub.connections.push(Connection { id, outbox });
        let count = hub.connections.len();
        self.connection_count.send_replace(count);
        (id, count)
    }

    fn unregister(&self, id: u64) {
        let mut hub = lock(&self.hub);
        hub.connections.retain(|connection| connection.id != id);
        self.connection_count.send_replace(hub.connections.len());
    }

    fn on_frame(&self, text: &str) {
        let Ok(frame) = serde_json::from_str::<Value>(text) else {
            tracing::warn!(
                frame = text,
                "the app sent a Socket Mode frame that is not JSON"
            );
            return;
        };
        let Some(envelope_id) = frame.get("envelope_id").and_then(Value::as_str) else {
            tracing::debug!(frame = text, "a Socket Mode frame without envelope_id");
            return;
        };
        let waiter = lock(&self.hub).pending_acks.remove(envelope_id);
        match waiter {
            Some(waiter) => {
                let _ = waiter.send(frame);
            }
            None => tracing::warn!(envelope_id, "an acknowledgement nobody waits for"),
        }
    }

    /// Sends `envelope` (which carries `envelope_id`) on one of the open connections,
    /// round-robin as Slack spreads envelopes, and returns the app's acknowledgement.
    pub(crate) async fn deliver(
        &self,
        envelope: &Value,
        envelope_id: &str,
        timeout: Duration,
    ) -> Result<Value, SimError> {
        let acknowledged = {
            let mut hub = lock(&self.hub);
            if hub.connections.is_empty() {
                return Err(SimError::NoSocketModeConnection);
            }
            let pick = hub.next_pick % hub.connections.len();
            hub.next_pick = hub.next_pick.wrapping_add(1);
            let (sender, receiver) = oneshot::channel();
            hub.pending_acks.insert(envelope_id.to_owned(), sender);
            let sent = hub.connections[pick]
                .outbox
                .send(Outgoing::Text(envelope.to_string()));
            if sent.is_err() {
                hub.pending_acks.remove(envelope_id);
                return Err(SimError::NoSocketModeConnection);
            }
            receiver
        };
        match tokio::time::timeout(timeout, acknowledged).await {
            Ok(Ok(ack)) => Ok(ack),
            Ok(Err(_)) | Err(_) => {
                lock(&self.hub).pending_acks.remove(envelope_id);
                Err(SimError::AppTimeout(timeout))
            }
        }
    }

    /// Sends Slack's `disconnect` message to every connection (slack-morphism reconnects).
    pub(crate) fn disconnect_all(&self, reason: &str) {
        let text = json!({
            "type": "disconnect",
            "reason": reason,
            "debug_info": { "host": DEBUG_HOST },
        })
        .to_string();
        for connection in &lock(&self.hub).connections {
            let _ = connection.outbox.send(Outgoing::Text(text.clone()));
        }
    }
}

pub(crate) async fn connect(
    State(state): State<Arc<SimState>>,
    Query(query): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let ticket = query.get("ticket").map(String::as_str).unwrap_or_default();
    if !state.socket_mode.redeem_ticket(ticket) {
        return (
            StatusCode::UNAUTHORIZED,
            "invalid or used Socket Mode ticket",
        )
            .into_response();
    }
    upgrade.on_upgrade(move |socket| run_connection(state, socket))
}

async fn run_connection(state: Arc<SimState>, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (outbox, mut outgoing) = mpsc::unbounded_channel();
    let (id, count) = state.socket_mode.register(outbox);
    let mut shutdown = state.shutdown.clone();
    let hello = hello_frame(&state, count);
    if sink.send(Message::Text(hello.into())).await.is_err() {
        state.socket_mode.unregister(id);
        return;
    }
    tracing::debug!(connection = id, "Socket Mode connection open");
    loop {
        tokio::select! {
            _ = shutdown.fired() => {
                let _ = sink.send(Message::Close(None)).await;
                break;
            }
            frame = outgoing.recv() => match frame {
                Some(Outgoing::Text(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => state.socket_mode.on_frame(text.as_str()),
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Binary(_))) => {}
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
            },
        }
    }
    state.socket_mode.unregister(id);
    tracing::debug!(connection = id, "Socket Mode connection closed");
}

fn hello_frame(state: &SimState, connections: usize) -> String {
    json!({
        "type": "hello",
        "num_connections": connections,
        "debug_info": {
            "host": DEBUG_HOST,
            "build_number": 1,
            "approximate_connection_time": 18_060,
        },
        "connection_info": { "app_id": state.identity.app_id },
    })
    .to_string()
}
