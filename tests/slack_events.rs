//! Events and buttons: channel-bound enrolment (events and the start-up reconciliation),
//! deactivation and profile changes, the App Home, and feedback buttons under intros.

mod common;

use std::time::Duration;

use common::eventually;
use common::harness::{HarnessOptions, SlackTestBot, WAIT, blocks_text};
use pourover::domain::{EnrollmentState, FeedbackAnswer, Member};
use pourover_simulator::{CompanySpec, Fault, ProfileUpdate, RecordedMessage};

/// The bot's owner creates `coffee`, bound to #coffee; returns the channel id.
async fn coffee_in_channel(bot: &SlackTestBot) -> String {
    bot.create_program("coffee", Some("coffee")).await;
    bot.sim.channel_named("coffee").expect("#coffee").id
}

async fn wait_for_enrollment(bot: &SlackTestBot, user: &str, wanted: Option<EnrollmentState>) {
    eventually(
        &format!("{user}'s enrollment to be {wanted:?}"),
        WAIT,
        || async { (bot.enrollment(user, "coffee").await == wanted).then_some(()) },
    )
    .await;
}

async fn member(bot: &SlackTestBot, user: &str) -> Option<Member> {
    bot.store()
        .member_by_external_id(bot.workspace().await, user)
        .await
        .expect("members")
}

#[tokio::test]
async fn a_channel_bound_program_follows_joins_and_leaves() {
    let company = CompanySpec {
        guests: 1,
        bots: 1,
        coffee_share: 0.5,
        ..CompanySpec::new(12, 3)
    };
    let bot = SlackTestBot::start(company).await;
    let channel = coffee_in_channel(&bot).await;
    let in_channel = bot.sim.conversation(&channel).expect("#coffee").members;

    let newcomer = bot
        .people()
        .into_iter()
        .find(|person| !in_channel.contains(&person.id))
        .expect("someone outside #coffee");
    let joined = bot.sim.join_channel(&newcomer.id, &channel).expect("joins");
    bot.deliver(joined.expect("the bot is in #coffee")).await;
    wait_for_enrollment(&bot, &newcomer.id, Some(EnrollmentState::Active)).await;

    let leaver = bot
        .people()
        .into_iter()
        .find(|person| in_channel.contains(&person.id) && !person.is_owner)
        .expect("someone in #coffee");
    assert_eq!(
        bot.enrollment(&leaver.id, "coffee").await,
        Some(EnrollmentState::Active)
    );
    let left = bot.sim.leave_channel(&leaver.id, &channel).expect("leaves");
    bot.deliver(left.expect("the bot is in #coffee")).await;
    wait_for_enrollment(&bot, &leaver.id, Some(EnrollmentState::Left)).await;

    // Bots, Slackbot and guests joining the channel are looked up but never enrolled.
    let users = bot.sim.users();
    let outsiders = users
        .iter()
        .filter(|user| user.is_bot || user.is_restricted || user.id == "USLACKBOT")
        .filter(|user| user.id != bot.sim.bot_user_id());
    for outsider in outsiders {
        if in_channel.contains(&outsider.id) {
            continue;
        }
        let joined = bot.sim.join_channel(&outsider.id, &channel).expect("joins");
        bot.deliver(joined.expect("the bot is in #coffee")).await;
        eventually(
            &format!("{} to be looked up", outsider.id),
            WAIT,
            || async { member(&bot, &outsider.id).await },
        )
        .await;
        assert_eq!(
            bot.enrollment(&outsider.id, "coffee").await,
            None,
            "{outsider:?}"
        );
    }
    bot.shutdown().await;
}

#[tokio::test]
async fn reconciliation_pages_through_a_large_channel_at_creation_and_at_start_up() {
    let company = CompanySpec {
        coffee_share: 0.7,
        ..CompanySpec::new(420, 6)
    };
    let mut bot = SlackTestBot::start(company).await;
    let channel = coffee_in_channel(&bot).await;
    let members = bot.sim.conversation(&channel).expect("#coffee").members;
    assert!(members.len() > 250, "a channel needing several pages");
    let pages = bot.recorder().calls_to("conversations.members");
    assert!(pages.len() >= 2, "{} page(s)", pages.len());
    assert!(
        pages
            .iter()
            .skip(1)
            .all(|call| call.params.get("cursor").is_some())
    );
    let people_in_channel: Vec<String> = bot
        .people()
        .into_iter()
        .filter(|person| members.contains(&person.id))
        .map(|person| person.id)
        .collect();
    for person in &people_in_channel {
        assert_eq!(
            bot.enrollment(person, "coffee").await,
            Some(EnrollmentState::Active)
        );
    }

    // While the bot is down, one person joins #coffee and one leaves; the events are lost.
    let newcomer = bot
        .people()
        .into_iter()
        .find(|person| !members.contains(&person.id))
        .expect("someone outside #coffee");
    let leaver = people_in_channel
        .iter()
        .find(|id| **id != bot.owner().id)
        .expect("a member to leave")
        .clone();
    bot.sim.join_channel(&newcomer.id, &channel).expect("joins");
    bot.sim.leave_channel(&leaver, &channel).expect("leaves");
    let pages_before = bot.recorder().calls_to("conversations.members").len();
    bot.restart().await;
    wait_for_enrollment(&bot, &newcomer.id, Some(EnrollmentState::Active)).await;
    wait_for_enrollment(&bot, &leaver, Some(EnrollmentState::Left)).await;
    assert!(bot.recorder().calls_to("conversations.members").len() >= pages_before + 2);
    assert_eq!(
        bot.recorder().rate_limited_counts().values().sum::<u64>(),
        0
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn deactivation_leaves_every_program_and_profile_changes_are_stored() {
    let bot = SlackTestBot::start(CompanySpec::new(8, 2)).await;
    let owner = bot.owner();
    bot.command(&owner.id, "admin program create coffee").await;
    bot.command(&owner.id, "admin program create lunch").await;
    let people = bot.members();
    let (leaving, moving) = (&people[0], &people[1]);
    for person in [leaving, moving] {
        bot.command(&person.id, "join coffee").await;
        bot.command(&person.id, "join lunch").await;
    }

    let changed = bot
        .sim
        .set_profile_field(&moving.id, ProfileUpdate::Department("Legal".into()))
        .expect("changes");
    bot.deliver(changed).await;
    eventually("the new department to be stored", WAIT, || async {
        member(&bot, &moving.id)
            .await
            .filter(|m| m.profile_team.as_deref() == Some("Legal"))
    })
    .await;

    let deactivated = bot.sim.deactivate_user(&leaving.id).expect("deactivates");
    bot.deliver(deactivated).await;
    wait_for_enrollment(&bot, &leaving.id, Some(EnrollmentState::Left)).await;
    assert_eq!(
        bot.enrollment(&leaving.id, "lunch").await,
        Some(EnrollmentState::Left)
    );
    assert!(member(&bot, &leaving.id).await.is_some_and(|m| m.deleted));
    assert_eq!(
        bot.enrollment(&moving.id, "lunch").await,
        Some(EnrollmentState::Active)
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn the_app_home_is_published_on_open_and_its_buttons_act_and_republish() {
    let bot = SlackTestBot::start(CompanySpec::new(6, 2)).await;
    bot.command(&bot.owner().id, "admin program create coffee")
        .await;
    let person = bot.member();

    let home = blocks_text(&bot.open_home(&person.id).await["blocks"]);
    assert!(home.contains("Programs you can join"), "{home}");
    assert!(!home.contains("Admin summary"), "{home}");

    let home = blocks_text(&bot.press_home_button(&person.id, "Join").await["blocks"]);
    assert!(home.contains("active, weekly"), "{home}");
    assert!(
        home.contains("You're in *coffee*"),
        "the press's note: {home}"
    );
    assert_eq!(
        bot.enrollment(&person.id, "coffee").await,
        Some(EnrollmentState::Active)
    );

    let home = blocks_text(&bot.press_home_button(&person.id, "Skip next round").await["blocks"]);
    assert!(home.contains("skipping the next round"), "{home}");

    let home = blocks_text(&bot.press_home_button(&person.id, "Pause 2 weeks").await["blocks"]);
    assert!(home.contains("paused until"), "{home}");
    assert!(matches!(
        bot.enrollment(&person.id, "coffee").await,
        Some(EnrollmentState::Paused { .. })
    ));

    let home = blocks_text(&bot.press_home_button(&person.id, "Resume").await["blocks"]);
    assert!(home.contains("active, weekly"), "{home}");

    let home = blocks_text(&bot.press_home_button(&person.id, "Leave").await["blocks"]);
    assert!(home.contains("Programs you can join"), "{home}");
    assert_eq!(
        bot.enrollment(&person.id, "coffee").await,
        Some(EnrollmentState::Left)
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn a_stop_waits_for_a_button_press_slack_was_already_told_of() {
    let mut bot = SlackTestBot::start(CompanySpec::new(6, 2)).await;
    bot.command(&bot.owner().id, "admin program create coffee")
        .await;
    let person = bot.member();
    bot.open_home(&person.id).await;
    // Slack gets its 200 at once; the press is still being handled when the stop begins.
    bot.sim
        .faults()
        .inject("views.publish", Fault::Slow(Duration::from_millis(500)), 1);
    let response = bot
        .driver()
        .press_home_button(&person.id, "Join")
        .await
        .expect("the bot acknowledges the press");
    assert!(response.is_success(), "{response:?}");

    bot.stop().await;

    let published = bot.recorder().published_views();
    assert!(
        published.iter().any(|view| view.user_id == person.id
            && blocks_text(&view.view["blocks"]).contains("You're in *coffee*")),
        "the press finished before the bot stopped: {published:?}"
    );
    bot.start_again().await;
    assert_eq!(
        bot.enrollment(&person.id, "coffee").await,
        Some(EnrollmentState::Active)
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn admins_see_a_summary_in_their_app_home() {
    let bot = SlackTestBot::start(CompanySpec::new(6, 2)).await;
    let owner = bot.owner();
    bot.command(&owner.id, "admin program create coffee").await;
    let home = blocks_text(&bot.open_home(&owner.id).await["blocks"]);
    assert!(home.contains("Admin summary"), "{home}");
    assert!(home.contains("*coffee*: 0 active of 0 enrolled"), "{home}");
    bot.shutdown().await;
}

fn is_intro(message: &RecordedMessage) -> bool {
    message
        .metadata
        .as_ref()
        .is_some_and(|metadata| metadata["event_type"] == "pourover_outbox")
}

#[tokio::test]
async fn feedback_buttons_are_stored_and_the_intro_updated_for_the_group() {
    let options = HarnessOptions::new(CompanySpec {
        coffee_share: 1.0,
        ..CompanySpec::new(8, 4)
    });
    let bot = SlackTestBot::start_with(options).await;
    coffee_in_channel(&bot).await;
    let round = bot.command(&bot.owner().id, "admin round now coffee").await;
    assert!(round.contains("is planned"), "{round}");
    let intro = bot
        .wait_for("an intro", |recorder| {
            recorder.all_messages().into_iter().find(is_intro)
        })
        .await;
    assert!(bot.outbox_messages().contains(&intro));
    let group = bot.sim.conversation(&intro.channel).expect("the group DM");
    let presser = group
        .members
        .iter()
        .find(|id| *id != bot.sim.bot_user_id())
        .expect("a person in the group")
        .clone();
    let name = member(&bot, &presser).await.expect("known").display_name;

    bot.press_button(&presser, &intro.channel, &intro.ts, "We met")
        .await;
    let updated = bot
        .wait_for("the intro to show the answer", |recorder| {
            recorder
                .message(&intro.channel, &intro.ts)
                .filter(RecordedMessage::was_updated)
        })
        .await;
    let text = blocks_text(updated.blocks.as_ref().expect("blocks"));
    assert!(text.contains(&format!("✅ {name} met")), "{text}");
    // The buttons and the outbox key survive the update.
    assert!(
        text.contains("We met") && text.contains("Skip this one"),
        "{text}"
    );
    assert!(is_intro(&updated));

    let ack = bot
        .wait_for("a private thank-you", |recorder| {
            recorder
                .ephemerals()
                .into_iter()
                .find(|ephemeral| ephemeral.user == presser && ephemeral.via_response_url)
        })
        .await;
    assert!(
        ack.text.as_deref().is_some_and(|t| t.contains("You met")),
        "{ack:?}"
    );

    let value = updated.blocks.as_ref().and_then(|blocks| {
        blocks.as_array()?.iter().find_map(|block| {
            block["elements"].as_array()?.iter().find_map(|element| {
                element["value"]
                    .as_str()
                    .filter(|v| v.starts_with("feedback:"))
                    .map(str::to_owned)
            })
        })
    });
    let action = pourover::chat::FeedbackAction::decode(&value.expect("a feedback button"))
        .expect("decodes");
    let feedback = bot
        .store()
        .group_feedback(action.group_id)
        .await
        .expect("feedback");
    assert!(
        feedback.iter().any(|f| f.answer == FeedbackAnswer::Met),
        "{feedback:?}"
    );
    assert_eq!(
        bot.recorder().rate_limited_counts().values().sum::<u64>(),
        0
    );
    bot.shutdown().await;
}
