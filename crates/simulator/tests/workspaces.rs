//! Several workspaces in one simulator: each has its own people, channels, bot user and
//! tokens, and a token for one never sees another's data.

mod common;

use std::time::Duration;

use common::install::{assert_signed, coffee_drinker};
use common::{FakeApp, error_of, web_api};
use pourover_simulator::{CompanySpec, SimWorkspace, SlackSim, SlackSimConfig, WorkspaceSpec};
use serde_json::Value;
use slack_morphism::prelude::*;

const WAIT: Duration = Duration::from_secs(5);

async fn sim() -> SlackSim {
    let config = SlackSimConfig {
        rate_limits: false,
        ..SlackSimConfig::default()
    };
    SlackSim::start(config, CompanySpec::new(8, 2))
        .await
        .expect("simulator starts")
}

fn second_workspace(sim: &SlackSim) -> SimWorkspace {
    sim.add_workspace(WorkspaceSpec::new(
        "T0SECOND01",
        "Second Roasters",
        CompanySpec::new(6, 2),
    ))
    .expect("added")
}

#[tokio::test]
async fn a_single_workspace_simulator_is_unchanged_by_default() {
    let sim = sim().await;
    assert_eq!(sim.workspaces().len(), 1);
    let primary = sim.primary();
    assert_eq!(primary.team_id(), sim.config().team_id);
    assert_eq!(primary.bot_user_id(), sim.bot_user_id());
    assert_eq!(
        primary.bot_token().as_deref(),
        Some(sim.config().bot_token.as_str())
    );
    let answer = web_api(&sim.api_url(), &sim.config().bot_token, "auth.test", &[]).await;
    assert_eq!(answer["team_id"], sim.config().team_id.as_str());
    assert_eq!(answer["user_id"], sim.bot_user_id());
    assert_eq!(answer["is_enterprise_install"], false);
    assert!(answer.get("enterprise_id").is_none());
}

#[tokio::test]
async fn each_workspace_has_its_own_people_channels_and_bot_user() {
    let sim = sim().await;
    let before: Vec<String> = sim.people().into_iter().map(|person| person.id).collect();
    let second = second_workspace(&sim);
    let after: Vec<String> = sim.people().into_iter().map(|person| person.id).collect();
    assert_eq!(before, after, "adding a workspace changes no other");
    assert_eq!(second.people().len(), 6);
    assert!(
        second
            .people()
            .iter()
            .all(|person| sim.user(&person.id).is_none())
    );
    let coffee = second.channel_named("coffee").expect("#coffee");
    assert!(sim.conversation(&coffee.id).is_none());
    assert!(coffee.members.contains(&second.bot_user_id()));
    assert_ne!(second.bot_user_id(), sim.bot_user_id());
    assert_eq!(second.team().name, "Second Roasters");
    assert!(
        second.installation().is_none(),
        "not installed until a test installs it"
    );
    assert_eq!(second.bot_token(), None);
}

#[tokio::test]
async fn a_token_for_one_workspace_never_sees_another_workspaces_data() {
    let sim = sim().await;
    let second = second_workspace(&sim);
    let token_b = second.install().expect("installed").bot_token;
    let token_a = sim.config().bot_token.clone();
    let api = sim.api_url();
    let coffee_b = second.channel_named("coffee").expect("#coffee").id;
    let person_b = second.people().remove(0).id;

    for (method, form) in [
        ("conversations.info", vec![("channel", coffee_b.as_str())]),
        (
            "conversations.history",
            vec![("channel", coffee_b.as_str())],
        ),
        (
            "conversations.members",
            vec![("channel", coffee_b.as_str())],
        ),
        (
            "chat.postMessage",
            vec![("channel", coffee_b.as_str()), ("text", "hello")],
        ),
    ] {
        let answer = web_api(&api, &token_a, method, &form).await;
        assert_eq!(error_of(&answer), "channel_not_found", "{method}: {answer}");
    }
    let answer = web_api(&api, &token_a, "users.info", &[("user", &person_b)]).await;
    assert_eq!(error_of(&answer), "user_not_found");
    let answer = web_api(
        &api,
        &token_a,
        "chat.postMessage",
        &[("channel", &person_b), ("text", "hi")],
    )
    .await;
    assert_eq!(error_of(&answer), "channel_not_found");
    let answer = web_api(
        &api,
        &token_a,
        "users.list",
        &[("team_id", second.team_id())],
    )
    .await;
    assert_eq!(error_of(&answer), "team_access_not_granted");
    let listed = web_api(&api, &token_a, "users.list", &[]).await;
    let ids: Vec<&str> = listed["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|member| member["id"].as_str())
        .collect();
    assert!(!ids.contains(&person_b.as_str()));

    let posted = web_api(
        &api,
        &token_b,
        "chat.postMessage",
        &[("channel", &coffee_b), ("text", "hello B")],
    )
    .await;
    assert_eq!(posted["ok"], true, "{posted}");
    assert_eq!(posted["message"]["team"], second.team_id());
    assert_eq!(posted["message"]["user"], second.bot_user_id().as_str());
    let recorder = sim.recorder();
    assert_eq!(recorder.messages(&coffee_b).len(), 1);
    assert_eq!(recorder.all_messages_in(second.team_id()).len(), 1);
    assert!(recorder.all_messages_in(&sim.config().team_id).is_empty());
    let calls = recorder.calls_to("chat.postMessage");
    assert_eq!(
        calls.last().and_then(|call| call.team_id.as_deref()),
        Some(second.team_id())
    );
}

#[tokio::test]
async fn auth_test_and_team_info_name_the_tokens_workspace() {
    let sim = sim().await;
    let second = second_workspace(&sim);
    let token = second.install().expect("installed").bot_token;
    let api = sim.api_url();
    let client = common::slack_client(&api);
    let bot_token = common::token(&token);
    let session = client.open_session(&bot_token);
    let auth = session
        .auth_test()
        .await
        .expect("slack-morphism reads auth.test");
    assert_eq!(auth.team_id.0, second.team_id());
    assert_eq!(auth.user_id.0, second.bot_user_id());
    assert_eq!(auth.bot_id.map(|id| id.0), Some(second.bot_id()));
    let info = session
        .team_info(&SlackApiTeamInfoRequest::new())
        .await
        .expect("slack-morphism reads team.info");
    assert_eq!(info.team.id.0, second.team_id());
    assert_eq!(info.team.name.as_deref(), Some("Second Roasters"));
    assert_eq!(info.team.domain.as_deref(), Some("second-roasters"));
    let other = web_api(
        &api,
        &token,
        "team.info",
        &[("team", &sim.config().team_id)],
    )
    .await;
    assert_eq!(error_of(&other), "team_not_found");
}

#[tokio::test]
async fn payloads_from_a_workspace_name_it_and_are_signed_with_the_apps_secret() {
    let sim = sim().await;
    let second = second_workspace(&sim);
    second.install().expect("installed");
    let app = FakeApp::start().await;
    let driver = second.app(&app.base_url);
    assert_eq!(driver.team_id(), second.team_id());
    let (coffee, person) = coffee_drinker(&second);
    driver
        .slash_command(&person, "/coffee", "join")
        .await
        .expect("delivered");
    let (_, event) = second
        .post_as_user(&person, &coffee.id, "hi")
        .expect("posted");
    driver
        .event(event.expect("the bot is in #coffee"))
        .await
        .expect("delivered");
    let requests = app.wait_for_requests(2, WAIT).await;
    for request in &requests {
        assert_signed(request, &sim.config().signing_secret);
    }
    let command: SlackCommandEvent =
        serde_urlencoded::from_str(&requests[0].body).expect("slack-morphism's model");
    assert_eq!(command.team_id.0, second.team_id());
    assert_eq!(command.team_domain.as_deref(), Some("second-roasters"));
    assert_eq!(
        requests[0].form_field("is_enterprise_install").as_deref(),
        Some("false")
    );
    let envelope: Value = serde_json::from_str(&requests[1].body).expect("json");
    assert_eq!(envelope["team_id"], second.team_id());
    assert_eq!(envelope["authorizations"][0]["team_id"], second.team_id());
    assert_eq!(
        envelope["authorizations"][0]["user_id"],
        second.bot_user_id().as_str()
    );
    assert_eq!(
        envelope["authorizations"][0]["is_enterprise_install"],
        false
    );
    let parsed: SlackPushEvent = serde_json::from_value(envelope).expect("slack-morphism's model");
    assert!(matches!(parsed, SlackPushEvent::EventCallback(_)));
    assert!(
        sim.recorder()
            .deliveries()
            .iter()
            .all(|delivery| delivery.team_id == second.team_id())
    );
}

#[tokio::test]
async fn a_team_id_that_is_taken_is_refused() {
    let sim = sim().await;
    let taken = WorkspaceSpec::new(&sim.config().team_id, "Again", CompanySpec::new(2, 1));
    assert!(sim.add_workspace(taken).is_err());
}
