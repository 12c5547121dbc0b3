//! Installing the app and checking what Slack sends it, shared by the multi-workspace
//! tests.

use pourover_simulator::slack::signing::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use pourover_simulator::{SimConversation, SimWorkspace, SlackSim};
use serde_json::Value;

use super::Received;

/// The redirect URL the tests configure for the app.
pub const REDIRECT: &str = "http://127.0.0.1:9/slack/oauth_redirect";

/// The link an app's "Add to Slack" button points at: the app's client id, `scope`, and
/// any `extra` parameters (`redirect_uri`, `state`, `team`).
pub fn authorize_link(sim: &SlackSim, scope: &str, extra: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&sim.authorize_url()).expect("a URL");
    url.query_pairs_mut()
        .append_pair("client_id", &sim.config().client_id)
        .append_pair("scope", scope)
        .extend_pairs(extra);
    url.to_string()
}

/// oauth.v2.access with the app's client credentials in HTTP Basic auth.
pub async fn oauth_access(sim: &SlackSim, form: &[(&str, &str)]) -> Value {
    let config = sim.config();
    post_oauth_access(
        reqwest::Client::new()
            .post(format!("{}/oauth.v2.access", sim.api_url()))
            .basic_auth(&config.client_id, Some(&config.client_secret)),
        form,
    )
    .await
}

/// oauth.v2.access with only `form` (credentials, if any, as form parameters).
pub async fn oauth_access_with_form(sim: &SlackSim, form: &[(&str, &str)]) -> Value {
    post_oauth_access(
        reqwest::Client::new().post(format!("{}/oauth.v2.access", sim.api_url())),
        form,
    )
    .await
}

async fn post_oauth_access(request: reqwest::RequestBuilder, form: &[(&str, &str)]) -> Value {
    request
        .form(form)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json")
}

/// Asserts `request` carries Slack's v0 signature under `signing_secret`.
pub fn assert_signed(request: &Received, signing_secret: &str) {
    let timestamp: i64 = request
        .header(TIMESTAMP_HEADER)
        .and_then(|value| value.parse().ok())
        .expect("a timestamp");
    let expected = sign(signing_secret, timestamp, &request.body).expect("signs");
    assert_eq!(request.header(SIGNATURE_HEADER), Some(expected.as_str()));
}

/// The workspace's #coffee and someone in it besides the app's bot.
pub fn coffee_drinker(workspace: &SimWorkspace) -> (SimConversation, String) {
    let coffee = workspace.channel_named("coffee").expect("#coffee");
    let bot = workspace.bot_user_id();
    let person = coffee
        .members
        .iter()
        .find(|member| **member != bot)
        .expect("someone drinks coffee")
        .clone();
    (coffee, person)
}
