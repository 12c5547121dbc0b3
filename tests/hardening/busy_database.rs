//! A busy database (another writer holding SQLite's write lock for seconds) loses nothing
//! that was acknowledged: an event that cannot be recorded is not acknowledged (Slack sends
//! it again), and one that was is applied once the database takes it — on Slack and Teams.

use std::time::Duration;

use pourover::domain::EnrollmentState;
use pourover::store::Store;
use pourover_simulator::teams::{ConnectorFault, ConnectorOperation};
use pourover_simulator::{CompanySpec, Fault};
use sqlx::Sqlite;
use sqlx::pool::PoolConnection;

use crate::common::eventually;
use crate::common::harness::SlackTestBot;
use crate::teams_support::TeamsBot;

/// Longer than SQLite's busy timeout (5 s): writers give up while it is held.
const HELD_FOR: Duration = Duration::from_secs(7);
const PATIENCE: Duration = Duration::from_secs(60);

/// A second connection holding the database's write lock (`BEGIN IMMEDIATE`).
async fn write_lock(store: &Store) -> PoolConnection<Sqlite> {
    let mut connection = store.pool().acquire().await.expect("a connection");
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *connection)
        .await
        .expect("the write lock");
    connection
}

async fn release(mut connection: PoolConnection<Sqlite>) {
    sqlx::query("ROLLBACK")
        .execute(&mut *connection)
        .await
        .expect("the lock is released");
}

/// Someone outside #coffee, and the event of them joining it.
fn newcomer_joins(
    bot: &SlackTestBot,
    channel: &str,
) -> (String, slack_morphism::prelude::SlackEventCallbackBody) {
    let members = bot.sim.conversation(channel).expect("#coffee").members;
    let newcomer = bot
        .people()
        .into_iter()
        .find(|person| !members.contains(&person.id))
        .expect("someone outside #coffee")
        .id;
    let joined = bot
        .sim
        .join_channel(&newcomer, channel)
        .expect("joins")
        .expect("the bot is in #coffee");
    (newcomer, joined)
}

async fn enrolled(bot: &SlackTestBot, user: &str) {
    eventually(&format!("{user} to be enrolled"), PATIENCE, || async {
        (bot.enrollment(user, "coffee").await == Some(EnrollmentState::Active)).then_some(())
    })
    .await;
}

fn company() -> CompanySpec {
    CompanySpec {
        coffee_share: 0.5,
        ..CompanySpec::new(10, 2)
    }
}

#[tokio::test]
async fn a_channel_join_during_a_write_lock_still_enrols_the_person() {
    let bot = SlackTestBot::start(company()).await;
    bot.create_program("coffee", Some("coffee")).await;
    let channel = bot.sim.channel_named("coffee").expect("#coffee").id;
    let (newcomer, joined) = newcomer_joins(&bot, &channel);
    // Looking the person up takes a moment: long enough to take the lock in between the
    // event being recorded (and acknowledged) and being applied.
    bot.sim
        .faults()
        .inject("users.info", Fault::Slow(Duration::from_millis(1500)), 1);
    let acknowledged = bot.deliver(joined).await;
    assert_eq!(acknowledged.status, 200);
    let lock = write_lock(bot.store()).await;
    tokio::time::sleep(HELD_FOR).await;
    assert_eq!(bot.enrollment(&newcomer, "coffee").await, None);
    release(lock).await;
    enrolled(&bot, &newcomer).await;
    bot.shutdown().await;
}

#[tokio::test]
async fn an_event_that_cannot_be_recorded_is_not_acknowledged_and_slacks_retry_applies_it() {
    let bot = SlackTestBot::start(company()).await;
    bot.create_program("coffee", Some("coffee")).await;
    let channel = bot.sim.channel_named("coffee").expect("#coffee").id;
    let (newcomer, joined) = newcomer_joins(&bot, &channel);
    let lock = write_lock(bot.store()).await;
    let driver = bot.driver();
    let envelope = driver.envelope(joined).expect("an envelope");
    let delivery = tokio::spawn(async move { driver.deliver_event_like_slack(&envelope).await });
    tokio::time::sleep(HELD_FOR).await;
    release(lock).await;
    let attempts = delivery.await.expect("Slack delivered");
    let first = attempts[0].as_ref().map(|response| response.status);
    assert!(
        !matches!(first, Ok(200)),
        "the first delivery was acknowledged though it could not be recorded"
    );
    assert!(
        attempts
            .last()
            .is_some_and(|last| last.as_ref().is_ok_and(|r| r.status == 200)),
        "a retry was acknowledged: {attempts:?}"
    );
    enrolled(&bot, &newcomer).await;
    bot.shutdown().await;
}

#[tokio::test]
async fn a_teams_member_added_during_a_write_lock_is_still_enrolled() {
    let bot = TeamsBot::start().await;
    let team = bot.team(0);
    bot.install(&team).await;
    let newcomer = bot.sim.add_user("Nia New", "Africa/Lagos");
    bot.sim.faults().inject(
        ConnectorOperation::GetConversationMember,
        ConnectorFault::Slow(Duration::from_secs(3)),
        1,
    );
    let driver = bot.driver();
    let (team_id, user_id) = (team.id.clone(), newcomer.id.clone());
    let added = tokio::spawn(async move { driver.add_to_team(&team_id, &user_id).await });
    // Recorded at once; the lock lands while the person is being looked up.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let lock = write_lock(bot.app.store()).await;
    tokio::time::sleep(HELD_FOR).await;
    release(lock).await;
    let response = added
        .await
        .expect("sent")
        .expect("delivered")
        .expect("the bot is in the team");
    assert_eq!(response.status, 200);
    let store = bot.app.store();
    let workspace = bot.workspace().await;
    eventually("the newcomer to be enrolled", PATIENCE, || async {
        let member = store
            .member_by_external_id(workspace, &newcomer.id)
            .await
            .expect("members")?;
        let program = store.programs(workspace).await.expect("programs").remove(0);
        let enrollment = store
            .enrollment(program.id, member.id)
            .await
            .expect("enrollment")?;
        (enrollment.state == EnrollmentState::Active).then_some(())
    })
    .await;
    bot.stop().await;
}

#[tokio::test]
async fn healthz_says_503_with_the_reason_while_the_database_takes_no_writes_and_200_after() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let app = pourover::app::RunningApp::start(crate::common::settings_in(dir.path(), &[]))
        .await
        .expect("the bot starts");
    let url = format!("http://{}/healthz", app.local_addr());
    let healthy = reqwest::get(&url).await.expect("answers");
    assert_eq!(healthy.status(), 200);
    let lock = write_lock(app.store()).await;
    let refused = reqwest::get(&url).await.expect("answers");
    assert_eq!(refused.status(), 503);
    let body: serde_json::Value = refused.json().await.expect("json");
    assert_eq!(body["database"], "cannot take writes");
    assert!(
        body["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("locked")),
        "{body}"
    );
    release(lock).await;
    let recovered = reqwest::get(&url).await.expect("answers");
    assert_eq!(recovered.status(), 200);
    app.shutdown().await.expect("the bot stops");
}
