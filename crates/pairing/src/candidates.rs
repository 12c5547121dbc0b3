//! The sparse candidate graph the approximate solver works on: for each unit, a few
//! partners worth considering, instead of all n − 1.
//!
//! Good partners are close on the clock and from another team. We sort units around
//! the clock face (ties in random order, so neighbours at the same offset are a random
//! sample of that office), scan a window on each side and keep the cheapest. Someone deep
//! inside a large office would then only see that office, so we also add a few people
//! from each of the nearest other offsets: that is where the odd one out of an office
//! finds a partner. Random partners from anywhere let the search escape a dominant team,
//! and every eligible unit is linked to a sit-out dummy. Links are made symmetric.
//! O(n · WINDOW) time, O(n) memory.

use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;

use crate::cost::mix64;
use crate::matching::{UnitIx, Units, WithDummies};

/// Cheapest neighbours kept per unit from the clock window.
const NEAR: usize = 8;
/// Neighbours scanned on each side of a unit on the clock.
const WINDOW: usize = 24;
/// Partners drawn uniformly from everyone.
const RANDOM: usize = 4;
/// Other clock positions looked at on each side, and people taken from each.
const NEARBY_POSITIONS: usize = 2;
const PER_NEARBY_POSITION: usize = 2;
/// Sit-out dummies linked to each eligible unit (all dummies are alike).
const DUMMY_LINKS: usize = 2;
/// Longest list a unit keeps once links are made symmetric. Without a cap, a unit alone
/// at its clock position next to a large office is everyone's nearby pick: one such list
/// reached 17 000 entries at n = 100 000 and made every search through it crawl.
const MAX_LIST: usize = 48;

pub(crate) struct Candidates {
    starts: Vec<u32>,
    targets: Vec<UnitIx>,
}

impl Candidates {
    /// `a`'s candidates, cheapest first.
    pub fn of(&self, a: UnitIx) -> &[UnitIx] {
        &self.targets[self.starts[a as usize] as usize..self.starts[a as usize + 1] as usize]
    }
}

/// Real units sorted around the clock; units with no known position are spread at random.
pub(crate) struct ClockOrder {
    pub units: Vec<UnitIx>,
    /// `runs[i]`: the range of places in `units` sharing place i's clock position.
    runs: Vec<(u32, u32)>,
}

pub(crate) fn clock_order<U: Units>(units: &U, rng: &mut Xoshiro256PlusPlus) -> ClockOrder {
    let mut keyed: Vec<(i32, u64, UnitIx)> = (0..units.len() as UnitIx)
        .map(|a| {
            let position = units
                .clock_position(a)
                .unwrap_or_else(|| rng.random_range(-720..720));
            (position, rng.random(), a)
        })
        .collect();
    keyed.sort_unstable();
    let mut runs = vec![(0u32, 0u32); keyed.len()];
    let mut start = 0;
    while start < keyed.len() {
        let end = start
            + keyed[start..]
                .iter()
                .take_while(|k| k.0 == keyed[start].0)
                .count();
        for run in &mut runs[start..end] {
            *run = (start as u32, end as u32);
        }
        start = end;
    }
    ClockOrder {
        units: keyed.into_iter().map(|(_, _, a)| a).collect(),
        runs,
    }
}

impl ClockOrder {
    /// A few units from each of the nearest other clock positions on both sides.
    fn nearby_positions(&self, place: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<UnitIx> {
        let n = self.units.len();
        let mut picked = Vec::new();
        if n == 0 || self.runs[place] == (0, n as u32) {
            return picked;
        }
        for forward in [true, false] {
            let (mut start, mut end) = self.runs[place];
            for _ in 0..NEARBY_POSITIONS {
                let next = if forward {
                    end as usize % n
                } else {
                    (start as usize + n - 1) % n
                };
                (start, end) = self.runs[next];
                if (start, end) == self.runs[place] {
                    break;
                }
                for _ in 0..PER_NEARBY_POSITION {
                    picked.push(self.units[rng.random_range(start as usize..end as usize)]);
                }
            }
        }
        picked
    }
}

pub(crate) fn build<U: Units>(
    units: &WithDummies<'_, U>,
    clock: &ClockOrder,
    rng: &mut Xoshiro256PlusPlus,
) -> Candidates {
    let order = &clock.units;
    let real = units.real();
    let seed: u64 = rng.random();
    // (from, to, sort key); both directions are added.
    let per_unit = NEAR + RANDOM + 2 * NEARBY_POSITIONS * PER_NEARBY_POSITION + DUMMY_LINKS;
    let mut links: Vec<(UnitIx, UnitIx, u64)> = Vec::with_capacity(real * 2 * per_unit);
    let mut window: Vec<(u64, UnitIx)> = Vec::with_capacity(2 * WINDOW);
    for (position, &a) in order.iter().enumerate() {
        window.clear();
        for v in clock_neighbours(order, position) {
            if let Some(cost) = units.cost(a, v) {
                window.push((cost.sort_key(), v));
            }
        }
        if window.len() > NEAR {
            window.select_nth_unstable(NEAR);
            window.truncate(NEAR);
        }
        for &(key, v) in &window {
            links.push((a, v, key));
        }
        let mut others = clock.nearby_positions(position, rng);
        for _ in 0..RANDOM.min(real.saturating_sub(1)) {
            others.push(rng.random_range(0..real) as UnitIx);
        }
        for v in others {
            if let Some(cost) = units.cost(a, v).filter(|_| v != a) {
                links.push((a, v, cost.sort_key()));
            }
        }
        if units.dummies > 0 && units.units.may_sit_out(a) {
            for _ in 0..DUMMY_LINKS {
                let dummy = (real + rng.random_range(0..units.dummies)) as UnitIx;
                links.push((a, dummy, 0));
            }
        }
    }
    let reversed: Vec<_> = links.iter().map(|&(a, v, key)| (v, a, key)).collect();
    links.extend(reversed);
    links.sort_unstable_by_key(|&(from, to, _)| (from, to));
    links.dedup_by_key(|&mut (from, to, _)| (from, to));
    // Cheapest first; equal costs in seeded random order (dummy links are all equal).
    links.sort_unstable_by_key(|&(from, to, key)| (from, key, mix64(seed ^ u64::from(to))));
    let mut kept_of_current = (UnitIx::MAX, 0usize);
    links.retain(|&(from, _, _)| {
        if kept_of_current.0 != from {
            kept_of_current = (from, 0);
        }
        kept_of_current.1 += 1;
        kept_of_current.1 <= MAX_LIST
    });

    let mut starts = vec![0u32; units.len() + 1];
    for &(from, _, _) in &links {
        starts[from as usize + 1] += 1;
    }
    for i in 0..units.len() {
        starts[i + 1] += starts[i];
    }
    Candidates {
        starts,
        targets: links.into_iter().map(|(_, to, _)| to).collect(),
    }
}

/// Up to WINDOW units on each side of `order[position]` on the circular order, each once.
fn clock_neighbours(order: &[UnitIx], position: usize) -> impl Iterator<Item = UnitIx> + '_ {
    let n = order.len();
    let others = n.saturating_sub(1);
    let (ahead, behind) = if others <= 2 * WINDOW {
        (others.div_ceil(2), others / 2)
    } else {
        (WINDOW, WINDOW)
    };
    let forward = (1..=ahead).map(move |d| order[(position + d) % n]);
    let backward = (1..=behind).map(move |d| order[(position + n - d) % n]);
    forward.chain(backward)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_neighbours_cover_everyone_once_in_small_rosters() {
        let order: Vec<UnitIx> = (0..7).collect();
        for position in 0..7 {
            let mut seen: Vec<UnitIx> = clock_neighbours(&order, position).collect();
            seen.sort_unstable();
            let expected: Vec<UnitIx> = (0..7).filter(|&u| u != position as UnitIx).collect();
            assert_eq!(seen, expected);
        }
    }

    #[test]
    fn clock_neighbours_wrap_around_in_large_rosters() {
        let order: Vec<UnitIx> = (0..1000).collect();
        let seen: Vec<UnitIx> = clock_neighbours(&order, 0).collect();
        assert_eq!(seen.len(), 2 * WINDOW);
        assert!(seen.contains(&999) && seen.contains(&1) && seen.contains(&(WINDOW as UnitIx)));
    }
}
