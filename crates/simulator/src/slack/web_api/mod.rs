//! The Web API: `/api/{method}` for every served method, answering in Slack's envelope.
//!
//! Each call goes through the same steps, in Slack's order as far as it is observable:
//! parse parameters → authenticate → injected fault (if one is queued) → rate limit →
//! handler → record. A method the table does not list answers `unknown_method`.

mod auth;
pub(crate) mod caller;
mod chat;
mod content;
mod conversations;
mod envelope;
pub mod methods;
mod oauth;
mod pagination;
mod params;
mod users;
mod views;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::http_server::DropConnection;
use crate::slack::faults::Fault;
use crate::slack::rate_limit::{Admission, RateClass, retry_after_header_seconds};
use crate::slack::recorder::{ApiCall, CallOutcome};
use crate::slack::state::SimState;
use crate::slack::workspace::ConversationKind;
use crate::sync::lock;

use caller::Credential;
pub(crate) use envelope::json_response;
pub(crate) use envelope::{ApiError, ApiResult};
use methods::{MethodSpec, lookup};
use params::Params;

/// Header carrying the precise wait behind a rounded-up `Retry-After`, in milliseconds.
pub const PRECISE_RETRY_AFTER_HEADER: &str = "X-Simulator-Retry-After-Ms";

pub(crate) async fn serve(
    State(state): State<Arc<SimState>>,
    Path(method_name): Path<String>,
    http_method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let received_at = SystemTime::now();
    let Some(spec) = lookup(&method_name) else {
        tracing::warn!(method = %method_name, "the bot called a method the simulator does not serve");
        let error = ApiError::new("unknown_method");
        let call = Call::new(&method_name, &http_method, received_at, None);
        return call.finish(
            &state,
            CallOutcome::SlackError(error.code.clone()),
            error_response(&error),
        );
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let params = match Params::parse(spec, uri.query(), content_type, &body) {
        Ok(params) => params,
        Err(error) => {
            let call = Call::new(spec.name, &http_method, received_at, None);
            return call.finish(
                &state,
                CallOutcome::SlackError(error.code.clone()),
                error_response(&error),
            );
        }
    };
    let call = Call::new(spec.name, &http_method, received_at, Some(&params));

    let credential = match caller::authenticate(&state, spec, &headers, &params) {
        Ok(credential) => credential,
        Err(error) => {
            return call.finish(
                &state,
                CallOutcome::SlackError(error.code.clone()),
                error_response(&error),
            );
        }
    };
    let team = match &credential {
        Credential::Bot(ctx) => ctx.team.clone(),
        Credential::App | Credential::Client => String::new(),
    };
    let call = call.in_team(&team);

    let mut drop_after_processing = false;
    let mut hold_after_processing = None;
    match state.faults.take(spec.name) {
        None => {}
        Some(Fault::ServerError) => {
            let response =
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
            return call.finish(&state, CallOutcome::ServerError, response);
        }
        Some(Fault::SlackError(code)) => {
            let error = ApiError::new(&code);
            return call.finish(
                &state,
                CallOutcome::SlackError(code),
                error_response(&error),
            );
        }
        Some(Fault::RateLimited {
            retry_after_seconds,
        }) => {
            let wait = Duration::from_secs(retry_after_seconds);
            return call.finish(
                &state,
                CallOutcome::RateLimited { retry_after: wait },
                rate_limited_response(wait, retry_after_seconds),
            );
        }
        Some(Fault::Slow(delay)) => tokio::time::sleep(delay).await,
        Some(Fault::DropConnectionAfterProcessing) => drop_after_processing = true,
        Some(Fault::SlowAfterProcessing(delay)) => hold_after_processing = Some(delay),
    }

    if state.rate_limits_enabled() {
        let channel = rate_limited_channel(&state, &credential, spec, &params);
        let admission = lock(&state.rate_limiters).entry(team).or_default().admit(
            spec.name,
            spec.rate,
            channel.as_deref(),
            &state.config.rate_limit_policy,
            &state.clock,
            std::time::Instant::now(),
        );
        if let Admission::Limited { retry_after } = admission {
            let header_seconds = retry_after_header_seconds(retry_after);
            return call.finish(
                &state,
                CallOutcome::RateLimited { retry_after },
                rate_limited_response(retry_after, header_seconds),
            );
        }
    }

    let result = dispatch(&state, &credential, spec, &params, &headers);
    let (mut outcome, mut response) = match result {
        Ok(body) => (CallOutcome::Ok, json_response(StatusCode::OK, &body)),
        Err(error) => (
            CallOutcome::SlackError(error.code.clone()),
            error_response(&error),
        ),
    };
    if drop_after_processing {
        outcome = CallOutcome::DroppedAfterProcessing;
        response.extensions_mut().insert(DropConnection);
    }
    if let Some(delay) = hold_after_processing {
        tokio::time::sleep(delay).await;
    }
    call.finish(&state, outcome, response)
}

fn dispatch(
    state: &SimState,
    credential: &Credential,
    spec: &MethodSpec,
    params: &Params,
    headers: &HeaderMap,
) -> ApiResult {
    let ctx = match credential {
        Credential::Bot(ctx) => ctx,
        Credential::App if spec.name == "apps.connections.open" => {
            return auth::apps_connections_open(state);
        }
        Credential::Client if spec.name == "oauth.v2.access" => {
            return oauth::access(state, params, headers);
        }
        Credential::App | Credential::Client => {
            tracing::error!(method = spec.name, "a method in the table has no handler");
            return Err(ApiError::new("unknown_method"));
        }
    };
    match spec.name {
        "auth.test" => auth::auth_test(state, ctx),
        "team.info" => auth::team_info(state, ctx, params),
        "users.list" => users::users_list(state, ctx, params),
        "users.info" => users::users_info(state, ctx, params),
        "users.profile.get" => users::users_profile_get(state, ctx, params),
        "team.profile.get" => users::team_profile_get(),
        "conversations.members" => conversations::members(state, ctx, params),
        "conversations.list" => conversations::list(state, ctx, params),
        "conversations.info" => conversations::info(state, ctx, params),
        "conversations.open" => conversations::open(state, ctx, params),
        "conversations.history" => conversations::history(state, ctx, params),
        "chat.postMessage" => chat::post_message(state, ctx, params),
        "chat.postEphemeral" => chat::post_ephemeral(state, ctx, params),
        "chat.update" => chat::update(state, ctx, params),
        "views.publish" => views::publish(state, ctx, params),
        other => {
            tracing::error!(method = other, "a method in the table has no handler");
            Err(ApiError::new("unknown_method"))
        }
    }
}

/// The conversation a posting call's per-channel bucket belongs to. Posting to a user
/// id posts to the bot's IM with them, so both spellings share the IM's bucket.
fn rate_limited_channel(
    state: &SimState,
    credential: &Credential,
    spec: &MethodSpec,
    params: &Params,
) -> Option<String> {
    let Credential::Bot(ctx) = credential else {
        return None;
    };
    if spec.rate != RateClass::Posting {
        return None;
    }
    let channel = params.text("channel")?;
    let world = lock(&state.world);
    let conversation = world
        .workspace(&ctx.team)
        .and_then(|workspace| workspace.conversation(&channel));
    let im_member = match conversation {
        Some(conversation) if conversation.kind == ConversationKind::Im => conversation
            .members
            .iter()
            .find(|member| **member != ctx.bot_user_id)
            .cloned(),
        Some(_) => None,
        None if channel.starts_with('U') || channel.starts_with('W') => Some(channel.clone()),
        None => None,
    };
    Some(im_member.map_or(channel, |user| format!("im:{user}")))
}

fn error_response(error: &ApiError) -> Response {
    json_response(StatusCode::OK, &error.body())
}

fn rate_limited_response(precise_wait: Duration, header_seconds: u64) -> Response {
    let mut response = json_response(
        StatusCode::TOO_MANY_REQUESTS,
        &ApiError::new("ratelimited").body(),
    );
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(header_seconds));
    headers.insert(
        PRECISE_RETRY_AFTER_HEADER,
        HeaderValue::from(precise_wait.as_millis().min(u128::from(u64::MAX)) as u64),
    );
    response
}

/// The record of one call, finished with its outcome.
struct Call {
    method: String,
    team_id: Option<String>,
    http_method: String,
    encoding: &'static str,
    params: Value,
    at: SystemTime,
}

impl Call {
    fn new(method: &str, http_method: &Method, at: SystemTime, params: Option<&Params>) -> Self {
        Self {
            method: method.to_owned(),
            team_id: None,
            http_method: http_method.to_string(),
            encoding: params.map_or("unparsed", |params| params.encoding.as_str()),
            params: params.map_or(Value::Null, Params::recorded),
            at,
        }
    }

    /// The workspace the call acted in ("" for none).
    fn in_team(mut self, team: &str) -> Self {
        self.team_id = (!team.is_empty()).then(|| team.to_owned());
        self
    }

    fn finish(self, state: &SimState, outcome: CallOutcome, response: Response) -> Response {
        tracing::debug!(method = %self.method, ?outcome, "served");
        state.change(|world| {
            if matches!(outcome, CallOutcome::RateLimited { .. }) {
                *world
                    .journal
                    .rate_limited
                    .entry(self.method.clone())
                    .or_default() += 1;
            }
            world.journal.record_call(ApiCall {
                method: self.method,
                team_id: self.team_id,
                http_method: self.http_method,
                encoding: self.encoding,
                params: self.params,
                at: self.at,
                outcome,
            });
        });
        response
    }
}
