//! The delivery worker's lease is what keeps two senders off one intro. A sender that
//! stalled past its lease (a frozen process, a locked database) while another took the
//! intro over must not post it: the other one is about to, and neither would find the
//! other's message in time. Driven with `try_execute_task` against the Slack simulator,
//! whose slow `conversations.open` holds the first sender while a second claims the intro.

mod common;

use std::time::Duration;

use chrono::Utc;
use pourover::app::{Core, connect_chats, open_store};
use pourover::chat::IntroFanout;
use pourover::clock::Clock;
use pourover::delivery::Outcome;
use pourover::domain::{MemberProfile, OutboxKind, OutboxState};
use pourover::rounds::PlanOutcome;
use pourover_simulator::{CompanySpec, Fault, SlackSim, SlackSimConfig};

#[tokio::test]
async fn a_sender_whose_lease_was_taken_over_while_it_waited_on_slack_does_not_post() {
    let sim = SlackSim::start(
        SlackSimConfig {
            rate_limits: false,
            ..SlackSimConfig::default()
        },
        CompanySpec::new(4, 2),
    )
    .await
    .expect("the simulator starts");
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = sim.config().clone();
    let api_url = sim.api_url();
    let settings = common::settings_in(
        dir.path(),
        &[
            ("SLACK_BOT_TOKEN", config.bot_token.as_str()),
            ("SLACK_SIGNING_SECRET", config.signing_secret.as_str()),
            ("SLACK_API_URL", api_url.as_str()),
        ],
    );
    let store = open_store(&settings).await.expect("a database");
    let chats = connect_chats(&settings, &store)
        .await
        .expect("Slack connects");
    let workspace = chats.workspaces().next().expect("the Slack workspace");
    let program = common::program_in_workspace(&store, workspace, "coffee").await;
    for person in sim.people().iter().take(2) {
        let member = store
            .upsert_member(
                workspace,
                &MemberProfile {
                    external_id: person.id.clone(),
                    display_name: person.display_name.clone(),
                    ..MemberProfile::default()
                },
            )
            .await
            .expect("a member");
        store.enroll(program.id, member.id).await.expect("enrolled");
    }
    // No background workers: this test is the only sender until it plays the second one.
    let core = Core::new(&settings, store.clone(), chats, Clock::system()).expect("a core");
    let planned = core
        .planner
        .plan(
            &program,
            core.clock.now(),
            IntroFanout::OneConversationPerGroup,
            false,
        )
        .await
        .expect("planned");
    assert!(matches!(planned, PlanOutcome::Planned(_)), "{planned:?}");
    sim.faults()
        .inject("conversations.open", Fault::Slow(Duration::from_secs(3)), 1);

    let first = tokio::spawn({
        let delivery = core.delivery.clone();
        async move { delivery.try_execute_task().await }
    });
    // Once the first sender holds the intro, a second worker finds its lease run out (seen
    // an hour later) and claims it.
    let round = store
        .last_round(program.id)
        .await
        .expect("rounds")
        .expect("a round");
    let group = store
        .round_groups(round.id)
        .await
        .expect("groups")
        .remove(0);
    common::eventually("the first sender's claim", Duration::from_secs(10), || {
        let store = store.clone();
        async move {
            store
                .group_outbox(group.id)
                .await
                .expect("the outbox")
                .into_iter()
                .find(|row| row.kind == OutboxKind::Intro && row.state == OutboxState::Sending)
        }
    })
    .await;
    let stolen = common::eventually("the second claim", Duration::from_secs(10), || {
        let store = store.clone();
        async move {
            let later = Utc::now() + chrono::Duration::hours(1);
            let claimed = store
                .claim_due_outbox(Utc::now(), later, later + chrono::Duration::minutes(1), 1)
                .await
                .expect("a claim");
            claimed.into_iter().next()
        }
    })
    .await;
    assert_eq!(stolen.kind, OutboxKind::Intro);
    assert_eq!(stolen.attempts, 2, "the first sender had claimed it once");

    let outcome = first
        .await
        .expect("the sender ran")
        .expect("no database error");
    assert_eq!(outcome, Some(Outcome::LostLease));
    assert!(
        sim.recorder().calls_to("chat.postMessage").is_empty(),
        "the stalled sender posted an intro someone else now owns"
    );
    let intro = store
        .outbox_item(stolen.id)
        .await
        .expect("the outbox")
        .expect("the intro");
    assert_eq!(
        intro.state,
        OutboxState::Sending,
        "still the second worker's"
    );
    assert_eq!(intro.attempts, 2);
    store.close().await;
    sim.shutdown().await;
}
