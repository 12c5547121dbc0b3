//! Teams of people enrolled through a channel: Slack's user list leaves custom profile
//! fields out, so their full profiles are read afterwards, in the background.

mod common;

use common::harness::SlackTestBot;
use pourover::roster::refresh_stale_profiles;
use pourover_simulator::CompanySpec;

#[tokio::test]
async fn people_enrolled_through_a_channel_get_their_team_from_a_later_profile_refresh() {
    let bot = SlackTestBot::start(CompanySpec::new(12, 3)).await;
    bot.create_program("coffee", Some("coffee")).await;
    let workspace = bot.workspace().await;
    let store = bot.store();
    let channel = bot.sim.channel_named("coffee").expect("#coffee");
    let in_channel: Vec<_> = bot
        .people()
        .into_iter()
        .filter(|p| channel.members.contains(&p.id) && p.id != bot.owner().id)
        .collect();
    assert!(!in_channel.is_empty());
    // (Right after the sync their teams are unknown; the background upkeep may already be
    // reading them, so this test only checks what a refresh pass leaves behind.)
    let chat = bot.app().core().chats.get(workspace).expect("Slack is on");
    let now = bot.app().core().clock.now();
    refresh_stale_profiles(store, chat.as_ref(), workspace, now, 100)
        .await
        .unwrap();
    for person in &in_channel {
        let member = store
            .member_by_external_id(workspace, &person.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(member.team(), Some(person.team.as_str()), "{}", person.id);
    }
    // Read in full now: nothing is due again for a week.
    assert_eq!(
        refresh_stale_profiles(store, chat.as_ref(), workspace, now, 100)
            .await
            .unwrap(),
        0
    );
    bot.shutdown().await;
}
