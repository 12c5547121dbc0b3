//! Uninstalling the app: Slack sends signed `tokens_revoked` and `app_uninstalled` events
//! and the installation's tokens stop working.

mod common;

use std::time::Duration;

use common::install::{assert_signed, oauth_access};
use common::{FakeApp, error_of, web_api};
use pourover_simulator::{CompanySpec, SimError, SlackSim, SlackSimConfig, WorkspaceSpec};
use serde_json::Value;
use slack_morphism::prelude::*;

const WAIT: Duration = Duration::from_secs(5);

async fn sim(token_rotation: bool) -> SlackSim {
    let config = SlackSimConfig {
        rate_limits: false,
        token_rotation,
        ..SlackSimConfig::default()
    };
    SlackSim::start(config, CompanySpec::new(4, 1))
        .await
        .expect("simulator starts")
}

#[tokio::test]
async fn uninstalling_sends_signed_tokens_revoked_and_app_uninstalled_and_ends_the_tokens() {
    let sim = sim(true).await;
    let second = sim
        .add_workspace(WorkspaceSpec::new(
            "T0SECOND01",
            "Second",
            CompanySpec::new(3, 1),
        ))
        .expect("added");
    let installed = second.install().expect("installed");
    let app = FakeApp::start().await;
    let answers = second
        .app(&app.base_url)
        .uninstall_app()
        .await
        .expect("delivered");
    assert_eq!(answers.len(), 2);
    let requests = app.wait_for_requests(2, WAIT).await;
    let mut types = Vec::new();
    for request in &requests {
        assert_eq!(request.path, "/slack/events");
        assert_signed(request, &sim.config().signing_secret);
        let body: Value = serde_json::from_str(&request.body).expect("json");
        assert_eq!(body["type"], "event_callback");
        assert_eq!(body["team_id"], second.team_id());
        assert_eq!(body["api_app_id"], sim.app_id());
        assert!(body["event"]["event_ts"].is_string());
        types.push(
            body["event"]["type"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        if body["event"]["type"] == "tokens_revoked" {
            assert_eq!(
                body["event"]["tokens"]["bot"][0],
                second.bot_user_id().as_str()
            );
        }
        let parsed: SlackPushEvent = serde_json::from_value(body).expect("slack-morphism's model");
        if let SlackPushEvent::EventCallback(callback) = parsed
            && types.last().map(String::as_str) == Some("app_uninstalled")
        {
            assert!(matches!(
                callback.event,
                SlackEventCallbackBody::AppUninstalled(_)
            ));
        }
    }
    assert_eq!(types, ["tokens_revoked", "app_uninstalled"]);

    let api = sim.api_url();
    let answer = web_api(&api, &installed.bot_token, "auth.test", &[]).await;
    assert_eq!(error_of(&answer), "account_inactive");
    let refresh = installed.refresh_token.expect("rotation");
    let answer = oauth_access(
        &sim,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ],
    )
    .await;
    assert_eq!(error_of(&answer), "invalid_refresh_token");
    let installation = second.installation().expect("still known");
    assert!(!installation.active);
    assert_eq!(second.bot_token(), None);
    // The other workspace is untouched.
    let answer = web_api(&api, &sim.config().bot_token, "auth.test", &[]).await;
    assert_eq!(answer["ok"], true);
}

#[tokio::test]
async fn an_uninstall_the_app_never_hears_about_still_ends_the_tokens() {
    let sim = sim(false).await;
    let envelopes = sim.primary().uninstall().expect("uninstalled");
    assert_eq!(envelopes.len(), 2, "returned for delivery, or to drop");
    let answer = web_api(
        &sim.api_url(),
        &sim.config().bot_token,
        "chat.postMessage",
        &[("channel", "C1"), ("text", "hi")],
    )
    .await;
    assert_eq!(error_of(&answer), "account_inactive");
    assert!(matches!(
        sim.primary().uninstall(),
        Err(SimError::NotInstalled(_))
    ));
}

#[tokio::test]
async fn a_workspace_can_install_the_app_again_after_uninstalling_it() {
    let sim = sim(false).await;
    sim.primary().uninstall().expect("uninstalled");
    let again = sim.primary().install().expect("installed again");
    assert_ne!(again.bot_token, sim.config().bot_token);
    let answer = web_api(&sim.api_url(), &again.bot_token, "auth.test", &[]).await;
    assert_eq!(answer["ok"], true);
    let old = web_api(&sim.api_url(), &sim.config().bot_token, "auth.test", &[]).await;
    assert_eq!(
        error_of(&old),
        "token_revoked",
        "the old installation's token stays dead"
    );
}
