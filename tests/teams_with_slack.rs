//! One process configured for a Slack workspace and a Teams tenant at once: each
//! install's programs, people and messages stay its own.
//!
//! The Slack adapter is not on `main` yet, so the Slack side here is what exists: the
//! Slack settings are on (pointing at a Slack simulator), and the Slack workspace's
//! program and people are written to the shared database as the Slack adapter would.
//! Everything the Teams tenant does must leave them alone, and nothing may reach Slack.

mod teams_support;

use pourover::app::{AppOptions, RunningApp};
use pourover::domain::{
    EnrollmentState, GroupSize, MemberProfile, Platform, ProgramName, ProgramSettings, WorkspaceId,
};
use pourover::store::NewProgram;
use pourover_simulator::teams::{TeamSpec, TeamsSim, TeamsSimConfig, TenantSpec};
use pourover_simulator::{CompanySpec, SlackSim, SlackSimConfig};
use teams_support::{PATIENCE, bot_env, eventually, intros_to, settings_from};

#[tokio::test]
async fn a_slack_workspace_and_a_teams_tenant_share_a_process_but_not_their_data() {
    let slack = SlackSim::start(SlackSimConfig::default(), CompanySpec::new(5, 2))
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
    let admin = team.members[0].clone();
    let dir = tempfile::tempdir().unwrap();
    let mut env = bot_env(&teams, dir.path(), &[&admin]);
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

    // The Slack workspace, as its adapter records it: a program called `coffee` too.
    let slack_workspace = store
        .upsert_workspace(
            Platform::Slack,
            &slack.config().team_id,
            "Pourover Coffee Co",
        )
        .await
        .unwrap();
    let slack_program = store
        .create_program(NewProgram {
            workspace: slack_workspace,
            name: &ProgramName::parse("coffee").unwrap(),
            channel_id: None,
            schedule: None,
            settings: ProgramSettings {
                group_size: GroupSize::new(2).unwrap(),
                lookback_rounds: 12,
                nudge_after_hours: 72,
                close_after_hours: 144,
            },
            created_by: None,
        })
        .await
        .unwrap()
        .unwrap();
    for person in slack.people() {
        let member = store
            .upsert_member(
                slack_workspace,
                &MemberProfile {
                    external_id: person.id.clone(),
                    display_name: person.real_name.clone(),
                    ..MemberProfile::default()
                },
            )
            .await
            .unwrap();
        store.enroll(slack_program.id, member.id).await.unwrap();
    }

    // The Teams tenant: installed in a team also called "Coffee", then a round.
    let driver = teams.bot(&format!("http://{}/api/messages", app.local_addr()));
    assert_eq!(
        driver
            .install_in_team(&team.id, &admin)
            .await
            .unwrap()
            .status,
        200
    );
    let teams_workspace = workspace_of(&store, Platform::Teams).await;
    assert_ne!(teams_workspace, slack_workspace);
    let teams_program = store
        .program_by_name(teams_workspace, &ProgramName::parse("coffee").unwrap())
        .await
        .unwrap()
        .expect("the Teams team's program has the same name, in its own workspace");
    assert_ne!(teams_program.id, slack_program.id);

    let stats = reply(&teams, &driver, &admin, "admin stats").await;
    // Only the tenant's own program: 6 people (the Slack one has 5).
    assert!(stats.contains("6 enrolled"), "{stats}");
    assert!(!stats.contains("5 enrolled"), "{stats}");
    assert_eq!(stats.matches("coffee").count(), 1, "{stats}");
    let round = reply(&teams, &driver, &admin, "admin round now coffee").await;
    assert!(round.contains("6 people"), "{round}");
    eventually("every Teams intro", PATIENCE, || async {
        team.members
            .iter()
            .all(|m| intros_to(&teams, m).len() == 1)
            .then_some(())
    })
    .await;

    // Nothing of the Teams round touched the Slack workspace.
    assert!(store.last_round(slack_program.id).await.unwrap().is_none());
    assert!(
        store
            .failed_outbox(slack_workspace, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let slack_members = store.workspace_members(slack_workspace).await.unwrap();
    assert_eq!(slack_members.len(), slack.people().len());
    assert!(slack_members.iter().all(|m| m.external_id.starts_with('U')));
    for enrollment in store.program_enrollments(slack_program.id).await.unwrap() {
        assert_eq!(enrollment.state, EnrollmentState::Active);
    }
    let teams_members = store.workspace_members(teams_workspace).await.unwrap();
    assert!(
        teams_members
            .iter()
            .all(|m| m.external_id.starts_with("29:"))
    );
    assert!(
        slack.recorder().api_calls().is_empty(),
        "serving Teams never called Slack"
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
