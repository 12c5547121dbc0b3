//! From people to groups: merge rounds (see `layout`), then the remainder joins the
//! groups where it fits best, then a swap search polishes the result.

use crate::cost::{Cost, mix64};
use crate::layout::{Layout, MergeRound, merge_rounds};
use crate::matching::{Method, Quotas, UnitIx, Units, match_units};
use crate::model::{Settings, Solver};
use crate::outcome::UnplacedReason;
use crate::polish;
use crate::roster::{PersonIx, Roster};
use crate::trio;

/// Above this many units (people or parts, plus sit-out dummies) in a round,
/// [`Solver::Auto`](crate::Solver::Auto) uses the approximate solver. Measured on
/// generated orgs: at 500 units the exact solver takes 0.15 s, at 1 000 about 0.7 s and
/// 140 MB (integer-blossom's (2n+1)² edge table), while the approximate solver matches
/// it on repeats and same-team pairs and comes within 0.01 % on time zones in 25 ms.
pub const EXACT_LIMIT: usize = 600;

pub(crate) struct Grouping {
    pub groups: Vec<Vec<PersonIx>>,
    pub unplaced: Vec<(PersonIx, UnplacedReason)>,
}

pub(crate) fn group<Id>(roster: &Roster<'_, Id>, settings: &Settings) -> Grouping {
    let people = roster.len();
    let Some(layout) = Layout::new(people, settings.group_size) else {
        return Grouping {
            groups: Vec::new(),
            unplaced: (0..people as PersonIx)
                .map(|p| (p, UnplacedReason::NobodyElse))
                .collect(),
        };
    };
    let odd_pairs = settings.group_size == 2 && people % 2 == 1;
    if odd_pairs && people <= trio::SMALL_ODD_ROSTER {
        let method = method_for(settings.solver, people);
        if let Some(groups) = trio::best_split(roster, method, roster.seed()) {
            return Grouping {
                groups,
                unplaced: Vec::new(),
            };
        }
        // Exclusions rule out every trio: the general path finds who cannot be placed.
    }
    let mut parts: Vec<Vec<PersonIx>> = (0..people as PersonIx).map(|p| vec![p]).collect();
    let mut leftovers = Vec::new();
    for (round_number, round) in merge_rounds(layout.base).iter().enumerate() {
        let (pool, waiting): (Vec<_>, Vec<_>) = parts
            .into_iter()
            .partition(|part| round.part_sizes.contains(&part.len()));
        let merges = layout.groups * round.merges_per_group();
        let sit_outs = pool.len().saturating_sub(2 * merges);
        let quotas = Quotas::new(
            round
                .builds
                .iter()
                .map(|&(size, per_group)| (size, per_group * layout.groups)),
            sit_outs,
        );
        let method = method_for(settings.solver, pool.len() + sit_outs);
        let units = Parts::new(roster, &pool, round);
        let seed = mix64(roster.seed() ^ round_number as u64);
        let mate = match_units(&units, &quotas, method, seed);

        parts = waiting;
        for (a, part) in pool.iter().enumerate() {
            match mate[a] {
                Some(b) if (a as UnitIx) < b => {
                    let mut merged = part.clone();
                    merged.extend_from_slice(&pool[b as usize]);
                    parts.push(merged);
                }
                Some(_) => {}
                // Single people wait for a later round or join a group at the end.
                None if part.len() == 1 => parts.push(part.clone()),
                // A part nobody may be merged with (exclusions) is broken up.
                None => leftovers.extend_from_slice(part),
            }
        }
    }
    let (mut groups, unfinished): (Vec<_>, Vec<_>) = parts
        .into_iter()
        .partition(|part| part.len() == layout.base);
    leftovers.extend(unfinished.into_iter().flatten());
    let unplaced = place_leftovers(roster, &mut groups, leftovers, layout.base);
    polish::improve(roster, &mut groups);
    Grouping { groups, unplaced }
}

fn method_for(solver: Solver, units: usize) -> Method {
    match solver {
        Solver::Exact => Method::Exact,
        Solver::Approximate => Method::Approximate,
        Solver::Auto if units <= EXACT_LIMIT => Method::Exact,
        Solver::Auto => Method::Approximate,
    }
}

/// The remainder (and anyone exclusions kept out of the rounds) joins the group where
/// they add the least cost, one extra person per group. Those who fit nowhere form groups
/// among themselves if they can; anyone still alone is reported, never dropped.
fn place_leftovers<Id>(
    roster: &Roster<'_, Id>,
    groups: &mut Vec<Vec<PersonIx>>,
    mut leftovers: Vec<PersonIx>,
    base: usize,
) -> Vec<(PersonIx, UnplacedReason)> {
    // People with exclusions have fewer options: they choose first.
    leftovers.sort_by_key(|&p| {
        (
            !roster.has_exclusions(p),
            mix64(roster.seed() ^ u64::from(p)),
        )
    });
    let mut stranded = Vec::new();
    for person in leftovers {
        let best = groups
            .iter()
            .enumerate()
            .filter(|(_, group)| group.len() == base)
            .filter_map(|(g, group)| cost_with(roster, person, group).map(|cost| (cost, g)))
            .min();
        match best {
            Some((_, g)) => groups[g].push(person),
            None => stranded.push(person),
        }
    }
    let mut unplaced = Vec::new();
    while let Some(first) = stranded.pop() {
        let mut group = vec![first];
        stranded.retain(|&p| {
            let fits = group.len() <= base && cost_with(roster, p, &group).is_some();
            if fits {
                group.push(p);
            }
            !fits
        });
        if group.len() >= 2 {
            groups.push(group);
        } else {
            unplaced.push((first, UnplacedReason::Excluded));
        }
    }
    unplaced
}

/// What `person` adds to `group`; `None` if it contains someone they must not meet.
pub(crate) fn cost_with<Id>(
    roster: &Roster<'_, Id>,
    person: PersonIx,
    group: &[PersonIx],
) -> Option<Cost> {
    group.iter().map(|&other| roster.cost(person, other)).sum()
}

/// The parts in one merge round, as units to match.
pub(crate) struct Parts<'p, 'r, Id> {
    roster: &'p Roster<'r, Id>,
    parts: &'p [Vec<PersonIx>],
    round: &'p MergeRound,
    clock: Vec<Option<i32>>,
    max_cost: Cost,
}

impl<'p, 'r, Id> Parts<'p, 'r, Id> {
    pub fn new(
        roster: &'p Roster<'r, Id>,
        parts: &'p [Vec<PersonIx>],
        round: &'p MergeRound,
    ) -> Self {
        let largest = parts.iter().map(Vec::len).max().unwrap_or(1) as i64;
        let pair = roster.max_pair_cost();
        let pairs = largest * largest;
        Parts {
            roster,
            parts,
            round,
            clock: parts
                .iter()
                .map(|part| clock_centre(roster, part))
                .collect(),
            max_cost: Cost {
                repeats: pair.repeats * pairs,
                recency: pair.recency * pairs,
                same_team: pair.same_team * pairs,
                time_zone: pair.time_zone * pairs,
                jitter: pair.jitter * pairs,
            },
        }
    }
}

impl<Id> Units for Parts<'_, '_, Id> {
    fn len(&self) -> usize {
        self.parts.len()
    }

    fn cost(&self, a: UnitIx, b: UnitIx) -> Option<Cost> {
        let (a, b) = (&self.parts[a as usize], &self.parts[b as usize]);
        if !self.round.allows(a.len(), b.len()) {
            return None;
        }
        a.iter()
            .map(|&person| cost_with(self.roster, person, b))
            .sum()
    }

    fn clock_position(&self, a: UnitIx) -> Option<i32> {
        self.clock[a as usize]
    }

    fn may_sit_out(&self, a: UnitIx) -> bool {
        self.parts[a as usize].len() == 1
    }

    fn size(&self, a: UnitIx) -> usize {
        self.parts[a as usize].len()
    }

    fn max_cost(&self) -> Cost {
        self.max_cost
    }
}

/// Average local clock of a part's members, taken around the first known one so that
/// UTC-11 and UTC+13 average to the same clock rather than to UTC+1.
fn clock_centre<Id>(roster: &Roster<'_, Id>, part: &[PersonIx]) -> Option<i32> {
    let mut known = part.iter().filter_map(|&p| roster.utc_offset(p));
    let first = known.next()?;
    let (mut sum, mut count) = (0i64, 1i64);
    for offset in known {
        let mut diff = (offset - first).rem_euclid(24 * 60);
        if diff > 12 * 60 {
            diff -= 24 * 60;
        }
        sum += i64::from(diff);
        count += 1;
    }
    Some(first + (sum / count) as i32)
}
