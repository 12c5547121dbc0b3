//! Local search by ejection chains: `a` leaves its partner `b` for a candidate `c`; `c`'s
//! partner `d` takes one of its candidates `e`; …; the last one evicted takes `b`. As in
//! Lin–Kernighan, the partial gain after each new edge is the cost of the edges removed
//! so far minus the edges added so far, one of each per step, and a chain only grows
//! while it stays positive: a level on which every edge costs the same (everyone in one
//! team) then cancels out instead of making every chain look promising. Any improving
//! exchange has a starting point from which all partial gains are positive, and every
//! unit is tried as a start. A chain is applied as soon as closing it is an improvement.
//!
//! Gains count repeats, same-team pairs and time zones, not the seeded noise: noise only
//! breaks ties (the candidates and the greedy start are already in seeded order), and
//! chasing it would keep the search busy with moves nobody can tell apart. Costs are compared as lexicographic
//! tuples, so an accepted move never trades a higher priority for a lower one.
//!
//! Short chains (up to four new edges, narrow at depth) are tried from every unit until
//! none improves. Then each edge that still costs something above the seeded noise gets
//! a breadth-first search for a chain of any length: the odd one out of an office may
//! need to travel through many zero-cost swaps to reach a partner next door.

use std::collections::VecDeque;

use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;

use super::{FREE, Search};
use crate::cost::Cost;
use crate::matching::{UnitIx, Units};

/// Candidates tried at the second and third step of a short chain (the first tries all).
const CHAIN_BREADTH: [usize; 2] = [8, 5];
/// Safety net on short-chain work: improving moves per unit.
const MAX_MOVES_PER_UNIT: usize = 50;
/// Candidate edges one long-chain search may look at, and all of them together per unit.
const LONG_CHAIN_LOOKS: usize = 4_000;
const LONG_CHAIN_LOOKS_PER_UNIT: usize = 40;

const NO_PARENT: usize = usize::MAX;

/// A unit evicted along a long chain, waiting for a new partner.
#[derive(Clone, Copy)]
struct Evicted {
    unit: UnitIx,
    /// Cost of the edges removed so far (including the one that evicted this unit) minus
    /// the edges added so far.
    removed_minus_added: Cost,
    /// Index of the evicted unit whose move evicted this one.
    parent: usize,
    /// The partner the parent took, evicting this unit.
    taken_by_parent: UnitIx,
}

impl<U: Units> Search<'_, '_, U> {
    /// Short chains from every unit until none improves.
    pub(super) fn improve(&mut self, rng: &mut Xoshiro256PlusPlus) {
        let real = self.units.real();
        let mut queue: Vec<UnitIx> = (0..real as UnitIx).filter(|&a| !self.is_free(a)).collect();
        queue.shuffle(rng);
        // Worst edges first: they are where the gains are.
        queue.sort_by_key(|&a| std::cmp::Reverse(self.edge_cost[a as usize]));
        self.improve_queue(queue);
    }

    /// Short chains from the queued units, queueing every unit a move touches.
    fn improve_queue(&mut self, queue: Vec<UnitIx>) {
        let real = self.units.real();
        let mut queue: VecDeque<UnitIx> = queue.into();
        let mut queued = vec![false; self.units.len()];
        for &a in &queue {
            queued[a as usize] = true;
        }
        let mut moves_left = MAX_MOVES_PER_UNIT.saturating_mul(real);
        while let Some(a) = queue.pop_front() {
            queued[a as usize] = false;
            if moves_left == 0 {
                break;
            }
            if let Some(touched) = self.improve_from(a) {
                moves_left -= 1;
                for unit in touched.into_iter().flatten() {
                    if !self.units.is_dummy(unit) && !queued[unit as usize] {
                        queued[unit as usize] = true;
                        queue.push_back(unit);
                    }
                }
            }
        }
    }

    /// Tries chains starting with `a` leaving its partner; applies the first improving
    /// one and returns the units it touched.
    fn improve_from(&mut self, a: UnitIx) -> Option<[Option<UnitIx>; 8]> {
        let b = self.mate[a as usize];
        if b == FREE {
            return None;
        }
        let ab = self.edge_cost[a as usize];
        for &c in self.candidates.of(a) {
            let d = self.mate[c as usize];
            if c == b || d == FREE {
                continue;
            }
            let Some(ac) = self.cost(a, c) else { continue };
            let gain1 = ab - ac;
            if !gain1.positive_above_noise() {
                continue;
            }
            let cd = self.edge_cost[c as usize];
            if let Some(bd) = self.cost(b, d)
                && (gain1 + cd - bd).positive_above_noise()
            {
                self.join(a, c, ac);
                self.join(b, d, bd);
                return Some([Some(a), Some(b), Some(c), Some(d), None, None, None, None]);
            }
            if let Some(touched) = self.extend_chain(a, b, c, d, ac, gain1 + cd) {
                return Some(touched);
            }
        }
        None
    }

    /// Second and third steps of a chain whose first step is `a`=`c`, evicting `d`;
    /// `removed_minus_added` counts the edges a=b and c=d removed, a=c added.
    fn extend_chain(
        &mut self,
        a: UnitIx,
        b: UnitIx,
        c: UnitIx,
        d: UnitIx,
        ac: Cost,
        removed_minus_added: Cost,
    ) -> Option<[Option<UnitIx>; 8]> {
        let used = |x: UnitIx, extra: &[UnitIx]| [a, b, c, d].contains(&x) || extra.contains(&x);
        for &e in self.candidates.of(d).iter().take(CHAIN_BREADTH[0]) {
            let f = self.mate[e as usize];
            if f == FREE || used(e, &[]) || used(f, &[]) {
                continue;
            }
            let Some(de) = self.cost(d, e) else { continue };
            let gain2 = removed_minus_added - de;
            if !gain2.positive_above_noise() {
                continue;
            }
            let ef = self.edge_cost[e as usize];
            if let Some(fb) = self.cost(f, b)
                && (gain2 + ef - fb).positive_above_noise()
            {
                self.join(a, c, ac);
                self.join(d, e, de);
                self.join(f, b, fb);
                return Some([
                    Some(a),
                    Some(b),
                    Some(c),
                    Some(d),
                    Some(e),
                    Some(f),
                    None,
                    None,
                ]);
            }
            for &h in self.candidates.of(f).iter().take(CHAIN_BREADTH[1]) {
                let i = self.mate[h as usize];
                if i == FREE || used(h, &[e, f]) || used(i, &[e, f]) {
                    continue;
                }
                let Some(fh) = self.cost(f, h) else { continue };
                let gain3 = gain2 + ef - fh;
                if !gain3.positive_above_noise() {
                    continue;
                }
                if let Some(ib) = self.cost(i, b)
                    && (gain3 + self.edge_cost[h as usize] - ib).positive_above_noise()
                {
                    self.join(a, c, ac);
                    self.join(d, e, de);
                    self.join(f, h, fh);
                    self.join(i, b, ib);
                    return Some([
                        Some(a),
                        Some(b),
                        Some(c),
                        Some(d),
                        Some(e),
                        Some(f),
                        Some(h),
                        Some(i),
                    ]);
                }
            }
        }
        None
    }

    /// Long chains from every edge that costs more than noise, worst first, then short
    /// chains around each improvement; repeated while something improves.
    pub(super) fn long_chains(&mut self) {
        let mut looks_left = LONG_CHAIN_LOOKS_PER_UNIT.saturating_mul(self.units.len());
        let mut seen = vec![false; self.units.len()];
        loop {
            let mut expensive: Vec<UnitIx> = (0..self.units.real() as UnitIx)
                .filter(|&a| {
                    let b = self.mate[a as usize];
                    b != FREE && a < b && self.edge_cost[a as usize].above_noise()
                })
                .collect();
            expensive.sort_by_key(|&a| std::cmp::Reverse(self.edge_cost[a as usize]));
            let mut improved = false;
            for a in expensive {
                if looks_left == 0 {
                    return;
                }
                let budget = LONG_CHAIN_LOOKS.min(looks_left);
                let (touched, looks) = self.long_chain_from(a, budget, &mut seen);
                looks_left = looks_left.saturating_sub(looks);
                if let Some(touched) = touched {
                    improved = true;
                    self.improve_queue(touched);
                }
            }
            if !improved {
                return;
            }
        }
    }

    /// Breadth-first search for an improving chain that starts with `a` leaving its
    /// partner and ends with someone taking that partner. Returns the units it changed
    /// (if it found one) and how many candidate edges it looked at.
    fn long_chain_from(
        &mut self,
        a: UnitIx,
        budget: usize,
        seen: &mut [bool],
    ) -> (Option<Vec<UnitIx>>, usize) {
        let b = self.mate[a as usize];
        if b == FREE {
            return (None, 0);
        }
        let mut marked = vec![a, b];
        seen[a as usize] = true;
        seen[b as usize] = true;
        let mut evicted = vec![Evicted {
            unit: a,
            removed_minus_added: self.edge_cost[a as usize],
            parent: NO_PARENT,
            taken_by_parent: FREE,
        }];
        let mut looks = 0;
        let mut next = 0;
        let mut found = None;
        'search: while next < evicted.len() && looks < budget {
            let here = evicted[next];
            for &c in self.candidates.of(here.unit) {
                looks += 1;
                let d = self.mate[c as usize];
                if seen[c as usize] || d == FREE || seen[d as usize] {
                    continue;
                }
                let Some(taking) = self.cost(here.unit, c) else {
                    continue;
                };
                let gain = here.removed_minus_added - taking;
                if !gain.positive_above_noise() {
                    continue;
                }
                let removed_minus_added = gain + self.edge_cost[c as usize];
                if let Some(closing) = self.cost(d, b)
                    && (removed_minus_added - closing).positive_above_noise()
                {
                    found = Some((next, c, d, closing));
                    break 'search;
                }
                seen[c as usize] = true;
                seen[d as usize] = true;
                marked.extend([c, d]);
                evicted.push(Evicted {
                    unit: d,
                    removed_minus_added,
                    parent: next,
                    taken_by_parent: c,
                });
            }
            next += 1;
        }
        for unit in marked {
            seen[unit as usize] = false;
        }
        let Some((last, c, d, closing)) = found else {
            return (None, looks);
        };
        // New edges: d takes b, the last evicted takes c, and up the chain each evicted
        // unit's parent takes the partner that evicted it.
        let mut touched = vec![a, b, c, d];
        self.join(d, b, closing);
        let mut step = last;
        let mut takes = c;
        while step != NO_PARENT {
            let node = evicted[step];
            if let Some(cost) = self.cost(node.unit, takes) {
                self.join(node.unit, takes, cost);
            }
            touched.extend([node.unit, takes]);
            takes = node.taken_by_parent;
            step = node.parent;
        }
        touched.retain(|&u| !self.units.is_dummy(u));
        (Some(touched), looks)
    }
}
