//! An Enterprise Grid org: workspaces with their own channels whose people have org-wide
//! user ids, workspace and org-wide installs, and payloads naming the org.

mod common;

use std::time::Duration;

use common::install::{REDIRECT, authorize_link, coffee_drinker, oauth_access};
use common::{FakeApp, error_of, web_api};
use pourover_simulator::{
    CompanySpec, Consent, OrgSpec, SimError, SimWorkspace, SlackSim, SlackSimConfig, WorkspaceSpec,
};
use serde_json::Value;
use slack_morphism::prelude::*;

const WAIT: Duration = Duration::from_secs(5);
const ORG: &str = "E0GRIDORG1";

struct Grid {
    sim: SlackSim,
    east: SimWorkspace,
    west: SimWorkspace,
}

async fn grid() -> Grid {
    let config = SlackSimConfig {
        rate_limits: false,
        ..SlackSimConfig::default()
    };
    let sim = SlackSim::start(config, CompanySpec::new(4, 1))
        .await
        .expect("simulator starts");
    sim.set_redirect_urls(vec![REDIRECT.to_owned()]);
    let mut spec = OrgSpec::new(
        ORG,
        "Grid Coffee Holdings",
        vec![
            WorkspaceSpec::new("T0GRIDEAST", "Grid East", CompanySpec::new(6, 2)),
            WorkspaceSpec::new("T0GRIDWEST", "Grid West", CompanySpec::new(5, 2)),
        ],
    );
    spec.shared_people = 2;
    let mut workspaces = sim.add_org(spec).expect("org added");
    let west = workspaces.pop().expect("west");
    let east = workspaces.pop().expect("east");
    Grid { sim, east, west }
}

fn ids(answer: &Value, list: &str) -> Vec<String> {
    answer[list]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn org_wide_install(grid: &Grid) -> Value {
    let admin = grid
        .east
        .people()
        .into_iter()
        .find(|person| person.is_admin)
        .expect("an admin");
    let link = authorize_link(
        &grid.sim,
        "chat:write,users:read",
        &[("redirect_uri", REDIRECT)],
    );
    let code = grid
        .sim
        .browser()
        .authorize(
            &link,
            &Consent::allow()
                .in_workspace(grid.east.team_id())
                .as_user(&admin.id)
                .org_wide(),
        )
        .await
        .expect("redirected")
        .code
        .expect("a code");
    oauth_access(
        &grid.sim,
        &[("code", code.as_str()), ("redirect_uri", REDIRECT)],
    )
    .await
}

#[tokio::test]
async fn org_people_have_one_id_valid_in_every_workspace_of_the_org() {
    let grid = grid().await;
    let east_people = grid.east.people();
    let west_people = grid.west.people();
    assert_eq!(east_people.len(), 6);
    assert_eq!(
        west_people.len(),
        5 + 2,
        "two people of East are in West too"
    );
    let shared: Vec<&str> = east_people[..2]
        .iter()
        .map(|person| person.id.as_str())
        .collect();
    assert!(
        shared
            .iter()
            .all(|id| west_people.iter().any(|person| person.id == *id))
    );
    let east_only = &east_people[5];
    assert!(
        grid.west.user(&east_only.id).is_some(),
        "known in West by id"
    );
    assert!(
        !grid.west.users().iter().any(|user| user.id == east_only.id),
        "but not listed"
    );
    assert_eq!(
        grid.east.bot_user_id(),
        grid.west.bot_user_id(),
        "one org-wide bot user"
    );
    assert_eq!(
        grid.east.enterprise().map(|org| org.id).as_deref(),
        Some(ORG)
    );

    // A workspace install in West still resolves East's people by id.
    let token = grid.west.install().expect("installed").bot_token;
    let api = grid.sim.api_url();
    let info = web_api(&api, &token, "users.info", &[("user", &east_only.id)]).await;
    assert_eq!(info["ok"], true, "{info}");
    assert_eq!(
        info["user"]["team_id"],
        grid.east.team_id(),
        "their home workspace"
    );
    assert_eq!(info["user"]["enterprise_user"]["enterprise_id"], ORG);
    let listed = web_api(&api, &token, "users.list", &[]).await;
    assert!(!ids(&listed, "members").contains(&east_only.id));
    let shared_person = web_api(&api, &token, "users.info", &[("user", shared[0])]).await;
    let teams = &shared_person["user"]["enterprise_user"]["teams"];
    assert_eq!(teams.as_array().map(Vec::len), Some(2), "{teams}");
}

#[tokio::test]
async fn each_workspace_of_an_org_has_its_own_channels() {
    let grid = grid().await;
    let east_coffee = grid.east.channel_named("coffee").expect("#coffee").id;
    let west_coffee = grid.west.channel_named("coffee").expect("#coffee").id;
    assert_ne!(east_coffee, west_coffee);
    assert!(grid.west.conversation(&east_coffee).is_none());
    let token = grid.west.install().expect("installed").bot_token;
    let answer = web_api(
        &grid.sim.api_url(),
        &token,
        "conversations.info",
        &[("channel", &east_coffee)],
    )
    .await;
    assert_eq!(
        error_of(&answer),
        "channel_not_found",
        "a workspace token sees its own channels"
    );
}

#[tokio::test]
async fn an_org_wide_install_acts_in_every_workspace_of_the_org() {
    let grid = grid().await;
    let answer = org_wide_install(&grid).await;
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["team"], Value::Null);
    assert_eq!(answer["enterprise"]["id"], ORG);
    assert_eq!(answer["enterprise"]["name"], "Grid Coffee Holdings");
    assert_eq!(answer["is_enterprise_install"], true);
    let token = answer["access_token"].as_str().expect("a token").to_owned();
    let api = grid.sim.api_url();

    let auth = web_api(&api, &token, "auth.test", &[]).await;
    assert_eq!(auth["is_enterprise_install"], true);
    assert_eq!(auth["enterprise_id"], ORG);
    for workspace in [&grid.east, &grid.west] {
        let coffee = workspace.channel_named("coffee").expect("#coffee").id;
        let posted = web_api(
            &api,
            &token,
            "chat.postMessage",
            &[("channel", &coffee), ("text", "hello org")],
        )
        .await;
        assert_eq!(posted["ok"], true, "{posted}");
        assert_eq!(posted["message"]["team"], workspace.team_id());
        let channels = web_api(
            &api,
            &token,
            "conversations.list",
            &[("team_id", workspace.team_id())],
        )
        .await;
        assert!(ids(&channels, "channels").contains(&coffee));
        let info = web_api(&api, &token, "team.info", &[("team", workspace.team_id())]).await;
        assert_eq!(info["team"]["enterprise_id"], ORG);
    }
    let channels = web_api(&api, &token, "conversations.list", &[]).await;
    assert_eq!(
        error_of(&channels),
        "missing_argument",
        "an org token names the workspace"
    );
    let outside = web_api(
        &api,
        &token,
        "conversations.list",
        &[("team_id", &grid.sim.config().team_id)],
    )
    .await;
    assert_eq!(error_of(&outside), "team_access_not_granted");
    let everyone = web_api(&api, &token, "users.list", &[]).await;
    let east_only = grid.east.people()[5].id.clone();
    let west_person = grid
        .west
        .people()
        .last()
        .map(|person| person.id.clone())
        .expect("someone");
    let members = ids(&everyone, "members");
    assert!(members.contains(&east_only) && members.contains(&west_person));
    // A group DM across the org's workspaces.
    let dm = web_api(
        &api,
        &token,
        "conversations.open",
        &[("users", &format!("{east_only},{west_person}"))],
    )
    .await;
    assert_eq!(dm["ok"], true, "{dm}");
    assert!(
        grid.sim
            .org_installation(ORG)
            .is_some_and(|installed| installed.active)
    );
}

#[tokio::test]
async fn only_an_org_admin_may_install_org_wide() {
    let grid = grid().await;
    let member = grid
        .east
        .people()
        .into_iter()
        .find(|person| !person.is_admin && !person.is_owner)
        .expect("a member");
    let link = authorize_link(&grid.sim, "chat:write", &[]);
    let refused = grid
        .sim
        .browser()
        .authorize(
            &link,
            &Consent::allow()
                .in_workspace(grid.east.team_id())
                .as_user(&member.id)
                .org_wide(),
        )
        .await;
    assert!(
        matches!(&refused, Err(SimError::OAuthRefused { status: 403, code }) if code == "org_admin_required"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn payloads_from_an_org_workspace_name_the_org_and_the_org_wide_install() {
    let grid = grid().await;
    org_wide_install(&grid).await;
    let app = FakeApp::start().await;
    let driver = grid.west.app(&app.base_url);
    let (coffee, person) = coffee_drinker(&grid.west);
    let bot = grid.west.bot_user_id();
    driver
        .slash_command(&person, "/coffee", "join")
        .await
        .expect("delivered");
    let (_, event) = grid
        .west
        .post_as_user(&person, &coffee.id, "hi")
        .expect("posted");
    driver
        .event(event.expect("the bot is in #coffee"))
        .await
        .expect("delivered");
    let requests = app.wait_for_requests(2, WAIT).await;
    assert_eq!(
        requests[0].form_field("enterprise_id").as_deref(),
        Some(ORG)
    );
    assert_eq!(
        requests[0].form_field("is_enterprise_install").as_deref(),
        Some("true")
    );
    let command: SlackCommandEvent =
        serde_urlencoded::from_str(&requests[0].body).expect("slack-morphism's model");
    assert_eq!(command.team_id.0, grid.west.team_id());
    let envelope: Value = serde_json::from_str(&requests[1].body).expect("json");
    assert_eq!(envelope["team_id"], grid.west.team_id());
    assert_eq!(envelope["enterprise_id"], ORG);
    assert_eq!(envelope["context_enterprise_id"], ORG);
    let authorization = &envelope["authorizations"][0];
    assert_eq!(authorization["enterprise_id"], ORG);
    assert_eq!(authorization["team_id"], grid.west.team_id());
    assert_eq!(authorization["is_enterprise_install"], true);
    assert_eq!(authorization["user_id"], bot.as_str());
    let parsed: SlackPushEvent = serde_json::from_value(envelope).expect("slack-morphism's model");
    assert!(matches!(parsed, SlackPushEvent::EventCallback(_)));
}

#[tokio::test]
async fn uninstalling_the_org_wide_install_ends_its_token_in_every_workspace() {
    let grid = grid().await;
    let token = org_wide_install(&grid).await["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let app = FakeApp::start().await;
    grid.east
        .app(&app.base_url)
        .uninstall_org_app()
        .await
        .expect("delivered");
    let requests = app.wait_for_requests(2, WAIT).await;
    let uninstalled: Value = serde_json::from_str(&requests[1].body).expect("json");
    assert_eq!(uninstalled["event"]["type"], "app_uninstalled");
    assert_eq!(uninstalled["enterprise_id"], ORG);
    assert_eq!(
        uninstalled["authorizations"][0]["is_enterprise_install"],
        true
    );
    let answer = web_api(&grid.sim.api_url(), &token, "auth.test", &[]).await;
    assert_eq!(error_of(&answer), "account_inactive");
    assert!(
        grid.sim
            .org_installation(ORG)
            .is_some_and(|installed| !installed.active)
    );
}
