//! The platform-neutral commands, typed to the bot in Teams: in a 1:1 chat, or with an
//! @mention in a channel (answered privately). Usage lines carry no command name.

mod teams_support;

use pourover_simulator::teams::{ConnectorOperation, TeamsSimConfig, TenantSpec};
use teams_support::TeamsBot;

#[tokio::test]
async fn help_lists_the_commands_without_a_slash_command_name() {
    let bot = TeamsBot::start().await;
    let user = bot.team(0).members[1].clone();
    let help = bot.say(&user, "help").await;
    assert!(help.contains("join [program]"), "{help}");
    assert!(!help.contains("/coffee"), "{help}");
    bot.stop().await;
}

#[tokio::test]
async fn bad_input_gets_the_problem_and_the_usage_line() {
    let bot = TeamsBot::start().await;
    let user = bot.team(0).members[1].clone();
    let reply = bot.say(&user, "pause 2x").await;
    assert!(reply.contains("2x"), "{reply}");
    assert!(reply.contains("Usage: `pause <2w"), "{reply}");
    let unknown = bot.say(&user, "dance").await;
    assert!(unknown.contains("dance"), "{unknown}");
    bot.stop().await;
}

#[tokio::test]
async fn joining_pausing_and_status_work_in_a_personal_chat() {
    let bot = TeamsBot::start().await;
    let team = bot.team(0);
    bot.install(&team).await;
    let newcomer = bot.sim.add_user("Nia New", "Africa/Lagos");
    bot.driver()
        .add_to_team(&team.id, &newcomer.id)
        .await
        .unwrap();
    let program = "coffee-lovers";

    let status = bot.say(&newcomer.id, "status").await;
    assert!(status.contains(program), "{status}");
    let paused = bot.say(&newcomer.id, "pause 2w").await;
    assert!(paused.to_lowercase().contains("pause"), "{paused}");
    let status = bot.say(&newcomer.id, "status").await;
    assert!(status.to_lowercase().contains("paused"), "{status}");
    let resumed = bot.say(&newcomer.id, "resume").await;
    assert!(!resumed.is_empty());
    bot.stop().await;
}

#[tokio::test]
async fn a_command_mentioning_the_bot_in_a_channel_is_answered_privately() {
    let bot = TeamsBot::start().await;
    let team = bot.team(0);
    bot.install(&team).await;
    let user = team.members[2].clone();
    let response = bot
        .driver()
        .channel_message(&team.id, &user, "status")
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert!(
        bot.sim.recorder().activities_in(&team.id).is_empty(),
        "nothing was posted in the channel"
    );
    let private = bot.sim.recorder().messages_to(&user);
    assert_eq!(private.len(), 1);
    assert!(private[0].plain_text().contains("coffee-lovers"));
    bot.stop().await;
}

#[tokio::test]
async fn never_takes_a_real_teams_mention_and_answers_with_one() {
    let bot = TeamsBot::start().await;
    let team = bot.team(0);
    bot.install(&team).await;
    let user = team.members[1].clone();
    let other = bot.sim.user(&team.members[2]).unwrap();
    let driver = bot.driver();
    let mut activity = driver.prepare_message(&user, "").unwrap();
    activity["text"] = format!("never <at>{}</at>", other.name).into();
    activity["entities"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "type": "mention",
            "text": format!("<at>{}</at>", other.name),
            "mentioned": { "id": other.id, "name": other.name },
        }));
    assert_eq!(driver.send_activity(activity).await.unwrap().status, 200);
    let reply = bot.sim.recorder().messages_to(&user).pop().unwrap();
    assert!(
        reply
            .plain_text()
            .contains(&format!("<at>{}</at>", other.name)),
        "{}",
        reply.plain_text()
    );
    let mentioned: Vec<String> = reply.mentions().into_iter().map(|(id, _, _)| id).collect();
    assert_eq!(mentioned, std::slice::from_ref(&other.id));
    bot.stop().await;
}

#[tokio::test]
async fn admin_commands_are_refused_to_people_not_listed_as_admins() {
    let bot = TeamsBot::start().await;
    let team = bot.team(0);
    bot.install(&team).await;
    let refused = bot.say(&team.members[3], "admin stats").await;
    assert!(refused.contains("only workspace admins"), "{refused}");
    let stats = bot.say(&bot.admin, "admin stats").await;
    assert!(stats.contains("coffee-lovers"), "{stats}");
    bot.stop().await;
}

#[tokio::test]
async fn an_admin_may_be_listed_by_their_entra_object_id() {
    let sim_config = TeamsSimConfig::default();
    let probe = pourover_simulator::TeamsSim::start(sim_config.clone(), TenantSpec::default())
        .await
        .unwrap();
    // The same seed invents the same tenant, so the id is known before the bot starts.
    let member = probe.user(&probe.teams()[0].members[4]).unwrap();
    probe.shutdown().await;
    let bot = TeamsBot::start_with(
        sim_config,
        TenantSpec::default(),
        &[("POUROVER_ADMINS", member.aad_object_id.as_str())],
    )
    .await;
    bot.install(&bot.team(0)).await;
    let stats = bot.say(&member.id, "admin stats").await;
    assert!(stats.contains("coffee-lovers"), "{stats}");
    bot.stop().await;
}

#[tokio::test]
async fn replies_are_threaded_under_the_command_in_a_personal_chat() {
    let bot = TeamsBot::start().await;
    let user = bot.team(0).members[1].clone();
    bot.say(&user, "help").await;
    let replies = bot
        .sim
        .recorder()
        .calls_to(ConnectorOperation::ReplyToActivity);
    assert_eq!(replies.len(), 1);
    bot.stop().await;
}
