//! Bot Framework's identity endpoints: OpenID metadata, signing keys with endorsements,
//! client-credentials tokens — and the tokens the driver signs, genuine and forged.

mod teams_common;

use std::collections::HashSet;
use std::time::Instant;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use pourover_simulator::teams::{BOT_FRAMEWORK_ISSUER, TokenForgery};
use serde_json::Value;
use teams_common::{FakeBot, sim};

async fn keys(sim: &pourover_simulator::teams::TeamsSim) -> Value {
    let metadata: Value = reqwest::get(sim.openid_metadata_url())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(metadata["issuer"], BOT_FRAMEWORK_ISSUER);
    assert_eq!(
        metadata["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    reqwest::get(metadata["jwks_uri"].as_str().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_openid_metadata_leads_to_rsa_keys_with_endorsements() {
    let started = Instant::now();
    let sim = sim().await;
    eprintln!(
        "simulator with its RSA key ready in {:?}",
        started.elapsed()
    );
    let keys = keys(&sim).await;
    let keys = keys["keys"].as_array().unwrap();
    assert!(keys.len() >= 2);
    for key in keys {
        assert_eq!(key["kty"], "RSA");
        assert!(key["n"].as_str().unwrap().len() > 300, "a 2048-bit modulus");
        assert!(key["endorsements"].as_array().is_some());
    }
    assert!(keys.iter().any(|k| {
        k["endorsements"]
            .as_array()
            .unwrap()
            .contains(&"msteams".into())
    }));
    assert_eq!(sim.recorder().openid_fetches(), 1);
    assert_eq!(sim.recorder().jwks_fetches(), 1);
}

#[tokio::test]
async fn the_token_endpoint_grants_the_bots_credentials_and_refuses_others() {
    let sim = sim().await;
    let http = reqwest::Client::new();
    let ask = |secret: &str, scope: &str| {
        http.post(sim.token_url())
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", sim.config().app_id.as_str()),
                ("client_secret", secret),
                ("scope", scope),
            ])
            .send()
    };
    let granted = ask(
        &sim.config().app_password,
        "https://api.botframework.com/.default",
    )
    .await
    .unwrap();
    assert_eq!(granted.status(), 200);
    let body: Value = granted.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_u64().unwrap() > 0);
    assert!(!body["access_token"].as_str().unwrap().is_empty());

    let wrong_secret = ask("nope", "https://api.botframework.com/.default")
        .await
        .unwrap();
    assert_eq!(wrong_secret.status(), 401);
    let body: Value = wrong_secret.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");

    let wrong_scope = ask(
        &sim.config().app_password,
        "https://graph.microsoft.com/.default",
    )
    .await
    .unwrap();
    assert_eq!(wrong_scope.status(), 400);
    let requests = sim.recorder().token_requests();
    assert_eq!(
        requests.iter().map(|r| r.granted).collect::<Vec<_>>(),
        [true, false, false]
    );
}

/// Verifies a token as a bot must, returning what failed.
fn check(token: &str, keys: &Value, app_id: &str, service_url: &str) -> Result<(), String> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| format!("header: {e}"))?;
    if header.alg != Algorithm::RS256 {
        return Err("algorithm".into());
    }
    let kid = header.kid.ok_or("kid")?;
    let key = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .ok_or("unknown kid")?;
    let decoding =
        DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
            .unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[BOT_FRAMEWORK_ISSUER]);
    validation.set_audience(&[app_id]);
    validation.leeway = 300;
    validation.validate_nbf = true;
    let data = jsonwebtoken::decode::<Value>(token, &decoding, &validation)
        .map_err(|e| format!("{:?}", e.kind()))?;
    if data.claims["serviceurl"] != service_url {
        return Err("serviceurl".into());
    }
    if !key["endorsements"]
        .as_array()
        .unwrap()
        .contains(&"msteams".into())
    {
        return Err("endorsement".into());
    }
    Ok(())
}

#[tokio::test]
async fn genuine_tokens_verify_and_every_forgery_fails_a_different_check() {
    let sim = sim().await;
    let bot = FakeBot::start().await;
    let keys = keys(&sim).await;
    let team = sim.teams().remove(0);
    let user = &team.members[0];

    sim.bot(&bot.endpoint).message(user, "hello").await.unwrap();
    let genuine = bot.last();
    let token = genuine
        .authorization
        .as_deref()
        .unwrap()
        .strip_prefix("Bearer ")
        .unwrap()
        .to_owned();
    let service_url = genuine.activity["serviceUrl"].as_str().unwrap().to_owned();
    assert_eq!(service_url, sim.service_url());
    check(&token, &keys, &sim.config().app_id, &service_url).unwrap();

    let mut failures = HashSet::new();
    for forgery in TokenForgery::ALL {
        sim.bot(&bot.endpoint)
            .with_forgery(forgery)
            .message(user, "hello")
            .await
            .unwrap();
        let received = bot.last();
        let outcome = match received.authorization.as_deref() {
            None => Err("missing".to_owned()),
            Some(header) => match header.strip_prefix("Bearer ") {
                None => Err("not bearer".to_owned()),
                Some(token) => check(token, &keys, &sim.config().app_id, &service_url),
            },
        };
        let failure = outcome.expect_err(&format!("{forgery:?} must not verify"));
        failures.insert(failure);
    }
    // Expired and not-yet-valid both fail on time; every other forgery trips its own check.
    assert!(
        failures.len() >= TokenForgery::ALL.len() - 2,
        "{failures:?}"
    );
}

#[tokio::test]
async fn a_rotated_key_is_published_next_to_the_old_one() {
    let sim = sim().await;
    let before = keys(&sim).await["keys"].as_array().unwrap().len();
    let kid = sim.rotate_signing_key();
    let after = keys(&sim).await;
    let kids: Vec<&str> = after["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids.len(), before + 1);
    assert!(kids.contains(&kid.as_str()));
}
