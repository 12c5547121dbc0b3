//! The bot driver: activities shaped as Teams sends them, with the tenant changed first.

mod teams_common;

use pourover_simulator::teams::{TeamsSimConfig, TenantSpec};
use serde_json::json;
use teams_common::{Connector, FakeBot, sim, sim_with};

#[tokio::test]
async fn installing_the_bot_sends_a_team_member_added_naming_the_bot() {
    let sim = sim().await;
    let bot = FakeBot::start().await;
    let team = sim.teams().remove(0);
    let response = sim
        .bot(&bot.endpoint)
        .install_in_team(&team.id, &team.members[0])
        .await
        .unwrap();
    assert!(response.is_success());
    let activity = bot.last().activity;
    assert_eq!(activity["type"], "conversationUpdate");
    assert_eq!(activity["channelId"], "msteams");
    assert_eq!(activity["membersAdded"][0]["id"], sim.bot_id());
    assert_eq!(activity["channelData"]["eventType"], "teamMemberAdded");
    assert_eq!(activity["channelData"]["team"]["id"], team.id);
    assert_eq!(activity["channelData"]["team"]["name"], team.name);
    assert_eq!(
        activity["channelData"]["tenant"]["id"],
        sim.config().tenant_id
    );
    assert_eq!(activity["from"]["id"], team.members[0]);
    assert!(sim.teams()[0].bot_installed);
    assert_eq!(sim.recorder().deliveries()[0].status, Some(200));
}

#[tokio::test]
async fn members_joining_and_leaving_change_the_roster_and_tell_an_installed_bot() {
    let sim = sim_with(TeamsSimConfig::default(), TenantSpec::default()).await;
    let bot = FakeBot::start().await;
    let driver = sim.bot(&bot.endpoint);
    let team = sim.teams().remove(1);
    let newcomer = sim.add_user("Nia New", "Africa/Lagos");

    assert!(
        driver
            .add_to_team(&team.id, &newcomer.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(bot.received().is_empty(), "the bot is not in that team yet");

    driver
        .install_in_team(&team.id, &team.members[0])
        .await
        .unwrap();
    driver
        .remove_from_team(&team.id, &newcomer.id)
        .await
        .unwrap()
        .unwrap();
    let removed = bot.last().activity;
    assert_eq!(removed["membersRemoved"][0]["id"], newcomer.id.as_str());
    assert_eq!(removed["channelData"]["eventType"], "teamMemberRemoved");
    assert!(!sim.teams()[1].members.contains(&newcomer.id));

    driver
        .add_to_team(&team.id, &newcomer.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        bot.last().activity["membersAdded"][0]["id"],
        newcomer.id.as_str()
    );
}

#[tokio::test]
async fn a_personal_message_carries_the_senders_time_zone_and_chat() {
    let sim = sim().await;
    let bot = FakeBot::start().await;
    let user = sim.users().remove(0);
    sim.bot(&bot.endpoint)
        .message(&user.id, "status")
        .await
        .unwrap();
    let activity = bot.last().activity;
    assert_eq!(activity["type"], "message");
    assert_eq!(activity["text"], "status");
    assert_eq!(activity["conversation"]["conversationType"], "personal");
    assert_eq!(activity["localTimezone"], user.time_zone.as_str());
    assert_eq!(activity["serviceUrl"], sim.service_url());
    assert_eq!(
        sim.recorder().personal_conversation(&user.id).as_deref(),
        activity["conversation"]["id"].as_str()
    );
}

#[tokio::test]
async fn a_channel_message_mentions_the_bot_first() {
    let sim = sim().await;
    let bot = FakeBot::start().await;
    let team = sim.teams().remove(0);
    sim.bot(&bot.endpoint)
        .channel_message(&team.id, &team.members[0], "join")
        .await
        .unwrap();
    let activity = bot.last().activity;
    assert_eq!(activity["text"], "<at>Pourover</at> join");
    let mention = activity["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "mention")
        .unwrap()
        .clone();
    assert_eq!(mention["mentioned"]["id"], sim.bot_id());
    assert_eq!(mention["text"], "<at>Pourover</at>");
    assert_eq!(activity["conversation"]["conversationType"], "channel");
}

#[tokio::test]
async fn pressing_a_card_button_sends_its_data_as_the_value_of_a_reply() {
    let sim = sim().await;
    let bot = FakeBot::start().await;
    let connector = Connector::for_sim(&sim).await;
    let team = sim.teams().remove(0);
    let driver = sim.bot(&bot.endpoint);
    driver
        .install_in_team(&team.id, &team.members[0])
        .await
        .unwrap();
    let member = team.members[1].clone();
    let conversation = connector.open(&sim, &member).await;
    let card = json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [{ "type": "TextBlock", "text": "Did you meet?" }],
                "actions": [
                    { "type": "Action.Submit", "title": "We met", "data": { "answer": "met" } },
                    { "type": "Action.Submit", "title": "Skip", "data": { "answer": "skip" } },
                ],
            },
        }],
    });
    let posted: serde_json::Value = connector
        .post(
            &format!("v3/conversations/{conversation}/activities"),
            &card,
        )
        .await
        .json()
        .await
        .unwrap();
    let id = posted["id"].as_str().unwrap();
    let recorded = sim.recorder().activity(&conversation, id).unwrap();
    assert_eq!(recorded.plain_text(), "Did you meet?");
    assert_eq!(recorded.buttons().len(), 2);

    driver
        .press_button(&member, &conversation, id, "We met")
        .await
        .unwrap();
    let submit = bot.last().activity;
    assert_eq!(submit["value"], json!({ "answer": "met" }));
    assert_eq!(submit["replyToId"], id);
    assert!(submit.get("text").is_none());
    let missing = driver
        .press_button(&member, &conversation, id, "Nope")
        .await;
    assert!(missing.is_err());
}
