//! Serving the router on a socket, hardened against slow and hostile clients: a request's
//! headers must arrive within the read timeout (hyper closes the connection otherwise) and
//! its body within as long again (408); at most `max_connections` connections are served at
//! once (the rest wait in the listen queue instead of using up file descriptors); and a
//! stop closes idle connections at once and every other one within [`SHUTDOWN_GRACE`].
//!
//! HTTP/1.1 only: Slack, Teams, Prometheus and health checks all speak it.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// How long connections still open at a stop get to finish their request.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A short pause after a failed accept (out of file descriptors, say), so the loop does not
/// spin while the cause lasts.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What the server allows a client.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    pub max_connections: usize,
    /// For the request head; the body gets as long again.
    pub read_timeout: Duration,
    pub max_body_bytes: usize,
}

/// Serves `router` on `listener` until `stop` turns true, then drains connections within
/// [`SHUTDOWN_GRACE`] and drops the rest.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    mut stop: watch::Receiver<bool>,
) {
    let router = router.layer(axum::middleware::from_fn_with_state(
        limits,
        read_body_in_time,
    ));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.read_timeout);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut connections = JoinSet::new();
    loop {
        // Reap finished connections so the set does not grow with every one ever served.
        while connections.try_join_next().is_some() {}
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = stopped(&mut stop) => break,
        };
        let Ok(slot) = slot else { break };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = stopped(&mut stop) => break,
        };
        let connection = http.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        let mut stop = stop.clone();
        connections.spawn(async move {
            let _slot = slot;
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                served = connection.as_mut() => log_connection_end(served),
                () = stopped(&mut stop) => {
                    // Idle connections close now; one with a request in flight finishes it.
                    connection.as_mut().graceful_shutdown();
                    log_connection_end(connection.await);
                }
            }
        });
    }
    drop(listener);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "closing connections that did not finish within the shutdown deadline"
        );
        connections.abort_all();
    }
}

/// Returns once `stop` turns true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

fn log_connection_end(served: Result<(), hyper::Error>) {
    if let Err(err) = served {
        // A client that timed out, vanished or sent garbage: its problem, not ours.
        tracing::debug!(error = %err, "connection closed with an error");
    }
}

/// Middleware: the whole body is read within the read timeout (408 otherwise) and within
/// the size limit (413), before any handler sees the request.
async fn read_body_in_time(
    State(limits): State<ServerLimits>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let read = axum::body::to_bytes(body, limits.max_body_bytes);
    let bytes: Bytes = match tokio::time::timeout(limits.read_timeout, read).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        Err(_) => {
            tracing::info!(path = %parts.uri.path(), "a client did not send its request body in time");
            return StatusCode::REQUEST_TIMEOUT.into_response();
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
