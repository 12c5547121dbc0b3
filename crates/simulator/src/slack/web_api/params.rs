//! A Web API call's parameters, however they came: GET query string, POST
//! form-urlencoded or POST JSON (Slack accepts all three for every method).
//!
//! Form and query values are strings, so structured parameters (`blocks`, `metadata`,
//! `view`, `users`) arrive JSON-encoded or comma-separated there and as real JSON in a
//! JSON body; the accessors below accept both. Every accessor checks the name against the
//! method's declared parameters (`methods.rs`), which is what keeps the spec-conformance
//! test honest: a handler cannot read a parameter the table does not list.

use serde_json::{Map, Value};

use super::envelope::ApiError;
use super::methods::MethodSpec;

/// How the parameters were encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Query,
    Form,
    Json,
}

impl Encoding {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Encoding::Query => "query",
            Encoding::Form => "form",
            Encoding::Json => "json",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Params {
    spec: &'static MethodSpec,
    values: Map<String, Value>,
    pub encoding: Encoding,
    /// A `token` parameter (form or query); Slack accepts it in place of the header.
    pub token: Option<String>,
}

impl Params {
    /// Merges the query string and the body. `content_type` decides how the body reads.
    pub(crate) fn parse(
        spec: &'static MethodSpec,
        query: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Self, ApiError> {
        let mut values = Map::new();
        let mut encoding = Encoding::Query;
        if let Some(query) = query {
            for (name, value) in form_urlencoded_pairs(query.as_bytes()) {
                values.insert(name, Value::String(value));
            }
        }
        let media_type = content_type
            .and_then(|value| value.split(';').next())
            .map(|value| value.trim().to_ascii_lowercase());
        if !body.is_empty() {
            match media_type.as_deref() {
                Some("application/json") => {
                    let parsed: Value =
                        serde_json::from_slice(body).map_err(|_| ApiError::new("invalid_json"))?;
                    let Value::Object(object) = parsed else {
                        return Err(ApiError::new("json_not_object"));
                    };
                    values.extend(object);
                    encoding = Encoding::Json;
                }
                Some("application/x-www-form-urlencoded") | None => {
                    for (name, value) in form_urlencoded_pairs(body) {
                        values.insert(name, Value::String(value));
                    }
                    encoding = Encoding::Form;
                }
                Some(_) => return Err(ApiError::new("invalid_form_data")),
            }
        }
        // Slack reads a `token` parameter from forms and query strings but not from a
        // JSON body (JSON callers must use the Authorization header).
        let token = match encoding {
            Encoding::Json => {
                values.remove("token");
                None
            }
            _ => values.remove("token").and_then(|token| match token {
                Value::String(token) => Some(token),
                _ => None,
            }),
        };
        Ok(Self {
            spec,
            values,
            encoding,
            token,
        })
    }

    /// Everything received (minus the token), for the recorder.
    pub(crate) fn recorded(&self) -> Value {
        Value::Object(self.values.clone())
    }

    fn raw(&self, name: &str) -> Option<&Value> {
        let declared = self.spec.params.contains(&name);
        if !declared {
            tracing::error!(
                method = self.spec.name,
                param = name,
                "a handler read a parameter the method table does not declare"
            );
            debug_assert!(
                declared,
                "{} reads undeclared parameter {name}",
                self.spec.name
            );
        }
        self.values.get(name).filter(|value| !value.is_null())
    }

    /// A scalar as text (numbers and booleans from a JSON body too). Empty means absent.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        let text = match self.raw(name)? {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }

    /// A required scalar; Slack answers a missing one with `invalid_arguments`.
    pub(crate) fn required(&self, name: &str) -> Result<String, ApiError> {
        self.text(name).ok_or_else(|| {
            ApiError::new("invalid_arguments")
                .with_message(format!("missing required field: {name}"))
        })
    }

    pub(crate) fn flag(&self, name: &str) -> bool {
        match self.raw(name) {
            Some(Value::Bool(flag)) => *flag,
            Some(Value::Number(number)) => number.as_u64() == Some(1),
            Some(Value::String(text)) => matches!(text.as_str(), "true" | "1"),
            _ => false,
        }
    }

    /// A non-negative integer; `invalid` is the error code for garbage (e.g. `invalid_limit`).
    pub(crate) fn count(
        &self,
        name: &str,
        invalid: &'static str,
    ) -> Result<Option<usize>, ApiError> {
        match self.text(name) {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| ApiError::new(invalid)),
        }
    }

    /// A structured parameter: real JSON from a JSON body, or a JSON-encoded string.
    /// `invalid` is the error code when the string does not parse.
    pub(crate) fn json(
        &self,
        name: &str,
        invalid: &'static str,
    ) -> Result<Option<Value>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
            Some(Value::String(text)) => serde_json::from_str(text)
                .map(Some)
                .map_err(|_| ApiError::new(invalid)),
            Some(value) => Ok(Some(value.clone())),
        }
    }

    /// A list: a JSON array of strings, or a comma-separated string.
    pub(crate) fn list(&self, name: &str) -> Option<Vec<String>> {
        let items: Vec<String> = match self.raw(name)? {
            Value::Array(items) => items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect(),
            Value::String(text) => text.split(',').map(str::to_owned).collect(),
            _ => return None,
        };
        let items: Vec<String> = items
            .into_iter()
            .map(|item| item.trim().to_owned())
            .filter(|item| !item.is_empty())
            .collect();
        (!items.is_empty()).then_some(items)
    }
}

fn form_urlencoded_pairs(input: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(input).into_owned().collect()
}

#[cfg(test)]
mod tests {
    use super::super::methods::lookup;
    use super::*;

    fn open_spec() -> &'static MethodSpec {
        lookup("conversations.open").expect("served")
    }

    #[test]
    fn users_may_be_a_comma_separated_string_or_a_json_array() {
        let form = Params::parse(
            open_spec(),
            None,
            Some("application/x-www-form-urlencoded"),
            b"users=U1%2CU2,+U3",
        )
        .expect("parses");
        assert_eq!(
            form.list("users"),
            Some(vec!["U1".into(), "U2".into(), "U3".into()])
        );
        let json = Params::parse(
            open_spec(),
            None,
            Some("application/json; charset=utf-8"),
            br#"{"users":["U1","U2"]}"#,
        )
        .expect("parses");
        assert_eq!(json.list("users"), Some(vec!["U1".into(), "U2".into()]));
        let json_string = Params::parse(
            open_spec(),
            None,
            Some("application/json"),
            br#"{"users":"U1,U2"}"#,
        )
        .expect("parses");
        assert_eq!(
            json_string.list("users"),
            Some(vec!["U1".into(), "U2".into()])
        );
    }

    #[test]
    fn a_token_in_a_form_is_taken_but_not_recorded() {
        let params = Params::parse(open_spec(), Some("token=xoxb-1"), None, b"").expect("parses");
        assert_eq!(params.token.as_deref(), Some("xoxb-1"));
        assert_eq!(params.recorded(), serde_json::json!({}));
        assert_eq!(params.encoding, Encoding::Query);
    }

    #[test]
    fn a_json_body_must_be_an_object() {
        let error =
            Params::parse(open_spec(), None, Some("application/json"), b"[1]").expect_err("array");
        assert_eq!(error.code, "json_not_object");
        let error =
            Params::parse(open_spec(), None, Some("application/json"), b"{").expect_err("broken");
        assert_eq!(error.code, "invalid_json");
    }
}
