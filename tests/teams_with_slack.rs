//! One process serving a Slack workspace and a Teams tenant at once, both live: each
//! install's programs, people and messages stay its own.

mod teams_support;

use std::time::Duration;

use pourover::app::{AppOptions, RunningApp};
use pourover::domain::{Platform, ProgramName, WorkspaceId};
use pourover_simulator::teams::{TeamSpec, TeamsSim, TeamsSimConfig, TenantSpec};
use pourover_simulator::{CompanySpec, SlackAppDriver, SlackSim, SlackSimConfig};
use teams_support::{PATIENCE, bot_env, eventually, intros_to, settings_from};

/// `/coffee <text>` from a Slack user; the reply's text (blocks flattened).
async fn slack_command(driver: &SlackAppDriver, user: &str, text: &str) -> String {
    let response = driver
        .slash_command(user, "/coffee", text)
        .await
        .expect("the bot acknowledges");
    assert_eq!(response.status, 200);
    let body = response.json().expect("a JSON reply");
    let mut out = body["text"].as_str().unwrap_or_default().to_owned();
    for block in body["blocks"].as_array().into_iter().flatten() {
        out.push('\n');
        out.push_str(&block.to_string());
    }
    out
}

#[tokio::test]
async fn a_slack_workspace_and_a_teams_tenant_share_a_process_but_not_their_data() {
    let slack = SlackSim::start(
        SlackSimConfig {
            rate_limits: false,
            ..SlackSimConfig::default()
        },
        CompanySpec::new(5, 2),
    )
    .await
    .unwrap();
    let spec = TenantSpec {
        people: 6,
        guests: 0,
        teams: vec![TeamSpec::new("Coffee", 6)],
        time_zones: Vec::new(),
    };
    let teams = TeamsSim::start(TeamsSimConfig::default(), spec)
        .await
        .unwrap();
    let team = teams.teams().remove(0);
    let teams_admin = team.members[0].clone();
    let dir = tempfile::tempdir().unwrap();
    let mut env = bot_env(&teams, dir.path(), &[&teams_admin]);
    env.extend(
        [
            ("SLACK_BOT_TOKEN", slack.config().bot_token.clone()),
            (
                "SLACK_SIGNING_SECRET",
                slack.config().signing_secret.clone(),
            ),
            ("SLACK_API_URL", slack.api_url()),
        ]
        .map(|(k, v)| (k.to_owned(), v)),
    );
    let app = RunningApp::start_with(settings_from(&env), AppOptions::default())
        .await
        .unwrap();
    let store = app.store().clone();
    let base = format!("http://{}", app.local_addr());

    // Slack: the owner creates `coffee`, and everyone joins with the slash command.
    let slack_driver = slack.app(&base);
    let people = slack.people();
    let owner = people
        .iter()
        .find(|p| p.is_primary_owner)
        .expect("an owner")
        .id
        .clone();
    let created = slack_command(&slack_driver, &owner, "admin program create coffee").await;
    assert!(created.contains("Created"), "{created}");
    for person in &people {
        let joined = slack_command(&slack_driver, &person.id, "join coffee").await;
        assert!(joined.contains("coffee"), "{joined}");
    }

    // Teams: installed in a team also called "Coffee".
    let teams_driver = teams.bot(&format!("{base}/api/messages"));
    assert_eq!(
        teams_driver
            .install_in_team(&team.id, &teams_admin)
            .await
            .unwrap()
            .status,
        200
    );
    let slack_workspace = workspace_of(&store, Platform::Slack).await;
    let teams_workspace = workspace_of(&store, Platform::Teams).await;
    assert_ne!(teams_workspace, slack_workspace);
    let coffee = ProgramName::parse("coffee").unwrap();
    let slack_program = store
        .program_by_name(slack_workspace, &coffee)
        .await
        .unwrap()
        .expect("Slack's coffee");
    let teams_program = store
        .program_by_name(teams_workspace, &coffee)
        .await
        .unwrap()
        .expect("the Teams team's program has the same name, in its own workspace");
    assert_ne!(teams_program.id, slack_program.id);

    // Each side's admin sees only its own program.
    let teams_stats = reply(&teams, &teams_driver, &teams_admin, "admin stats").await;
    assert!(teams_stats.contains("6 enrolled"), "{teams_stats}");
    assert_eq!(teams_stats.matches("coffee").count(), 1, "{teams_stats}");
    let slack_stats = slack_command(&slack_driver, &owner, "admin stats").await;
    assert!(
        slack_stats.contains(&format!("{} enrolled", people.len())),
        "{slack_stats}"
    );
    assert!(!slack_stats.contains("6 enrolled"), "{slack_stats}");

    // A Teams round: Teams intros only, no Slack message.
    let round = reply(
        &teams,
        &teams_driver,
        &teams_admin,
        "admin round now coffee",
    )
    .await;
    assert!(round.contains("6 people"), "{round}");
    eventually("every Teams intro", PATIENCE, || async {
        team.members
            .iter()
            .all(|m| intros_to(&teams, m).len() == 1)
            .then_some(())
    })
    .await;
    assert!(
        slack.recorder().calls_to("chat.postMessage").is_empty(),
        "a Teams round sends nothing through Slack"
    );
    assert!(store.last_round(slack_program.id).await.unwrap().is_none());

    // A Slack round: Slack intros only, no new Teams message.
    let teams_calls_before = teams.recorder().calls().len();
    let slack_round = slack_command(&slack_driver, &owner, "admin round now coffee").await;
    assert!(
        slack_round.contains(&format!("{} people", people.len())),
        "{slack_round}"
    );
    let groups = people.len() / 2;
    slack
        .recorder()
        .wait_for(
            |recorder| recorder.calls_to("chat.postMessage").len() >= groups,
            Duration::from_secs(20),
        )
        .await
        .expect("every Slack group gets its intro");
    assert_eq!(
        teams.recorder().calls().len(),
        teams_calls_before,
        "a Slack round calls nothing on Teams"
    );

    // People stay with their own install.
    let slack_members = store.workspace_members(slack_workspace).await.unwrap();
    assert!(slack_members.iter().all(|m| m.external_id.starts_with('U')));
    let teams_members = store.workspace_members(teams_workspace).await.unwrap();
    assert!(
        teams_members
            .iter()
            .all(|m| m.external_id.starts_with("29:"))
    );

    app.shutdown().await.unwrap();
    teams.shutdown().await;
    slack.shutdown().await;
}

async fn workspace_of(store: &pourover::store::Store, platform: Platform) -> WorkspaceId {
    store
        .list_workspaces()
        .await
        .unwrap()
        .into_iter()
        .find(|(_, p, _)| *p == platform)
        .map(|(id, _, _)| id)
        .unwrap()
}

async fn reply(
    sim: &TeamsSim,
    driver: &pourover_simulator::teams::TeamsBotDriver,
    user: &str,
    text: &str,
) -> String {
    let activity = driver.prepare_message(user, text).unwrap();
    let id = activity["id"].as_str().unwrap().to_owned();
    assert_eq!(driver.send_activity(activity).await.unwrap().status, 200);
    sim.recorder()
        .messages_to(user)
        .into_iter()
        .find(|m| m.reply_to_id.as_deref() == Some(id.as_str()))
        .map(|m| m.plain_text())
        .expect("a reply")
}
