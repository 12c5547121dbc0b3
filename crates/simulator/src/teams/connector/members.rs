//! Reading who is in a conversation or team: one member, all of them (deprecated), or a
//! page at a time with continuation tokens.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Call, ConnectorError};
use crate::teams::faults::ConnectorOperation;
use crate::teams::rate_limit::LimitClass;
use crate::teams::state::{TeamsState, TeamsWorld};
use crate::teams::tenant::PageCursor;

/// Teams serves between 1 and 500 members per page; 200 when the bot does not say.
const DEFAULT_PAGE_SIZE: usize = 200;
const MAX_PAGE_SIZE: usize = 500;

fn roster(world: &TeamsWorld, conversation: &str) -> Result<Vec<String>, ConnectorError> {
    world
        .tenant
        .conversation_members(conversation)
        .ok_or_else(|| ConnectorError::not_found("ConversationNotFound", "Conversation not found."))
}

fn accounts(world: &TeamsWorld, ids: &[String]) -> Vec<Value> {
    ids.iter()
        .filter_map(|id| world.tenant.users.get(id))
        .map(|user| user.channel_account(&world.tenant.tenant_id))
        .collect()
}

fn call(operation: ConnectorOperation, path: String, conversation: &str, recorded: Value) -> Call {
    Call {
        operation,
        http_method: Method::GET,
        path,
        conversation_id: Some(conversation.to_owned()),
        recorded,
        limit: (
            LimitClass::GetMembers,
            conversation
                .split(';')
                .next()
                .unwrap_or(conversation)
                .to_owned(),
        ),
    }
}

/// `GET v3/conversations/{id}/members/{memberId}`: the member may be named by their
/// `29:` id, Entra object id or user principal name.
pub(crate) async fn one(
    State(state): State<Arc<TeamsState>>,
    Path((_region, conversation, member)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/smba/amer/v3/conversations/{conversation}/members/{member}");
    let call = call(
        ConnectorOperation::GetConversationMember,
        path,
        &conversation,
        json!({ "member": member }),
    );
    call.serve(&state, &headers, move |world| {
        let members = roster(world, &conversation)?;
        let user = world
            .tenant
            .find_user(&member)
            .filter(|user| members.contains(&user.id))
            .ok_or_else(|| {
                ConnectorError::not_found(
                    "MemberNotFoundInConversation",
                    "The member is not in the conversation.",
                )
            })?;
        Ok((
            StatusCode::OK,
            user.channel_account(&world.tenant.tenant_id),
        ))
    })
    .await
}

/// `GET v3/conversations/{id}/members`: everyone at once (deprecated by Microsoft for
/// large teams, still served).
pub(crate) async fn all(
    State(state): State<Arc<TeamsState>>,
    Path((_region, conversation)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/smba/amer/v3/conversations/{conversation}/members");
    let call = call(
        ConnectorOperation::GetConversationMembers,
        path,
        &conversation,
        Value::Null,
    );
    call.serve(&state, &headers, move |world| {
        let members = roster(world, &conversation)?;
        Ok((StatusCode::OK, Value::Array(accounts(world, &members))))
    })
    .await
}

/// `GET v3/conversations/{id}/pagedmembers?pageSize=&continuationToken=`.
pub(crate) async fn paged(
    State(state): State<Arc<TeamsState>>,
    Path((_region, conversation)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/smba/amer/v3/conversations/{conversation}/pagedmembers");
    let recorded = json!(query);
    let call = call(
        ConnectorOperation::GetConversationPagedMembers,
        path,
        &conversation,
        recorded,
    );
    call.serve(&state, &headers, move |world| {
        let members = roster(world, &conversation)?;
        let size = match query.get("pageSize") {
            None => DEFAULT_PAGE_SIZE,
            Some(raw) => match raw.parse::<usize>() {
                Ok(size) if size > 0 => size.min(MAX_PAGE_SIZE),
                _ => {
                    return Err(ConnectorError::bad_argument(
                        "pageSize must be a positive number.",
                    ));
                }
            },
        };
        let offset = match query.get("continuationToken").filter(|t| !t.is_empty()) {
            None => 0,
            Some(token) => match world.tenant.cursors.get(token) {
                Some(cursor) if cursor.conversation_id == conversation => cursor.offset,
                _ => return Err(ConnectorError::bad_argument("Invalid continuation token.")),
            },
        };
        let end = (offset + size).min(members.len());
        let page = accounts(world, members.get(offset..end).unwrap_or_default());
        let mut body = json!({ "members": page });
        if end < members.len() {
            let token = world.tenant.new_token(40);
            world.tenant.cursors.insert(
                token.clone(),
                PageCursor {
                    conversation_id: conversation.clone(),
                    offset: end,
                },
            );
            body["continuationToken"] = json!(token);
        }
        Ok((StatusCode::OK, body))
    })
    .await
}
