//! Wiring: database, chat platforms, router, background tasks and shutdown. The only place
//! (with `main.rs`) where concrete pieces are put together.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::http::{self, HttpState};
use crate::metrics::Metrics;
use crate::settings::Settings;
use crate::store::{Store, StoreError, StoreOptions};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("HTTP server failed: {0}")]
    Serve(std::io::Error),
}

/// Opens the configured database and brings its schema up to date.
pub async fn open_store(settings: &Settings) -> Result<Store, StoreError> {
    let store = Store::connect(&StoreOptions {
        url: settings.database.url.clone(),
        max_connections: settings.database.max_connections,
        busy_timeout: Duration::from_millis(settings.database.busy_timeout_ms),
    })
    .await?;
    store.migrate().await?;
    Ok(store)
}

/// A bot serving on a socket, until [`RunningApp::shutdown`].
#[derive(Debug)]
pub struct RunningApp {
    addr: SocketAddr,
    store: Store,
    stop: watch::Sender<bool>,
    server: JoinHandle<Result<(), AppError>>,
}

impl RunningApp {
    /// Starts everything the settings ask for. Binding port 0 picks a free port; see
    /// [`RunningApp::local_addr`].
    pub async fn start(settings: Settings) -> Result<Self, AppError> {
        let store = open_store(&settings).await?;
        let metrics = Metrics::new();
        let listener = TcpListener::bind(settings.server.bind)
            .await
            .map_err(|source| AppError::Bind {
                addr: settings.server.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(AppError::Serve)?;
        let router = http::router(
            HttpState {
                store: store.clone(),
                metrics,
            },
            axum::Router::new(),
            settings.server.max_body_bytes,
        );
        let (stop, mut stopped) = watch::channel(false);
        let server = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await
                .map_err(AppError::Serve)
        });
        tracing::info!(%addr, "listening");
        Ok(Self {
            addr,
            store,
            stop,
            server,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stops accepting requests, lets in-flight ones finish, then closes the database.
    pub async fn shutdown(self) -> Result<(), AppError> {
        let _ = self.stop.send(true);
        let result = match self.server.await {
            Ok(result) => result,
            Err(join) => Err(AppError::Serve(std::io::Error::other(join))),
        };
        self.store.close().await;
        result
    }
}
