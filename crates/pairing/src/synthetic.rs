//! Generated organisations that look like real ones, for benchmarks, tests and demos.
//!
//! A realistic org is harder than a random one in the ways that matter to the engine:
//! teams sit mostly in one office (so the people closest in time zone are often
//! teammates), a few large departments span every region, and history already used up
//! the most convenient partners (it was planned the way a good engine would).

use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};

use crate::model::{Input, PastGroup, Person, Settings};

/// Four regions as (share of people, office UTC offsets, offsets remote people use).
const REGIONS: [(f64, &[i32], &[i32]); 4] = [
    // Americas: San Francisco, New York; remote from Hawaii to São Paulo.
    (
        0.35,
        &[-480, -300],
        &[-600, -540, -480, -420, -360, -300, -240, -180],
    ),
    // Europe: London, Berlin; remote from Lisbon to Istanbul.
    (0.40, &[0, 60], &[0, 60, 120, 180]),
    // India (Bangalore), remote also from Pakistan, Nepal, Bangladesh.
    (0.10, &[330], &[300, 330, 345, 360]),
    // Asia-Pacific: Singapore, Sydney; remote from Bangkok to Auckland.
    (0.15, &[480, 600], &[420, 480, 540, 570, 600, 660, 720, 780]),
];
const REMOTE: f64 = 0.25;
const UNKNOWN_TIME_ZONE: f64 = 0.02;
/// Share of a small team's members in the team's region (the rest anywhere).
const TEAM_IN_ONE_REGION: f64 = 0.85;
const SMALL_TEAM_SIZES: std::ops::RangeInclusive<usize> = 3..=12;
const PARTICIPATION_PER_ROUND: f64 = 0.85;

/// What kind of organisation to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgShape {
    pub people: usize,
    /// Shares of people in large departments spread over all regions; everyone else is
    /// in small teams of 3 to 12, mostly within one region.
    pub departments: Vec<f64>,
    /// Rounds of pair history before the round to plan.
    pub history_rounds: u64,
    /// Pairs that must never meet, per 1 000 people.
    pub exclusions_per_thousand: usize,
}

impl OrgShape {
    /// A few large departments (16 %, 12 %, 8 %), many small teams, four regions, 12 rounds
    /// of history and one exclusion per 500 people.
    pub fn realistic(people: usize) -> Self {
        Self {
            people,
            departments: vec![0.16, 0.12, 0.08],
            history_rounds: 12,
            exclusions_per_thousand: 2,
        }
    }

    /// One team with `share` of everyone (more than half forces same-team pairs).
    pub fn giant_team(people: usize, share: f64) -> Self {
        Self {
            departments: vec![share],
            ..Self::realistic(people)
        }
    }
}

/// A generated roster with its history, ready to plan round `current_round`.
#[derive(Debug, Clone)]
pub struct Org {
    pub people: Vec<Person<u32>>,
    pub history: Vec<PastGroup<u32>>,
    pub exclusions: Vec<(u32, u32)>,
    pub current_round: u64,
}

impl Org {
    pub fn input(&self, settings: Settings) -> Input<'_, u32> {
        Input {
            people: &self.people,
            history: &self.history,
            exclusions: &self.exclusions,
            current_round: self.current_round,
            settings,
        }
    }

    /// Size of the largest team.
    pub fn largest_team(&self) -> usize {
        let mut sizes = std::collections::HashMap::new();
        for team in self.people.iter().filter_map(|p| p.team.as_deref()) {
            *sizes.entry(team).or_insert(0usize) += 1;
        }
        sizes.values().copied().max().unwrap_or(0)
    }
}

/// [`OrgShape::realistic`] with `people` people.
pub fn realistic_org(people: usize, seed: u64) -> Org {
    generate(&OrgShape::realistic(people), seed)
}

pub fn generate(shape: &OrgShape, seed: u64) -> Org {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let people = shape.people;
    // (team, UTC offset) per person, built team by team, then shuffled so that ids say
    // nothing about teams.
    let mut members: Vec<(String, Option<i32>)> = Vec::with_capacity(people);
    for (d, share) in shape.departments.iter().enumerate() {
        let size = ((people as f64 * share).round() as usize).min(people - members.len());
        for _ in 0..size {
            let region = random_region(&mut rng);
            let offset = random_offset(region, &mut rng);
            members.push((format!("department-{d}"), offset));
        }
    }
    let mut team = 0usize;
    while members.len() < people {
        let size = rng
            .random_range(SMALL_TEAM_SIZES)
            .min(people - members.len());
        let home = random_region(&mut rng);
        for _ in 0..size {
            let region = if rng.random_bool(TEAM_IN_ONE_REGION) {
                home
            } else {
                random_region(&mut rng)
            };
            let offset = random_offset(region, &mut rng);
            members.push((format!("team-{team}"), offset));
        }
        team += 1;
    }
    members.shuffle(&mut rng);
    let roster: Vec<Person<u32>> = members
        .into_iter()
        .enumerate()
        .map(|(id, (team, offset))| Person {
            id: id as u32,
            team: Some(team),
            utc_offset_minutes: offset,
        })
        .collect();

    let mut history = Vec::new();
    for round in 0..shape.history_rounds {
        history.extend(plausible_round(&roster, round, &mut rng));
    }
    let exclusions = (0..people * shape.exclusions_per_thousand / 1000)
        .map(|_| {
            let a = rng.random_range(0..people) as u32;
            let b = rng.random_range(0..people) as u32;
            (a, b)
        })
        .filter(|(a, b)| a != b)
        .collect();
    Org {
        people: roster,
        history,
        exclusions,
        current_round: shape.history_rounds,
    }
}

fn random_region(rng: &mut Xoshiro256PlusPlus) -> usize {
    let draw: f64 = rng.random();
    let mut cumulative = 0.0;
    for (region, (share, _, _)) in REGIONS.iter().enumerate() {
        cumulative += share;
        if draw < cumulative {
            return region;
        }
    }
    REGIONS.len() - 1
}

fn random_offset(region: usize, rng: &mut Xoshiro256PlusPlus) -> Option<i32> {
    if rng.random_bool(UNKNOWN_TIME_ZONE) {
        return None;
    }
    let (_, offices, remote) = REGIONS[region];
    let choices = if rng.random_bool(REMOTE) {
        remote
    } else {
        offices
    };
    choices.choose(rng).copied()
}

/// Pairs the way a decent engine would: neighbours in time zone, skipping teammates.
fn plausible_round(
    roster: &[Person<u32>],
    round: u64,
    rng: &mut Xoshiro256PlusPlus,
) -> Vec<PastGroup<u32>> {
    let mut present: Vec<(i32, u64, usize)> = roster
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let present = rng.random_bool(PARTICIPATION_PER_ROUND);
            present.then(|| (p.utc_offset_minutes.unwrap_or(0), rng.random::<u64>(), i))
        })
        .collect();
    present.sort_unstable();
    let order: Vec<usize> = present.into_iter().map(|(_, _, i)| i).collect();
    let mut taken = vec![false; order.len()];
    let mut groups: Vec<PastGroup<u32>> = Vec::new();
    let mut leftover = None;
    for i in 0..order.len() {
        if taken[i] {
            continue;
        }
        taken[i] = true;
        let team = &roster[order[i]].team;
        let mut free = (i + 1..order.len())
            .filter(|&j| !taken[j])
            .take(4)
            .peekable();
        let nearest = free.peek().copied();
        let partner = free.find(|&j| roster[order[j]].team != *team).or(nearest);
        match partner {
            Some(j) => {
                taken[j] = true;
                groups.push(PastGroup {
                    round,
                    members: vec![roster[order[i]].id, roster[order[j]].id],
                });
            }
            None => leftover = Some(order[i]),
        }
    }
    if let (Some(last), Some(group)) = (leftover, groups.last_mut()) {
        group.members.push(roster[last].id);
    }
    groups.shuffle(rng);
    groups
}
