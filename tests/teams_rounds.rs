//! A round across a Teams roster: every person gets exactly one 1:1 intro naming their
//! partners with real mentions and local times — also when Teams throttles, fails, or
//! loses a reply, and never for someone who blocked the bot.

mod teams_support;

use std::collections::HashMap;

use pourover::domain::{OutboxItem, OutboxKind, OutboxState};
use pourover_simulator::teams::{ConnectorFault, ConnectorOperation, TeamsSimConfig, TenantSpec};
use teams_support::{PATIENCE, TeamsBot, intros_to};

/// The bot installed in the first team (8 people and a guest), ready for a round.
async fn installed() -> TeamsBot {
    let bot = TeamsBot::start().await;
    bot.install(&bot.team(0)).await;
    bot
}

/// People enrolled in the team's program (everyone but the guest).
fn people(bot: &TeamsBot) -> Vec<String> {
    let team = bot.team(0);
    team.members
        .into_iter()
        .filter(|id| {
            bot.sim.user(id).map(|u| u.role) == Some(pourover_simulator::teams::UserRole::User)
        })
        .collect()
}

async fn start_round(bot: &TeamsBot) {
    let reply = bot.say(&bot.admin, "admin round now coffee-lovers").await;
    assert!(reply.contains("is planned"), "{reply}");
}

/// Every intro row of the program's last round.
async fn intro_rows(bot: &TeamsBot) -> Vec<OutboxItem> {
    let store = bot.app.store();
    let program = store
        .programs(bot.workspace().await)
        .await
        .unwrap()
        .remove(0);
    let round = store.last_round(program.id).await.unwrap().unwrap();
    let mut rows = Vec::new();
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
    rows
}

/// Waits until the round owes `expected` intros and none is pending or being sent.
async fn delivery_settled(bot: &TeamsBot, expected: usize) -> Vec<OutboxItem> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let rows = intro_rows(bot).await;
        let settled = rows
            .iter()
            .all(|r| matches!(r.state, OutboxState::Sent | OutboxState::Failed));
        if rows.len() == expected && settled {
            return rows;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "intros did not settle: {} rows, expected {expected}: {:?}",
            rows.len(),
            rows.iter()
                .map(|r| (r.state, r.attempts, r.last_error.clone()))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn intro_counts(bot: &TeamsBot, people: &[String]) -> HashMap<String, usize> {
    people
        .iter()
        .map(|id| (id.clone(), intros_to(&bot.sim, id).len()))
        .collect()
}

#[tokio::test]
async fn a_round_gives_everyone_exactly_one_intro_naming_their_partners() {
    let bot = installed().await;
    let people = people(&bot);
    // Talking to the bot is how Teams tells it someone's time zone.
    for person in &people {
        bot.say(person, "status").await;
    }
    start_round(&bot).await;
    let rows = delivery_settled(&bot, people.len()).await;
    assert!(rows.iter().all(|r| r.state == OutboxState::Sent));

    let store = bot.app.store();
    for person in &people {
        let intros = intros_to(&bot.sim, person);
        assert_eq!(intros.len(), 1, "{person} got exactly one intro");
        let intro = &intros[0];
        let row = rows
            .iter()
            .find(|r| r.message_id.as_deref() == Some(intro.id.as_str()))
            .expect("the row remembers the message it was sent as");
        let group = store.group(row.group_id.unwrap()).await.unwrap().unwrap();
        let partners: Vec<String> = store
            .members_by_ids(&group.members)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.external_id)
            .filter(|id| id != person)
            .collect();
        let mut mentioned: Vec<String> =
            intro.mentions().into_iter().map(|(id, _, _)| id).collect();
        let mut expected = partners.clone();
        mentioned.sort();
        expected.sort();
        assert_eq!(
            mentioned, expected,
            "the intro mentions exactly the partners"
        );
        for (_, name, tag) in intro.mentions() {
            assert_eq!(tag, format!("<at>{name}</at>"));
            assert!(intro.text().unwrap().contains(&tag));
        }
        let text = intro.plain_text();
        for partner in &partners {
            let zone = bot.sim.user(partner).unwrap().time_zone;
            assert!(
                text.contains(&zone),
                "{partner}'s local time is shown:\n{text}"
            );
        }
        let buttons: Vec<String> = intro.buttons().into_iter().map(|(t, _)| t).collect();
        assert_eq!(buttons, ["We met", "Scheduled", "Skip this one"]);
    }
    bot.stop().await;
}

#[tokio::test]
async fn a_storm_of_429s_with_retry_after_delays_intros_but_never_doubles_them() {
    let bot = installed().await;
    let people = people(&bot);
    let faults = bot.sim.faults();
    let throttled = ConnectorFault::RateLimited {
        retry_after_seconds: 1,
    };
    faults.inject(ConnectorOperation::CreateConversation, throttled.clone(), 3);
    faults.inject_after(ConnectorOperation::SendToConversation, 1, throttled, 6);
    start_round(&bot).await;
    let rows = delivery_settled(&bot, people.len()).await;
    assert!(rows.iter().all(|r| r.state == OutboxState::Sent));
    assert!(intro_counts(&bot, &people).values().all(|n| *n == 1));
    let recorder = bot.sim.recorder();
    assert_eq!(
        recorder.rate_limited_count(ConnectorOperation::SendToConversation)
            + recorder.rate_limited_count(ConnectorOperation::CreateConversation),
        9
    );
    bot.stop().await;
}

#[tokio::test]
async fn server_errors_are_retried_until_every_intro_is_out_once() {
    let bot = installed().await;
    let people = people(&bot);
    let faults = bot.sim.faults();
    faults.inject(
        ConnectorOperation::SendToConversation,
        ConnectorFault::ServerError,
        4,
    );
    faults.inject(
        ConnectorOperation::CreateConversation,
        ConnectorFault::Status {
            status: 502,
            code: "BadGateway".into(),
        },
        2,
    );
    faults.inject_after(
        ConnectorOperation::SendToConversation,
        0,
        ConnectorFault::Status {
            status: 412,
            code: "PreconditionFailed".into(),
        },
        1,
    );
    start_round(&bot).await;
    let rows = delivery_settled(&bot, people.len()).await;
    assert!(
        rows.iter().all(|r| r.state == OutboxState::Sent),
        "{rows:#?}"
    );
    assert!(intro_counts(&bot, &people).values().all(|n| *n == 1));
    bot.stop().await;
}

#[tokio::test]
async fn a_reply_lost_after_creating_a_chat_costs_nothing() {
    let bot = installed().await;
    let people = people(&bot);
    bot.sim.faults().inject(
        ConnectorOperation::CreateConversation,
        ConnectorFault::DropConnectionAfterProcessing,
        2,
    );
    start_round(&bot).await;
    let rows = delivery_settled(&bot, people.len()).await;
    assert!(rows.iter().all(|r| r.state == OutboxState::Sent));
    assert!(
        intro_counts(&bot, &people).values().all(|n| *n == 1),
        "creating a 1:1 chat is idempotent in Teams, so retrying it is safe"
    );
    bot.stop().await;
}

/// The one case Teams cannot make exactly-once: Teams accepted the intro but its reply
/// was lost. Teams offers bots no way to read a chat back, so the worker resends: that
/// person gets the intro twice — and nobody misses theirs.
#[tokio::test]
async fn a_reply_lost_after_teams_accepted_an_intro_costs_one_duplicate_and_never_a_missing_intro()
{
    let bot = installed().await;
    let people = people(&bot);
    bot.sim.faults().inject_after(
        ConnectorOperation::SendToConversation,
        3,
        ConnectorFault::DropConnectionAfterProcessing,
        1,
    );
    start_round(&bot).await;
    let rows = delivery_settled(&bot, people.len()).await;
    assert!(
        rows.iter().all(|r| r.state == OutboxState::Sent),
        "{rows:#?}"
    );
    let counts = intro_counts(&bot, &people);
    assert!(
        counts.values().all(|n| *n >= 1),
        "nobody missed their intro: {counts:?}"
    );
    let doubled: Vec<_> = counts.iter().filter(|(_, n)| **n == 2).collect();
    assert_eq!(
        doubled.len(),
        1,
        "exactly one person saw it twice: {counts:?}"
    );
    assert_eq!(counts.values().sum::<usize>(), people.len() + 1);
    bot.stop().await;
}

#[tokio::test]
async fn someone_who_blocked_the_bot_is_failed_once_and_listed_for_admins() {
    let bot = installed().await;
    let people = people(&bot);
    let blocker = people[3].clone();
    bot.sim.set_blocked(&blocker, true).unwrap();
    start_round(&bot).await;
    let rows = delivery_settled(&bot, people.len()).await;
    let failed: Vec<_> = rows
        .iter()
        .filter(|r| r.state == OutboxState::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{rows:#?}");
    let reason = failed[0].last_error.as_deref().unwrap_or_default();
    assert!(reason.contains("MessageWritesBlocked"), "{reason}");
    let conversation = failed[0].conversation_id.clone().unwrap();
    let attempts = bot
        .sim
        .recorder()
        .calls_to(ConnectorOperation::SendToConversation)
        .into_iter()
        .filter(|c| c.conversation_id.as_deref() == Some(conversation.as_str()))
        .count();
    assert_eq!(attempts, 1, "a blocked bot is not retried");
    for person in people.iter().filter(|p| **p != blocker) {
        assert_eq!(intros_to(&bot.sim, person).len(), 1);
    }
    let failures = bot.say(&bot.admin, "admin failures").await;
    let blocker_name = bot.sim.user(&blocker).unwrap().name;
    assert!(failures.contains(&blocker_name), "{failures}");
    assert!(failures.contains("MessageWritesBlocked"), "{failures}");
    bot.stop().await;
}

#[tokio::test]
async fn a_revoked_token_is_replaced_once_and_delivery_goes_on() {
    let bot = installed().await;
    let people = people(&bot);
    let before = bot.sim.recorder().token_requests().len();
    bot.sim.revoke_tokens();
    start_round(&bot).await;
    let rows = delivery_settled(&bot, people.len()).await;
    assert!(rows.iter().all(|r| r.state == OutboxState::Sent));
    assert!(intro_counts(&bot, &people).values().all(|n| *n == 1));
    assert_eq!(
        bot.sim.recorder().token_requests().len(),
        before + 1,
        "one new token for everything after the revocation"
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_large_roster_is_paced_under_teams_limits_without_a_single_429() {
    let spec = TenantSpec::one_team("Everyone", 60);
    let bot = TeamsBot::start_with(TeamsSimConfig::default(), spec, &[]).await;
    bot.install(&bot.team(0)).await;
    let people = bot.team(0).members;
    let reply = bot.say(&bot.admin, "admin round now everyone").await;
    assert!(reply.contains("is planned: 60 people"), "{reply}");
    let rows = delivery_settled(&bot, people.len()).await;
    assert_eq!(rows.len(), 60);
    assert!(rows.iter().all(|r| r.state == OutboxState::Sent));
    assert!(intro_counts(&bot, &people).values().all(|n| *n == 1));
    let recorder = bot.sim.recorder();
    assert_eq!(
        recorder.rate_limited_count(ConnectorOperation::SendToConversation)
            + recorder.rate_limited_count(ConnectorOperation::CreateConversation),
        0
    );
    bot.stop().await;
}
