//! Cursor pagination returns everything exactly once, and every method takes its
//! parameters as a GET query, a POST form or a POST JSON body.

mod common;

use std::collections::{BTreeSet, HashMap};

use common::{slack_client, token};
use pourover_simulator::{CompanySpec, NewUser, SlackSim, SlackSimConfig};
use serde_json::{Value, json};
use slack_morphism::prelude::*;

async fn sim(people: usize) -> SlackSim {
    let config = SlackSimConfig {
        rate_limits: false,
        ..SlackSimConfig::default()
    };
    let company = CompanySpec {
        guests: 3,
        deactivated: 2,
        bots: 2,
        ..CompanySpec::new(people, 4)
    };
    SlackSim::start(config, company)
        .await
        .expect("simulator starts")
}

#[tokio::test]
async fn users_list_pages_return_every_user_exactly_once() {
    let sim = sim(57).await;
    let client = slack_client(&sim.api_url());
    let bot_token = token(&sim.config().bot_token);
    let session = client.open_session(&bot_token);
    let everyone: BTreeSet<String> = sim.users().into_iter().map(|user| user.id).collect();
    for limit in [1u16, 3, 7, 10, 1000] {
        let mut seen = Vec::new();
        let mut cursor: Option<SlackCursorId> = None;
        let mut pages = 0;
        loop {
            let page = session
                .users_list(
                    &SlackApiUsersListRequest::new()
                        .with_limit(limit)
                        .opt_cursor(cursor.clone()),
                )
                .await
                .expect("a page");
            pages += 1;
            assert!(page.members.len() <= usize::from(limit));
            seen.extend(page.members.into_iter().map(|user| user.id.0));
            cursor = page
                .response_metadata
                .and_then(|metadata| metadata.next_cursor);
            if cursor.is_none() {
                break;
            }
        }
        let unique: BTreeSet<String> = seen.iter().cloned().collect();
        assert_eq!(seen.len(), unique.len(), "no duplicates with limit {limit}");
        assert_eq!(unique, everyone, "everyone with limit {limit}");
        assert_eq!(
            pages,
            everyone.len().div_ceil(usize::from(limit)),
            "limit {limit}"
        );
    }
}

#[tokio::test]
async fn someone_joining_mid_pagination_does_not_shift_the_pages() {
    let sim = sim(30).await;
    let client = slack_client(&sim.api_url());
    let bot_token = token(&sim.config().bot_token);
    let session = client.open_session(&bot_token);
    let before: BTreeSet<String> = sim.users().into_iter().map(|user| user.id).collect();
    let mut seen = Vec::new();
    let mut cursor: Option<SlackCursorId> = None;
    let mut joined = false;
    loop {
        let page = session
            .users_list(
                &SlackApiUsersListRequest::new()
                    .with_limit(4)
                    .opt_cursor(cursor.clone()),
            )
            .await
            .expect("a page");
        seen.extend(page.members.into_iter().map(|user| user.id.0));
        if !joined {
            sim.add_user(NewUser::new("Zed Newcomer", "Sales", "Europe/Paris"))
                .expect("joins");
            joined = true;
        }
        cursor = page
            .response_metadata
            .and_then(|metadata| metadata.next_cursor);
        if cursor.is_none() {
            break;
        }
    }
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(seen.len(), unique.len(), "no duplicates");
    assert!(
        before.is_subset(&unique),
        "everyone present throughout was listed"
    );
}

#[tokio::test]
async fn conversations_members_and_history_page_through_everything_once() {
    let sim = sim(40).await;
    let client = slack_client(&sim.api_url());
    let bot_token = token(&sim.config().bot_token);
    let session = client.open_session(&bot_token);
    let coffee = sim.channel_named("coffee").expect("#coffee");
    let mut members = Vec::new();
    let mut cursor: Option<SlackCursorId> = None;
    loop {
        let page = session
            .conversations_members(
                &SlackApiConversationsMembersRequest::new()
                    .with_channel(coffee.id.clone().into())
                    .with_limit(5)
                    .opt_cursor(cursor.clone()),
            )
            .await
            .expect("a page");
        members.extend(page.members.into_iter().map(|id| id.0));
        cursor = page
            .response_metadata
            .and_then(|metadata| metadata.next_cursor);
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(members, coffee.members, "every member once, in order");

    let mut posted = Vec::new();
    for n in 0..11 {
        let answer = session
            .chat_post_message(&SlackApiChatPostMessageRequest::new(
                coffee.id.clone().into(),
                SlackMessageContent::new().with_text(format!("message {n}")),
            ))
            .await
            .expect("posted");
        posted.push(answer.ts.0);
    }
    let mut history = Vec::new();
    let mut cursor: Option<SlackCursorId> = None;
    loop {
        let page = session
            .conversations_history(
                &SlackApiConversationsHistoryRequest::new()
                    .with_channel(coffee.id.clone().into())
                    .with_limit(4)
                    .opt_cursor(cursor.clone()),
            )
            .await
            .expect("a page");
        assert_eq!(
            page.has_more,
            Some(
                page.response_metadata
                    .as_ref()
                    .and_then(|m| m.next_cursor.as_ref())
                    .is_some()
            )
        );
        history.extend(page.messages.into_iter().map(|message| message.origin.ts.0));
        cursor = page
            .response_metadata
            .and_then(|metadata| metadata.next_cursor);
        if cursor.is_none() {
            break;
        }
    }
    posted.reverse();
    assert_eq!(history, posted, "newest first, each once");
}

/// Calls `method` three ways with the same parameters: GET query, POST form, POST JSON
/// (structured values as real JSON there, JSON-encoded strings in the others).
async fn call_three_ways(sim: &SlackSim, method: &str, params: &[(&str, Value)]) -> [Value; 3] {
    let http = reqwest::Client::new();
    let url = format!("{}/{method}", sim.api_url());
    let bearer = format!("Bearer {}", sim.config().bot_token);
    let as_text = |value: &Value| match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let pairs: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), as_text(v)))
        .collect();
    let json_body: HashMap<&str, &Value> = params.iter().map(|(k, v)| (*k, v)).collect();
    let get = http
        .get(&url)
        .query(&pairs)
        .header("Authorization", &bearer);
    let form = http
        .post(&url)
        .form(&pairs)
        .header("Authorization", &bearer);
    let json = http
        .post(&url)
        .json(&json_body)
        .header("Authorization", &bearer);
    let mut answers = Vec::new();
    for request in [get, form, json] {
        let response = request.send().await.expect("answers");
        answers.push(response.json::<Value>().await.expect("json"));
    }
    [answers[0].clone(), answers[1].clone(), answers[2].clone()]
}

#[tokio::test]
async fn every_method_takes_query_form_and_json_alike() {
    let sim = sim(12).await;
    let people: Vec<String> = sim.people().iter().take(3).map(|p| p.id.clone()).collect();
    let [get, form, json_answer] =
        call_three_ways(&sim, "users.list", &[("limit", json!(5))]).await;
    assert_eq!(get["members"], form["members"]);
    assert_eq!(get["members"], json_answer["members"]);
    assert_eq!(get["members"].as_array().map(Vec::len), Some(5));

    let comma_separated = json!(people.join(","));
    let [get, form, _] =
        call_three_ways(&sim, "conversations.open", &[("users", comma_separated)]).await;
    let [_, _, as_array] =
        call_three_ways(&sim, "conversations.open", &[("users", json!(people))]).await;
    assert_eq!(get["channel"]["id"], form["channel"]["id"]);
    assert_eq!(
        get["channel"]["id"], as_array["channel"]["id"],
        "array or comma-separated: same group DM"
    );
    let channel = get["channel"]["id"].clone();

    let blocks = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]);
    let metadata = json!({"event_type": "pourover_intro", "event_payload": {"outbox_key": "k1"}});
    let [get, form, json_answer] = call_three_ways(
        &sim,
        "chat.postMessage",
        &[
            ("channel", channel.clone()),
            ("text", json!("hi")),
            ("blocks", blocks),
            ("metadata", metadata.clone()),
        ],
    )
    .await;
    for answer in [&get, &form, &json_answer] {
        assert_eq!(answer["ok"], json!(true), "{answer}");
        assert_eq!(answer["message"]["metadata"], metadata);
        assert_eq!(answer["message"]["blocks"][0]["text"]["text"], json!("hi"));
    }
    let encodings: Vec<&str> = sim
        .recorder()
        .calls_to("chat.postMessage")
        .iter()
        .map(|call| call.encoding)
        .collect();
    assert_eq!(encodings, ["query", "form", "json"]);
}
