//! What people get wrong is answered as their mistake, with the usage, on Slack and Teams:
//! never as "something went wrong on my side" (and never with an ERROR in the log).

use pourover_simulator::CompanySpec;

use crate::common::harness::SlackTestBot;
use crate::common::serve_slack::SlackServe;
use crate::teams_support::TeamsBot;

#[tokio::test]
async fn never_with_someone_slack_does_not_know_is_the_users_mistake_and_logs_no_error() {
    let serve = SlackServe::start(CompanySpec::new(4, 2), 60.0, &[]).await;
    let member = serve
        .sim
        .people()
        .into_iter()
        .find(|person| !person.is_admin)
        .expect("a member")
        .id;
    let unknown = serve.command(&member, "never <@U0NOBODY0>").await;
    assert!(unknown.contains("can't find that person"), "{unknown}");
    assert!(!unknown.contains("on my side"), "{unknown}");
    let bot = serve
        .command(&member, &format!("never <@{}>", serve.sim.bot_user_id()))
        .await;
    assert!(bot.contains("is a bot"), "{bot}");
    let log = serve.log();
    assert!(!log.contains("ERROR"), "{log}");
    serve.shutdown().await;
}

#[tokio::test]
async fn never_with_an_unknown_person_shows_the_usage_on_slack() {
    let bot = SlackTestBot::start(CompanySpec::new(4, 2)).await;
    let answer = bot
        .command_answer(&bot.member().id, "never <@U0NOBODY0|ghost>")
        .await;
    let blocks = answer.blocks.to_string();
    assert!(blocks.contains("Usage: `/coffee never @person"), "{blocks}");
    bot.shutdown().await;
}

#[tokio::test]
async fn never_with_someone_teams_does_not_know_is_the_users_mistake() {
    let bot = TeamsBot::start().await;
    let team = bot.team(0);
    bot.install(&team).await;
    let user = team.members[1].clone();
    let driver = bot.driver();
    let mut activity = driver.prepare_message(&user, "").expect("an activity");
    activity["text"] = "never <at>Nobody</at>".into();
    activity["entities"]
        .as_array_mut()
        .expect("entities")
        .push(serde_json::json!({
            "type": "mention",
            "text": "<at>Nobody</at>",
            "mentioned": { "id": "29:nobody-at-all", "name": "Nobody" },
        }));
    assert_eq!(
        driver.send_activity(activity).await.expect("sent").status,
        200
    );
    let reply = bot
        .sim
        .recorder()
        .messages_to(&user)
        .pop()
        .expect("a reply")
        .plain_text();
    assert!(reply.contains("can't find that person"), "{reply}");
    assert!(reply.contains("Usage: `never @person"), "{reply}");
    bot.stop().await;
}

#[tokio::test]
async fn a_schedule_firing_every_second_is_refused_with_a_clear_message() {
    let bot = SlackTestBot::start(CompanySpec::new(4, 2)).await;
    bot.create_program("coffee", None).await;
    let owner = bot.owner().id;
    let refused = bot
        .command_answer(&owner, r#"admin schedule coffee "* * * * * *" UTC"#)
        .await;
    assert!(
        refused.text.contains("more than once a day"),
        "{}",
        refused.text
    );
    assert!(
        refused
            .blocks
            .to_string()
            .contains("Usage: `/coffee admin schedule"),
        "{}",
        refused.blocks
    );
    let typo = bot
        .command(&owner, r#"admin schedule coffee "0 25 * * MON" UTC"#)
        .await;
    assert!(
        typo.contains("the hour is 25, but hours run from 0 to 23"),
        "{typo}"
    );
    let workspace = bot.workspace().await;
    let program = bot
        .store()
        .programs(workspace)
        .await
        .expect("programs")
        .remove(0);
    assert_ne!(
        program
            .schedule
            .map(|s| s.expression().to_owned())
            .as_deref(),
        Some("* * * * * *")
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn a_schedule_firing_every_second_is_refused_on_teams() {
    let bot = TeamsBot::start().await;
    bot.install(&bot.team(0)).await;
    let refused = bot
        .say(
            &bot.admin,
            r#"admin schedule coffee-lovers "* * * * *" UTC"#,
        )
        .await;
    assert!(refused.contains("more than once a day"), "{refused}");
    assert!(refused.contains("Usage: `admin schedule"), "{refused}");
    bot.stop().await;
}
