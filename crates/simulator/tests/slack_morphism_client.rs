//! slack-morphism's own client, over a plain HTTP connector, can call every method the
//! simulator serves and parse every answer — the way the bot will.

mod common;

use std::collections::HashMap;

use common::{slack_client, token};
use pourover_simulator::{CompanySpec, DEPARTMENT_FIELD_ID, SlackSim, SlackSimConfig};
use slack_morphism::blocks::*;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

async fn sim() -> SlackSim {
    let config = SlackSimConfig {
        rate_limits: false,
        ..SlackSimConfig::default()
    };
    SlackSim::start(config, CompanySpec::new(12, 3))
        .await
        .expect("simulator starts")
}

fn api_error_code(error: SlackClientError) -> String {
    match error {
        SlackClientError::ApiError(api) => api.code,
        other => panic!("expected a Slack API error, got {other:?}"),
    }
}

#[tokio::test]
async fn auth_test_names_the_bot_and_team() {
    let sim = sim().await;
    let client = slack_client(&sim.api_url());
    let session_token = token(&sim.config().bot_token);
    let session = client.open_session(&session_token);
    let answer = session.auth_test().await.expect("auth.test parses");
    assert_eq!(answer.user_id.0, sim.bot_user_id());
    assert_eq!(answer.team_id.0, sim.config().team_id);
    assert_eq!(answer.bot_id.map(|id| id.0).as_deref(), Some(sim.bot_id()));
}

#[tokio::test]
async fn a_wrong_or_missing_token_is_refused_with_slack_codes() {
    let sim = sim().await;
    let client = slack_client(&sim.api_url());
    let wrong_token = token("xoxb-not-the-token");
    let wrong = client.open_session(&wrong_token);
    assert_eq!(
        api_error_code(wrong.auth_test().await.expect_err("refused")),
        "invalid_auth"
    );
    let app_token_on_bot_method_token = token(&sim.config().app_token);
    let app_token_on_bot_method = client.open_session(&app_token_on_bot_method_token);
    assert_eq!(
        api_error_code(
            app_token_on_bot_method
                .auth_test()
                .await
                .expect_err("refused")
        ),
        "not_allowed_token_type"
    );
    let raw = reqwest::Client::new()
        .get(format!("{}/auth.test", sim.api_url()))
        .send()
        .await
        .expect("answers");
    let body: serde_json::Value = raw.json().await.expect("json");
    assert_eq!(
        body,
        serde_json::json!({"ok": false, "error": "not_authed"})
    );
}

#[tokio::test]
async fn users_and_profiles_parse_and_departments_come_from_users_profile_get() {
    let sim = sim().await;
    let client = slack_client(&sim.api_url());
    let session_token = token(&sim.config().bot_token);
    let session = client.open_session(&session_token);
    let listed = session
        .users_list(&SlackApiUsersListRequest::new().with_limit(1000))
        .await
        .expect("users.list parses");
    assert_eq!(listed.members.len(), sim.users().len());
    let person = sim.people().into_iter().next().expect("a person");
    let info = session
        .users_info(&SlackApiUsersInfoRequest::new(person.id.clone().into()))
        .await
        .expect("users.info parses");
    assert_eq!(info.user.tz.as_deref(), Some(person.tz.as_str()));
    assert_eq!(info.user.tz_offset, Some(person.tz_offset));
    let info_profile = info.user.profile.expect("a profile");
    assert_eq!(info_profile.title.as_deref(), Some(person.title.as_str()));
    assert!(
        info_profile.fields.is_none(),
        "as in Slack, users.info has no custom fields"
    );

    let profile = session
        .users_profile_get(
            &SlackApiUsersProfileGetRequest::new().with_user(person.id.clone().into()),
        )
        .await
        .expect("users.profile.get parses");
    assert_eq!(
        profile.profile.real_name.as_deref(),
        Some(person.real_name.as_str())
    );
    let fields = profile
        .profile
        .fields
        .expect("users.profile.get has the custom fields");
    assert_eq!(
        fields[&SlackUserProfileFieldId(DEPARTMENT_FIELD_ID.into())].value,
        person.team
    );

    let team_profile = session
        .team_profile_get(&SlackApiTeamProfileGetRequest::new())
        .await
        .expect("team.profile.get parses");
    let labels: Vec<String> = serde_json::to_value(&team_profile.profile.fields)
        .expect("serialises")
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|field| field["label"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(labels, ["Department", "Team"]);

    let unknown = session
        .users_info(&SlackApiUsersInfoRequest::new("U0NOBODY".into()))
        .await
        .expect_err("unknown user");
    assert_eq!(api_error_code(unknown), "user_not_found");
}

#[tokio::test]
async fn conversations_open_members_history_and_chat_round_trip() {
    let sim = sim().await;
    let client = slack_client(&sim.api_url());
    let session_token = token(&sim.config().bot_token);
    let session = client.open_session(&session_token);
    let coffee = sim.channel_named("coffee").expect("#coffee");

    let members = session
        .conversations_members(
            &SlackApiConversationsMembersRequest::new().with_channel(coffee.id.clone().into()),
        )
        .await
        .expect("conversations.members parses");
    assert_eq!(members.members.len(), coffee.members.len());

    let people: Vec<SlackUserId> = sim
        .people()
        .iter()
        .take(3)
        .map(|p| p.id.clone().into())
        .collect();
    let opened = session
        .conversations_open(&SlackApiConversationsOpenRequest::new().with_users(people.clone()))
        .await
        .expect("conversations.open parses");
    assert!(
        opened.channel.id.0.starts_with('G'),
        "a group DM: {}",
        opened.channel.id
    );
    let reopened = session
        .conversations_open_full(
            &SlackApiConversationsOpenRequest::new()
                .with_users(people.iter().rev().cloned().collect()),
        )
        .await
        .expect("conversations.open with return_im parses");
    assert_eq!(
        reopened.channel.id, opened.channel.id,
        "the same people get the same conversation"
    );
    assert_eq!(reopened.channel.flags.is_mpim, Some(true));
    let im = session
        .conversations_open(
            &SlackApiConversationsOpenRequest::new().with_users(people[..1].to_vec()),
        )
        .await
        .expect("an IM");
    assert!(im.channel.id.0.starts_with('D'));

    let metadata = SlackMessageMetadata::new("pourover_intro".into()).with_event_payload(
        HashMap::from([("outbox_key".to_owned(), "round-1/group-3".to_owned())]),
    );
    let blocks: Vec<SlackBlock> = slack_blocks![
        some_into(SlackSectionBlock::new().with_text(md!("Meet each other!"))),
        some_into(SlackActionsBlock::new(slack_blocks![some_into(
            SlackBlockButtonElement::new(pt!("We met"))
                .with_action_id("met".into())
                .with_value("g3".into())
        )]))
    ];
    let posted = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            opened.channel.id.clone(),
            SlackMessageContent::new()
                .with_text("Meet each other!".into())
                .with_blocks(blocks)
                .with_metadata(metadata.clone()),
        ))
        .await
        .expect("chat.postMessage parses");

    let updated = session
        .chat_update(&SlackApiChatUpdateRequest::new(
            opened.channel.id.clone(),
            SlackMessageContent::new().with_text("Meet each other (updated)".into()),
            posted.ts.clone(),
        ))
        .await
        .expect("chat.update parses");
    assert_eq!(updated.ts, posted.ts);

    let history = session
        .conversations_history(
            &SlackApiConversationsHistoryRequest::new()
                .with_channel(opened.channel.id.clone())
                .with_include_all_metadata(true),
        )
        .await
        .expect("conversations.history parses");
    let message = history.messages.first().expect("the message");
    assert_eq!(message.origin.ts, posted.ts);
    assert_eq!(
        message.content.text.as_deref(),
        Some("Meet each other (updated)")
    );
    assert_eq!(message.content.metadata.as_ref(), Some(&metadata));
    assert!(
        message
            .content
            .blocks
            .as_ref()
            .is_some_and(|blocks| blocks.len() == 2),
        "blocks kept"
    );
    assert!(message.edited.is_some());

    let without_metadata = session
        .conversations_history(
            &SlackApiConversationsHistoryRequest::new().with_channel(opened.channel.id.clone()),
        )
        .await
        .expect("parses");
    assert!(
        without_metadata.messages[0].content.metadata.is_none(),
        "metadata only on request"
    );

    session
        .chat_post_ephemeral(&SlackApiChatPostEphemeralRequest::new(
            coffee.id.clone().into(),
            coffee
                .members
                .iter()
                .find(|m| *m != sim.bot_user_id())
                .expect("a person")
                .clone()
                .into(),
            SlackMessageContent::new().with_text("Only you can see this".into()),
        ))
        .await
        .expect("chat.postEphemeral parses");
    assert_eq!(sim.recorder().ephemerals().len(), 1);
}

#[tokio::test]
async fn conversations_open_refuses_what_slack_refuses() {
    let sim = SlackSim::start(
        SlackSimConfig {
            rate_limits: false,
            ..SlackSimConfig::default()
        },
        CompanySpec {
            deactivated: 1,
            ..CompanySpec::new(12, 3)
        },
    )
    .await
    .expect("starts");
    let client = slack_client(&sim.api_url());
    let session_token = token(&sim.config().bot_token);
    let session = client.open_session(&session_token);
    let session = &session;
    let open = |users: Vec<String>| {
        let request = SlackApiConversationsOpenRequest::new()
            .with_users(users.into_iter().map(Into::into).collect());
        async move { session.conversations_open(&request).await }
    };
    let nine: Vec<String> = sim.people().iter().take(9).map(|p| p.id.clone()).collect();
    assert_eq!(
        api_error_code(open(nine).await.expect_err("too many")),
        "too_many_users"
    );
    assert_eq!(
        api_error_code(open(vec!["U0NOBODY".into()]).await.expect_err("unknown")),
        "user_not_found"
    );
    let deactivated = sim
        .users()
        .into_iter()
        .find(|u| u.deleted)
        .expect("a deactivated user");
    assert_eq!(
        api_error_code(open(vec![deactivated.id]).await.expect_err("disabled")),
        "user_disabled"
    );
    let other_bot = sim
        .users()
        .into_iter()
        .find(|u| u.is_bot && u.id != sim.bot_user_id())
        .expect("another bot");
    assert_eq!(
        api_error_code(open(vec![other_bot.id]).await.expect_err("a bot")),
        "cannot_dm_bot"
    );
    let eight: Vec<String> = sim.people().iter().take(8).map(|p| p.id.clone()).collect();
    assert!(
        open(eight).await.is_ok(),
        "eight people is the most a group DM takes"
    );

    let missing = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            "C0NOWHERE".into(),
            SlackMessageContent::new().with_text("hello?".into()),
        ))
        .await
        .expect_err("no such channel");
    assert_eq!(api_error_code(missing), "channel_not_found");
    let general = sim.channel_named("general").expect("#general");
    let not_in = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            general.id.into(),
            SlackMessageContent::new().with_text("hello?".into()),
        ))
        .await
        .expect_err("the bot is not in #general");
    assert_eq!(api_error_code(not_in), "not_in_channel");
}

#[tokio::test]
async fn views_publish_and_apps_connections_open_parse() {
    let sim = sim().await;
    let client = slack_client(&sim.api_url());
    let bot_token = token(&sim.config().bot_token);
    let bot = client.open_session(&bot_token);
    let person = sim.people().into_iter().next().expect("a person");
    let home = SlackHomeView::new(slack_blocks![some_into(
        SlackSectionBlock::new().with_text(md!("Your coffee chats"))
    )]);
    let published = bot
        .views_publish(&SlackApiViewsPublishRequest::new(
            person.id.clone().into(),
            SlackView::Home(home),
        ))
        .await
        .expect("views.publish parses");
    let recorded = sim.recorder().home_view(&person.id).expect("recorded");
    assert_eq!(published.view.state_params.id.0, recorded.view_id);

    let app_token = token(&sim.config().app_token);
    let app = client.open_session(&app_token);
    let opened = app
        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
        .await
        .expect("apps.connections.open parses");
    assert_eq!(opened.url.0.scheme(), "ws");
    let bot_token_refused = bot
        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
        .await
        .expect_err("needs the app token");
    assert_eq!(api_error_code(bot_token_refused), "not_allowed_token_type");
}

#[tokio::test]
async fn an_unserved_method_answers_unknown_method_and_is_recorded() {
    let sim = sim().await;
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/chat.meMessage", sim.api_url()))
        .bearer_auth(&sim.config().bot_token)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    assert_eq!(
        answer,
        serde_json::json!({"ok": false, "error": "unknown_method"})
    );
    let calls = sim.recorder().calls_to("chat.meMessage");
    assert_eq!(
        calls.len(),
        1,
        "recorded so a test can see the bot needs it"
    );
}

#[tokio::test]
async fn conversations_list_and_info_find_coffee() {
    let sim = sim().await;
    let client = slack_client(&sim.api_url());
    let bot_token = token(&sim.config().bot_token);
    let session = client.open_session(&bot_token);
    let mut names = Vec::new();
    let mut cursor: Option<SlackCursorId> = None;
    loop {
        let page = session
            .conversations_list(
                &SlackApiConversationsListRequest::new()
                    .with_limit(2)
                    .with_types(vec![SlackConversationType::Public])
                    .opt_cursor(cursor.clone()),
            )
            .await
            .expect("conversations.list parses");
        names.extend(
            page.channels
                .iter()
                .filter_map(|channel| channel.name.clone()),
        );
        cursor = page
            .response_metadata
            .and_then(|metadata| metadata.next_cursor);
        if cursor.is_none() {
            break;
        }
    }
    let expected: Vec<String> = sim
        .channels()
        .into_iter()
        .map(|channel| channel.name)
        .collect();
    assert_eq!(names, expected);

    let coffee = sim.channel_named("coffee").expect("#coffee");
    let info = session
        .conversations_info(
            &SlackApiConversationsInfoRequest::new(coffee.id.clone().into())
                .with_include_num_members(true),
        )
        .await
        .expect("conversations.info parses");
    assert_eq!(info.channel.name.as_deref(), Some("coffee"));
    assert_eq!(info.channel.flags.is_member, Some(true));
    assert_eq!(info.channel.num_members, Some(coffee.members.len() as u64));
}
