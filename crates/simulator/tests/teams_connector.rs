//! The Bot Connector as Teams serves it to bots: 1:1 conversations only, posts and
//! updates, Teams' error bodies, paged rosters — and no history to read back.

mod teams_common;

use pourover_simulator::teams::{ConnectorOperation, ConnectorOutcome, TeamsSimConfig, TenantSpec};
use serde_json::{Value, json};
use teams_common::{Connector, FakeBot, sim, sim_with};

#[tokio::test]
async fn a_bot_can_open_a_one_to_one_chat_only_with_someone_in_a_team_it_is_installed_in() {
    let sim = sim().await;
    let bot = FakeBot::start().await;
    let connector = Connector::for_sim(&sim).await;
    let team = sim.teams().remove(0);
    let member = team.members[0].clone();
    let body = json!({
        "bot": { "id": sim.bot_id() },
        "members": [{ "id": member }],
        "channelData": { "tenant": { "id": sim.config().tenant_id } },
    });

    let refused = connector.post("v3/conversations", &body).await;
    assert_eq!(refused.status(), 403);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["code"], "ForbiddenOperationException");

    sim.bot(&bot.endpoint)
        .install_in_team(&team.id, &member)
        .await
        .unwrap();
    let first = connector.open(&sim, &member).await;
    let again = connector.open(&sim, &member).await;
    assert_eq!(first, again, "Teams returns the same 1:1 chat every time");
    assert!(first.starts_with("a:"));
}

#[tokio::test]
async fn group_chats_and_missing_tenants_are_refused() {
    let sim = sim().await;
    let connector = Connector::for_sim(&sim).await;
    let people = sim.users();
    let group = connector
        .post(
            "v3/conversations",
            &json!({
                "isGroup": true,
                "bot": { "id": sim.bot_id() },
                "members": [{ "id": people[0].id }, { "id": people[1].id }],
                "channelData": { "tenant": { "id": sim.config().tenant_id } },
            }),
        )
        .await;
    assert_eq!(group.status(), 400);
    let no_tenant = connector
        .post(
            "v3/conversations",
            &json!({ "bot": { "id": sim.bot_id() }, "members": [{ "id": people[0].id }] }),
        )
        .await;
    assert_eq!(no_tenant.status(), 400);
}

#[tokio::test]
async fn posts_are_stored_and_updates_keep_every_version() {
    let sim = sim().await;
    let bot = FakeBot::start().await;
    let connector = Connector::for_sim(&sim).await;
    let team = sim.teams().remove(0);
    let member = team.members[1].clone();
    sim.bot(&bot.endpoint)
        .install_in_team(&team.id, &team.members[0])
        .await
        .unwrap();
    let conversation = connector.open(&sim, &member).await;
    let path = format!("v3/conversations/{conversation}/activities");
    let posted = connector
        .post(&path, &json!({ "type": "message", "text": "first" }))
        .await;
    assert_eq!(posted.status(), 201);
    let id = posted.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let updated = connector
        .put(
            &format!("{path}/{id}"),
            &json!({ "type": "message", "text": "second" }),
        )
        .await;
    assert_eq!(updated.status(), 200);

    let messages = sim.recorder().messages_to(&member);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].text(), Some("second"));
    assert!(messages[0].was_updated());
    assert_eq!(messages[0].versions[0]["text"], "first");

    let missing = connector
        .put(&format!("{path}/123"), &json!({ "type": "message" }))
        .await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn someone_who_blocked_the_bot_answers_message_writes_blocked() {
    let sim = sim().await;
    let bot = FakeBot::start().await;
    let connector = Connector::for_sim(&sim).await;
    let team = sim.teams().remove(0);
    let member = team.members[2].clone();
    sim.bot(&bot.endpoint)
        .install_in_team(&team.id, &team.members[0])
        .await
        .unwrap();
    let conversation = connector.open(&sim, &member).await;
    sim.set_blocked(&member, true).unwrap();
    let refused = connector
        .post(
            &format!("v3/conversations/{conversation}/activities"),
            &json!({ "type": "message", "text": "hi" }),
        )
        .await;
    assert_eq!(refused.status(), 403);
    let body = refused.text().await.unwrap();
    assert!(body.contains("MessageWritesBlocked"), "{body}");
    assert!(sim.recorder().messages_to(&member).is_empty());
}

#[tokio::test]
async fn rosters_come_a_page_at_a_time_with_continuation_tokens() {
    let sim = sim_with(
        TeamsSimConfig::default(),
        TenantSpec::one_team("Everyone", 7),
    )
    .await;
    let connector = Connector::for_sim(&sim).await;
    let team = sim.teams().remove(0);
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut path = format!("v3/conversations/{}/pagedmembers?pageSize=3", team.id);
        if let Some(token) = &token {
            path.push_str(&format!("&continuationToken={token}"));
        }
        let page: Value = connector.get(&path).await.json().await.unwrap();
        for member in page["members"].as_array().unwrap() {
            assert_eq!(member["userRole"], "user");
            assert!(
                member.get("email").is_none(),
                "the connector no longer returns emails"
            );
            seen.push(member["id"].as_str().unwrap().to_owned());
        }
        match page["continuationToken"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, team.members);
    assert_eq!(
        sim.recorder()
            .calls_to(ConnectorOperation::GetConversationPagedMembers)
            .len(),
        3
    );
    let bad = connector
        .get(&format!(
            "v3/conversations/{}/pagedmembers?continuationToken=forged",
            team.id
        ))
        .await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn one_member_can_be_looked_up_by_teams_id_object_id_or_upn() {
    let sim = sim().await;
    let connector = Connector::for_sim(&sim).await;
    let team = sim.teams().remove(0);
    let user = sim.user(&team.members[0]).unwrap();
    for id in [&user.id, &user.aad_object_id, &user.user_principal_name] {
        let found: Value = connector
            .get(&format!("v3/conversations/{}/members/{id}", team.id))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(found["id"], user.id.as_str());
        assert_eq!(found["name"], user.name.as_str());
    }
    let outsider = sim.add_user("Nora Outside", "Europe/Oslo");
    let missing = connector
        .get(&format!(
            "v3/conversations/{}/members/{}",
            team.id, outsider.id
        ))
        .await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn reading_a_conversations_history_is_not_offered_to_bots() {
    let sim = sim().await;
    let bot = FakeBot::start().await;
    let connector = Connector::for_sim(&sim).await;
    let team = sim.teams().remove(0);
    sim.bot(&bot.endpoint)
        .install_in_team(&team.id, &team.members[0])
        .await
        .unwrap();
    let conversation = connector.open(&sim, &team.members[0]).await;
    let history = connector
        .get(&format!("v3/conversations/{conversation}/activities"))
        .await;
    assert_eq!(history.status(), 405);
    let one = connector
        .get(&format!("v3/conversations/{conversation}/activities/1"))
        .await;
    assert_eq!(one.status(), 405);
    let unserved = sim.recorder().unserved_calls();
    assert_eq!(unserved.len(), 2);
    assert!(
        unserved
            .iter()
            .all(|c| c.outcome == ConnectorOutcome::Unserved)
    );
}

#[tokio::test]
async fn calls_without_a_valid_token_are_refused_until_a_new_one_is_fetched() {
    let sim = sim().await;
    let connector = Connector::for_sim(&sim).await;
    let team = sim.teams().remove(0);
    let path = format!("v3/conversations/{}/pagedmembers", team.id);
    assert_eq!(connector.get(&path).await.status(), 200);
    let anonymous = reqwest::get(connector.url(&path)).await.unwrap();
    assert_eq!(anonymous.status(), 401);

    sim.revoke_tokens();
    assert_eq!(connector.get(&path).await.status(), 401);
    let fresh = Connector::for_sim(&sim).await;
    assert_eq!(fresh.get(&path).await.status(), 200);
}
