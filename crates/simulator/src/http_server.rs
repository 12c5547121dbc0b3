//! The simulator's HTTP server: a plain accept loop around an axum router.
//!
//! Why not `axum::serve`: one fault ("the request was processed but the connection dropped
//! before the reply") needs the server to close a connection *without* writing any
//! response. A hyper service that returns an error does exactly that, so the router runs
//! inside our own `service_fn`, and a handler asks for the drop by putting
//! [`DropConnection`] in its response's extensions.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

/// Response extension: close the connection instead of sending this response.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropConnection;

#[derive(Debug, thiserror::Error)]
#[error("connection dropped on purpose by an injected fault")]
struct DroppedOnPurpose;

/// A running server. Fire the [`ShutdownSignal`], then await [`HttpServer::stopped`].
pub(crate) struct HttpServer {
    address: SocketAddr,
    accept_loop: JoinHandle<()>,
}

/// Fires once when the simulator shuts down; long-lived tasks (WebSockets) watch it too.
#[derive(Clone)]
pub(crate) struct ShutdownSignal {
    receiver: watch::Receiver<bool>,
}

impl ShutdownSignal {
    pub(crate) fn new() -> (watch::Sender<bool>, Self) {
        let (sender, receiver) = watch::channel(false);
        (sender, Self { receiver })
    }

    pub(crate) async fn fired(&mut self) {
        // An error means the sender is gone, which is a shutdown too.
        let _ = self.receiver.wait_for(|fired| *fired).await;
    }
}

impl HttpServer {
    pub(crate) fn start(listener: TcpListener, router: Router, shutdown: ShutdownSignal) -> Self {
        let address = listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
        let accept_loop = tokio::spawn(accept_loop(listener, router, shutdown));
        Self {
            address,
            accept_loop,
        }
    }

    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }

    /// Waits for the accept loop to stop (the shutdown signal must have fired).
    pub(crate) async fn stopped(self) {
        if let Err(error) = self.accept_loop.await {
            tracing::warn!(%error, "the simulator's accept loop ended abnormally");
        }
    }
}

async fn accept_loop(listener: TcpListener, router: Router, mut shutdown: ShutdownSignal) {
    let mut connections = JoinSet::new();
    loop {
        // Reap finished connections so the set does not grow with every request.
        while connections.try_join_next().is_some() {}
        let accepted = tokio::select! {
            _ = shutdown.fired() => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                continue;
            }
        };
        let router = router.clone();
        let mut connection_shutdown = shutdown.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let router = router.clone();
                async move {
                    let response = match router.oneshot(request.map(Body::new)).await {
                        Ok(response) => response,
                        Err(never) => match never {},
                    };
                    if response.extensions().get::<DropConnection>().is_some() {
                        Err(DroppedOnPurpose)
                    } else {
                        Ok::<_, DroppedOnPurpose>(response)
                    }
                }
            });
            let connection = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::select! {
                result = connection => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                }
                _ = connection_shutdown.fired() => {}
            }
        });
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}
