//! Text people typed (team names, display names) reaches other people's intros as text:
//! no mention, broadcast or disguised link can be smuggled in, on Slack or Teams.

use pourover_simulator::slack::mrkdwn::Reference;
use pourover_simulator::teams::markdown;
use pourover_simulator::{CompanySpec, ProfileUpdate};

use crate::common::harness::SlackTestBot;
use crate::teams_support::{PATIENCE, TeamsBot, eventually, intros_to};

const EVIL_TEAM: &str = "Ops <!here> <https://evil.example|Verify> [Verify](https://evil.example)";

#[tokio::test]
async fn a_team_name_cannot_ping_the_channel_in_an_intro() {
    let bot = SlackTestBot::start(CompanySpec::new(6, 2)).await;
    bot.create_program("coffee", None).await;
    let members = bot.members();
    let (mallory, partner) = (&members[0], &members[1]);
    for person in [mallory, partner] {
        let joined = bot.command(&person.id, "join coffee").await;
        assert!(joined.contains("You're in"), "{joined}");
    }
    let noted = bot.command(&mallory.id, &format!("team {EVIL_TEAM}")).await;
    assert!(noted.contains("Noted"), "{noted}");
    // A team from a Slack profile field takes the same road.
    let changed = bot
        .sim
        .set_profile_field(
            &partner.id,
            ProfileUpdate::Department("<!channel> Sales".into()),
        )
        .expect("the profile changes");
    bot.deliver(changed).await;
    let workspace = bot.workspace().await;
    eventually("the new department to be stored", PATIENCE, || async {
        let member = bot
            .store()
            .member_by_external_id(workspace, &partner.id)
            .await
            .expect("members")?;
        (member.profile_team.as_deref() == Some("<!channel> Sales")).then_some(())
    })
    .await;
    let round = bot.command(&bot.owner().id, "admin round now coffee").await;
    assert!(round.contains("is planned"), "{round}");

    let intro = bot
        .wait_for("the intro", |_| bot.outbox_messages().into_iter().next())
        .await;
    let references = intro.references();
    assert!(!references.is_empty());
    for reference in &references {
        match reference {
            Reference::User(id) => assert!(
                [&mallory.id, &partner.id].contains(&id),
                "a mention of someone outside the group: {id}"
            ),
            live => panic!("the intro carries a live {live:?}"),
        }
    }
    let shown = serde_json::to_string(&intro.blocks).expect("json");
    assert!(
        shown.contains("Ops &lt;!here&gt; &lt;https://evil.example|Verify&gt;"),
        "the team is shown as typed: {shown}"
    );
    assert!(shown.contains("&lt;!channel&gt; Sales"), "{shown}");
    bot.shutdown().await;
}

#[tokio::test]
async fn a_team_name_cannot_hide_a_link_or_a_mention_in_a_teams_intro() {
    let bot = TeamsBot::start().await;
    let team = bot.team(0);
    bot.install(&team).await;
    let mallory = team.members[1].clone();
    // Teams delivers what people type HTML-encoded.
    let noted = bot
        .say(
            &mallory,
            "team Ops &lt;!here&gt; [Verify](https://evil.example) &lt;at&gt;Boss&lt;/at&gt;",
        )
        .await;
    assert!(noted.contains("Noted"), "{noted}");
    let planned = bot.say(&bot.admin, "admin round now coffee-lovers").await;
    assert!(planned.contains("is planned"), "{planned}");

    // Whoever was paired with mallory reads mallory's team in their intro's card.
    let intro = eventually("the intro naming mallory's team", PATIENCE, || async {
        team.members
            .iter()
            .filter(|member| **member != mallory)
            .flat_map(|member| intros_to(&bot.sim, member))
            .find(|intro| intro.plain_text().contains("Ops"))
    })
    .await;
    assert_eq!(
        intro.links(),
        Vec::<(String, String)>::new(),
        "no live link"
    );
    let text = intro.text().unwrap_or_default();
    assert!(
        markdown::tags(text).iter().all(|tag| tag == "at"),
        "only the bot's own mentions are tags: {text}"
    );
    let mentioned: Vec<String> = intro.mentions().into_iter().map(|(id, _, _)| id).collect();
    assert!(mentioned.contains(&mallory), "{mentioned:?}");
    assert!(
        mentioned.iter().all(|id| team.members.contains(id)),
        "{mentioned:?}"
    );
    let card = intro.plain_text();
    assert!(
        card.contains(r"Ops <!here> \[Verify\](https://evil.example) <at>Boss</at>"),
        "the team is shown as typed: {card}"
    );
    bot.stop().await;
}
