//! `/coffee` commands for everyone, end to end: signed slash commands from the simulator
//! to the real bot, replies checked as Slack would show them (always ephemeral).

mod common;

use common::harness::{SlackTestBot, blocks_text};
use pourover::domain::EnrollmentState;
use pourover_simulator::{CompanySpec, SimUser};

/// A bot whose owner created the program `coffee`.
async fn bot_with_coffee() -> (SlackTestBot, SimUser) {
    let bot = SlackTestBot::start(CompanySpec::new(12, 3)).await;
    bot.create_program("coffee", None).await;
    let member = bot.member();
    (bot, member)
}

/// Asserts a malformed command got one line saying what is wrong, then the usage.
async fn assert_usage_reply(
    bot: &SlackTestBot,
    user: &str,
    input: &str,
    problem: &str,
    usage: &str,
) {
    let answer = bot.command_answer(user, input).await;
    assert_eq!(answer.status, 200, "{input}");
    assert_eq!(
        answer.response_type.as_deref(),
        Some("ephemeral"),
        "{input}"
    );
    let lines: Vec<&str> = answer.text.lines().collect();
    assert_eq!(lines.len(), 2, "{input}: {}", answer.text);
    assert!(lines[0].contains(problem), "{input}: {}", answer.text);
    assert!(
        lines[1].starts_with("Usage: `/coffee "),
        "{input}: {}",
        answer.text
    );
    assert!(lines[1].contains(usage), "{input}: {}", answer.text);
}

#[tokio::test]
async fn help_lists_every_member_command_privately() {
    let bot = SlackTestBot::start(CompanySpec::new(6, 2)).await;
    let answer = bot.command_answer(&bot.member().id, "help").await;
    assert_eq!(answer.response_type.as_deref(), Some("ephemeral"));
    for usage in [
        "/coffee join",
        "/coffee pause",
        "/coffee never",
        "/coffee status",
    ] {
        assert!(answer.text.contains(usage), "{usage}: {}", answer.text);
    }
    assert!(
        !answer.text.contains("admin program create"),
        "{}",
        answer.text
    );
    assert!(blocks_text(&answer.blocks).contains("meet people across the company"));
    bot.shutdown().await;
}

#[tokio::test]
async fn joining_enrols_the_person_and_leaving_takes_them_out() {
    let (bot, member) = bot_with_coffee().await;
    let joined = bot.command(&member.id, "join").await;
    assert!(joined.contains("You're in *coffee*"), "{joined}");
    assert!(joined.contains("The next round is"), "{joined}");
    assert_eq!(
        bot.enrollment(&member.id, "coffee").await,
        Some(EnrollmentState::Active)
    );
    let again = bot.command(&member.id, "join coffee").await;
    assert!(again.contains("already in *coffee*"), "{again}");
    let left = bot.command(&member.id, "leave coffee").await;
    assert!(left.contains("You've left *coffee*"), "{left}");
    assert_eq!(
        bot.enrollment(&member.id, "coffee").await,
        Some(EnrollmentState::Left)
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn pausing_for_two_weeks_and_resuming() {
    let (bot, member) = bot_with_coffee().await;
    bot.command(&member.id, "join").await;
    let paused = bot.command(&member.id, "pause 2w").await;
    assert!(paused.starts_with("Paused until *"), "{paused}");
    assert!(matches!(
        bot.enrollment(&member.id, "coffee").await,
        Some(EnrollmentState::Paused { until: Some(_) })
    ));
    let resumed = bot.command(&member.id, "resume").await;
    assert!(resumed.contains("Welcome back"), "{resumed}");
    assert_eq!(
        bot.enrollment(&member.id, "coffee").await,
        Some(EnrollmentState::Active)
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn pausing_until_a_future_date() {
    let (bot, member) = bot_with_coffee().await;
    bot.command(&member.id, "join").await;
    let next_year = chrono::Utc::now().date_naive() + chrono::Days::new(100);
    let paused = bot
        .command(&member.id, &format!("pause until {next_year}"))
        .await;
    assert!(paused.starts_with("Paused until *"), "{paused}");
    assert!(matches!(
        bot.enrollment(&member.id, "coffee").await,
        Some(EnrollmentState::Paused { until: Some(_) })
    ));
    bot.shutdown().await;
}

#[tokio::test]
async fn skipping_the_next_round_and_changing_cadence() {
    let (bot, member) = bot_with_coffee().await;
    bot.command(&member.id, "join").await;
    let skipped = bot.command(&member.id, "skip").await;
    assert!(skipped.contains("sit out the next round only"), "{skipped}");
    let cadence = bot.command(&member.id, "cadence biweekly").await;
    assert!(cadence.contains("every other round"), "{cadence}");
    let status = bot.command(&member.id, "status").await;
    assert!(
        status.contains("skipping the next round, biweekly"),
        "{status}"
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn status_shows_program_next_round_and_the_team_from_the_profile() {
    let (bot, member) = bot_with_coffee().await;
    let before = bot.command(&member.id, "status").await;
    assert!(before.contains("You're not in any program"), "{before}");
    bot.command(&member.id, "join").await;
    let status = bot.command_answer(&member.id, "status").await;
    assert!(status.text.contains("Program: coffee"), "{}", status.text);
    assert!(status.text.contains("Next round: "), "{}", status.text);
    // The "Department" profile field, read through users.info and team.profile.get.
    assert!(
        status.text.contains(&format!("Team: {}", member.team)),
        "{}",
        status.text
    );
    assert!(blocks_text(&status.blocks).contains("Your coffee status"));
    bot.shutdown().await;
}

#[tokio::test]
async fn a_chosen_team_wins_over_the_profile_until_cleared() {
    let (bot, member) = bot_with_coffee().await;
    bot.command(&member.id, "join").await;
    let set = bot.command(&member.id, "team Platform Guild").await;
    assert!(set.contains("you're in *Platform Guild*"), "{set}");
    assert!(
        bot.command(&member.id, "status")
            .await
            .contains("Team: Platform Guild")
    );
    let cleared = bot.command(&member.id, "team clear").await;
    assert!(cleared.contains(&format!("*{}*", member.team)), "{cleared}");
    bot.shutdown().await;
}

#[tokio::test]
async fn never_pairing_with_someone_can_be_undone() {
    let (bot, member) = bot_with_coffee().await;
    let other = bot.members().into_iter().nth(1).expect("a second member");
    let mention = format!("<@{}|{}>", other.id, other.name);
    let never = bot.command(&member.id, &format!("never {mention}")).await;
    assert!(
        never.contains(&format!("never be paired with <@{}>", other.id)),
        "{never}"
    );
    let undo = bot
        .command(&member.id, &format!("never remove <@{}>", other.id))
        .await;
    assert!(undo.contains("can be paired with"), "{undo}");
    bot.shutdown().await;
}

#[tokio::test]
async fn history_before_any_round_says_so() {
    let (bot, member) = bot_with_coffee().await;
    let history = bot.command(&member.id, "history").await;
    assert!(history.contains("No coffee chats yet"), "{history}");
    bot.shutdown().await;
}

#[tokio::test]
async fn an_unknown_subcommand_is_explained_with_the_usage() {
    let (bot, member) = bot_with_coffee().await;
    assert_usage_reply(&bot, &member.id, "dance", "I don't know `dance`", "help").await;
    bot.shutdown().await;
}

#[tokio::test]
async fn a_bad_duration_is_explained_with_the_usage() {
    let (bot, member) = bot_with_coffee().await;
    bot.command(&member.id, "join").await;
    assert_usage_reply(
        &bot,
        &member.id,
        "pause 2x",
        "`2x` is not a duration",
        "pause &lt;2w",
    )
    .await;
    bot.shutdown().await;
}

#[tokio::test]
async fn a_past_date_is_explained_with_the_usage() {
    let (bot, member) = bot_with_coffee().await;
    bot.command(&member.id, "join").await;
    assert_usage_reply(
        &bot,
        &member.id,
        "pause until 2020-01-01",
        "2020-01-01 is not in the future",
        "pause &lt;2w",
    )
    .await;
    assert_eq!(
        bot.enrollment(&member.id, "coffee").await,
        Some(EnrollmentState::Active)
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn an_unknown_program_is_explained_with_the_usage() {
    let (bot, member) = bot_with_coffee().await;
    assert_usage_reply(
        &bot,
        &member.id,
        "join tea",
        "There is no program called `tea`. Programs: `coffee`.",
        "join [program]",
    )
    .await;
    bot.shutdown().await;
}

#[tokio::test]
async fn an_unknown_time_zone_is_explained_with_the_usage() {
    let (bot, _) = bot_with_coffee().await;
    assert_usage_reply(
        &bot,
        &bot.owner().id,
        r#"admin schedule coffee "0 10 * * MON" Mars/Olympus_Mons"#,
        "`Mars/Olympus_Mons` is not a time zone",
        // On the wire as Slack wants it: `<` opens a reference, `&lt;` shows one.
        "admin schedule &lt;program&gt;",
    )
    .await;
    bot.shutdown().await;
}

#[tokio::test]
async fn a_bad_cron_is_explained_with_the_usage() {
    let (bot, _) = bot_with_coffee().await;
    assert_usage_reply(
        &bot,
        &bot.owner().id,
        r#"admin schedule coffee "0 25 * * MON" Europe/Berlin"#,
        "is not a valid cron expression",
        // On the wire as Slack wants it: `<` opens a reference, `&lt;` shows one.
        "admin schedule &lt;program&gt;",
    )
    .await;
    bot.shutdown().await;
}
