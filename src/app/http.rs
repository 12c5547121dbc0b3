//! The HTTP surface: platform routes (mounted by `app`), `/healthz` and `/metrics`.

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router, middleware};
use serde_json::json;

use crate::bot::ExportLinks;
use crate::stats::ProgramRef;
use crate::store::Store;
use crate::telemetry::metrics::{Metrics, OutboxLabels, track_http};

#[derive(Clone, Debug)]
pub struct HttpState {
    pub store: Store,
    pub metrics: Metrics,
    pub exports: ExportLinks,
}

/// The bot's router: `platform_routes` (Slack, Teams) plus health and metrics, with a body
/// size limit (413 beyond it) and request metrics on every route.
pub fn router(state: HttpState, platform_routes: Router, max_body_bytes: usize) -> Router {
    let metrics = state.metrics.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .route("/exports/{file}", get(export_csv))
        .with_state(state)
        .merge(platform_routes)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .route_layer(middleware::from_fn_with_state(metrics, track_http))
}

/// 200 when the process is up and the database answers; 503 otherwise.
async fn healthz(State(state): State<HttpState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": "ok", "version": env!("CARGO_PKG_VERSION") })),
        )
            .into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "unreachable" })),
            )
                .into_response()
        }
    }
}

/// A CSV export behind a link from `/coffee admin export`; 404 for unknown or expired links
/// (the same answer for both, so links cannot be probed).
async fn export_csv(State(state): State<HttpState>, Path(file): Path<String>) -> Response {
    let Some(program_id) = file
        .strip_suffix(".csv")
        .and_then(|token| state.exports.redeem(token))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let program = match state.store.program(program_id).await {
        Ok(Some(program)) => program,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(err) => {
            tracing::error!(error = %err, "export: cannot load the program");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    match crate::stats::export::program_csv(&state.store, &ProgramRef::from(&program)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}-export.csv\"", program.name),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "export failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn metrics_text(State(state): State<HttpState>) -> Response {
    match state.store.outbox_counts().await {
        Ok(counts) => {
            for (outbox_state, count) in counts {
                state
                    .metrics
                    .outbox_messages
                    .get_or_create(&OutboxLabels {
                        state: outbox_state.as_str().to_string(),
                    })
                    .set(count);
            }
        }
        Err(err) => tracing::warn!(error = %err, "metrics: cannot count outbox rows"),
    }
    match state.metrics.encode() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
