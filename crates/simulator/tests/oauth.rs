//! Installing the app through OAuth v2: the authorize page a browser drives, then
//! `oauth.v2.access` exchanging the code, as Slack answers them.

mod common;

use common::install::{self, REDIRECT, oauth_access_with_form as exchange};
use common::{error_of, web_api};
use pourover_simulator::{
    CompanySpec, Consent, SimError, SimWorkspace, SlackSim, SlackSimConfig, WorkspaceSpec,
};
use serde_json::Value;
use slack_morphism::prelude::*;

async fn sim() -> (SlackSim, SimWorkspace) {
    let config = SlackSimConfig {
        rate_limits: false,
        ..SlackSimConfig::default()
    };
    let sim = SlackSim::start(config, CompanySpec::new(6, 2))
        .await
        .expect("simulator starts");
    sim.set_redirect_urls(vec![REDIRECT.to_owned()]);
    let second = sim
        .add_workspace(WorkspaceSpec::new(
            "T0SECOND01",
            "Second Roasters",
            CompanySpec::new(5, 1),
        ))
        .expect("added");
    (sim, second)
}

/// The link an app's "Add to Slack" button points at, with `state` and maybe `team`.
fn authorize_link(sim: &SlackSim, state: &str, team: Option<&str>) -> String {
    let mut extra = vec![("redirect_uri", REDIRECT), ("state", state)];
    extra.extend(team.map(|team| ("team", team)));
    install::authorize_link(sim, "commands,chat:write,users:read", &extra)
}

#[tokio::test]
async fn an_install_through_the_authorize_page_gives_a_token_for_the_chosen_workspace() {
    let (sim, second) = sim().await;
    let installer = second.people().remove(0).id;
    let redirect = sim
        .browser()
        .authorize(
            &authorize_link(&sim, "st4te", None),
            &Consent::allow()
                .in_workspace(second.team_id())
                .as_user(&installer),
        )
        .await
        .expect("redirected");
    assert!(
        redirect.location.starts_with(REDIRECT),
        "{}",
        redirect.location
    );
    assert_eq!(redirect.state.as_deref(), Some("st4te"));
    assert_eq!(redirect.error, None);
    let code = redirect.code.expect("a code");

    // slack-morphism's own call: HTTP Basic client credentials, code in the query.
    let client = common::slack_client(&sim.api_url());
    let access = client
        .oauth2_access(
            &SlackOAuthV2AccessTokenRequest::new(
                sim.config().client_id.clone().into(),
                sim.config().client_secret.clone().into(),
                code.into(),
            )
            .with_redirect_uri(REDIRECT.parse().expect("a URL")),
        )
        .await
        .expect("slack-morphism reads the answer");
    assert_eq!(access.team.id.0, second.team_id());
    assert_eq!(access.authed_user.id.0, installer);
    assert_eq!(
        access.bot_user_id.map(|id| id.0),
        Some(second.bot_user_id())
    );
    assert_eq!(access.app_id.0, sim.app_id());
    assert_eq!(access.scope.0, "commands,chat:write,users:read");
    let token = access.access_token.0;
    assert!(token.starts_with("xoxb-"));
    let auth = web_api(&sim.api_url(), &token, "auth.test", &[]).await;
    assert_eq!(auth["team_id"], second.team_id());
    let installed = second.installation().expect("installed");
    assert_eq!(installed.bot_token, token);
    assert_eq!(installed.installer, installer);
    assert_eq!(installed.scopes, ["commands", "chat:write", "users:read"]);
}

#[tokio::test]
async fn the_authorize_links_team_preselects_the_workspace() {
    let (sim, second) = sim().await;
    let redirect = sim
        .browser()
        .authorize(
            &authorize_link(&sim, "s", Some(second.team_id())),
            &Consent::allow(),
        )
        .await
        .expect("redirected");
    let code = redirect.code.expect("a code");
    let answer = exchange(
        &sim,
        &[
            ("client_id", &sim.config().client_id),
            ("client_secret", &sim.config().client_secret),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["team"]["id"], second.team_id());
    assert_eq!(answer["is_enterprise_install"], false);
    assert_eq!(answer["enterprise"], Value::Null);
    assert_eq!(answer["token_type"], "bot");
    assert!(
        answer.get("refresh_token").is_none(),
        "no rotation, no refresh token"
    );
}

#[tokio::test]
async fn cancelling_on_the_consent_page_redirects_with_access_denied() {
    let (sim, _) = sim().await;
    let redirect = sim
        .browser()
        .authorize(&authorize_link(&sim, "xyz", None), &Consent::deny())
        .await
        .expect("redirected");
    assert_eq!(redirect.error.as_deref(), Some("access_denied"));
    assert_eq!(redirect.state.as_deref(), Some("xyz"));
    assert_eq!(redirect.code, None);
}

#[tokio::test]
async fn a_code_can_be_exchanged_only_once() {
    let (sim, _) = sim().await;
    let code = sim
        .browser()
        .authorize(&authorize_link(&sim, "s", None), &Consent::allow())
        .await
        .expect("redirected")
        .code
        .expect("a code");
    let form = [
        ("client_id", sim.config().client_id.as_str()),
        ("client_secret", sim.config().client_secret.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    assert_eq!(exchange(&sim, &form).await["ok"], true);
    assert_eq!(error_of(&exchange(&sim, &form).await), "invalid_code");
    let made_up = [form[0], form[1], ("code", "123.456.abc"), form[3]];
    assert_eq!(error_of(&exchange(&sim, &made_up).await), "invalid_code");
}

#[tokio::test]
async fn wrong_client_credentials_and_a_different_redirect_uri_are_refused() {
    let (sim, _) = sim().await;
    let code = || async {
        sim.browser()
            .authorize(&authorize_link(&sim, "s", None), &Consent::allow())
            .await
            .expect("redirected")
            .code
            .expect("a code")
    };
    let id = sim.config().client_id.clone();
    let secret = sim.config().client_secret.clone();
    let first = code().await;
    let answer = exchange(
        &sim,
        &[
            ("client_id", "999.999"),
            ("client_secret", &secret),
            ("code", &first),
        ],
    )
    .await;
    assert_eq!(error_of(&answer), "invalid_client_id");
    let second = code().await;
    let answer = exchange(
        &sim,
        &[
            ("client_id", &id),
            ("client_secret", "nope"),
            ("code", &second),
        ],
    )
    .await;
    assert_eq!(error_of(&answer), "bad_client_secret");
    let third = code().await;
    let answer = exchange(
        &sim,
        &[
            ("client_id", &id),
            ("client_secret", &secret),
            ("code", &third),
            ("redirect_uri", "http://127.0.0.1:9/elsewhere"),
        ],
    )
    .await;
    assert_eq!(error_of(&answer), "bad_redirect_uri");
    let answer = exchange(
        &sim,
        &[
            ("client_id", &id),
            ("client_secret", &secret),
            ("grant_type", "password"),
        ],
    )
    .await;
    assert_eq!(error_of(&answer), "invalid_grant_type");
}

#[tokio::test]
async fn slack_shows_an_error_page_for_a_bad_authorize_request_instead_of_redirecting() {
    let (sim, _) = sim().await;
    let browser = sim.browser();
    let wrong_redirect = authorize_link(&sim, "s", None).replace("oauth_redirect", "elsewhere");
    let refused = browser.authorize(&wrong_redirect, &Consent::allow()).await;
    assert!(
        matches!(&refused, Err(SimError::OAuthRefused { status: 400, code }) if code == "bad_redirect_uri"),
        "{refused:?}"
    );
    let wrong_client = authorize_link(&sim, "s", None).replace(&sim.config().client_id, "42.42");
    let refused = browser.authorize(&wrong_client, &Consent::allow()).await;
    assert!(
        matches!(&refused, Err(SimError::OAuthRefused { code, .. }) if code == "invalid_client_id"),
        "{refused:?}"
    );
    // The consent page itself is plain HTML a browser shows.
    let page = reqwest::get(authorize_link(&sim, "s", None))
        .await
        .expect("answers");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("text");
    assert!(html.contains("name=\"decision\" value=\"allow\""));
}

#[tokio::test]
async fn a_link_to_slack_com_reaches_the_simulator() {
    let (sim, second) = sim().await;
    let slack_link = authorize_link(&sim, "s", Some(second.team_id()))
        .replace(sim.base_url(), "https://slack.com");
    let redirect = sim
        .browser()
        .authorize(&slack_link, &Consent::allow())
        .await
        .expect("redirected");
    assert!(redirect.code.is_some());
}

#[tokio::test]
async fn a_web_api_token_is_not_a_client_credential() {
    let (sim, _) = sim().await;
    let answer = web_api(
        &sim.api_url(),
        &sim.config().bot_token,
        "oauth.v2.access",
        &[("code", "1.2.3")],
    )
    .await;
    assert_eq!(error_of(&answer), "invalid_client_id");
}
