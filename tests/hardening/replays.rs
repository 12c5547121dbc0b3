//! A signed request sent again (Slack's 5-minute signature window lets an eavesdropper or
//! a confused proxy do it) is not applied twice: commands and button presses are recorded
//! under their team and trigger id, like events; and `admin round now` asks before
//! planning a second round within the hour.

use pourover_simulator::CompanySpec;

use crate::common::harness::SlackTestBot;
use crate::signed::{self, now_seconds};

async fn rounds_of(bot: &SlackTestBot, name: &str) -> usize {
    let store = bot.store();
    let program = store
        .programs(bot.workspace().await)
        .await
        .expect("programs")
        .into_iter()
        .find(|program| program.name.as_str() == name)
        .expect("the program");
    store
        .program_rounds(program.id)
        .await
        .expect("rounds")
        .len()
}

#[tokio::test]
async fn a_replayed_admin_round_now_does_not_plan_a_second_round() {
    let bot = SlackTestBot::start(CompanySpec::new(6, 2)).await;
    bot.create_program("tea", None).await;
    for member in bot.members().iter().take(4) {
        bot.command(&member.id, "join tea").await;
    }
    let owner = bot.owner().id;
    let config = bot.sim.config();
    let body = serde_urlencoded::to_string([
        ("token", "unused"),
        ("team_id", config.team_id.as_str()),
        ("team_domain", "acme"),
        ("channel_id", "D0OWNER"),
        ("channel_name", "directmessage"),
        ("user_id", owner.as_str()),
        ("user_name", "owner"),
        ("command", "/coffee"),
        ("text", "admin round now tea"),
        ("api_app_id", bot.sim.app_id()),
        (
            "response_url",
            &format!("{}/commands/replayed", bot.sim.base_url()),
        ),
        ("trigger_id", "4711.0815.replayed"),
    ])
    .expect("a form");
    let timestamp = now_seconds();
    let (status, first) = signed::post(&bot, "/slack/commands", &body, timestamp).await;
    assert_eq!(status, 200);
    assert!(first.contains("is planned"), "{first}");
    let (status, replayed) = signed::post(&bot, "/slack/commands", &body, timestamp).await;
    assert_eq!(status, 200);
    assert!(replayed.contains("already handled"), "{replayed}");
    assert_eq!(
        rounds_of(&bot, "tea").await,
        1,
        "the replay planned nothing"
    );

    // Typed again (a new trigger) within the hour, it asks first…
    let again = bot.command_answer(&owner, "admin round now tea").await;
    assert!(again.text.contains("was planned"), "{}", again.text);
    assert!(
        again
            .blocks
            .to_string()
            .contains("admin round now tea again"),
        "{}",
        again.blocks
    );
    assert_eq!(rounds_of(&bot, "tea").await, 1);
    // …and `again` is taken at its word.
    let second = bot.command(&owner, "admin round now tea again").await;
    assert!(second.contains("Round 2"), "{second}");
    assert_eq!(rounds_of(&bot, "tea").await, 2);
    bot.shutdown().await;
}

#[tokio::test]
async fn a_replayed_button_press_is_not_applied_twice() {
    let bot = SlackTestBot::start(CompanySpec::new(4, 2)).await;
    bot.create_program("coffee", None).await;
    let member = bot.member().id;
    bot.command(&member, "join coffee").await;
    bot.open_home(&member).await;
    bot.press_home_button(&member, "Pause 2 weeks").await;
    let published = || {
        bot.recorder()
            .published_views()
            .iter()
            .filter(|view| view.user_id == member)
            .count()
    };
    let before = published();
    let body = signed::press_form(&signed::last_press(&bot));
    let timestamp = now_seconds();
    for _ in 0..2 {
        let (status, _) = signed::post(&bot, "/slack/interactivity", &body, timestamp).await;
        assert_eq!(status, 200);
    }
    // A new press is applied (and shows that the replays, answered before it, were not).
    bot.press_home_button(&member, "Resume").await;
    assert_eq!(
        published(),
        before + 1,
        "only the new press re-published the home tab"
    );
    bot.shutdown().await;
}
