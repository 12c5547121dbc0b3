//! A whole round through the real bot and the Slack simulator: 41 people in 6 teams are
//! placed in 19 pairs and one trio, across teams, and every group gets exactly one intro
//! in its own group DM, naming everyone with their team.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::harness::{SlackTestBot, blocks_text};
use common::rounds::{
    SETTLE, assert_exactly_one_intro_per_group, everyone_in_coffee, last_round, mentions,
    posted_by_key, program, round_options, settled,
};
use pourover::domain::OutboxKind;

#[tokio::test]
async fn a_round_of_41_people_in_6_teams_gives_every_group_exactly_one_intro_across_teams() {
    let bot = SlackTestBot::start_with(round_options(everyone_in_coffee(41, 6))).await;
    bot.create_program("coffee", None).await;
    // Joining reads each person's full profile, team included. (A channel-bound program
    // learns teams in the background: Slack's user list leaves custom fields out.)
    for person in bot.people() {
        let joined = bot.command(&person.id, "join coffee").await;
        assert!(joined.starts_with("You're in *coffee*"), "{joined}");
    }
    let reply = bot.command(&bot.owner().id, "admin round now coffee").await;
    assert!(
        reply.contains("is planned: 41 people in 20 groups"),
        "{reply}"
    );
    assert!(reply.contains("1 group(s) are one larger"), "{reply}");

    let store = bot.store();
    let coffee = program(store, bot.workspace().await, "coffee").await;
    let groups = settled(store, &coffee, OutboxKind::Intro, SETTLE).await;
    let round = last_round(store, &coffee).await.expect("the round");

    // Everyone is in exactly one group; one trio absorbs the odd person out.
    let people: BTreeMap<String, _> = bot
        .people()
        .into_iter()
        .map(|person| (person.id.clone(), person))
        .collect();
    assert_eq!(people.len(), 41);
    let placed: Vec<String> = groups.iter().flat_map(|g| g.external_ids()).collect();
    let unique: BTreeSet<&String> = placed.iter().collect();
    assert_eq!(placed.len(), 41, "nobody is placed twice");
    assert_eq!(
        unique.into_iter().cloned().collect::<Vec<_>>(),
        people.keys().cloned().collect::<Vec<_>>()
    );
    let mut sizes: Vec<usize> = groups.iter().map(|g| g.people.len()).collect();
    sizes.sort();
    assert_eq!(sizes, [vec![2; 19], vec![3]].concat());

    // Teams of 7, 7, 7, 7, 7 and 6 allow every group to mix teams entirely.
    let teams: BTreeSet<&str> = people.values().map(|p| p.team.as_str()).collect();
    assert_eq!(teams.len(), 6);
    for group in &groups {
        let group_teams: BTreeSet<&str> = group
            .external_ids()
            .iter()
            .map(|id| people[id].team.as_str())
            .collect();
        assert_eq!(
            group_teams.len(),
            group.people.len(),
            "a group with two people of one team: {:?}",
            group.external_ids()
        );
    }

    assert_exactly_one_intro_per_group(&bot.sim, &round, &groups);

    // Each intro greets exactly its group, and shows each person's name and team.
    let posted = posted_by_key(&bot.sim);
    for group in &groups {
        let key = &group.row(OutboxKind::Intro).key;
        let intro = &posted[key][0];
        let blocks = intro.blocks.as_ref().expect("the intro is Block Kit");
        let greeting = blocks
            .as_array()
            .and_then(|blocks| {
                blocks
                    .iter()
                    .find(|block| block["type"] == "section")
                    .and_then(|block| block["text"]["text"].as_str())
            })
            .expect("a greeting section");
        let greeted: BTreeSet<String> = mentions(greeting).into_iter().collect();
        assert_eq!(greeted, group.external_ids(), "{greeting}");
        let text = blocks_text(blocks);
        for member in &group.people {
            let person = &people[&member.external_id];
            assert!(text.contains(&member.display_name), "{text}");
            assert!(text.contains(&format!("🏢 {}", person.team)), "{text}");
            assert!(text.contains(&format!("<@{}>", person.id)), "{text}");
        }
        assert!(text.contains("Icebreaker"), "{text}");
        for button in ["We met", "Scheduled", "Skip this one"] {
            assert!(text.contains(button), "{button} missing: {text}");
        }
    }
    assert_eq!(
        bot.recorder().rate_limited_counts().values().sum::<u64>(),
        0,
        "the bot's own pacing kept it under Slack's limits"
    );
    bot.shutdown().await;
}
