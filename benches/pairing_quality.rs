//! How good the approximate solver's groups are, against the exact optimum and a random
//! shuffle, on generated organisations of up to 2 000 people. Prints a Markdown table.
//!
//!     cargo bench --bench pairing_quality
//!     cargo bench --bench pairing_quality -- --scale 100000   # one large plan: time, peak memory
//!     cargo bench --bench pairing_quality -- --scale 100000 --group-size 8 --giant-team 0.6
//!
//! Columns, for pairs (the default group size):
//! - weight: the fraction of the optimal matching weight reached. Each pair weighs
//!   W − s(pair), where s is the engine's lexicographic cost turned into one integer the
//!   way the exact solver does (each level's multiplier exceeds the total of all levels
//!   below it) and W exceeds any s(pair). It flatters: a shuffle already scores high.
//! - gap: (s(ours) − s(opt)) / (s(shuffle) − s(opt)), the share of the shuffle's excess
//!   cost we did not remove. Dominated by the top levels (repeats, same team).
//! - tz gap: the same ratio on the time-zone level alone, the level where the approximate
//!   solver can lose something.
//! - repeats (with their recency weight) and same-team pairs against the optimum; same-team also against the least
//!   the team sizes allow, max(0, ⌈(2·largest − n)/2⌉) (even counts, no history forcing
//!   teammates together).
//! - mean clock gap between partners in minutes, ours / optimum / shuffle.
//!
//! With an odd count the exact solver's trio is only optimal up to 21 people, so the
//! optimum column is "exact matching, best trio it found".

use std::time::{Duration, Instant};

use pourover_pairing::synthetic::{Org, OrgShape, generate, realistic_org};
use pourover_pairing::{Quality, Score, Settings, Solver, evaluate, plan};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;

/// Largest value each level takes for one pair (recency is capped at 64 by the engine).
const PAIR_MAX: [u128; 5] = [1, 64, 1, 2304, 15];

struct Scenario {
    name: String,
    org: Org,
    settings: Settings,
    seed: u64,
}

struct Outcome {
    quality: Quality,
    elapsed: Duration,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| {
        let position = args.iter().position(|a| a == name)?;
        args.get(position + 1).map(String::as_str)
    };
    if let Some(people) = option("--scale") {
        let people = people.parse().unwrap_or(100_000);
        let group_size = option("--group-size")
            .and_then(|k| k.parse().ok())
            .unwrap_or(2);
        let giant_team = option("--giant-team").and_then(|share| share.parse().ok());
        scale(people, group_size, giant_team);
        return;
    }
    // `cargo bench` passes `--bench`; anything else that is not ours is ignored.
    report();
}

fn scenarios() -> Vec<Scenario> {
    let mut list = Vec::new();
    for people in [200, 500, 1_000, 2_000] {
        for seed in [1, 2] {
            list.push(Scenario {
                name: format!("realistic, seed {seed}"),
                org: realistic_org(people, seed),
                settings: Settings::default(),
                seed,
            });
        }
    }
    list.push(Scenario {
        name: "realistic, odd count".into(),
        org: realistic_org(999, 3),
        settings: Settings::default(),
        seed: 3,
    });
    list.push(Scenario {
        name: "one team of 60 %".into(),
        org: generate(&OrgShape::giant_team(1_000, 0.6), 4),
        settings: Settings::default(),
        seed: 4,
    });
    for people in [16, 40] {
        list.push(Scenario {
            name: "everyone already met (round robin)".into(),
            org: round_robin(people, 5),
            settings: Settings {
                lookback_rounds: people as u64,
                ..Settings::default()
            },
            seed: 5,
        });
    }
    list
}

/// A realistic roster whose history is a full round robin: every pair met exactly once
/// in the last n − 1 rounds, so every pairing repeats and recency decides.
fn round_robin(people: usize, seed: u64) -> Org {
    let mut org = realistic_org(people, seed);
    org.history.clear();
    org.exclusions.clear();
    // Circle method: fix the first, rotate the others.
    let ids: Vec<u32> = org.people.iter().map(|p| p.id).collect();
    let mut circle: Vec<u32> = ids[1..].to_vec();
    for round in 0..people as u64 - 1 {
        let mut seats = vec![ids[0]];
        seats.extend(&circle);
        for i in 0..people / 2 {
            org.history.push(pourover_pairing::PastGroup {
                round,
                members: vec![seats[i], seats[people - 1 - i]],
            });
        }
        circle.rotate_right(1);
    }
    org.current_round = people as u64 - 1;
    org
}

fn report() {
    println!(
        "| scenario | n | weight | gap | tz gap | repeats (recency) ours/opt | same-team ours/opt/formula | mean gap min ours/opt/shuffle | exact | approximate |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for scenario in scenarios() {
        let exact = run(&scenario, Solver::Exact);
        let ours = run(&scenario, Solver::Approximate);
        let shuffle = shuffled(&scenario, &exact.quality);
        let n = scenario.org.people.len();
        let pairs = exact.quality.pairs;
        let (weight, gap) = weight_and_gap(
            pairs,
            &ours.quality.score,
            &exact.quality.score,
            &shuffle.score,
        );
        let tz_gap = ratio(
            ours.quality.score.time_zone_cost,
            exact.quality.score.time_zone_cost,
            shuffle.score.time_zone_cost,
        );
        let largest = scenario.org.largest_team();
        let formula = if n % 2 == 0 {
            (2 * largest).saturating_sub(n).div_ceil(2).to_string()
        } else {
            "–".into()
        };
        println!(
            "| {} | {n} | {:.5} % | {:.4} % | {:.3} % | {} ({})/{} ({}) | {}/{}/{} | {:.2}/{:.2}/{:.0} | {:.0} ms | {:.0} ms |",
            scenario.name,
            weight * 100.0,
            gap * 100.0,
            tz_gap * 100.0,
            ours.quality.repeats,
            ours.quality.score.repeat_recency,
            exact.quality.repeats,
            exact.quality.score.repeat_recency,
            ours.quality.same_team_pairs,
            exact.quality.same_team_pairs,
            formula,
            ours.quality.mean_tz_gap_minutes,
            exact.quality.mean_tz_gap_minutes,
            shuffle.mean_tz_gap_minutes,
            exact.elapsed.as_secs_f64() * 1e3,
            ours.elapsed.as_secs_f64() * 1e3,
        );
    }
}

fn run(scenario: &Scenario, solver: Solver) -> Outcome {
    let settings = Settings {
        solver,
        ..scenario.settings
    };
    let started = Instant::now();
    let planned =
        plan(&scenario.org.input(settings), scenario.seed).unwrap_or_else(|e| panic!("{e}"));
    Outcome {
        elapsed: started.elapsed(),
        quality: planned.quality,
    }
}

/// Everyone in random order, cut into groups of the sizes the plan used.
fn shuffled(scenario: &Scenario, like: &Quality) -> Quality {
    let mut ids: Vec<u32> = scenario.org.people.iter().map(|p| p.id).collect();
    ids.shuffle(&mut Xoshiro256PlusPlus::seed_from_u64(scenario.seed));
    let groups = like.groups;
    let (base, larger) = (ids.len() / groups, ids.len() % groups);
    let mut rest = ids.as_slice();
    let mut grouping = Vec::new();
    for g in 0..groups {
        let (group, tail) = rest.split_at(base + usize::from(g < larger));
        grouping.push(group.to_vec());
        rest = tail;
    }
    evaluate(
        &scenario.org.input(scenario.settings),
        scenario.seed,
        &grouping,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The engine's cost as one integer, as the exact solver builds it for `pairs` pairs.
fn scalar(pairs: u64, score: &Score) -> u128 {
    let levels = [
        score.repeats,
        score.repeat_recency,
        score.same_team_pairs,
        score.time_zone_cost,
        score.jitter,
    ];
    let pairs = u128::from(pairs.max(1));
    let mut multiplier = 1u128;
    let mut total = 0u128;
    for level in (0..5).rev() {
        total += multiplier * u128::from(levels[level]);
        multiplier *= pairs * PAIR_MAX[level] + 1;
    }
    total
}

fn weight_and_gap(pairs: u64, ours: &Score, opt: &Score, shuffle: &Score) -> (f64, f64) {
    let (ours, opt, shuffle) = (
        scalar(pairs, ours),
        scalar(pairs, opt),
        scalar(pairs, shuffle),
    );
    // Any W above the largest cost of one pair; the exact solver's choice.
    let per_pair = scalar(1, &max_pair_score()) + 1;
    let total = u128::from(pairs) * per_pair;
    let weight = (total - ours) as f64 / (total - opt) as f64;
    let gap = if shuffle > opt {
        (ours as f64 - opt as f64) / (shuffle - opt) as f64
    } else {
        0.0
    };
    (weight, gap)
}

fn max_pair_score() -> Score {
    Score {
        repeats: PAIR_MAX[0] as u64,
        repeat_recency: PAIR_MAX[1] as u64,
        same_team_pairs: PAIR_MAX[2] as u64,
        time_zone_cost: PAIR_MAX[3] as u64,
        jitter: PAIR_MAX[4] as u64,
    }
}

fn ratio(ours: u64, opt: u64, shuffle: u64) -> f64 {
    if shuffle > opt {
        (ours as f64 - opt as f64) / (shuffle - opt) as f64
    } else {
        0.0
    }
}

/// One plan on a large roster: elapsed time and the process's peak resident memory.
/// `giant_team`: one team with this share of everyone instead of the realistic mix.
fn scale(people: usize, group_size: usize, giant_team: Option<f64>) {
    let org = match giant_team {
        Some(share) => generate(&OrgShape::giant_team(people, share), 2026),
        None => realistic_org(people, 2026),
    };
    let settings = Settings {
        group_size,
        ..Settings::default()
    };
    let before = peak_resident_kib();
    let started = Instant::now();
    let planned = plan(&org.input(settings), 2026).unwrap_or_else(|e| panic!("{e}"));
    let elapsed = started.elapsed();
    let after = peak_resident_kib();
    let q = &planned.quality;
    println!(
        "n = {people}, groups of {group_size}, largest team {}: {:.2} s, {} groups, {} repeats, {} same-team pairs, mean clock gap {:.2} min, max {} min",
        org.largest_team(),
        elapsed.as_secs_f64(),
        q.groups,
        q.repeats,
        q.same_team_pairs,
        q.mean_tz_gap_minutes,
        q.max_tz_gap_minutes
    );
    match (before, after) {
        (Some(before), Some(after)) => println!(
            "peak resident memory: {:.0} MiB for the process, {:.0} MiB before planning (the generated org)",
            after as f64 / 1024.0,
            before as f64 / 1024.0
        ),
        _ => println!("peak resident memory: not available on this platform"),
    }
}

/// VmHWM from /proc/self/status (Linux).
fn peak_resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
