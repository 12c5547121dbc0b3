//! A last pass over whole groups: swap two people between groups, or move one from a
//! larger group to a smaller one, whenever that lowers the cost of all pairs inside the
//! groups. It fixes what round-by-round matching cannot see: where the odd member of a
//! trio fits best, and pairs in groups of three or more that were matched in different
//! rounds. Sizes never change (a move only goes from a group of s+1 to one of s).

use std::collections::VecDeque;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

use crate::candidates::{self, Candidates};
use crate::cost::{Cost, mix64};
use crate::grouping::cost_with;
use crate::matching::{UnitIx, Units, WithDummies};
use crate::roster::{PersonIx, Roster};

/// Up to this many people, or when only this many need a look, everyone is a candidate.
const EVERYONE_UP_TO: usize = 200;
const FEW_TO_LOOK_AT: usize = 16;
/// Bounds on work: improving moves per person, and people examined against everyone in
/// a large roster.
const MAX_MOVES_PER_PERSON: usize = 20;
const MAX_EVERYONE_VISITS: usize = 64;
const UNGROUPED: u32 = u32::MAX;

pub(crate) fn improve<Id>(roster: &Roster<'_, Id>, groups: &mut [Vec<PersonIx>]) {
    let people = roster.len();
    let all_pairs = groups.iter().all(|group| group.len() == 2);
    if groups.len() < 2 || all_pairs {
        // Swapping between pairs is exactly what the matching already optimised.
        return;
    }
    let mut group_of = vec![UNGROUPED; people];
    for (g, group) in groups.iter().enumerate() {
        for &p in group {
            group_of[p as usize] = g as u32;
        }
    }
    // With pairs, only the trio's members have something new to try.
    let start: Vec<PersonIx> = groups
        .iter()
        .filter(|group| group.len() > 2)
        .flatten()
        .copied()
        .collect();
    let neighbours = if people <= EVERYONE_UP_TO || start.len() <= FEW_TO_LOOK_AT {
        Neighbours::Everyone(people)
    } else {
        let units = People { roster };
        let with_dummies = WithDummies {
            units: &units,
            dummies: 0,
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(mix64(roster.seed() ^ 0x706f_6c69_7368));
        let order = candidates::clock_order(&units, &mut rng);
        Neighbours::Lists(candidates::build(&with_dummies, &order, &mut rng))
    };
    let mut search = Swaps {
        roster,
        groups,
        group_of,
    };
    let mut queue: VecDeque<PersonIx> = start.into();
    let mut queued = vec![false; people];
    for &p in &queue {
        queued[p as usize] = true;
    }
    let mut moves_left = MAX_MOVES_PER_PERSON.saturating_mul(people);
    let mut visits_left = match neighbours {
        Neighbours::Everyone(_) if people > EVERYONE_UP_TO => MAX_EVERYONE_VISITS,
        _ => usize::MAX,
    };
    while let Some(a) = queue.pop_front() {
        queued[a as usize] = false;
        if moves_left == 0 || visits_left == 0 {
            break;
        }
        visits_left -= 1;
        let touched = neighbours.of(a).find_map(|c| search.try_swap_or_move(a, c));
        if let Some(touched) = touched {
            moves_left -= 1;
            for g in touched {
                for &p in &search.groups[g] {
                    if !queued[p as usize] {
                        queued[p as usize] = true;
                        queue.push_back(p);
                    }
                }
            }
        }
    }
}

enum Neighbours {
    Everyone(usize),
    Lists(Candidates),
}

impl Neighbours {
    fn of(&self, a: PersonIx) -> Box<dyn Iterator<Item = PersonIx> + '_> {
        match self {
            Neighbours::Everyone(people) => {
                Box::new((0..*people as PersonIx).filter(move |&c| c != a))
            }
            Neighbours::Lists(lists) => Box::new(lists.of(a).iter().copied()),
        }
    }
}

struct Swaps<'s, 'r, Id> {
    roster: &'s Roster<'r, Id>,
    groups: &'s mut [Vec<PersonIx>],
    group_of: Vec<u32>,
}

impl<Id> Swaps<'_, '_, Id> {
    /// Cost of `person` with the members of group `g`, leaving out `without`.
    fn cost_in(&self, person: PersonIx, g: usize, without: PersonIx) -> Option<Cost> {
        self.groups[g]
            .iter()
            .filter(|&&other| other != without && other != person)
            .map(|&other| self.roster.cost(person, other))
            .sum()
    }

    /// Applies the better of swapping `a` and `c` or moving `a` into `c`'s group, if it
    /// improves; returns the two groups touched.
    fn try_swap_or_move(&mut self, a: PersonIx, c: PersonIx) -> Option<[usize; 2]> {
        let (ga, gc) = (self.group_of[a as usize], self.group_of[c as usize]);
        // Unplaced people (UNGROUPED) take no part in swaps.
        if ga == gc || ga == UNGROUPED || gc == UNGROUPED {
            return None;
        }
        let (ga, gc) = (ga as usize, gc as usize);
        let before = self.cost_in(a, ga, a)? + self.cost_in(c, gc, c)?;
        let swapped = self
            .cost_in(a, gc, c)
            .zip(self.cost_in(c, ga, a))
            .map(|(x, y)| x + y);
        if let Some(after) = swapped
            && after < before
        {
            self.replace(ga, a, c);
            self.replace(gc, c, a);
            self.group_of[a as usize] = gc as u32;
            self.group_of[c as usize] = ga as u32;
            return Some([ga, gc]);
        }
        let movable =
            self.groups[ga].len() == self.groups[gc].len() + 1 && self.groups[ga].len() > 2;
        if movable
            && let Some(joined) = cost_with(self.roster, a, &self.groups[gc])
            && joined < self.cost_in(a, ga, a)?
        {
            self.groups[ga].retain(|&p| p != a);
            self.groups[gc].push(a);
            self.group_of[a as usize] = gc as u32;
            return Some([ga, gc]);
        }
        None
    }

    fn replace(&mut self, g: usize, out: PersonIx, into: PersonIx) {
        for member in &mut self.groups[g] {
            if *member == out {
                *member = into;
            }
        }
    }
}

/// Everyone as a unit of their own, to build person-level candidates.
struct People<'p, 'r, Id> {
    roster: &'p Roster<'r, Id>,
}

impl<Id> Units for People<'_, '_, Id> {
    fn len(&self) -> usize {
        self.roster.len()
    }

    fn cost(&self, a: UnitIx, b: UnitIx) -> Option<Cost> {
        if a == b {
            return None;
        }
        self.roster.cost(a, b)
    }

    fn clock_position(&self, a: UnitIx) -> Option<i32> {
        self.roster.utc_offset(a)
    }

    fn may_sit_out(&self, _: UnitIx) -> bool {
        false
    }

    fn size(&self, _: UnitIx) -> usize {
        1
    }

    fn max_cost(&self) -> Cost {
        self.roster.max_pair_cost()
    }
}
