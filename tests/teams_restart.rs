//! A real `pourover serve` killed with SIGKILL in the middle of delivering a round, then
//! started again on the same database.
//!
//! Kill points (chosen with the simulator's hanging faults, so each is hit exactly):
//! 1. while an intro is on its way and Teams has NOT processed it: after the restart
//!    everyone has exactly one intro;
//! 2. after Teams accepted an intro but before its reply reached the bot (so before the
//!    database could record it): Teams gives bots no way to look a message up, so the
//!    restarted bot sends that one intro again — one duplicate, nobody missing. This is
//!    the whole of Teams' at-least-once window.

mod teams_support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use pourover::app::open_store;
use pourover::domain::{OutboxItem, OutboxKind, OutboxState};
use pourover::store::Store;
use pourover_simulator::teams::{
    ConnectorFault, ConnectorOperation, ConnectorOutcome, TeamsSim, TeamsSimConfig, TenantSpec,
};
use teams_support::{PATIENCE, bot_env, eventually, intros_to, settings_from};

/// Every intro row of every program's last round.
async fn intro_rows(store: &Store) -> Vec<OutboxItem> {
    let mut rows = Vec::new();
    for (workspace, _, _) in store.list_workspaces().await.unwrap() {
        for program in store.programs(workspace).await.unwrap() {
            let Some(round) = store.last_round(program.id).await.unwrap() else {
                continue;
            };
            for group in store.round_groups(round.id).await.unwrap() {
                rows.extend(
                    store
                        .group_outbox(group.id)
                        .await
                        .unwrap()
                        .into_iter()
                        .filter(|item| item.kind == OutboxKind::Intro),
                );
            }
        }
    }
    rows
}

/// A `pourover serve` child process, SIGKILLed when dropped.
struct Bot {
    child: Child,
    addr: String,
    /// Its log lines, as they come.
    lines: mpsc::Receiver<String>,
}

impl Bot {
    fn start(sim: &TeamsSim, dir: &Path, admin: &str) -> Self {
        Self::start_logging(sim, dir, admin, "pourover=info")
    }

    fn start_logging(sim: &TeamsSim, dir: &Path, admin: &str, rust_log: &str) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pourover"));
        command
            .arg("serve")
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", rust_log)
            // One sender, so "the fourth intro" is a well-defined moment; a short lease,
            // so the restarted bot takes over the dead one's message quickly.
            .env("POUROVER_DELIVERY_WORKERS", "1")
            .env("POUROVER_DELIVERY_LEASE_SECONDS", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in bot_env(sim, dir, &[admin]) {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("pourover serve starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (lines, received) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let addr = loop {
            let line = received
                .recv_timeout(Duration::from_secs(30))
                .expect("serve logs where it listens");
            if line.contains("listening")
                && let Some(addr) = line
                    .split("addr=")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
            {
                break addr.to_owned();
            }
        };
        Self {
            child,
            addr,
            lines: received,
        }
    }

    /// Everything logged so far.
    fn log(&self) -> String {
        self.lines.try_iter().collect::<Vec<_>>().join("\n")
    }

    fn messages_url(&self) -> String {
        format!("http://{}/api/messages", self.addr)
    }

    /// `kill -9`: no shutdown, no flushing, the lease left behind.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Installs the bot, lets three intros through, then makes the fourth hit `fault`; kills
/// the bot once the simulator saw that happen, restarts it, and waits for delivery.
/// Returns how many intros each person got.
async fn kill_at_the_fourth_intro(fault: ConnectorFault, seen: ConnectorOutcome) -> Vec<usize> {
    let sim = TeamsSim::start(
        TeamsSimConfig::default(),
        TenantSpec::one_team("Coffee Lovers", 8),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let team = sim.teams().remove(0);
    let admin = team.members[0].clone();

    let first = Bot::start(&sim, dir.path(), &admin);
    let driver = sim.bot(&first.messages_url());
    assert_eq!(
        driver
            .install_in_team(&team.id, &admin)
            .await
            .unwrap()
            .status,
        200
    );
    sim.faults()
        .inject_after(ConnectorOperation::SendToConversation, 3, fault, 1);
    let planned = driver
        .message(&admin, "admin round now coffee-lovers")
        .await
        .unwrap();
    assert_eq!(planned.status, 200);
    sim.recorder()
        .wait_for(
            |r| {
                r.calls_to(ConnectorOperation::SendToConversation)
                    .iter()
                    .any(|call| call.outcome == seen)
            },
            PATIENCE,
        )
        .await
        .unwrap();
    let delivered_before = team
        .members
        .iter()
        .map(|m| intros_to(&sim, m).len())
        .sum::<usize>();
    first.kill();

    assert!(
        delivered_before >= 3,
        "three intros went out before the kill"
    );

    let second = Bot::start(&sim, dir.path(), &admin);
    // The restarted bot's database, read alongside it (SQLite in WAL mode).
    let store = open_store(&settings_from(&bot_env(&sim, dir.path(), &[&admin])))
        .await
        .unwrap();
    eventually(
        "every intro row sent after the restart",
        PATIENCE,
        || async {
            let rows = intro_rows(&store).await;
            (rows.len() == team.members.len() && rows.iter().all(|r| r.state == OutboxState::Sent))
                .then_some(())
        },
    )
    .await;
    let counts: Vec<usize> = team
        .members
        .iter()
        .map(|m| intros_to(&sim, m).len())
        .collect();
    store.close().await;
    drop(second);
    sim.shutdown().await;
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_an_intro_had_not_reached_teams_everyone_still_gets_exactly_one() {
    let counts = kill_at_the_fourth_intro(ConnectorFault::Hang, ConnectorOutcome::Hung).await;
    assert!(counts.iter().all(|n| *n == 1), "{counts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_teams_accepted_an_intro_but_before_the_bot_heard_back_one_person_gets_it_twice()
 {
    let counts = kill_at_the_fourth_intro(
        ConnectorFault::HangAfterProcessing,
        ConnectorOutcome::HungAfterProcessing,
    )
    .await;
    assert!(
        counts.iter().all(|n| *n >= 1),
        "nobody misses an intro: {counts:?}"
    );
    assert_eq!(
        counts.iter().filter(|n| **n == 2).count(),
        1,
        "the one intro in flight at the kill is sent again: {counts:?}"
    );
    assert_eq!(counts.iter().sum::<usize>(), counts.len() + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_never_logs_the_teams_password_or_a_token_even_at_trace_level() {
    let sim = TeamsSim::start(
        TeamsSimConfig::default(),
        TenantSpec::one_team("Coffee Lovers", 4),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let team = sim.teams().remove(0);
    let admin = team.members[0].clone();
    let bot = Bot::start_logging(&sim, dir.path(), &admin, "trace");
    let driver = sim.bot(&bot.messages_url());
    assert_eq!(
        driver
            .install_in_team(&team.id, &admin)
            .await
            .unwrap()
            .status,
        200
    );
    assert_eq!(driver.message(&admin, "status").await.unwrap().status, 200);
    // A refused token is logged as refused, without the token.
    let forged = driver
        .clone()
        .with_forgery(pourover_simulator::teams::TokenForgery::WrongAudience)
        .message(&admin, "status")
        .await
        .unwrap();
    assert_eq!(forged.status, 403);
    let delivery = sim.recorder().deliveries().pop().unwrap();
    assert!(delivery.activity["id"].is_string());
    let tokens_issued = sim.recorder().token_requests().len();
    assert!(tokens_issued >= 1);
    let log = bot.log();
    drop(bot);
    assert!(log.contains("refused an activity"), "{log}");
    assert!(
        !log.contains(&sim.config().app_password),
        "the client secret leaked into the logs"
    );
    assert!(
        !log.contains("sim."),
        "an access token leaked into the logs"
    );
    assert!(!log.contains("eyJ"), "a JWT leaked into the logs");
    sim.shutdown().await;
}
