//! The Bot Connector client: every call Pourover makes at a Teams `serviceUrl`, with the
//! bearer token, pacing, one token refresh on 401, and Teams' answers sorted into
//! `ChatError` classes.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::Value;

use super::pacing::{CallClass, Pacer};
use super::token::AccessTokens;
use crate::chat::ChatError;

/// Generous: a reply cut off by our own timeout is a reply lost, and on Teams a lost
/// reply to a post may mean a duplicate message (see `TeamsChat::find_posted`).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// When a 429 comes without `Retry-After` (Teams does not promise one).
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(2);

/// One member as the connector describes them (a `TeamsChannelAccount`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TeamsMember {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub aad_object_id: Option<String>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub surname: Option<String>,
    /// "user", "guest" or "anonymous".
    #[serde(default)]
    pub user_role: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PagedMembers {
    #[serde(default)]
    members: Vec<TeamsMember>,
    #[serde(default)]
    continuation_token: Option<String>,
}

#[derive(Deserialize)]
struct ResourceResponse {
    id: String,
}

/// Members per page: Teams serves up to 500.
const PAGE_SIZE: &str = "500";

#[derive(Debug)]
pub(crate) struct Connector {
    http: reqwest::Client,
    tokens: AccessTokens,
    pacer: Pacer,
}

impl Connector {
    pub(crate) fn new(http: reqwest::Client, tokens: AccessTokens) -> Self {
        Self {
            http,
            tokens,
            pacer: Pacer::default(),
        }
    }

    /// `POST v3/conversations`: the 1:1 chat with `user_id` (the same id every time).
    pub(crate) async fn create_personal_conversation(
        &self,
        service_url: &str,
        bot_id: &str,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<String, ChatError> {
        let body = serde_json::json!({
            "isGroup": false,
            "bot": { "id": bot_id },
            "members": [{ "id": user_id }],
            "tenantId": tenant_id,
            "channelData": { "tenant": { "id": tenant_id } },
        });
        let url = endpoint(service_url, &["v3", "conversations"])?;
        let answer = self
            .call(
                CallClass::CreateConversation,
                user_id,
                Method::POST,
                url,
                Some(&body),
            )
            .await?;
        Ok(parse::<ResourceResponse>(answer)?.id)
    }

    /// `POST v3/conversations/{id}/activities`, or a reply to `reply_to`.
    pub(crate) async fn send(
        &self,
        service_url: &str,
        conversation_id: &str,
        reply_to: Option<&str>,
        activity: &Value,
    ) -> Result<String, ChatError> {
        let mut path = vec!["v3", "conversations", conversation_id, "activities"];
        path.extend(reply_to);
        let url = endpoint(service_url, &path)?;
        let answer = self
            .call(
                CallClass::Send,
                thread(conversation_id),
                Method::POST,
                url,
                Some(activity),
            )
            .await?;
        Ok(parse::<ResourceResponse>(answer)?.id)
    }

    /// `PUT v3/conversations/{id}/activities/{activityId}`.
    pub(crate) async fn update(
        &self,
        service_url: &str,
        conversation_id: &str,
        activity_id: &str,
        activity: &Value,
    ) -> Result<(), ChatError> {
        let url = endpoint(
            service_url,
            &[
                "v3",
                "conversations",
                conversation_id,
                "activities",
                activity_id,
            ],
        )?;
        self.call(
            CallClass::Send,
            thread(conversation_id),
            Method::PUT,
            url,
            Some(activity),
        )
        .await
        .map(drop)
    }

    /// `GET v3/conversations/{id}/members/{memberId}`.
    pub(crate) async fn member(
        &self,
        service_url: &str,
        conversation_id: &str,
        member_id: &str,
    ) -> Result<TeamsMember, ChatError> {
        let url = endpoint(
            service_url,
            &["v3", "conversations", conversation_id, "members", member_id],
        )?;
        let answer = self
            .call(
                CallClass::GetMembers,
                thread(conversation_id),
                Method::GET,
                url,
                None,
            )
            .await?;
        parse(answer)
    }

    /// Every member of a conversation or team, page by page.
    pub(crate) async fn all_members(
        &self,
        service_url: &str,
        conversation_id: &str,
    ) -> Result<Vec<TeamsMember>, ChatError> {
        let mut members = Vec::new();
        let mut continuation: Option<String> = None;
        loop {
            let mut url = endpoint(
                service_url,
                &["v3", "conversations", conversation_id, "pagedmembers"],
            )?;
            {
                let mut query = url.query_pairs_mut();
                query.append_pair("pageSize", PAGE_SIZE);
                if let Some(token) = &continuation {
                    query.append_pair("continuationToken", token);
                }
            }
            let answer = self
                .call(
                    CallClass::GetMembers,
                    thread(conversation_id),
                    Method::GET,
                    url,
                    None,
                )
                .await?;
            let page: PagedMembers = parse(answer)?;
            members.extend(page.members);
            match page.continuation_token.filter(|token| !token.is_empty()) {
                Some(token) => continuation = Some(token),
                None => return Ok(members),
            }
        }
    }

    async fn call(
        &self,
        class: CallClass,
        thread: &str,
        method: Method,
        url: url::Url,
        body: Option<&Value>,
    ) -> Result<Value, ChatError> {
        self.pacer.admit(class, thread).await?;
        let mut refreshed = false;
        loop {
            let token = self.tokens.current().await?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose_secret())
                .timeout(CALL_TIMEOUT);
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request.send().await.map_err(|err| {
                ChatError::Transient(format!("Teams connector: {}", err.without_url()))
            })?;
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && !refreshed {
                // The token expired early or was revoked: one fresh token, one retry.
                tracing::info!("the Bot Connector refused our token; fetching a new one");
                self.tokens.reject(&token).await;
                refreshed = true;
                continue;
            }
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let text = response.text().await.map_err(|err| {
                ChatError::Transient(format!("Teams connector: {}", err.without_url()))
            })?;
            if status.is_success() {
                return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
            }
            if status == StatusCode::TOO_MANY_REQUESTS {
                let wait = retry_after.unwrap_or(DEFAULT_RETRY_AFTER);
                self.pacer.throttled(thread, wait);
                return Err(ChatError::RateLimited { retry_after: wait });
            }
            return Err(classify(status, &text));
        }
    }
}

/// Teams' answer sorted by what the caller should do. Retrying cannot help a blocked
/// bot, a missing conversation or a malformed request; it may help everything else
/// (Microsoft asks for 412, 502 and 504 to be retried in particular).
fn classify(status: StatusCode, body: &str) -> ChatError {
    let code = error_code(body);
    match status.as_u16() {
        403 if body.contains("MessageWritesBlocked") || code == "ConversationBlockedByUser" => {
            ChatError::Permanent(format!(
                "the person blocked or uninstalled the app ({})",
                if code.is_empty() {
                    "MessageWritesBlocked"
                } else {
                    &code
                }
            ))
        }
        403 => ChatError::Permanent(format!("Teams refused: 403 {code}")),
        404 => ChatError::Permanent(format!("not found in Teams: {code}")),
        400 | 413 => ChatError::Permanent(format!("Teams rejected the request: {status} {code}")),
        401 => ChatError::Transient("the Bot Connector refused the bot's token twice".into()),
        _ => ChatError::Transient(format!("Teams answered {status} {code}")),
    }
}

/// `error.code` of Teams' usual error body; for the blocked-bot body, its sub-code.
fn error_code(body: &str) -> String {
    let Ok(json) = serde_json::from_str::<Value>(body) else {
        return String::new();
    };
    if let Some(code) = json.pointer("/error/code").and_then(Value::as_str) {
        return code.to_owned();
    }
    json.get("message")
        .and_then(Value::as_str)
        .and_then(|inner| serde_json::from_str::<Value>(inner).ok())
        .and_then(|inner| {
            inner
                .get("subCode")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

fn parse<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ChatError> {
    serde_json::from_value(value)
        .map_err(|err| ChatError::Transient(format!("unexpected answer from Teams: {err}")))
}

/// A channel thread (`19:…;messageid=…`) is paced with its channel.
fn thread(conversation_id: &str) -> &str {
    conversation_id.split(';').next().unwrap_or(conversation_id)
}

/// `service_url` + path segments, each percent-encoded (conversation ids carry `:`,
/// `@` and `;`).
fn endpoint(service_url: &str, segments: &[&str]) -> Result<url::Url, ChatError> {
    let mut url = url::Url::parse(service_url)
        .map_err(|err| ChatError::Permanent(format!("bad Teams serviceUrl: {err}")))?;
    url.path_segments_mut()
        .map_err(|()| ChatError::Permanent("bad Teams serviceUrl".into()))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_joined_below_the_service_url_and_encoded() {
        let url = endpoint(
            "https://smba.trafficmanager.net/amer/",
            &[
                "v3",
                "conversations",
                "19:abc@thread.tacv2;messageid=1",
                "activities",
            ],
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://smba.trafficmanager.net/amer/v3/conversations/19:abc@thread.tacv2;messageid=1/activities"
        );
        let bare = endpoint("https://smba.trafficmanager.net/amer", &["v3"]).unwrap();
        assert_eq!(bare.as_str(), "https://smba.trafficmanager.net/amer/v3");
    }

    #[test]
    fn a_blocked_bot_is_permanent_and_says_so() {
        let body = r#"{"errorCode":209,"message":"{\r\n  \"subCode\": \"MessageWritesBlocked\",\r\n  \"details\": \"Thread is blocked from message writes.\"\r\n}"}"#;
        let err = classify(StatusCode::FORBIDDEN, body);
        assert!(err.is_permanent());
        assert!(err.to_string().contains("MessageWritesBlocked"), "{err}");
    }

    #[test]
    fn retryable_statuses_are_transient_and_refusals_permanent() {
        for status in [412, 500, 502, 503, 504] {
            let err = classify(StatusCode::from_u16(status).unwrap(), "{}");
            assert!(matches!(err, ChatError::Transient(_)), "{status}: {err}");
        }
        for status in [400, 403, 404, 413] {
            let body = r#"{"error":{"code":"ConversationNotFound","message":"x"}}"#;
            let err = classify(StatusCode::from_u16(status).unwrap(), body);
            assert!(err.is_permanent(), "{status}: {err}");
        }
    }
}
