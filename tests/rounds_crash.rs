//! Exactly-once intros across crashes: a real `pourover serve` is killed with SIGKILL in the
//! middle of delivering a round and started again on the same database. A short lease (1 s)
//! lets the new process take over the dead one's messages quickly.
//!
//! Kill points:
//! - while `conversations.open` hangs for a group (nothing posted for it yet);
//! - after Slack posted an intro but while its reply is held (`SlowAfterProcessing`): the
//!   bot never learnt it was sent, so the new process must find it in the conversation's
//!   history instead of posting it again;
//! - twice at arbitrary moments of a larger round with eight senders in flight, while Slack
//!   also drops replies after posting, answers 429 and 500.
//!
//! In every case each group ends with exactly one intro in its group DM, every intro row
//! ends `sent`, nothing is left `sending`, and no row is lost.

mod common;

use std::time::Duration;

use common::eventually;
use common::rounds::{
    OwedGroup, SETTLE, assert_exactly_one_intro_per_group, everyone_in_coffee, last_round,
    outbox_key, owed_groups, program, settled,
};
use common::serve_slack::SlackServe;
use pourover::domain::{OutboxKind, OutboxState, Program};
use pourover_simulator::{Fault, Faults};

/// Waits for the simulator, the bot or the database; generous for a loaded machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// `pourover serve` with `workers` senders, a program bound to #coffee (everyone in it)
/// and no schedule of its own: only the round the test starts runs.
async fn bot_with_coffee(people: usize, time_scale: f64, workers: &str) -> (SlackServe, Program) {
    let serve = SlackServe::start(
        everyone_in_coffee(people, 4),
        time_scale,
        &[
            ("POUROVER_DELIVERY_WORKERS", workers),
            ("POUROVER_DELIVERY_LEASE_SECONDS", "1"),
            ("POUROVER_DELIVERY_BACKOFF_BASE_MS", "50"),
            ("POUROVER_DELIVERY_BACKOFF_MAX_MS", "1000"),
            ("POUROVER_TICK_SECONDS", "3600"),
        ],
    )
    .await;
    let channel = serve.sim.channel_named("coffee").expect("#coffee").id;
    let created = serve
        .command(
            &serve.owner(),
            &format!("admin program create coffee <#{channel}|coffee>"),
        )
        .await;
    assert!(created.contains("Created *coffee*"), "{created}");
    let workspace = common::rounds::only_workspace(&serve.store).await;
    let coffee = program(&serve.store, workspace, "coffee").await;
    serve
        .store
        .set_program_schedule(coffee.id, None)
        .await
        .expect("unscheduled");
    (serve, coffee)
}

async fn start_round(serve: &SlackServe) {
    let reply = serve
        .command(&serve.owner(), "admin round now coffee")
        .await;
    assert!(reply.contains("is planned"), "{reply}");
}

/// How many intros the simulator holds.
fn intros_posted(serve: &SlackServe) -> usize {
    serve
        .sim
        .recorder()
        .all_messages()
        .iter()
        .filter_map(outbox_key)
        .filter(|key| key.ends_with("-intro"))
        .count()
}

async fn wait_for_intros(serve: &SlackServe, at_least: usize) {
    serve
        .sim
        .recorder()
        .wait_for(|_| intros_posted(serve) >= at_least, PATIENCE)
        .await
        .unwrap_or_else(|err| panic!("{at_least} intros: {err}\n{}", serve.log()));
}

/// Waits until `method`'s queued faults have all been taken by calls.
async fn wait_for_faults_taken(faults: &Faults, method: &str) {
    eventually(
        &format!("the {method} fault to be met"),
        PATIENCE,
        || async { (faults.pending(method) == 0).then_some(()) },
    )
    .await;
}

async fn current_groups(serve: &SlackServe, program: &Program) -> Vec<OwedGroup> {
    let round = last_round(&serve.store, program).await.expect("the round");
    owed_groups(&serve.store, &round).await
}

/// Intro rows the dead process left `sending`.
fn in_flight(groups: &[OwedGroup]) -> Vec<&OwedGroup> {
    groups
        .iter()
        .filter(|g| g.row(OutboxKind::Intro).state == OutboxState::Sending)
        .collect()
}

/// After the last restart: every group has exactly one intro, every intro row is sent and
/// the follow-ups are still owed (nothing lost, nothing stuck).
async fn assert_round_delivered_exactly_once(serve: &SlackServe, program: &Program, groups: usize) {
    let settled = settled(&serve.store, program, OutboxKind::Intro, SETTLE).await;
    let round = last_round(&serve.store, program).await.expect("the round");
    assert_eq!(settled.len(), groups);
    assert_exactly_one_intro_per_group(&serve.sim, &round, &settled);
    for group in &settled {
        let kinds: Vec<(OutboxKind, OutboxState)> =
            group.rows.iter().map(|r| (r.kind, r.state)).collect();
        assert_eq!(
            kinds,
            vec![
                (OutboxKind::Intro, OutboxState::Sent),
                (OutboxKind::Nudge, OutboxState::Pending),
                (OutboxKind::ClosePrompt, OutboxState::Pending),
            ]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_conversations_open_hangs_every_group_still_gets_exactly_one_intro() {
    // One sender, so the hanging open is the only thing in flight.
    let (mut serve, coffee) = bot_with_coffee(12, 60.0, "1").await;
    start_round(&serve).await;
    wait_for_intros(&serve, 2).await;
    let faults = serve.sim.faults();
    faults.inject(
        "conversations.open",
        Fault::Slow(Duration::from_secs(60)),
        1,
    );
    wait_for_faults_taken(&faults, "conversations.open").await;
    serve.kill9().await;

    let groups = current_groups(&serve, &coffee).await;
    let hanging = in_flight(&groups);
    assert_eq!(hanging.len(), 1, "the hanging group's intro is in flight");
    let row = hanging[0].row(OutboxKind::Intro);
    assert!(
        !common::rounds::posted_by_key(&serve.sim).contains_key(&row.key),
        "nothing was posted for it"
    );

    serve.start_again().await;
    assert_round_delivered_exactly_once(&serve, &coffee, 6).await;
    serve.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_slack_posted_an_intro_but_before_the_reply_the_new_process_finds_it() {
    let (mut serve, coffee) = bot_with_coffee(12, 60.0, "1").await;
    start_round(&serve).await;
    wait_for_intros(&serve, 2).await;
    let faults = serve.sim.faults();
    faults.inject(
        "chat.postMessage",
        Fault::SlowAfterProcessing(Duration::from_secs(60)),
        1,
    );
    wait_for_faults_taken(&faults, "chat.postMessage").await;
    // The held intro is in Slack, and the bot has not recorded it: that is the moment.
    let held = eventually("the held intro to be posted", PATIENCE, || async {
        let groups = current_groups(&serve, &coffee).await;
        let posted = common::rounds::posted_by_key(&serve.sim);
        groups
            .iter()
            .map(|g| g.row(OutboxKind::Intro).clone())
            .find(|row| row.state == OutboxState::Sending && posted.contains_key(&row.key))
    })
    .await;
    serve.kill9().await;

    let groups = current_groups(&serve, &coffee).await;
    let dead = in_flight(&groups);
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].row(OutboxKind::Intro).key, held.key);

    serve.start_again().await;
    assert_round_delivered_exactly_once(&serve, &coffee, 6).await;
    let log = serve.log();
    assert!(
        log.contains("found an earlier attempt's message; not resending")
            && log.contains(&held.key),
        "{log}"
    );
    serve.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_twice_with_many_intros_in_flight_amid_lost_replies_429s_and_500s() {
    // Slack time at 10x: conversations.open's 50 a minute spread 40 groups over seconds,
    // so each kill finds eight senders mid-way.
    let (mut serve, coffee) = bot_with_coffee(80, 10.0, "8").await;
    let faults = serve.sim.faults();
    let throttled = Fault::RateLimited {
        retry_after_seconds: 1,
    };
    faults.inject("chat.postMessage", Fault::DropConnectionAfterProcessing, 2);
    faults.inject("chat.postMessage", throttled.clone(), 2);
    faults.inject("chat.postMessage", Fault::ServerError, 2);
    faults.inject("chat.postMessage", Fault::DropConnectionAfterProcessing, 2);
    faults.inject("conversations.open", Fault::ServerError, 2);
    faults.inject("conversations.open", throttled, 2);
    start_round(&serve).await;

    for (kill, posted) in [(1, 10), (2, 25)] {
        wait_for_intros(&serve, posted).await;
        serve.kill9().await;
        let groups = current_groups(&serve, &coffee).await;
        let flying = in_flight(&groups).len();
        assert!(flying >= 2, "kill {kill}: {flying} intros in flight");
        serve.start_again().await;
    }
    assert_round_delivered_exactly_once(&serve, &coffee, 40).await;
    for method in ["chat.postMessage", "conversations.open"] {
        assert_eq!(faults.pending(method), 0, "{method} met every fault");
    }
    serve.shutdown().await;
}
