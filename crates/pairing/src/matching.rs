//! One matching round: pair up "units" (people, or partial groups) at minimum cost.
//!
//! Some rounds must leave a given number of units out (the single people who will be the
//! odd member of a trio, say). We model that with dummy units that any eligible unit can
//! pair with at zero cost, and ask for a perfect matching of units plus dummies: the
//! solver then also chooses, optimally, who sits out.
//!
//! A round may build two sizes at once (fours from 2+2 and threes from 2+1). Any perfect
//! matching that only uses allowed merges builds them in the right numbers, but a greedy
//! start can paint itself into a corner, so it is told how many of each kind to make
//! ([`Quotas`]).

use crate::cost::{Cost, Scale};
use crate::{approximate, exact};

/// Index of a unit within one round.
pub(crate) type UnitIx = u32;

pub(crate) trait Units {
    fn len(&self) -> usize;
    /// Cost of merging `a` and `b`; `None` if they must not be merged (an exclusion, or
    /// sizes this round does not build).
    fn cost(&self, a: UnitIx, b: UnitIx) -> Option<Cost>;
    /// Where the unit sits on the clock face (UTC offset in minutes), if known: units
    /// close on the clock are the likely good partners.
    fn clock_position(&self, a: UnitIx) -> Option<i32>;
    /// Whether `a` may be one of the units left out of this round.
    fn may_sit_out(&self, a: UnitIx) -> bool;
    /// People in `a`.
    fn size(&self, a: UnitIx) -> usize;
    /// An upper bound, level by level, of any `cost(a, b)`.
    fn max_cost(&self) -> Cost;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Exact,
    Approximate,
}

/// How many merges of each kind a round makes, indexed by the size of the result.
/// Sitting out is kind 1: a single person stays one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Quotas(Vec<usize>);

impl Quotas {
    pub fn new(builds: impl IntoIterator<Item = (usize, usize)>, sit_outs: usize) -> Self {
        let mut quotas = vec![0; 2];
        quotas[1] = sit_outs;
        for (size, count) in builds {
            if quotas.len() <= size {
                quotas.resize(size + 1, 0);
            }
            quotas[size] += count;
        }
        Quotas(quotas)
    }

    pub fn sit_outs(&self) -> usize {
        self.0[1]
    }

    pub fn left(&self, kind: usize) -> usize {
        self.0.get(kind).copied().unwrap_or(0)
    }

    /// Uses one merge of `kind` if any is left.
    pub fn take(&mut self, kind: usize) -> bool {
        match self.0.get_mut(kind) {
            Some(left) if *left > 0 => {
                *left -= 1;
                true
            }
            _ => false,
        }
    }
}

/// Units plus sit-out dummies, so that both solvers see a plain perfect matching.
pub(crate) struct WithDummies<'u, U> {
    pub units: &'u U,
    pub dummies: usize,
}

impl<U: Units> WithDummies<'_, U> {
    pub fn real(&self) -> usize {
        self.units.len()
    }

    pub fn len(&self) -> usize {
        self.units.len() + self.dummies
    }

    pub fn is_dummy(&self, a: UnitIx) -> bool {
        a as usize >= self.units.len()
    }

    /// The kind of merging `a` and `b`: the size of the result.
    pub fn kind(&self, a: UnitIx, b: UnitIx) -> usize {
        let size = |u: UnitIx| {
            if self.is_dummy(u) {
                0
            } else {
                self.units.size(u)
            }
        };
        size(a) + size(b)
    }

    pub fn cost(&self, a: UnitIx, b: UnitIx) -> Option<Cost> {
        match (self.is_dummy(a), self.is_dummy(b)) {
            (false, false) => self.units.cost(a, b),
            (true, true) => None,
            (true, false) => self.units.may_sit_out(b).then_some(Cost::ZERO),
            (false, true) => self.units.may_sit_out(a).then_some(Cost::ZERO),
        }
    }
}

/// Pairs units up at minimum total cost, leaving out `quotas.sit_outs()` eligible units
/// at no cost. Returns each unit's partner: `None` for units that sat out, and for units
/// that could not be matched at all (exclusions); maximum cardinality comes first.
pub(crate) fn match_units(
    units: &impl Units,
    quotas: &Quotas,
    method: Method,
    seed: u64,
) -> Vec<Option<UnitIx>> {
    let with_dummies = WithDummies {
        units,
        dummies: quotas.sit_outs(),
    };
    let mate = match method {
        Method::Exact => exact::solve(&with_dummies)
            .unwrap_or_else(|| approximate::solve(&with_dummies, quotas.clone(), seed)),
        Method::Approximate => approximate::solve(&with_dummies, quotas.clone(), seed),
    };
    let real = units.len();
    mate[..real]
        .iter()
        .map(|m| m.filter(|&p| (p as usize) < real))
        .collect()
}

/// Scale for exact weights of a round; `None` if it would overflow.
pub(crate) fn scale_for<U: Units>(units: &WithDummies<'_, U>) -> Option<Scale> {
    Scale::new(units.len() / 2, units.units.max_cost())
}
