//! Ghosts: people who ignore three intros in a row are paused when the third round closes,
//! and get a DM saying why and how to come back (`/coffee resume`). Answering anything,
//! even "Skip this one", keeps a person in.

mod common;

use common::harness::{SlackTestBot, blocks_text};
use common::rounds::{
    OwedGroup, SETTLE, everyone_in_coffee, on_demand_program, outbox_key, posted_by_key, round_now,
    round_options, settled,
};
use common::{eventually, harness::WAIT};
use pourover::domain::{EnrollmentState, FeedbackAnswer, OutboxKind, Program};

/// Plans a round and, in every group, has each engaged person press "Skip this one" on
/// the intro; ghosts press nothing. Returns once every press is stored.
async fn round_where_ghosts_stay_silent(
    bot: &SlackTestBot,
    program: &Program,
    ghosts: &[String],
) -> Vec<OwedGroup> {
    round_now(bot, "coffee").await;
    let groups = settled(bot.store(), program, OutboxKind::Intro, SETTLE).await;
    let posted = posted_by_key(&bot.sim);
    for group in &groups {
        let intro = &posted[&group.row(OutboxKind::Intro).key][0];
        let engaged: Vec<_> = group
            .people
            .iter()
            .filter(|m| !ghosts.contains(&m.external_id))
            .collect();
        for member in &engaged {
            bot.press_button(
                &member.external_id,
                &intro.channel,
                &intro.ts,
                "Skip this one",
            )
            .await;
        }
        eventually("the skips to be stored", WAIT, || async {
            let stored = bot
                .store()
                .group_feedback(group.group.id)
                .await
                .expect("feedback");
            let skipped = stored
                .iter()
                .filter(|f| f.answer == FeedbackAnswer::Skipped)
                .count();
            (skipped == engaged.len()).then_some(())
        })
        .await;
    }
    groups
}

#[tokio::test]
async fn three_ignored_intros_in_a_row_pause_a_person_with_a_dm_explaining_how_to_resume() {
    let bot = SlackTestBot::start_with(round_options(everyone_in_coffee(6, 3))).await;
    let coffee = on_demand_program(&bot, "coffee").await;
    let ghosts: Vec<String> = bot.members().into_iter().take(2).map(|p| p.id).collect();
    let engaged: Vec<String> = bot
        .people()
        .into_iter()
        .map(|p| p.id)
        .filter(|id| !ghosts.contains(id))
        .collect();
    assert_eq!(engaged.len(), 4);

    // Planning a round closes the one before: after the third round is planned, two
    // ignored rounds are counted and nobody is paused yet.
    for _ in 0..3 {
        let groups = round_where_ghosts_stay_silent(&bot, &coffee, &ghosts).await;
        let placed: usize = groups.iter().map(|g| g.people.len()).sum();
        assert_eq!(placed, 6, "ghosts still take part until paused");
    }
    for ghost in &ghosts {
        assert_eq!(
            bot.enrollment(ghost, "coffee").await,
            Some(EnrollmentState::Active)
        );
    }

    // The third round closes a day after its closing prompt.
    let close_after = i64::from(coffee.settings.close_after_hours);
    bot.clock()
        .advance(chrono::Duration::hours(close_after + 24) + chrono::Duration::minutes(1));
    let ticked = bot
        .app()
        .core()
        .scheduler
        .tick()
        .await
        .expect("the scheduler ticks");
    assert_eq!(ticked.rounds_closed, 1, "{ticked:?}");
    assert_eq!(ticked.rounds_planned, 0, "{ticked:?}");

    for ghost in &ghosts {
        assert!(
            matches!(
                bot.enrollment(ghost, "coffee").await,
                Some(EnrollmentState::Paused { until: None })
            ),
            "{ghost} is paused until they come back"
        );
        let dm = bot
            .wait_for("the pause notice", |recorder| {
                recorder.all_messages().into_iter().find(|message| {
                    outbox_key(message).is_some_and(|key| key.starts_with("ghost-"))
                        && bot.sim.conversation(&message.channel).is_some_and(|c| {
                            c.members == sorted(&[ghost.as_str(), bot.sim.bot_user_id()])
                        })
                })
            })
            .await;
        let text = blocks_text(dm.blocks.as_ref().expect("blocks"));
        assert!(text.contains("paused you in *coffee*"), "{text}");
        assert!(text.contains("last 3 intros went unanswered"), "{text}");
        assert!(text.contains("/coffee resume"), "{text}");
    }
    for person in &engaged {
        assert_eq!(
            bot.enrollment(person, "coffee").await,
            Some(EnrollmentState::Active),
            "skipping is an answer"
        );
    }
    let notices = posted_by_key(&bot.sim)
        .into_iter()
        .filter(|(key, _)| key.starts_with("ghost-"))
        .map(|(_, copies)| copies.len())
        .collect::<Vec<_>>();
    assert_eq!(notices, vec![1, 1], "one notice per ghost, nobody else");

    // The next round goes ahead without them, until they type `/coffee resume`.
    round_now(&bot, "coffee").await;
    let groups = settled(bot.store(), &coffee, OutboxKind::Intro, SETTLE).await;
    let placed: Vec<String> = groups.iter().flat_map(|g| g.external_ids()).collect();
    assert_eq!(placed.len(), 4);
    assert!(ghosts.iter().all(|ghost| !placed.contains(ghost)));
    let resumed = bot.command(&ghosts[0], "resume").await;
    assert!(resumed.contains("Welcome back"), "{resumed}");
    assert_eq!(
        bot.enrollment(&ghosts[0], "coffee").await,
        Some(EnrollmentState::Active)
    );
    bot.shutdown().await;
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
    ids.sort();
    ids
}
