//! The input turned into compact arrays indexed by person, in a canonical order.
//!
//! People are sorted by id, so the plan depends on who takes part and the seed, never on
//! the order the caller listed them in. History and exclusions become sorted adjacency
//! lists (CSR): O(people + history) memory, never a people × people table.

use std::collections::HashMap;
use std::hash::Hash;

use crate::cost::{Cost, JITTER_LEVELS, clock_gap_minutes, jitter, time_zone_cost};
use crate::model::{Input, Priorities, Settings};
use crate::outcome::PairingError;

/// Index of a person in canonical order.
pub(crate) type PersonIx = u32;

const NO_TEAM: u32 = u32::MAX;
const UNKNOWN_OFFSET: i32 = i32::MIN;
/// Recency weights are capped so the exact solver's weights stay bounded whatever the
/// look-back; meetings older than this many rounds all weigh 1.
const RECENCY_CAP: u64 = 64;

pub(crate) struct Roster<'a, Id> {
    /// `ids[i]` is the id of person i; sorted.
    pub ids: Vec<&'a Id>,
    team: Vec<u32>,
    offset: Vec<i32>,
    met: Adjacency<u8>,
    excluded: Adjacency<()>,
    seed: u64,
    priorities: Priorities,
    /// Weight of a repeat from the round just before the one being planned.
    most_recent_weight: u8,
}

impl<'a, Id: Eq + Hash + Ord> Roster<'a, Id> {
    pub fn new(input: &Input<'a, Id>, seed: u64) -> Result<Self, PairingError> {
        check_settings(&input.settings)?;
        let people = input.people;
        let mut order: Vec<usize> = (0..people.len()).collect();
        order.sort_by(|&a, &b| people[a].id.cmp(&people[b].id));
        if let Some(pair) = order
            .windows(2)
            .find(|w| people[w[0]].id == people[w[1]].id)
        {
            let (first, second) = (pair[0].min(pair[1]), pair[0].max(pair[1]));
            return Err(PairingError::DuplicateId { first, second });
        }

        let index: HashMap<&Id, PersonIx> = order
            .iter()
            .enumerate()
            .map(|(ix, &p)| (&people[p].id, ix as PersonIx))
            .collect();

        let mut team_ids: HashMap<&str, u32> = HashMap::new();
        let team = order
            .iter()
            .map(|&p| match people[p].team.as_deref() {
                None => NO_TEAM,
                Some(name) => {
                    let next = team_ids.len() as u32;
                    *team_ids.entry(name).or_insert(next)
                }
            })
            .collect();
        let offset = order
            .iter()
            .map(|&p| people[p].utc_offset_minutes.unwrap_or(UNKNOWN_OFFSET))
            .collect();

        let lookback = input.settings.lookback_rounds;
        let weight_cap = lookback.saturating_add(1).min(RECENCY_CAP);
        let mut met_entries = Vec::new();
        for group in input.history {
            let age = input.current_round.saturating_sub(group.round);
            if age > lookback {
                continue;
            }
            // The most recent round in the window weighs `weight_cap`, the oldest 1.
            let recency = weight_cap.saturating_sub(age).max(1) as u8;
            let members: Vec<PersonIx> = group
                .members
                .iter()
                .filter_map(|id| index.get(id).copied())
                .collect();
            for (i, &a) in members.iter().enumerate() {
                for &b in &members[i + 1..] {
                    if a != b {
                        met_entries.push((a, b, recency));
                        met_entries.push((b, a, recency));
                    }
                }
            }
        }
        let mut excluded_entries = Vec::new();
        for (a, b) in input.exclusions {
            if let (Some(&a), Some(&b)) = (index.get(a), index.get(b))
                && a != b
            {
                excluded_entries.push((a, b, ()));
                excluded_entries.push((b, a, ()));
            }
        }

        Ok(Roster {
            ids: order.iter().map(|&p| &people[p].id).collect(),
            team,
            offset,
            met: Adjacency::build(people.len(), met_entries),
            excluded: Adjacency::build(people.len(), excluded_entries),
            seed,
            priorities: input.settings.priorities,
            most_recent_weight: weight_cap as u8,
        })
    }
}

impl<Id> Roster<'_, Id> {
    pub fn len(&self) -> usize {
        self.team.len()
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn is_excluded(&self, a: PersonIx, b: PersonIx) -> bool {
        self.excluded.get(a, b).is_some()
    }

    pub fn has_exclusions(&self, a: PersonIx) -> bool {
        !self.excluded.neighbours(a).is_empty()
    }

    /// Weight of the last meeting within the look-back, if any.
    pub fn recency(&self, a: PersonIx, b: PersonIx) -> Option<u8> {
        self.met.get(a, b).copied()
    }

    pub fn same_team(&self, a: PersonIx, b: PersonIx) -> bool {
        let team = self.team[a as usize];
        team != NO_TEAM && team == self.team[b as usize]
    }

    pub fn team(&self, a: PersonIx) -> Option<u32> {
        let team = self.team[a as usize];
        (team != NO_TEAM).then_some(team)
    }

    pub fn utc_offset(&self, a: PersonIx) -> Option<i32> {
        let offset = self.offset[a as usize];
        (offset != UNKNOWN_OFFSET).then_some(offset)
    }

    pub fn clock_gap(&self, a: PersonIx, b: PersonIx) -> Option<u32> {
        Some(clock_gap_minutes(self.utc_offset(a)?, self.utc_offset(b)?))
    }

    /// The most one pair can cost, level by level.
    pub fn max_pair_cost(&self) -> Cost {
        Cost {
            repeats: 1,
            recency: i64::from(self.most_recent_weight),
            same_team: 1,
            time_zone: time_zone_cost(12 * 60),
            jitter: JITTER_LEVELS as i64 - 1,
        }
    }

    /// What it costs to put `a` and `b` in one group; `None` if they must never meet.
    pub fn cost(&self, a: PersonIx, b: PersonIx) -> Option<Cost> {
        if self.is_excluded(a, b) {
            return None;
        }
        Some(self.soft_cost(a, b))
    }

    /// The cost ignoring exclusions (for scoring a grouping someone else made).
    pub fn soft_cost(&self, a: PersonIx, b: PersonIx) -> Cost {
        let recency = self.recency(a, b).map_or(0, i64::from);
        let same_team = self.priorities.cross_team && self.same_team(a, b);
        let time_zone = match self.clock_gap(a, b) {
            Some(gap) if self.priorities.close_time_zones => time_zone_cost(gap),
            _ => 0,
        };
        Cost {
            repeats: i64::from(recency > 0),
            recency,
            same_team: i64::from(same_team),
            time_zone,
            jitter: jitter(self.seed, a, b),
        }
    }
}

pub(crate) fn check_settings(settings: &Settings) -> Result<(), PairingError> {
    let size = settings.group_size;
    if !(Settings::MIN_GROUP_SIZE..=Settings::MAX_GROUP_SIZE).contains(&size) {
        return Err(PairingError::GroupSize { requested: size });
    }
    Ok(())
}

/// Sorted adjacency lists in one flat array (compressed sparse rows).
struct Adjacency<V> {
    starts: Vec<u32>,
    targets: Vec<PersonIx>,
    values: Vec<V>,
}

impl<V: Copy + Ord> Adjacency<V> {
    /// Duplicated (from, to) entries keep the largest value.
    fn build(nodes: usize, mut entries: Vec<(PersonIx, PersonIx, V)>) -> Self {
        entries.sort_unstable_by(|x, y| {
            (x.0, x.1, std::cmp::Reverse(x.2)).cmp(&(y.0, y.1, std::cmp::Reverse(y.2)))
        });
        entries.dedup_by_key(|e| (e.0, e.1));
        let mut starts = vec![0u32; nodes + 1];
        for &(from, _, _) in &entries {
            starts[from as usize + 1] += 1;
        }
        for i in 0..nodes {
            starts[i + 1] += starts[i];
        }
        Adjacency {
            starts,
            targets: entries.iter().map(|e| e.1).collect(),
            values: entries.iter().map(|e| e.2).collect(),
        }
    }

    fn range(&self, from: PersonIx) -> std::ops::Range<usize> {
        self.starts[from as usize] as usize..self.starts[from as usize + 1] as usize
    }

    fn neighbours(&self, from: PersonIx) -> &[PersonIx] {
        &self.targets[self.range(from)]
    }

    fn get(&self, from: PersonIx, to: PersonIx) -> Option<&V> {
        let range = self.range(from);
        let found = self.targets[range.clone()].binary_search(&to).ok()?;
        self.values.get(range.start + found)
    }
}
