//! A large round against the simulator's real rate limits (Slack's published tiers, at 60x
//! time): the bot's own pacing should get every intro out close to the floor those limits
//! impose, without a single 429. Slow-ish (tens of seconds), so run on demand:
//! `cargo test --test slack_pacing -- --ignored --nocapture`.

mod common;

use std::time::{Duration, Instant};

use common::harness::{HarnessOptions, SlackTestBot};
use pourover_simulator::CompanySpec;

#[tokio::test]
#[ignore = "tens of seconds; run on demand"]
async fn a_large_round_goes_out_near_slacks_floor_without_429s() {
    let people: usize = std::env::var("PACING_PEOPLE")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(2000);
    let company = CompanySpec {
        coffee_share: 1.0,
        guests: 0,
        ..CompanySpec::new(people, 8)
    };
    // Enough senders that the pacing, not the senders, sets the pace.
    let workers = std::env::var("PACING_WORKERS").unwrap_or_else(|_| "16".into());
    let options = HarnessOptions::new(company).env("POUROVER_DELIVERY_WORKERS", &workers);
    let bot = SlackTestBot::start_with(options).await;
    bot.create_program("coffee", Some("coffee")).await;
    let started = Instant::now();
    let round = bot.command(&bot.owner().id, "admin round now coffee").await;
    assert!(round.contains("is planned"), "{round}");
    let groups = people / 2;
    let posted_all = bot
        .recorder()
        .wait_for(
            |recorder| recorder.calls_to("chat.postMessage").len() >= groups,
            Duration::from_secs(600),
        )
        .await;
    assert!(posted_all.is_ok(), "every intro is posted");
    let took = started.elapsed();
    let recorder = bot.recorder();
    let first_open = recorder.calls_to("conversations.open")[0].at;
    let last_post = recorder.calls_to("chat.postMessage")[groups - 1].at;
    let sending = last_post.duration_since(first_open).expect("in order");
    // conversations.open is the bottleneck: Tier 3, 50 per Slack minute (one Slack minute
    // per real second here) after a burst of 50.
    let floor = Duration::from_secs_f64((groups.saturating_sub(50)) as f64 / 50.0);
    let limited = recorder.rate_limited_counts();
    println!(
        "{groups} intros sent in {sending:?} ({took:?} with planning); floor {floor:?}; \
         ratio {:.3}; 429s {limited:?}",
        sending.as_secs_f64() / floor.as_secs_f64()
    );
    assert_eq!(limited.values().sum::<u64>(), 0, "{limited:?}");
    assert!(
        sending.as_secs_f64() <= floor.as_secs_f64() * 1.1,
        "{sending:?} vs {floor:?}"
    );
    bot.shutdown().await;
}
