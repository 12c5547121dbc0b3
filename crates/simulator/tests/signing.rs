//! Requests the driver sends are signed with Slack's v0 scheme: they verify with an
//! HMAC-SHA256 written from scratch here (RFC 2104 over `sha2`), and forged ones do not.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{FakeApp, Received};
use pourover_simulator::{CompanySpec, Forgery, SlackSim, SlackSimConfig};
use sha2::{Digest, Sha256};
use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;

const WAIT: Duration = Duration::from_secs(5);

/// HMAC-SHA256 per RFC 2104: H((K ^ opad) || H((K ^ ipad) || message)).
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let inner_pad: Vec<u8> = block_key.iter().map(|byte| byte ^ 0x36).collect();
    let outer_pad: Vec<u8> = block_key.iter().map(|byte| byte ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&inner_pad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// What an app must check: both headers, a fresh timestamp, a matching signature.
fn verifies(secret: &str, request: &Received) -> bool {
    let (Some(timestamp), Some(signature)) = (
        request.header("x-slack-request-timestamp"),
        request.header("x-slack-signature"),
    ) else {
        return false;
    };
    let Ok(sent_at) = timestamp.parse::<i64>() else {
        return false;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64;
    if (now - sent_at).abs() > 5 * 60 {
        return false;
    }
    let expected = hmac_sha256(
        secret.as_bytes(),
        format!("v0:{timestamp}:{}", request.body).as_bytes(),
    );
    let expected: String = expected.iter().map(|byte| format!("{byte:02x}")).collect();
    signature == format!("v0={expected}")
}

#[test]
fn the_from_scratch_hmac_matches_rfc_4231() {
    // RFC 4231 test case 2.
    let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
    let hex: String = mac.iter().map(|byte| format!("{byte:02x}")).collect();
    assert_eq!(
        hex,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

async fn sim() -> SlackSim {
    let config = SlackSimConfig {
        rate_limits: false,
        ..SlackSimConfig::default()
    };
    SlackSim::start(config, CompanySpec::new(6, 2))
        .await
        .expect("simulator starts")
}

#[tokio::test]
async fn commands_events_and_interactions_are_signed_correctly() {
    let sim = sim().await;
    let app = FakeApp::start().await;
    let driver = sim.app(&app.base_url);
    let person = sim.people().remove(0);
    let secret = sim.config().signing_secret.clone();

    driver
        .slash_command(&person.id, "/coffee", "join")
        .await
        .expect("delivered");
    driver.url_verification().await.expect("delivered");
    driver
        .event_json(serde_json::json!({"type": "app_mention", "user": person.id, "text": "hi", "channel": "C1", "ts": "1.000001"}))
        .await
        .expect("delivered");
    let received = app.wait_for_requests(3, WAIT).await;
    let paths: Vec<&str> = received
        .iter()
        .map(|request| request.path.as_str())
        .collect();
    assert_eq!(paths, ["/slack/commands", "/slack/events", "/slack/events"]);
    for request in &received {
        assert!(
            verifies(&secret, request),
            "signature verifies: {request:?}"
        );
        let verifier = SlackEventSignatureVerifier::new(&SlackSigningSecret::new(secret.clone()));
        verifier
            .verify(
                request.header("x-slack-signature").expect("signed"),
                &request.body,
                request
                    .header("x-slack-request-timestamp")
                    .expect("stamped"),
            )
            .expect("slack-morphism's verifier agrees");
    }
}

#[tokio::test]
async fn forged_requests_do_not_verify() {
    let sim = sim().await;
    let app = FakeApp::start().await;
    let person = sim.people().remove(0);
    let secret = sim.config().signing_secret.clone();
    let forgeries = [
        Forgery::WrongSecret,
        Forgery::StaleTimestamp,
        Forgery::MissingSignature,
        Forgery::MissingTimestamp,
        Forgery::MissingHeaders,
        Forgery::TamperedBody,
    ];
    for forgery in forgeries {
        sim.app(&app.base_url)
            .with_forgery(forgery)
            .slash_command(&person.id, "/coffee", "join")
            .await
            .expect("delivered");
    }
    let received = app.wait_for_requests(forgeries.len(), WAIT).await;
    for (request, forgery) in received.iter().zip(forgeries) {
        assert!(!verifies(&secret, request), "{forgery:?} must not verify");
    }
    let stale = &received[1];
    let signature_alone_is_right = {
        let timestamp = stale.header("x-slack-request-timestamp").expect("stamped");
        let expected = hmac_sha256(
            secret.as_bytes(),
            format!("v0:{timestamp}:{}", stale.body).as_bytes(),
        );
        let expected: String = expected.iter().map(|byte| format!("{byte:02x}")).collect();
        stale.header("x-slack-signature") == Some(format!("v0={expected}").as_str())
    };
    assert!(
        signature_alone_is_right,
        "a stale request fails on age alone"
    );
}
