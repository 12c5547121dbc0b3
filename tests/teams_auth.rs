//! `POST /api/messages` accepts only what Bot Framework really sent, for this bot:
//! every forged token is refused with 403 and nothing of the activity is processed.

mod teams_support;

use pourover_simulator::teams::{ConnectorOperation, TokenForgery};
use serde_json::json;
use teams_support::TeamsBot;

#[tokio::test]
async fn every_forged_token_is_refused_and_nothing_is_processed() {
    let bot = TeamsBot::start().await;
    let team = bot.team(0);
    let user = team.members[1].clone();
    for forgery in TokenForgery::ALL {
        let driver = bot.driver().with_forgery(forgery);
        let typed = driver.message(&user, "join").await.unwrap();
        assert_eq!(typed.status, 403, "{forgery:?}: a typed command");
        let install = driver.install_in_team(&team.id, &user).await.unwrap();
        assert_eq!(install.status, 403, "{forgery:?}: an install");
    }
    let store = bot.app.store();
    let workspace = bot.workspace().await;
    assert!(
        store.programs(workspace).await.unwrap().is_empty(),
        "no program was created"
    );
    assert!(
        store.workspace_members(workspace).await.unwrap().is_empty(),
        "nobody was looked up or enrolled"
    );
    assert!(
        bot.sim.recorder().calls().is_empty(),
        "the bot never called Teams back"
    );
    assert!(
        bot.sim.recorder().token_requests().is_empty(),
        "nor even asked for a token"
    );
    // A genuine activity after all that is served.
    assert!(bot.say(&user, "help").await.contains("join"));
    bot.stop().await;
}

#[tokio::test]
async fn a_valid_token_on_an_unreadable_activity_is_a_bad_request() {
    let bot = TeamsBot::start().await;
    let response = bot
        .driver()
        .send_activity(json!({ "serviceUrl": bot.sim.service_url(), "channelId": "msteams" }))
        .await
        .unwrap();
    assert_eq!(response.status, 400);
    bot.stop().await;
}

#[tokio::test]
async fn the_signing_keys_are_fetched_once_and_reused() {
    let bot = TeamsBot::start().await;
    let user = bot.team(0).members[1].clone();
    for _ in 0..3 {
        bot.say(&user, "help").await;
    }
    assert_eq!(bot.sim.recorder().jwks_fetches(), 1);
    assert_eq!(bot.sim.recorder().openid_fetches(), 1);
    bot.stop().await;
}

#[tokio::test]
async fn a_flood_of_unknown_key_ids_refetches_the_keys_at_most_once() {
    let bot = TeamsBot::start().await;
    let user = bot.team(0).members[1].clone();
    bot.say(&user, "help").await;
    let forged = bot.driver().with_forgery(TokenForgery::UnknownKeyId);
    for _ in 0..20 {
        assert_eq!(forged.message(&user, "join").await.unwrap().status, 403);
    }
    assert_eq!(
        bot.sim.recorder().jwks_fetches(),
        2,
        "the first fetch, then one refetch for the unknown key id"
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_rotated_signing_key_is_picked_up_from_the_key_set() {
    let bot = TeamsBot::start().await;
    let user = bot.team(0).members[1].clone();
    bot.say(&user, "help").await;
    bot.sim.rotate_signing_key();
    assert!(bot.say(&user, "help").await.contains("join"));
    assert_eq!(bot.sim.recorder().jwks_fetches(), 2);
    bot.stop().await;
}

#[tokio::test]
async fn an_activity_teams_delivers_twice_is_handled_once() {
    let bot = TeamsBot::start().await;
    let user = bot.team(0).members[1].clone();
    let driver = bot.driver();
    let activity = driver.prepare_message(&user, "help").unwrap();
    assert_eq!(
        driver.send_activity(activity.clone()).await.unwrap().status,
        200
    );
    assert_eq!(driver.send_activity(activity).await.unwrap().status, 200);
    assert_eq!(bot.sim.recorder().messages_to(&user).len(), 1);
    assert_eq!(
        bot.sim
            .recorder()
            .calls_to(ConnectorOperation::ReplyToActivity)
            .len(),
        1
    );
    bot.stop().await;
}

#[tokio::test]
async fn activities_from_another_tenant_are_ignored() {
    let bot = TeamsBot::start().await;
    let user = bot.team(0).members[1].clone();
    let driver = bot.driver();
    let mut activity = driver.prepare_message(&user, "join").unwrap();
    activity["channelData"]["tenant"]["id"] = json!("another-tenant");
    activity["conversation"]["tenantId"] = json!("another-tenant");
    assert_eq!(driver.send_activity(activity).await.unwrap().status, 200);
    assert!(bot.sim.recorder().calls().is_empty());
    bot.stop().await;
}

#[tokio::test]
async fn an_activity_over_the_body_limit_is_refused_before_anything_else() {
    let bot = TeamsBot::start_with(
        pourover_simulator::teams::TeamsSimConfig::default(),
        pourover_simulator::teams::TenantSpec::default(),
        &[("POUROVER_MAX_BODY_BYTES", "4096")],
    )
    .await;
    let user = bot.team(0).members[1].clone();
    let driver = bot.driver();
    let mut activity = driver.prepare_message(&user, "help").unwrap();
    activity["text"] = "x".repeat(8192).into();
    assert_eq!(driver.send_activity(activity).await.unwrap().status, 413);
    assert!(bot.sim.recorder().calls().is_empty());
    bot.stop().await;
}
