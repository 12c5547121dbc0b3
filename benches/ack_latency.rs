//! Acknowledgement latency of `/coffee status` under load, from a second process.
//!
//! Starts the Slack simulator in this process and the real `pourover serve` binary as a
//! child process pointed at it, lets a few dozen people join a program, then fires signed
//! slash commands at a fixed rate (open loop: a request leaves on schedule whether or not
//! earlier ones were answered) and reports how long the bot took to acknowledge them.
//!
//! ```text
//! cargo bench --bench ack_latency                     # 200 and 1000 req/s, 5 s each
//! ACK_BENCH_RATES=500 ACK_BENCH_SECONDS=10 cargo bench --bench ack_latency
//! ```
//!
//! Slack gives an app 3 s to acknowledge; the bot answers within its 2.5 s budget or says
//! "working on it" and replies later, so both counts are reported.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pourover_simulator::{CompanySpec, SlackAppDriver, SlackSim, SlackSimConfig};
use tokio::sync::Mutex;
use tokio::time::MissedTickBehavior;

const PEOPLE: usize = 60;
const WORKING_ON_IT: &str = "⏳ Working on it…";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    let seconds: u64 = env_or("ACK_BENCH_SECONDS", "5").parse().expect("seconds");
    let rates: Vec<u32> = env_or("ACK_BENCH_RATES", "200,1000")
        .split(',')
        .map(|rate| rate.trim().parse().expect("a rate"))
        .collect();

    // Slack time at 60x so the warm-up's profile lookups are not paced for minutes.
    let config = SlackSimConfig {
        time_scale: 60.0,
        ..SlackSimConfig::default()
    };
    let sim = SlackSim::start(config, CompanySpec::new(PEOPLE, 6))
        .await
        .expect("the simulator starts");
    let dir = tempfile::tempdir().expect("a temp dir");
    let (mut child, base_url) = start_bot(&sim, dir.path());
    let driver = sim.app(&base_url);

    let people = sim.people();
    let owner = people
        .iter()
        .find(|person| person.is_primary_owner)
        .expect("an owner");
    let created = driver
        .slash_command(&owner.id, "/coffee", "admin program create coffee")
        .await
        .expect("created");
    assert!(created.body.contains("Created"), "{}", created.body);
    // Every person is looked up (users.info) and enrolled once, before measuring.
    for person in &people {
        driver
            .slash_command(&person.id, "/coffee", "join")
            .await
            .expect("joined");
    }
    println!(
        "ack latency of `/coffee status`: pourover serve (child process) against the simulator, \
         {PEOPLE} people, {seconds} s per rate"
    );
    for rate in rates {
        let report = load(&driver, &people, rate, Duration::from_secs(seconds)).await;
        println!("{report}");
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    sim.shutdown().await;
}

/// Starts `pourover serve` against the simulator; returns it and its base URL.
fn start_bot(sim: &SlackSim, dir: &std::path::Path) -> (Child, String) {
    let config = sim.config();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pourover"))
        .arg("serve")
        .current_dir(dir)
        .env("RUST_LOG", "pourover=info")
        .env("POUROVER_BIND", "127.0.0.1:0")
        .env("POUROVER_DATABASE_URL", "sqlite://pourover.db")
        .env("SLACK_BOT_TOKEN", &config.bot_token)
        .env("SLACK_SIGNING_SECRET", &config.signing_secret)
        .env("SLACK_API_URL", sim.api_url())
        .env("POUROVER_SLACK_RATE_LIMIT_TIME_SCALE", "60")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pourover serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let (found, address) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let addr = line
                .split("addr=")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next());
            if let Some(addr) = addr.filter(|_| !sent && line.contains("listening")) {
                let _ = found.send(addr.to_owned());
                sent = true;
            }
        }
    });
    let addr = address
        .recv_timeout(Duration::from_secs(30))
        .expect("the bot logs its address");
    (child, format!("http://{addr}"))
}

#[derive(Default)]
struct Samples {
    latencies: Vec<Duration>,
    working_on_it: usize,
    failed: usize,
}

/// Fires `rate` commands per second for `length`, then waits for the stragglers.
async fn load(
    driver: &SlackAppDriver,
    people: &[pourover_simulator::SimUser],
    rate: u32,
    length: Duration,
) -> String {
    let samples = Arc::new(Mutex::new(Samples::default()));
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut requests = Vec::new();
    let mut sent = 0usize;
    while started.elapsed() < length {
        ticks.tick().await;
        let driver = driver.clone();
        let user = people[sent % people.len()].id.clone();
        let samples = samples.clone();
        sent += 1;
        requests.push(tokio::spawn(async move {
            let at = Instant::now();
            let answer = driver.slash_command(&user, "/coffee", "status").await;
            let took = at.elapsed();
            let mut samples = samples.lock().await;
            match answer {
                Ok(response) if response.is_success() => {
                    samples.latencies.push(took);
                    if response.body.contains(WORKING_ON_IT) {
                        samples.working_on_it += 1;
                    }
                }
                _ => samples.failed += 1,
            }
        }));
    }
    let offered = started.elapsed();
    for request in requests {
        let _ = request.await;
    }
    let mut samples = samples.lock().await;
    samples.latencies.sort();
    let percentile = |p: f64| {
        let index = ((samples.latencies.len() as f64 - 1.0) * p).round() as usize;
        samples.latencies.get(index).copied().unwrap_or_default()
    };
    format!(
        "{rate:>5} req/s: {sent} sent in {:.1} s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, \
         {} acknowledged with \"working on it\", {} failed (non-2xx or no answer in 3 s)",
        offered.as_secs_f64(),
        ms(percentile(0.50)),
        ms(percentile(0.99)),
        ms(samples.latencies.last().copied().unwrap_or_default()),
        samples.working_on_it,
        samples.failed,
    )
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}
