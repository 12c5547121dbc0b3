//! Approximate minimum-cost perfect matching for rosters too large for the exact solver.
//!
//! 1. Candidate graph (see `candidates`).
//! 2. Greedy: candidate edges cheapest first, within the round's quotas of each kind of
//!    merge; units left over sit out.
//! 3. Repair: free units are paired along the clock (within the quotas), then by short
//!    augmenting paths, so the matching is perfect whenever exclusions allow it.
//! 4. Local search by ejection chains (see `chains`).

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;

use crate::candidates::{self, Candidates};
use crate::cost::Cost;
use crate::matching::{Quotas, UnitIx, Units, WithDummies};

mod chains;

const FREE: UnitIx = UnitIx::MAX;
/// How far along the clock a free unit looks for another free unit during repair.
const REPAIR_WINDOW: usize = 64;
/// Matched units sampled when looking for an augmenting path.
const AUGMENT_SAMPLE: usize = 256;

pub(crate) fn solve<U: Units>(
    units: &WithDummies<'_, U>,
    quotas: Quotas,
    seed: u64,
) -> Vec<Option<UnitIx>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let order = candidates::clock_order(units.units, &mut rng);
    let candidates = candidates::build(units, &order, &mut rng);
    let mut search = Search::new(units, &candidates, quotas);
    search.greedy();
    search.repair(&order.units, &mut rng);
    search.improve(&mut rng);
    search.long_chains();
    search
        .mate
        .iter()
        .map(|&m| (m != FREE).then_some(m))
        .collect()
}

struct Search<'s, 'u, U> {
    units: &'s WithDummies<'u, U>,
    candidates: &'s Candidates,
    mate: Vec<UnitIx>,
    /// Cost of the edge each matched unit is in (both ends hold it).
    edge_cost: Vec<Cost>,
    /// Merges of each kind still to make while building the first matching.
    quotas: Quotas,
}

impl<'s, 'u, U: Units> Search<'s, 'u, U> {
    fn new(units: &'s WithDummies<'u, U>, candidates: &'s Candidates, quotas: Quotas) -> Self {
        Self {
            units,
            candidates,
            mate: vec![FREE; units.len()],
            edge_cost: vec![Cost::ZERO; units.len()],
            quotas,
        }
    }

    fn cost(&self, a: UnitIx, b: UnitIx) -> Option<Cost> {
        self.units.cost(a, b)
    }

    fn is_free(&self, a: UnitIx) -> bool {
        self.mate[a as usize] == FREE
    }

    fn join(&mut self, a: UnitIx, b: UnitIx, cost: Cost) {
        self.mate[a as usize] = b;
        self.mate[b as usize] = a;
        self.edge_cost[a as usize] = cost;
        self.edge_cost[b as usize] = cost;
    }

    /// Cheapest candidate edges between real units first, as long as their kind is
    /// still needed.
    fn greedy(&mut self) {
        let real = self.units.real();
        let mut edges: Vec<(u64, UnitIx, UnitIx)> = Vec::new();
        for a in 0..real as UnitIx {
            for &b in self.candidates.of(a) {
                if a < b
                    && !self.units.is_dummy(b)
                    && let Some(cost) = self.cost(a, b)
                {
                    edges.push((cost.sort_key(), a, b));
                }
            }
        }
        edges.sort_unstable();
        for (_, a, b) in edges {
            if self.is_free(a)
                && self.is_free(b)
                && let Some(cost) = self.cost(a, b)
                && self.quotas.take(self.units.kind(a, b))
            {
                self.join(a, b, cost);
            }
        }
    }

    /// Completes the matching: free units pair with a free neighbour on the clock
    /// (those that may not sit out first), dummies take free eligible units, and what is
    /// left tries short augmenting paths.
    fn repair(&mut self, order: &[UnitIx], rng: &mut Xoshiro256PlusPlus) {
        let real = self.units.real();
        let free_in_order: Vec<UnitIx> =
            order.iter().copied().filter(|&a| self.is_free(a)).collect();
        let mut place_in_free = vec![0usize; real];
        for (i, &a) in free_in_order.iter().enumerate() {
            place_in_free[a as usize] = i;
        }
        // Units that may not sit out choose first.
        let mut ineligible_first = free_in_order.clone();
        ineligible_first.sort_by_key(|&a| self.units.units.may_sit_out(a));
        for &a in &ineligible_first {
            if !self.is_free(a) {
                continue;
            }
            let place = place_in_free[a as usize];
            let partner = (1..free_in_order.len().min(REPAIR_WINDOW))
                .map(|d| free_in_order[(place + d) % free_in_order.len()])
                .filter(|&b| self.is_free(b) && self.quotas.left(self.units.kind(a, b)) > 0)
                .filter_map(|b| self.cost(a, b).map(|cost| (cost, b)))
                .min();
            if let Some((cost, b)) = partner {
                self.quotas.take(self.units.kind(a, b));
                self.join(a, b, cost);
            }
        }
        let mut sitting_out = free_in_order
            .iter()
            .copied()
            .filter(|&a| self.units.units.may_sit_out(a));
        for dummy in real..self.units.len() {
            if let Some(a) = sitting_out
                .by_ref()
                .find(|&a| self.mate[a as usize] == FREE)
            {
                self.join(a, dummy as UnitIx, Cost::ZERO);
            }
        }
        let mut still_free: Vec<UnitIx> = (0..self.units.len() as UnitIx)
            .filter(|&a| self.is_free(a))
            .collect();
        if still_free.is_empty() {
            return;
        }
        still_free.shuffle(rng);
        let mut sample: Vec<UnitIx> = (0..self.units.len() as UnitIx)
            .filter(|&x| !self.is_free(x))
            .collect();
        sample.shuffle(rng);
        sample.truncate(AUGMENT_SAMPLE);
        for &a in &still_free {
            if self.is_free(a) {
                self.augment(a, &still_free, &sample);
            }
        }
    }

    /// Pairs free `a` with another free unit, directly or along a path
    /// `a` – `x` = `y` – `w` flipped to `a`=`x`, `y`=`w`.
    fn augment(&mut self, a: UnitIx, free: &[UnitIx], sample: &[UnitIx]) {
        let best_free_partner = |search: &Self, of: UnitIx, not: UnitIx| {
            free.iter()
                .take(AUGMENT_SAMPLE)
                .filter(|&&w| w != of && w != not && search.is_free(w))
                .filter_map(|&w| search.cost(of, w).map(|c| (c, w)))
                .min()
        };
        if let Some((cost, w)) = best_free_partner(self, a, a) {
            self.join(a, w, cost);
            return;
        }
        let through = self.candidates.of(a).iter().chain(sample).copied();
        for x in through {
            let y = self.mate[x as usize];
            if y == FREE || x == a {
                continue;
            }
            let Some(ax) = self.cost(a, x) else { continue };
            if let Some((yw, w)) = best_free_partner(self, y, a) {
                self.join(a, x, ax);
                self.join(y, w, yw);
                return;
            }
        }
    }
}
