//! `SlackChat`, the `Chat` the delivery worker and commands use, against the simulator:
//! group DMs, posting with an outbox key and finding it again, updates, profiles, paging,
//! how failures are sorted, and pacing that keeps Slack's rate limits without 429s.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pourover::chat::slack::rate_limit::RatePolicy;
use pourover::chat::slack::{CALL_TIMEOUT, SlackChat, SlackChatConfig};
use pourover::chat::{Chat, ChatError, HomeView, Message};
use pourover::telemetry::metrics::Metrics;
use pourover_simulator::{CompanySpec, ConversationKind, Fault, SlackSim, SlackSimConfig};
use secrecy::SecretString;

async fn sim(company: CompanySpec) -> SlackSim {
    let config = SlackSimConfig {
        time_scale: 60.0,
        ..SlackSimConfig::default()
    };
    SlackSim::start(config, company)
        .await
        .expect("the simulator starts")
}

fn config(sim: &SlackSim) -> SlackChatConfig {
    SlackChatConfig {
        api_url: sim.api_url(),
        bot_token: SecretString::from(sim.config().bot_token.clone()),
        team_field: "Department".into(),
        team_field_fallback: "Team".into(),
        rate_limit_time_scale: 60.0,
        rate_policy: RatePolicy::default(),
        call_timeout: CALL_TIMEOUT,
    }
}

async fn chat(sim: &SlackSim) -> SlackChat {
    SlackChat::connect(config(sim), Metrics::new())
        .await
        .expect("connects")
}

fn ids(sim: &SlackSim, count: usize) -> Vec<String> {
    sim.people().into_iter().take(count).map(|p| p.id).collect()
}

#[tokio::test]
async fn connecting_learns_who_the_bot_is() {
    let sim = sim(CompanySpec::new(4, 2)).await;
    let chat = chat(&sim).await;
    assert_eq!(chat.identity().team_id, sim.config().team_id);
    assert_eq!(chat.identity().bot_user_id, sim.bot_user_id());
    assert!(!format!("{chat:?}").contains(&sim.config().bot_token));
}

#[tokio::test]
async fn a_bad_token_or_an_unreachable_slack_stops_start_up_with_a_clear_error() {
    let sim = sim(CompanySpec::new(4, 2)).await;
    let refused = SlackChat::connect(
        SlackChatConfig {
            bot_token: SecretString::from("xoxb-wrong"),
            ..config(&sim)
        },
        Metrics::new(),
    )
    .await
    .expect_err("refused");
    assert!(refused.to_string().contains("invalid_auth"), "{refused}");
    assert!(!refused.to_string().contains("xoxb"), "{refused}");
    let unreachable = SlackChat::connect(
        SlackChatConfig {
            api_url: "http://127.0.0.1:9/api".into(),
            ..config(&sim)
        },
        Metrics::new(),
    )
    .await
    .expect_err("unreachable");
    assert!(
        unreachable.to_string().contains("cannot reach Slack"),
        "{unreachable}"
    );
}

#[tokio::test]
async fn an_intro_goes_to_a_group_dm_carrying_its_outbox_key_and_is_found_again() {
    let sim = sim(CompanySpec::new(6, 2)).await;
    let chat = chat(&sim).await;
    let group = chat.open_conversation(&ids(&sim, 3)).await.expect("opens");
    assert_eq!(
        sim.conversation(&group).expect("exists").kind,
        ConversationKind::Mpim
    );
    let posted = chat
        .post(
            &group,
            &Message::Text("Meet your group!".into()),
            "intro:1:7",
        )
        .await
        .expect("posts");
    assert_eq!(posted.conversation_id, group);
    let message = sim
        .recorder()
        .message(&group, &posted.message_id)
        .expect("stored");
    let metadata = message.metadata.expect("metadata");
    assert_eq!(metadata["event_type"], "pourover_outbox");
    assert_eq!(metadata["event_payload"]["key"], "intro:1:7");
    for later in 0..3 {
        chat.post(
            &group,
            &Message::Text(format!("later {later}")),
            &format!("nudge:1:{later}"),
        )
        .await
        .expect("posts");
    }
    assert_eq!(
        chat.find_posted(&group, "intro:1:7").await.expect("looks"),
        Some(posted)
    );
    assert_eq!(
        chat.find_posted(&group, "intro:1:8").await.expect("looks"),
        None
    );
}

#[tokio::test]
async fn a_reply_lost_after_posting_is_transient_and_the_message_is_found_before_any_resend() {
    let sim = sim(CompanySpec::new(4, 2)).await;
    let chat = chat(&sim).await;
    let group = chat.open_conversation(&ids(&sim, 2)).await.expect("opens");
    sim.faults()
        .inject("chat.postMessage", Fault::DropConnectionAfterProcessing, 1);
    let lost = chat
        .post(&group, &Message::Text("hello".into()), "intro:2:1")
        .await
        .expect_err("the reply is lost");
    assert!(matches!(lost, ChatError::Transient(_)), "{lost:?}");
    let found = chat.find_posted(&group, "intro:2:1").await.expect("looks");
    assert!(found.is_some());
    assert_eq!(sim.recorder().messages(&group).len(), 1);
}

#[tokio::test]
async fn failures_are_sorted_by_what_the_caller_should_do() {
    let company = CompanySpec {
        deactivated: 1,
        ..CompanySpec::new(4, 2)
    };
    let sim = sim(company).await;
    let metrics = Metrics::new();
    let chat = SlackChat::connect(config(&sim), metrics.clone())
        .await
        .expect("connects");
    let deactivated = sim
        .users()
        .into_iter()
        .find(|user| user.deleted)
        .expect("a deactivated user");
    let mut group = ids(&sim, 1);
    group.push(deactivated.id);
    assert_eq!(
        chat.open_conversation(&group).await,
        Err(ChatError::Permanent("slack: user_disabled".into()))
    );
    assert_eq!(
        chat.post("C0NOSUCHCHANNEL", &Message::Text("hi".into()), "k")
            .await,
        Err(ChatError::Permanent("slack: channel_not_found".into()))
    );
    sim.faults().inject("users.info", Fault::ServerError, 1);
    assert!(matches!(
        chat.user_profile(&ids(&sim, 1)[0]).await,
        Err(ChatError::Transient(_))
    ));
    sim.faults()
        .inject("users.info", Fault::SlackError("internal_error".into()), 1);
    assert_eq!(
        chat.user_profile(&ids(&sim, 1)[0]).await,
        Err(ChatError::Transient("slack: internal_error".into()))
    );
    sim.faults().inject(
        "views.publish",
        Fault::RateLimited {
            retry_after_seconds: 2,
        },
        1,
    );
    assert_eq!(
        chat.publish_home(&ids(&sim, 1)[0], &HomeView::default())
            .await,
        Err(ChatError::RateLimited {
            retry_after: Duration::from_secs(2)
        })
    );
    let text = metrics.encode().expect("metrics");
    for expected in [
        r#"method="conversations.open",outcome="permanent""#,
        r#"method="users.info",outcome="transient""#,
        r#"method="views.publish",outcome="rate_limited""#,
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
}

#[tokio::test]
async fn a_call_without_a_reply_in_time_is_transient() {
    let sim = sim(CompanySpec::new(4, 2)).await;
    let chat = SlackChat::connect(
        SlackChatConfig {
            call_timeout: Duration::from_millis(200),
            ..config(&sim)
        },
        Metrics::new(),
    )
    .await
    .expect("connects");
    sim.faults()
        .inject("users.info", Fault::Slow(Duration::from_secs(2)), 1);
    match chat.user_profile(&ids(&sim, 1)[0]).await {
        Err(ChatError::Transient(text)) => assert!(text.contains("no reply"), "{text}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn profiles_mark_guests_bots_slackbot_and_deactivated_people() {
    let company = CompanySpec {
        guests: 2,
        bots: 1,
        deactivated: 1,
        ..CompanySpec::new(6, 3)
    };
    let sim = sim(company).await;
    let chat = chat(&sim).await;
    for user in sim.users() {
        let profile = chat.user_profile(&user.id).await.expect("a profile");
        assert_eq!(profile.is_guest, user.is_restricted, "{user:?}");
        assert_eq!(
            profile.is_bot,
            user.is_bot || user.id == "USLACKBOT",
            "{user:?}"
        );
        assert_eq!(profile.deleted, user.deleted, "{user:?}");
        assert_eq!(profile.is_admin, user.is_admin || user.is_owner, "{user:?}");
        // Deactivated accounts' teams are not looked up: they take part in nothing.
        if !user.is_bot && !user.deleted && !user.team.is_empty() {
            assert_eq!(
                profile.team.as_deref(),
                Some(user.team.as_str()),
                "{user:?}"
            );
            assert_eq!(profile.time_zone.as_deref(), Some(user.tz.as_str()));
            assert_eq!(profile.utc_offset_minutes, Some(user.tz_offset / 60));
        }
    }
    // The field ids come from one team.profile.get, cached.
    assert_eq!(sim.recorder().calls_to("team.profile.get").len(), 1);
}

#[tokio::test]
async fn everyone_and_every_channel_member_is_listed_across_pages() {
    let company = CompanySpec {
        coffee_share: 0.8,
        ..CompanySpec::new(450, 5)
    };
    let sim = sim(company).await;
    let chat = chat(&sim).await;
    let everyone = chat.all_users().await.expect("users");
    assert_eq!(everyone.len(), sim.users().len());
    assert!(sim.recorder().calls_to("users.list").len() >= 3);
    let coffee = sim.channel_named("coffee").expect("#coffee");
    let mut members = chat.channel_members(&coffee.id).await.expect("members");
    members.sort();
    assert_eq!(members, coffee.members);
    assert!(sim.recorder().calls_to("conversations.members").len() >= 2);
}

#[tokio::test]
async fn an_update_replaces_the_content_and_keeps_the_outbox_key() {
    let sim = sim(CompanySpec::new(4, 2)).await;
    let chat = chat(&sim).await;
    let group = chat.open_conversation(&ids(&sim, 2)).await.expect("opens");
    let posted = chat
        .post(&group, &Message::Text("before".into()), "intro:3:1")
        .await
        .expect("posts");
    chat.update(&posted, &Message::Text("after".into()))
        .await
        .expect("updates");
    let message = sim
        .recorder()
        .message(&group, &posted.message_id)
        .expect("stored");
    assert_eq!(message.text.as_deref(), Some("after"));
    assert!(message.was_updated());
    assert_eq!(
        chat.find_posted(&group, "intro:3:1").await.expect("looks"),
        Some(posted)
    );
}

#[tokio::test]
async fn pacing_keeps_a_burst_of_calls_inside_slacks_limits_without_429s() {
    let sim = sim(CompanySpec::new(130, 5)).await;
    let chat = Arc::new(chat(&sim).await);
    let people = ids(&sim, 120);
    let started = Instant::now();
    let opens: Vec<_> = people
        .iter()
        .map(|person| {
            let chat = chat.clone();
            let person = person.clone();
            tokio::spawn(async move { chat.open_conversation(&[person]).await })
        })
        .collect();
    let mut conversations = Vec::new();
    for open in opens {
        conversations.push(open.await.expect("joins").expect("opens"));
    }
    // Tier 3 at 60x: 50 calls per second once the burst is spent.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let posts: Vec<_> = (0..6)
        .map(|index| {
            let chat = chat.clone();
            let conversation = conversations[0].clone();
            tokio::spawn(async move {
                chat.post(
                    &conversation,
                    &Message::Text(format!("#{index}")),
                    &format!("k{index}"),
                )
                .await
            })
        })
        .collect();
    for post in posts {
        post.await.expect("joins").expect("posts");
    }
    assert_eq!(
        sim.recorder().rate_limited_counts().values().sum::<u64>(),
        0
    );
}

#[tokio::test]
async fn custom_fields_left_out_of_a_payload_are_fetched_so_the_team_is_not_lost() {
    let sim = sim(CompanySpec::new(4, 2)).await;
    let chat = chat(&sim).await;
    let person = sim.people().remove(0);
    // What users.list and some events carry: a profile without `fields`.
    let listed: slack_morphism::prelude::SlackUser = serde_json::from_value(serde_json::json!({
        "id": person.id, "name": person.name, "tz": person.tz, "tz_offset": person.tz_offset,
        "profile": {"real_name": person.real_name, "display_name": person.display_name}
    }))
    .expect("a user");
    let profile = chat.profile_of(&listed).await.expect("a profile");
    assert_eq!(profile.team.as_deref(), Some(person.team.as_str()));
    assert_eq!(sim.recorder().calls_to("users.profile.get").len(), 1);
}

#[tokio::test]
async fn without_access_to_profile_fields_people_are_still_looked_up() {
    let sim = sim(CompanySpec::new(4, 2)).await;
    let chat = chat(&sim).await;
    sim.faults().inject(
        "team.profile.get",
        Fault::SlackError("missing_scope".into()),
        1,
    );
    let person = sim.people().remove(0);
    let profile = chat.user_profile(&person.id).await.expect("a profile");
    assert_eq!(profile.team, None);
    assert_eq!(profile.display_name, person.display_name);
}
