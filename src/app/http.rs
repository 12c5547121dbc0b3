//! The HTTP surface: platform routes (mounted by `app`), `/healthz` and `/metrics`.

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router, middleware};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;

use crate::bot::ExportLinks;
use crate::clock::Clock;
use crate::stats::ProgramRef;
use crate::store::Store;
use crate::telemetry::metrics::{Metrics, OutboxLabels, track_http};

#[derive(Clone, Debug)]
pub struct HttpState {
    pub store: Store,
    pub clock: Clock,
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

/// How long the health check's write may wait for the database.
const HEALTH_WRITE_BUDGET: Duration = Duration::from_secs(2);

/// 200 when the process is up and the database takes a write; 503 with the reason
/// otherwise (locked, disk full, read-only…), and 200 again as soon as it does. A bot that
/// can read but not write loses every command, event and intro.
async fn healthz(State(state): State<HttpState>) -> Response {
    match state
        .store
        .probe_write(state.clock.now(), HEALTH_WRITE_BUDGET)
        .await
    {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": "ok", "version": env!("CARGO_PKG_VERSION") })),
        )
            .into_response(),
        Err(err) => {
            let reason = err.write_refusal();
            tracing::warn!(error = %err, %reason, "health check: the database takes no writes");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({
                    "status": "unavailable",
                    "database": "cannot take writes",
                    "reason": reason,
                })),
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
                    attachment(&format!("{}-export.csv", program.name)),
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

/// Characters RFC 5987 lets through unencoded in `filename*` (its `attr-char`).
const FILENAME_STAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `Content-Disposition` for a download called `file_name` (RFC 6266): a plain ASCII
/// `filename` for old clients (anything else becomes `_`) and the exact name, UTF-8 and
/// percent-encoded, in `filename*`, which every current browser prefers.
fn attachment(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(file_name, FILENAME_STAR)
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unicode_file_name_is_sent_in_the_rfc_6266_form_with_an_ascii_fallback() {
        let value = attachment("kaffee-für-alle-export.csv");
        assert_eq!(
            value,
            "attachment; filename=\"kaffee-f_r-alle-export.csv\"; \
             filename*=UTF-8''kaffee-f%C3%BCr-alle-export.csv"
        );
        assert!(axum::http::HeaderValue::from_str(&value).is_ok());
        assert_eq!(
            attachment("coffee-export.csv"),
            "attachment; filename=\"coffee-export.csv\"; filename*=UTF-8''coffee-export.csv"
        );
    }
}
