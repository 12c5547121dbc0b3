//! The Bot Connector API a Teams bot calls at its `serviceUrl`: conversations,
//! activities and members, with Teams' error bodies.
//!
//! Each call goes through the same steps: authenticate the bearer token → injected
//! fault (if one is queued) → rate limit → handler → record. What Teams does not offer
//! bots — reading a conversation's history, fetching one activity — is not served here
//! either: such calls are recorded as unserved and answered 405, so a bot cannot rely
//! on something real Teams lacks.

mod conversations;
mod members;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::http_server::DropConnection;
use crate::sync::lock;

use super::faults::{ConnectorFault, ConnectorOperation};
use super::rate_limit::LimitClass;
use super::recorder::{ConnectorCall, ConnectorOutcome};
use super::state::{TeamsState, TeamsWorld};

/// Header carrying the precise wait behind a rounded-up `Retry-After`, in milliseconds.
pub const PRECISE_RETRY_AFTER_HEADER: &str = "X-Simulator-Retry-After-Ms";

pub(crate) fn routes() -> Router<Arc<TeamsState>> {
    Router::new()
        .route(
            "/smba/{region}/v3/conversations",
            post(conversations::create).get(unserved),
        )
        .route(
            "/smba/{region}/v3/conversations/{conversation}/activities",
            post(conversations::send).get(unserved),
        )
        .route(
            "/smba/{region}/v3/conversations/{conversation}/activities/{activity}",
            post(conversations::reply)
                .put(conversations::update)
                .get(unserved)
                .delete(unserved),
        )
        .route(
            "/smba/{region}/v3/conversations/{conversation}/members/{member}",
            get(members::one),
        )
        .route(
            "/smba/{region}/v3/conversations/{conversation}/members",
            get(members::all),
        )
        .route(
            "/smba/{region}/v3/conversations/{conversation}/pagedmembers",
            get(members::paged),
        )
}

/// Anything else under the service URL: recorded, then refused as Teams would.
pub(crate) async fn unserved(State(state): State<Arc<TeamsState>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    tracing::warn!(%path, method = %request.method(), "the bot called a connector route Teams does not offer");
    state.change(|world| {
        world.journal.record_call(ConnectorCall {
            operation: None,
            http_method: request.method().to_string(),
            path: relative_path(&path),
            conversation_id: None,
            body: Value::Null,
            at: SystemTime::now(),
            outcome: ConnectorOutcome::Unserved,
        })
    });
    error_response(&ConnectorError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "The requested resource does not support this method.",
    ))
}

fn relative_path(path: &str) -> String {
    // `/smba/amer/v3/…` -> `v3/…`
    path.splitn(4, '/').nth(3).unwrap_or(path).to_owned()
}

/// A Teams error answer.
#[derive(Debug, Clone)]
pub(crate) struct ConnectorError {
    pub status: StatusCode,
    pub code: String,
    /// The whole body when Teams does not use its usual `{"error":{…}}` shape.
    pub body: Value,
}

impl ConnectorError {
    pub(crate) fn new(status: StatusCode, code: &str, message: &str) -> Self {
        Self {
            status,
            code: code.to_owned(),
            body: json!({ "error": { "code": code, "message": message } }),
        }
    }

    /// What Teams answers when the user blocked (or uninstalled) the bot: a 403 whose
    /// `message` is itself JSON naming the sub-code, as Microsoft documents it.
    pub(crate) fn message_writes_blocked() -> Self {
        let inner = "{\r\n  \"subCode\": \"MessageWritesBlocked\",\r\n  \"details\": \"Thread is blocked from message writes.\",\r\n  \"errorCode\": null,\r\n  \"errorSubCode\": null\r\n}";
        Self {
            status: StatusCode::FORBIDDEN,
            code: "MessageWritesBlocked".to_owned(),
            body: json!({ "errorCode": 209, "message": inner }),
        }
    }

    pub(crate) fn not_found(code: &str, message: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub(crate) fn bad_argument(message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadArgument", message)
    }
}

pub(crate) fn error_response(error: &ConnectorError) -> Response {
    (error.status, axum::Json(error.body.clone())).into_response()
}

/// A call on its way through the pipeline.
pub(crate) struct Call {
    pub operation: ConnectorOperation,
    pub http_method: Method,
    pub path: String,
    pub conversation_id: Option<String>,
    pub recorded: Value,
    /// The limit it counts against and the thread it counts on.
    pub limit: (LimitClass, String),
}

pub(crate) type Handled = Result<(StatusCode, Value), ConnectorError>;

impl Call {
    /// Runs the pipeline; `handle` does the work under the world lock.
    pub(crate) async fn serve(
        self,
        state: &TeamsState,
        headers: &HeaderMap,
        handle: impl FnOnce(&mut TeamsWorld) -> Handled,
    ) -> Response {
        if !authorized(state, headers) {
            let response = (
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({ "message": "Authorization has been denied for this request." })),
            )
                .into_response();
            return self.finish(state, ConnectorOutcome::Unauthorized, response);
        }
        let mut after_processing = None;
        match state.faults.take(self.operation) {
            None => {}
            Some(ConnectorFault::ServerError) => {
                let error = ConnectorError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "ServiceError",
                    "An internal service error occurred.",
                );
                return self.finish(state, ConnectorOutcome::ServerError, error_response(&error));
            }
            Some(ConnectorFault::Status { status, code }) => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
                let error = ConnectorError::new(status, &code, "Injected by the simulator.");
                let outcome = ConnectorOutcome::Refused {
                    status: status.as_u16(),
                    code,
                };
                return self.finish(state, outcome, error_response(&error));
            }
            Some(ConnectorFault::RateLimited {
                retry_after_seconds,
            }) => {
                let wait = Duration::from_secs(retry_after_seconds);
                let response = throttled(wait, retry_after_seconds);
                return self.finish(
                    state,
                    ConnectorOutcome::RateLimited { retry_after: wait },
                    response,
                );
            }
            Some(ConnectorFault::Slow(delay)) => tokio::time::sleep(delay).await,
            Some(ConnectorFault::Hang) => {
                self.record(state, ConnectorOutcome::Hung);
                let mut shutdown = state.shutdown.clone();
                shutdown.fired().await;
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
            Some(fault @ ConnectorFault::DropConnectionAfterProcessing)
            | Some(fault @ ConnectorFault::HangAfterProcessing) => after_processing = Some(fault),
        }
        if state.rate_limits_enabled() {
            let (class, thread) = &self.limit;
            let admission = lock(&state.limiter).admit(
                *class,
                thread,
                &state.config.rate_limit_policy,
                &state.clock,
                Instant::now(),
            );
            if let Err(wait) = admission {
                let seconds = (wait.as_secs_f64().ceil() as u64).max(1);
                return self.finish(
                    state,
                    ConnectorOutcome::RateLimited { retry_after: wait },
                    throttled(wait, seconds),
                );
            }
        }
        let result = state.change(handle);
        let (mut outcome, mut response) = match result {
            Ok((status, body)) => (
                ConnectorOutcome::Ok {
                    status: status.as_u16(),
                },
                (status, axum::Json(body)).into_response(),
            ),
            Err(error) => (
                ConnectorOutcome::Refused {
                    status: error.status.as_u16(),
                    code: error.code.clone(),
                },
                error_response(&error),
            ),
        };
        match after_processing {
            Some(ConnectorFault::DropConnectionAfterProcessing) => {
                outcome = ConnectorOutcome::DroppedAfterProcessing;
                response.extensions_mut().insert(DropConnection);
            }
            Some(_) => {
                self.record(state, ConnectorOutcome::HungAfterProcessing);
                let mut shutdown = state.shutdown.clone();
                shutdown.fired().await;
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
            None => {}
        }
        self.finish(state, outcome, response)
    }

    fn record(&self, state: &TeamsState, outcome: ConnectorOutcome) {
        tracing::debug!(operation = self.operation.as_str(), ?outcome, "served");
        state.change(|world| {
            world.journal.record_call(ConnectorCall {
                operation: Some(self.operation),
                http_method: self.http_method.to_string(),
                path: relative_path(&self.path),
                conversation_id: self.conversation_id.clone(),
                body: self.recorded.clone(),
                at: SystemTime::now(),
                outcome,
            })
        });
    }

    fn finish(self, state: &TeamsState, outcome: ConnectorOutcome, response: Response) -> Response {
        self.record(state, outcome);
        response
    }
}

fn authorized(state: &TeamsState, headers: &HeaderMap) -> bool {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
    else {
        return false;
    };
    let world = lock(&state.world);
    world
        .tenant
        .tokens
        .get(token)
        .is_some_and(|expires| Instant::now() < *expires)
}

fn throttled(precise_wait: Duration, header_seconds: u64) -> Response {
    let error = ConnectorError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "Throttled",
        "Too many requests. Please retry after the time given in Retry-After.",
    );
    let mut response = error_response(&error);
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(header_seconds));
    headers.insert(
        PRECISE_RETRY_AFTER_HEADER,
        HeaderValue::from(precise_wait.as_millis().min(u128::from(u64::MAX)) as u64),
    );
    response
}
