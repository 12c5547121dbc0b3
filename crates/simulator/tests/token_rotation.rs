//! Token rotation: installs get expiring `xoxe.xoxb-…` access tokens and `xoxe-1-…`
//! refresh tokens; `oauth.v2.access` with `grant_type=refresh_token` buys the next pair.

mod common;

use common::install::{REDIRECT, authorize_link, oauth_access as access};
use common::{error_of, web_api};
use pourover_simulator::{CompanySpec, Consent, SLACK_TOKEN_LIFETIME, SlackSim, SlackSimConfig};
use serde_json::Value;

async fn rotating_sim(time_scale: f64) -> SlackSim {
    let config = SlackSimConfig {
        rate_limits: false,
        token_rotation: true,
        time_scale,
        ..SlackSimConfig::default()
    };
    let sim = SlackSim::start(config, CompanySpec::new(4, 1))
        .await
        .expect("simulator starts");
    // Without a redirect_uri in the link, Slack redirects to the app's configured one.
    sim.set_redirect_urls(vec![REDIRECT.to_owned()]);
    sim
}

/// Installs through the authorize page and returns oauth.v2.access's answer.
async fn install(sim: &SlackSim) -> Value {
    let link = authorize_link(sim, "chat:write", &[]);
    let code = sim
        .browser()
        .authorize(&link, &Consent::allow())
        .await
        .expect("redirected")
        .code
        .expect("a code");
    access(sim, &[("code", &code)]).await
}

fn text<'a>(answer: &'a Value, field: &str) -> &'a str {
    answer[field].as_str().unwrap_or_default()
}

#[tokio::test]
async fn with_rotation_an_install_gets_an_expiring_token_and_a_refresh_token() {
    let sim = rotating_sim(1.0).await;
    let answer = install(&sim).await;
    assert_eq!(answer["ok"], true, "{answer}");
    assert!(text(&answer, "access_token").starts_with("xoxe.xoxb-1-"));
    assert!(text(&answer, "refresh_token").starts_with("xoxe-1-"));
    let expires_in = answer["expires_in"].as_u64().expect("expires_in");
    let lifetime = SLACK_TOKEN_LIFETIME.as_secs();
    assert!(
        expires_in <= lifetime && expires_in > lifetime - 60,
        "{expires_in}"
    );
    let auth = web_api(
        &sim.api_url(),
        text(&answer, "access_token"),
        "auth.test",
        &[],
    )
    .await;
    assert_eq!(auth["ok"], true);
}

#[tokio::test]
async fn expires_in_counts_real_seconds_under_a_time_scale() {
    let sim = rotating_sim(60.0).await;
    let answer = install(&sim).await;
    let expires_in = answer["expires_in"].as_u64().expect("expires_in");
    assert!(
        (719..=720).contains(&expires_in),
        "12 Slack hours at 60x: {expires_in}"
    );
}

#[tokio::test]
async fn a_refresh_returns_a_new_pair_and_spends_the_refresh_token() {
    let sim = rotating_sim(1.0).await;
    let first = install(&sim).await;
    let refreshed = access(
        &sim,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", text(&first, "refresh_token")),
        ],
    )
    .await;
    assert_eq!(refreshed["ok"], true, "{refreshed}");
    assert_ne!(refreshed["access_token"], first["access_token"]);
    assert_ne!(refreshed["refresh_token"], first["refresh_token"]);
    assert_eq!(refreshed["team"]["id"], sim.config().team_id.as_str());
    assert_eq!(refreshed["bot_user_id"], sim.bot_user_id());
    assert!(refreshed["expires_in"].as_u64().is_some());
    let api = sim.api_url();
    for token in [
        text(&first, "access_token"),
        text(&refreshed, "access_token"),
    ] {
        let auth = web_api(&api, token, "auth.test", &[]).await;
        assert_eq!(
            auth["ok"], true,
            "the old token lasts until it expires: {auth}"
        );
    }
    let again = access(
        &sim,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", text(&first, "refresh_token")),
        ],
    )
    .await;
    assert_eq!(error_of(&again), "invalid_refresh_token");
    assert_eq!(
        sim.primary().installation().expect("installed").bot_token,
        text(&refreshed, "access_token")
    );
}

#[tokio::test]
async fn an_expired_token_gets_token_expired_until_the_app_refreshes() {
    let sim = rotating_sim(1.0).await;
    let first = install(&sim).await;
    sim.primary().expire_access_tokens();
    let api = sim.api_url();
    let answer = web_api(
        &api,
        text(&first, "access_token"),
        "chat.postMessage",
        &[("channel", "C1"), ("text", "hi")],
    )
    .await;
    assert_eq!(error_of(&answer), "token_expired");
    let refreshed = access(
        &sim,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", text(&first, "refresh_token")),
        ],
    )
    .await;
    let auth = web_api(&api, text(&refreshed, "access_token"), "auth.test", &[]).await;
    assert_eq!(auth["ok"], true, "{auth}");
}

#[tokio::test]
async fn a_refresh_token_is_not_an_access_token_and_a_made_up_one_is_refused() {
    let sim = rotating_sim(1.0).await;
    let first = install(&sim).await;
    let api = sim.api_url();
    let answer = web_api(&api, text(&first, "refresh_token"), "auth.test", &[]).await;
    assert_eq!(error_of(&answer), "invalid_auth");
    let answer = access(
        &sim,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "xoxe-1-made-up"),
        ],
    )
    .await;
    assert_eq!(error_of(&answer), "invalid_refresh_token");
    let answer = access(&sim, &[("grant_type", "refresh_token")]).await;
    assert_eq!(error_of(&answer), "invalid_refresh_token");
}

#[tokio::test]
async fn the_configured_bot_token_never_expires_even_with_rotation_on() {
    let sim = rotating_sim(1.0).await;
    let answer = web_api(&sim.api_url(), &sim.config().bot_token, "auth.test", &[]).await;
    assert_eq!(answer["ok"], true);
}
