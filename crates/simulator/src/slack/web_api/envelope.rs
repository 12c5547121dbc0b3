//! Slack's response envelope: `{"ok": true, …}` or `{"ok": false, "error": "<code>"}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// A Slack error answer (HTTP 200, `ok: false`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub code: String,
    /// `response_metadata.messages`, Slack's human-readable details.
    pub messages: Vec<String>,
}

impl ApiError {
    pub(crate) fn new(code: &str) -> Self {
        Self {
            code: code.to_owned(),
            messages: Vec::new(),
        }
    }

    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.messages.push(message.into());
        self
    }

    pub(crate) fn body(&self) -> Value {
        let mut body = json!({ "ok": false, "error": self.code });
        if !self.messages.is_empty() {
            body["response_metadata"] = json!({ "messages": self.messages });
        }
        body
    }
}

pub(crate) type ApiResult = Result<Value, ApiError>;

/// Turns a model (a slack-morphism response type, usually) into a success body.
pub(crate) fn ok(model: impl Serialize) -> ApiResult {
    let value = serde_json::to_value(model).map_err(|error| {
        tracing::error!(%error, "could not serialise a response");
        ApiError::new("fatal_error")
    })?;
    let mut body = match value {
        Value::Object(object) => object,
        Value::Null => Map::new(),
        other => {
            let mut wrapper = Map::new();
            wrapper.insert("value".into(), other);
            wrapper
        }
    };
    body.insert("ok".into(), Value::Bool(true));
    Ok(Value::Object(body))
}

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}
