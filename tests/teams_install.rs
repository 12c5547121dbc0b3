//! Installing the bot in a team binds a program to the team and enrols its roster;
//! people joining and leaving the team join and leave the program.

mod teams_support;

use pourover::domain::{EnrollmentState, Member};
use pourover_simulator::teams::{ConnectorOperation, TeamsSimConfig, TenantSpec};
use teams_support::TeamsBot;

async fn enrolled(bot: &TeamsBot, program: &pourover::domain::Program) -> Vec<Member> {
    let store = bot.app.store();
    let mut members = Vec::new();
    for enrollment in store.program_enrollments(program.id).await.unwrap() {
        if enrollment.state == EnrollmentState::Active {
            members.push(store.member(enrollment.member_id).await.unwrap().unwrap());
        }
    }
    members
}

#[tokio::test]
async fn installing_in_a_team_creates_a_program_named_after_it_with_its_roster() {
    let bot = TeamsBot::start().await;
    let team = bot.team(0);
    bot.install(&team).await;

    let programs = bot
        .app
        .store()
        .programs(bot.workspace().await)
        .await
        .unwrap();
    assert_eq!(programs.len(), 1);
    let program = &programs[0];
    assert_eq!(program.name.as_str(), "coffee-lovers");
    assert_eq!(program.channel_id.as_deref(), Some(team.id.as_str()));

    let members = enrolled(&bot, program).await;
    let guests: Vec<_> = bot
        .sim
        .users()
        .into_iter()
        .filter(|u| u.role == pourover_simulator::teams::UserRole::Guest)
        .map(|u| u.id)
        .collect();
    let mut expected: Vec<_> = team
        .members
        .iter()
        .filter(|id| !guests.contains(id))
        .cloned()
        .collect();
    let mut got: Vec<_> = members.iter().map(|m| m.external_id.clone()).collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "everyone but the guest is in");
    let names: Vec<_> = members.iter().map(|m| m.display_name.clone()).collect();
    assert!(names.iter().all(|n| !n.is_empty()), "{names:?}");
    assert!(
        members.iter().all(|m| m.profile_team.is_none()),
        "Teams rosters carry no department"
    );
    // The roster was read page by page, not with the deprecated all-members call.
    assert!(
        !bot.sim
            .recorder()
            .calls_to(ConnectorOperation::GetConversationPagedMembers)
            .is_empty()
    );
    assert!(
        bot.sim
            .recorder()
            .calls_to(ConnectorOperation::GetConversationMembers)
            .is_empty()
    );
    bot.stop().await;
}

#[tokio::test]
async fn the_installer_gets_no_admin_rights_from_installing() {
    let bot = TeamsBot::start().await;
    let team = bot.team(1);
    let installer = team.members[3].clone();
    assert_ne!(installer, bot.admin);
    bot.driver()
        .install_in_team(&team.id, &installer)
        .await
        .unwrap();
    let reply = bot.say(&installer, "admin stats").await;
    assert!(reply.contains("only workspace admins"), "{reply}");
    bot.stop().await;
}

#[tokio::test]
async fn reinstalling_reuses_the_program_and_a_second_team_gets_its_own() {
    let bot = TeamsBot::start().await;
    let first = bot.team(0);
    let second = bot.team(1);
    bot.install(&first).await;
    bot.driver()
        .uninstall_from_team(&first.id, &first.members[0])
        .await
        .unwrap();
    bot.install(&first).await;
    bot.install(&second).await;
    let mut names: Vec<String> = bot
        .app
        .store()
        .programs(bot.workspace().await)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name.to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["coffee-lovers", "platform-engineering"]);
    bot.stop().await;
}

#[tokio::test]
async fn a_team_whose_name_is_taken_gets_a_numbered_program() {
    let spec = TenantSpec {
        teams: vec![
            pourover_simulator::teams::TeamSpec::new("Coffee", 4),
            pourover_simulator::teams::TeamSpec::new("coffee!", 3),
        ],
        ..TenantSpec::default()
    };
    let bot = TeamsBot::start_with(TeamsSimConfig::default(), spec, &[]).await;
    bot.install(&bot.team(0)).await;
    bot.install(&bot.team(1)).await;
    let programs = bot
        .app
        .store()
        .programs(bot.workspace().await)
        .await
        .unwrap();
    let mut names: Vec<_> = programs.iter().map(|p| p.name.to_string()).collect();
    names.sort();
    assert_eq!(names, ["coffee", "coffee-2"]);
    bot.stop().await;
}

#[tokio::test]
async fn people_joining_and_leaving_the_team_join_and_leave_the_program() {
    let bot = TeamsBot::start().await;
    let team = bot.team(1);
    bot.install(&team).await;
    let program = bot
        .app
        .store()
        .programs(bot.workspace().await)
        .await
        .unwrap()
        .remove(0);
    let before = enrolled(&bot, &program).await.len();

    let newcomer = bot.sim.add_user("Nia New", "Africa/Lagos");
    bot.driver()
        .add_to_team(&team.id, &newcomer.id)
        .await
        .unwrap();
    let after_join = enrolled(&bot, &program).await;
    assert_eq!(after_join.len(), before + 1);
    let nia = after_join
        .iter()
        .find(|m| m.external_id == newcomer.id)
        .unwrap();
    assert_eq!(nia.display_name, "Nia New");

    let leaver = team.members[2].clone();
    bot.driver()
        .remove_from_team(&team.id, &leaver)
        .await
        .unwrap();
    let after_leave = enrolled(&bot, &program).await;
    assert_eq!(after_leave.len(), before);
    assert!(after_leave.iter().all(|m| m.external_id != leaver));
    bot.stop().await;
}

#[tokio::test]
async fn the_service_url_of_the_tenant_is_remembered_for_proactive_messages() {
    let bot = TeamsBot::start().await;
    bot.install(&bot.team(0)).await;
    let stored = bot
        .app
        .store()
        .workspace_service_url(bot.workspace().await)
        .await
        .unwrap();
    assert_eq!(stored.as_deref(), Some(bot.sim.service_url().as_str()));
    bot.stop().await;
}
