//! Delivery throughput: one large round (5 000 groups, 10 000 people by default) goes
//! through the real code path — the planner writes groups and outbox rows in one
//! transaction, the delivery workers send every intro through the Slack client — to the
//! Slack simulator enforcing Slack's published rate limits at a compressed time scale.
//! Reported against the floor those limits impose, with the 429s the bot provoked.
//!
//! ```text
//! cargo bench --bench delivery
//! cargo bench --bench delivery -- --groups 1000 --workers 4,16 --time-scale 60
//! ```
//!
//! A plain program rather than a criterion benchmark: one run takes minutes of simulated
//! Slack time, and what matters is its ratio to the floor, not nanoseconds.
//!
//! Members and enrolments are written straight into the store (reading 10 000 profiles
//! through users.info would itself take 100 Slack minutes); everything from planning on
//! is what `pourover serve` does.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use pourover::app::{AppOptions, RunningApp};
use pourover::domain::{MemberProfile, OutboxState, ProgramName, ProgramSettings, WorkspaceId};
use pourover::rounds::PlanOutcome;
use pourover::settings::{Settings, SettingsSources};
use pourover::store::{NewProgram, Store};
use pourover_simulator::{CompanySpec, RateLimit, RateLimitPolicy, SlackSim, SlackSimConfig};

/// What to run.
#[derive(Debug, Clone)]
struct Options {
    groups: usize,
    workers: Vec<usize>,
    time_scale: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            groups: 5_000,
            // The shipped default (`delivery.workers`): pacing, not senders, sets the pace.
            workers: vec![4],
            time_scale: 60.0,
        }
    }
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--groups" => {
                options.groups = value("--groups")?
                    .parse()
                    .map_err(|e| format!("--groups: {e}"))?;
            }
            "--workers" => {
                options.workers = value("--workers")?
                    .split(',')
                    .map(|w| w.trim().parse().map_err(|e| format!("--workers: {e}")))
                    .collect::<Result<_, _>>()?;
            }
            "--time-scale" => {
                options.time_scale = value("--time-scale")?
                    .parse()
                    .map_err(|e| format!("--time-scale: {e}"))?;
            }
            // cargo bench passes --bench; nothing else is ours.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.groups < 2 || options.workers.is_empty() || options.time_scale <= 0.0 {
        return Err("need --groups >= 2, some --workers and a positive --time-scale".into());
    }
    Ok(options)
}

/// The least time one of Slack's limits allows for `groups` calls, in real seconds at
/// `time_scale`: the bucket starts full (its burst), then refills at its sustained rate.
fn limit_floor(limit: RateLimit, groups: usize, time_scale: f64) -> f64 {
    let slack_minutes = (groups as f64 - limit.burst).max(0.0) / limit.per_minute;
    slack_minutes * 60.0 / time_scale
}

/// The floor for `groups` intros (one conversations.open and one chat.postMessage each):
/// the slower of the two limits, and which one it is.
fn floor_seconds(policy: &RateLimitPolicy, groups: usize, time_scale: f64) -> (f64, &'static str) {
    let open = limit_floor(policy.tier3, groups, time_scale);
    let post = limit_floor(policy.workspace_posting, groups, time_scale);
    if open >= post {
        (open, "conversations.open, Tier 3")
    } else {
        (post, "chat.postMessage, workspace-wide")
    }
}

/// One run's figures.
#[derive(Debug)]
struct Outcome {
    workers: usize,
    seeding: Duration,
    planning: Duration,
    /// From the round being saved to the last intro row `sent`.
    delivery: Duration,
    /// From the first conversations.open to the last chat.postMessage Slack served.
    slack_span: Duration,
    floor: f64,
    rate_limited: BTreeMap<String, u64>,
    calls: BTreeMap<String, usize>,
    intros_in_slack: usize,
    distinct_keys: usize,
    failed: i64,
}

fn settings(
    dir: &std::path::Path,
    sim: &SlackSim,
    workers: usize,
    scale: f64,
) -> Result<Settings, String> {
    let env: HashMap<&str, String> = HashMap::from([
        (
            "POUROVER_DATABASE_URL",
            format!("sqlite://{}", dir.join("pourover.db").display()),
        ),
        ("POUROVER_BIND", "127.0.0.1:0".into()),
        ("SLACK_BOT_TOKEN", sim.config().bot_token.clone()),
        ("SLACK_SIGNING_SECRET", sim.config().signing_secret.clone()),
        ("SLACK_API_URL", sim.api_url()),
        ("POUROVER_SLACK_RATE_LIMIT_TIME_SCALE", scale.to_string()),
        ("POUROVER_DELIVERY_WORKERS", workers.to_string()),
        // Nothing but this round: no scheduled ticks while it runs.
        ("POUROVER_TICK_SECONDS", "3600".into()),
    ]);
    Settings::load_with_env(SettingsSources::default(), &|name| env.get(name).cloned())
        .map_err(|err| format!("benchmark settings: {err}"))
}

/// Every simulated person as a member enrolled in `coffee`, with the profile Slack shows.
async fn seed(
    store: &Store,
    workspace: WorkspaceId,
    sim: &SlackSim,
) -> Result<pourover::domain::Program, Box<dyn std::error::Error>> {
    let name = ProgramName::parse("coffee")?;
    let program = store
        .create_program(NewProgram {
            workspace,
            name: &name,
            channel_id: None,
            schedule: None,
            settings: ProgramSettings::default(),
            created_by: None,
        })
        .await?
        .ok_or("the program exists already")?;
    for person in sim.people() {
        let member = store
            .upsert_member(
                workspace,
                &MemberProfile {
                    external_id: person.id.clone(),
                    display_name: person.real_name.clone(),
                    team: Some(person.team.clone()),
                    time_zone: Some(person.tz.clone()),
                    utc_offset_minutes: Some(person.tz_offset / 60),
                    is_admin: person.is_admin,
                    ..MemberProfile::default()
                },
            )
            .await?;
        store.enroll(program.id, member.id).await?;
    }
    Ok(program)
}

async fn run(
    groups: usize,
    workers: usize,
    time_scale: f64,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let company = CompanySpec {
        people: groups * 2,
        teams: 20,
        admins: 1,
        bots: 0,
        guests: 0,
        deactivated: 0,
        ..CompanySpec::default()
    };
    let config = SlackSimConfig {
        time_scale,
        ..SlackSimConfig::default()
    };
    let policy = config.rate_limit_policy.clone();
    let sim = SlackSim::start(config, company).await?;
    let dir = tempfile::tempdir()?;
    let app = RunningApp::start_with(
        settings(dir.path(), &sim, workers, time_scale)?,
        AppOptions::default(),
    )
    .await?;
    let core = app.core().clone();
    let store = core.store.clone();
    let workspace = store
        .list_workspaces()
        .await?
        .first()
        .map(|(id, _, _)| *id)
        .ok_or("the bot recorded no workspace")?;

    let started = Instant::now();
    let program = seed(&store, workspace, &sim).await?;
    let seeding = started.elapsed();

    let chat = core.chats.get(workspace).ok_or("no Slack chat")?;
    let started = Instant::now();
    let outcome = core
        .planner
        .plan(&program, core.clock.now(), chat.intro_fanout(), false)
        .await?;
    let planning = started.elapsed();
    let PlanOutcome::Planned(planned) = outcome else {
        return Err(format!("the round was not planned: {outcome:?}").into());
    };
    if planned.groups.len() != groups {
        return Err(format!("{} groups planned, not {groups}", planned.groups.len()).into());
    }
    let sending = Instant::now();
    core.delivery.waker().notify_waiters();

    let failed = loop {
        let counts: HashMap<OutboxState, i64> = store.outbox_counts().await?.into_iter().collect();
        let sent = counts.get(&OutboxState::Sent).copied().unwrap_or(0);
        let failed = counts.get(&OutboxState::Failed).copied().unwrap_or(0);
        // Nudges and prompts stay pending for days: only intros can be sent or fail now.
        if sent + failed >= groups as i64 {
            break failed;
        }
        if sending.elapsed() > Duration::from_secs(3600) {
            return Err(format!("only {sent} of {groups} intros sent after an hour").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let delivery = sending.elapsed();

    let recorder = sim.recorder();
    let api_calls = recorder.api_calls();
    let mut calls: BTreeMap<String, usize> = BTreeMap::new();
    for call in &api_calls {
        *calls.entry(call.method.clone()).or_default() += 1;
    }
    let first_open = api_calls
        .iter()
        .filter(|c| c.method == "conversations.open")
        .map(|c| c.at)
        .min();
    let last_post = api_calls
        .iter()
        .filter(|c| c.method == "chat.postMessage")
        .map(|c| c.at)
        .max();
    let slack_span = match (first_open, last_post) {
        (Some(first), Some(last)) => last.duration_since(first).unwrap_or_default(),
        _ => Duration::ZERO,
    };
    let keys: Vec<String> = recorder
        .all_messages()
        .iter()
        .filter_map(|m| m.metadata.as_ref())
        .filter(|m| m["event_type"] == "pourover_outbox")
        .filter_map(|m| m["event_payload"]["key"].as_str().map(str::to_owned))
        .collect();
    let distinct: BTreeSet<&String> = keys.iter().collect();
    let outcome = Outcome {
        workers,
        seeding,
        planning,
        delivery,
        slack_span,
        floor: floor_seconds(&policy, groups, time_scale).0,
        rate_limited: recorder.rate_limited_counts(),
        calls,
        intros_in_slack: keys.len(),
        distinct_keys: distinct.len(),
        failed,
    };
    app.shutdown().await?;
    sim.shutdown().await;
    Ok(outcome)
}

fn print_table(options: &Options, outcomes: &[Outcome]) {
    let policy = RateLimitPolicy::default();
    let (floor, by) = floor_seconds(&policy, options.groups, options.time_scale);
    println!();
    println!(
        "Delivery of one {}-group round ({} people) through the Slack simulator at {}x",
        options.groups,
        options.groups * 2,
        options.time_scale
    );
    for (method, limit) in [
        ("conversations.open (Tier 3)", policy.tier3),
        ("chat.postMessage (workspace)", policy.workspace_posting),
    ] {
        println!(
            "  {method}: {} a Slack minute after a burst of {} -> {:.1} s",
            limit.per_minute,
            limit.burst,
            limit_floor(limit, options.groups, options.time_scale)
        );
    }
    println!("Floor: {floor:.1} s, set by {by}");
    println!();
    println!(
        "| workers | seed (s) | plan (s) | delivery (s) | Slack span (s) | floor (s) | ratio | 429s | intros in Slack | distinct keys | failed |"
    );
    println!(
        "|--------:|---------:|---------:|-------------:|---------------:|----------:|------:|-----:|----------------:|--------------:|-------:|"
    );
    for o in outcomes {
        let limited: u64 = o.rate_limited.values().sum();
        println!(
            "| {:>7} | {:>8.1} | {:>8.2} | {:>12.1} | {:>14.1} | {:>9.1} | {:>5.3} | {:>4} | {:>15} | {:>13} | {:>6} |",
            o.workers,
            o.seeding.as_secs_f64(),
            o.planning.as_secs_f64(),
            o.delivery.as_secs_f64(),
            o.slack_span.as_secs_f64(),
            o.floor,
            o.delivery.as_secs_f64() / o.floor,
            limited,
            o.intros_in_slack,
            o.distinct_keys,
            o.failed,
        );
    }
    println!();
    for o in outcomes {
        println!(
            "workers {}: calls {:?}; 429s {:?}",
            o.workers, o.calls, o.rate_limited
        );
    }
    println!(
        "ratio = delivery / floor (target <= 1.1); delivery runs from the round being saved \
         to the last intro row marked sent."
    );
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(err) => {
            eprintln!("delivery bench: {err}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("delivery bench: cannot start a runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut outcomes = Vec::new();
    for &workers in &options.workers {
        eprintln!(
            "delivering {} groups with {workers} workers at {}x…",
            options.groups, options.time_scale
        );
        match runtime.block_on(run(options.groups, workers, options.time_scale)) {
            Ok(outcome) => outcomes.push(outcome),
            Err(err) => {
                eprintln!("delivery bench: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    print_table(&options, &outcomes);
    let all_once = outcomes
        .iter()
        .all(|o| o.intros_in_slack == options.groups && o.distinct_keys == options.groups);
    if all_once {
        ExitCode::SUCCESS
    } else {
        eprintln!("delivery bench: some intros are missing or doubled");
        ExitCode::FAILURE
    }
}
