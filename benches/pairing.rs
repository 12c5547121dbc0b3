//! Speed of the pairing engine on generated realistic organisations (a few large
//! departments, many small teams, four regions, 12 rounds of history), single thread.
//!
//! `cargo bench --bench pairing` (all sizes) or e.g. `cargo bench --bench pairing -- 100000`.
//! Targets: 10 000 people in under 1 s, 100 000 in under 15 s.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use pourover_pairing::synthetic::realistic_org;
use pourover_pairing::{Settings, plan};

const SEED: u64 = 2026;

fn pairs(c: &mut Criterion) {
    let mut group = c.benchmark_group("pairs");
    // Each plan takes from milliseconds to seconds: flat sampling, few samples.
    group.sampling_mode(SamplingMode::Flat);
    for (people, samples, seconds) in [(1_000, 20, 10), (10_000, 10, 10), (100_000, 10, 60)] {
        let org = realistic_org(people, SEED);
        let input = org.input(Settings::default());
        group.sample_size(samples);
        group.measurement_time(Duration::from_secs(seconds));
        group.bench_function(BenchmarkId::from_parameter(people), |b| {
            b.iter(|| plan(black_box(&input), SEED).map(|p| p.groups.len()))
        });
    }
    group.finish();
}

fn groups_of_four(c: &mut Criterion) {
    let mut group = c.benchmark_group("groups_of_four");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let people = 10_000;
    let org = realistic_org(people, SEED);
    let input = org.input(Settings {
        group_size: 4,
        ..Settings::default()
    });
    group.bench_function(BenchmarkId::from_parameter(people), |b| {
        b.iter(|| plan(black_box(&input), SEED).map(|p| p.groups.len()))
    });
    group.finish();
}

criterion_group!(benches, pairs, groups_of_four);
criterion_main!(benches);
