//! `/coffee admin …`: who may use it (workspace owners and admins per users.info, plus
//! `POUROVER_ADMINS`), what each command does, and that a refusal changes nothing.

mod common;

use common::harness::{HarnessOptions, SlackTestBot};
use pourover::domain::Program;
use pourover_simulator::{CompanySpec, SlackSim};

const ADMIN_COMMANDS: [&str; 9] = [
    "admin",
    "admin program create tea",
    r#"admin schedule coffee "0 9 * * TUE" Europe/Berlin"#,
    "admin group-size coffee 3",
    "admin stats",
    "admin stats coffee",
    "admin round now coffee",
    "admin export coffee",
    "admin failures",
];

/// What an admin command could change, to compare before and after.
async fn programs(bot: &SlackTestBot) -> Vec<(String, Option<String>, u8, usize)> {
    let store = bot.store();
    let mut seen = Vec::new();
    let programs: Vec<Program> = store
        .programs(bot.workspace().await)
        .await
        .expect("programs");
    for program in programs {
        let rounds = store.program_rounds(program.id).await.expect("rounds");
        seen.push((
            program.name.to_string(),
            program.schedule.map(|s| s.expression().to_owned()),
            program.settings.group_size.get(),
            rounds.len(),
        ));
    }
    seen
}

#[tokio::test]
async fn a_non_admin_is_refused_on_every_admin_command_and_nothing_changes() {
    let bot = SlackTestBot::start(CompanySpec::new(10, 2)).await;
    let owner = bot.owner();
    bot.command(&owner.id, "admin program create coffee").await;
    let member = bot.member();
    bot.command(&member.id, "join").await;
    let before = programs(&bot).await;
    for command in ADMIN_COMMANDS {
        let answer = bot.command_answer(&member.id, command).await;
        assert_eq!(
            answer.response_type.as_deref(),
            Some("ephemeral"),
            "{command}"
        );
        assert!(
            answer
                .text
                .contains("only workspace admins can use admin commands"),
            "{command}: {}",
            answer.text
        );
        assert!(answer.text.contains("nothing was changed"), "{command}");
    }
    assert_eq!(programs(&bot).await, before);
    assert!(bot.recorder().calls_to("chat.postMessage").is_empty());
    bot.shutdown().await;
}

#[tokio::test]
async fn a_workspace_admin_runs_a_program_from_creation_to_a_round() {
    let options = HarnessOptions::new(CompanySpec::new(14, 3))
        .env("POUROVER_PUBLIC_URL", "https://coffee.example.com");
    let bot = SlackTestBot::start_with(options).await;
    let owner = bot.owner();
    let coffee = bot.sim.channel_named("coffee").expect("#coffee");
    let created = bot
        .command(
            &owner.id,
            &format!("admin program create coffee <#{}|coffee>", coffee.id),
        )
        .await;
    assert!(created.contains("Created *coffee*"), "{created}");
    assert!(
        created.contains(&format!("Everyone in <#{}> is in", coffee.id)),
        "{created}"
    );

    let scheduled = bot
        .command(
            &owner.id,
            r#"admin schedule coffee "0 9 * * TUE" Europe/Berlin"#,
        )
        .await;
    assert!(
        scheduled.contains("now runs `0 9 * * TUE` in Europe/Berlin"),
        "{scheduled}"
    );
    assert_eq!(
        scheduled.matches("\n• ").count(),
        3,
        "three next runs: {scheduled}"
    );

    let sized = bot.command(&owner.id, "admin group-size coffee 3").await;
    assert!(sized.contains("groups of 3"), "{sized}");

    let stats = bot.command(&owner.id, "admin stats coffee").await;
    assert!(stats.to_lowercase().contains("coffee stats"), "{stats}");
    assert!(stats.contains("enrolled"), "{stats}");

    let round = bot.command(&owner.id, "admin round now coffee").await;
    assert!(round.contains("Round 1 of *coffee* is planned"), "{round}");
    bot.wait_for("the intros to be posted", |recorder| {
        let posted = recorder.calls_to("chat.postMessage");
        (!posted.is_empty()).then_some(())
    })
    .await;

    let export = bot.command_answer(&owner.id, "admin export coffee").await;
    // The download link is a Slack link in the reply's blocks.
    let blocks = export.blocks.to_string();
    assert!(
        blocks.contains("<https://coffee.example.com/exports/"),
        "{blocks}"
    );
    assert!(blocks.contains("|Download coffee.csv>"), "{blocks}");
    let failures = bot.command(&owner.id, "admin failures").await;
    assert!(failures.contains("No failed messages"), "{failures}");
    let help = bot.command(&owner.id, "help").await;
    assert!(help.contains("admin program create"), "{help}");
    bot.shutdown().await;
}

fn first_member_is_an_extra_admin(sim: &SlackSim) -> Vec<(String, String)> {
    let member = sim
        .people()
        .into_iter()
        .find(|person| !person.is_admin && !person.is_owner)
        .expect("a non-admin");
    vec![("POUROVER_ADMINS".into(), member.id)]
}

#[tokio::test]
async fn someone_listed_in_pourover_admins_is_an_admin_without_the_slack_flag() {
    let options = HarnessOptions {
        env_from_company: Some(first_member_is_an_extra_admin),
        ..HarnessOptions::new(CompanySpec::new(8, 2))
    };
    let bot = SlackTestBot::start_with(options).await;
    let extra_admin = bot.member();
    assert!(!extra_admin.is_admin);
    let created = bot
        .command(&extra_admin.id, "admin program create coffee")
        .await;
    assert!(created.contains("Created *coffee*"), "{created}");
    // Someone neither flagged nor listed is still refused.
    let other = bot.members().into_iter().nth(1).expect("another member");
    let refused = bot.command(&other.id, "admin program create tea").await;
    assert!(refused.contains("only workspace admins"), "{refused}");
    assert_eq!(programs(&bot).await.len(), 1);
    bot.shutdown().await;
}
