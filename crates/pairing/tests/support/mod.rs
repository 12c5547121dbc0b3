//! Random small organisations for property and exactness tests.

#![allow(dead_code)] // each test file uses part of this

use pourover_pairing::{Input, PastGroup, Person, Settings, Solver};
use proptest::prelude::*;

/// How teams are assigned in a generated case.
#[derive(Debug, Clone, Copy)]
pub enum Teams {
    /// Uniformly among this many teams.
    Mixed(u32),
    /// Seven in ten people in one team, the rest in a few small ones.
    Giant,
    AllOne,
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub people: Vec<Person<u32>>,
    pub history: Vec<PastGroup<u32>>,
    pub exclusions: Vec<(u32, u32)>,
    pub current_round: u64,
    pub settings: Settings,
    pub seed: u64,
}

impl Case {
    pub fn input(&self) -> Input<'_, u32> {
        Input {
            people: &self.people,
            history: &self.history,
            exclusions: &self.exclusions,
            current_round: self.current_round,
            settings: self.settings,
        }
    }

    pub fn is_excluded(&self, a: u32, b: u32) -> bool {
        self.exclusions
            .iter()
            .any(|&(x, y)| (x, y) == (a, b) || (x, y) == (b, a))
    }
}

fn teams() -> impl Strategy<Value = Teams> {
    prop_oneof![
        3 => (2u32..6).prop_map(Teams::Mixed),
        1 => Just(Teams::Giant),
        1 => Just(Teams::AllOne),
        1 => Just(Teams::Unknown),
    ]
}

fn team_of(teams: Teams, draw: u32) -> Option<String> {
    let name = match teams {
        Teams::Mixed(count) => draw % count,
        Teams::Giant if draw % 10 < 7 => 0,
        Teams::Giant => 1 + draw % 3,
        Teams::AllOne => 0,
        Teams::Unknown => return None,
    };
    Some(format!("team-{name}"))
}

/// UTC offsets in quarter hours from -10:00 to +13:00, or unknown.
fn offset() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![
        1 => Just(None),
        6 => (-40i32..=52).prop_map(|quarters| Some(quarters * 15)),
    ]
}

/// A roster of `people` (ids 0..people), random history of pairs and trios over a few
/// rounds, and optionally a few exclusions.
pub fn case(
    people: impl Strategy<Value = usize>,
    group_sizes: std::ops::RangeInclusive<usize>,
    with_exclusions: bool,
) -> impl Strategy<Value = Case> {
    (
        people,
        group_sizes,
        teams(),
        any::<u64>(),
        0u64..8,
        any::<bool>(),
    )
        .prop_flat_map(move |(n, group_size, teams, seed, rounds, exact)| {
            let members = prop::collection::vec((any::<u32>(), offset()), n);
            let history = prop::collection::vec(
                (
                    0..rounds.max(1),
                    Just((0..n as u32).collect::<Vec<u32>>()).prop_shuffle(),
                ),
                if rounds == 0 { 0..1 } else { 1..4 },
            );
            let exclusion_count = if with_exclusions { 0..=n / 2 } else { 0..=0 };
            let exclusions =
                prop::collection::vec((0..n.max(1) as u32, 0..n.max(1) as u32), exclusion_count);
            (members, history, exclusions).prop_map(move |(members, history, exclusions)| Case {
                people: members
                    .into_iter()
                    .enumerate()
                    .map(|(id, (draw, offset))| Person {
                        id: id as u32,
                        team: team_of(teams, draw),
                        utc_offset_minutes: offset,
                    })
                    .collect(),
                history: history
                    .into_iter()
                    .flat_map(|(round, shuffled)| past_groups(round, &shuffled))
                    .collect(),
                exclusions: exclusions.into_iter().filter(|(a, b)| a != b).collect(),
                current_round: rounds,
                settings: Settings {
                    group_size,
                    lookback_rounds: 6,
                    solver: if exact {
                        Solver::Exact
                    } else {
                        Solver::Approximate
                    },
                    ..Settings::default()
                },
                seed,
            })
        })
}

/// One past round: the shuffled ids in pairs, a trio at the end when odd.
fn past_groups(round: u64, shuffled: &[u32]) -> Vec<PastGroup<u32>> {
    let mut groups: Vec<PastGroup<u32>> = shuffled
        .chunks(2)
        .map(|pair| PastGroup {
            round,
            members: pair.to_vec(),
        })
        .collect();
    if groups.len() >= 2
        && groups.last().is_some_and(|g| g.members.len() == 1)
        && let Some(single) = groups.pop()
        && let Some(last) = groups.last_mut()
    {
        last.members.extend(single.members);
    }
    groups
}
