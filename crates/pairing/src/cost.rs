//! The cost of putting two people (or two partial groups) together, and how it becomes
//! one integer weight for the exact solver.
//!
//! Costs are kept as a tuple of levels compared lexicographically. The local search adds
//! and compares tuples directly, which is exact at any size. The blossom solver needs one
//! integer per edge, so [`Scale`] multiplies each level by more than the largest total the
//! levels below it can reach in a matching: the scalar order is then the tuple order.

use std::ops::{Add, AddAssign, Sub};

use crate::outcome::Score;

/// Lexicographic cost; field order is priority order (derive(Ord) compares in order).
/// Signed so that differences (gains of a local move) are costs too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Cost {
    pub repeats: i64,
    pub recency: i64,
    pub same_team: i64,
    pub time_zone: i64,
    pub jitter: i64,
}

impl Cost {
    pub const ZERO: Cost = Cost {
        repeats: 0,
        recency: 0,
        same_team: 0,
        time_zone: 0,
        jitter: 0,
    };

    pub fn levels(self) -> [i64; 5] {
        [
            self.repeats,
            self.recency,
            self.same_team,
            self.time_zone,
            self.jitter,
        ]
    }

    /// Whether any level above the seeded noise is non-zero.
    pub fn above_noise(self) -> bool {
        Cost { jitter: 0, ..self } != Cost::ZERO
    }

    /// For a gain: whether it is positive without counting the seeded noise.
    pub fn positive_above_noise(self) -> bool {
        Cost { jitter: 0, ..self } > Cost::ZERO
    }

    /// A u64 that sorts like the cost for the values one edge can take. Each level is
    /// clamped to its field, so the order is only approximate for huge sums; it is used to
    /// order greedy choices, never to decide optimality.
    pub fn sort_key(self) -> u64 {
        fn field(value: i64, bits: u32) -> u64 {
            (value.max(0) as u64).min((1u64 << bits) - 1)
        }
        field(self.repeats, 8) << 56
            | field(self.recency, 12) << 44
            | field(self.same_team, 8) << 36
            | field(self.time_zone, 20) << 16
            | field(self.jitter, 16)
    }

    pub fn to_score(self) -> Score {
        let non_negative = |v: i64| v.max(0) as u64;
        Score {
            repeats: non_negative(self.repeats),
            repeat_recency: non_negative(self.recency),
            same_team_pairs: non_negative(self.same_team),
            time_zone_cost: non_negative(self.time_zone),
            jitter: non_negative(self.jitter),
        }
    }
}

impl Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost {
            repeats: self.repeats + o.repeats,
            recency: self.recency + o.recency,
            same_team: self.same_team + o.same_team,
            time_zone: self.time_zone + o.time_zone,
            jitter: self.jitter + o.jitter,
        }
    }
}

impl AddAssign for Cost {
    fn add_assign(&mut self, o: Cost) {
        *self = *self + o;
    }
}

impl Sub for Cost {
    type Output = Cost;
    fn sub(self, o: Cost) -> Cost {
        Cost {
            repeats: self.repeats - o.repeats,
            recency: self.recency - o.recency,
            same_team: self.same_team - o.same_team,
            time_zone: self.time_zone - o.time_zone,
            jitter: self.jitter - o.jitter,
        }
    }
}

impl std::iter::Sum for Cost {
    fn sum<I: Iterator<Item = Cost>>(iter: I) -> Cost {
        iter.fold(Cost::ZERO, Add::add)
    }
}

/// Time-zone gaps are measured on the clock face: UTC-11 and UTC+13 show the same time.
const MINUTES_PER_DAY: i32 = 24 * 60;
/// Gaps are costed in quarter hours, the granularity real UTC offsets use.
const GAP_STEP_MINUTES: u32 = 15;

/// Difference between two local clock times, 0..=720 minutes.
pub(crate) fn clock_gap_minutes(a: i32, b: i32) -> u32 {
    let d = (a - b).rem_euclid(MINUTES_PER_DAY);
    d.min(MINUTES_PER_DAY - d).unsigned_abs()
}

/// Quadratic in the gap so that a few moderate gaps are preferred to one huge gap.
pub(crate) fn time_zone_cost(gap_minutes: u32) -> i64 {
    let quarters = i64::from(gap_minutes.div_ceil(GAP_STEP_MINUTES));
    quarters * quarters
}

/// Seeded noise per unordered pair: 0..JITTER_LEVELS. A hash, not an RNG stream, so a
/// pair's noise does not depend on which pairs were looked at before.
pub(crate) const JITTER_LEVELS: u64 = 16;

pub(crate) fn jitter(seed: u64, a: u32, b: u32) -> i64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    let mixed = mix64(seed ^ mix64((u64::from(lo) << 32) | u64::from(hi)));
    (mixed % JITTER_LEVELS) as i64
}

/// SplitMix64's finaliser: a fast, well-spread 64-bit mix.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Turns costs into blossom weights that preserve the lexicographic order.
///
/// For a matching of at most `edges` edges where one edge costs at most `max_edge` per
/// level, level i's multiplier exceeds the largest total of all lower levels, and an extra
/// matched edge is worth more than any cost difference (so the matching has maximum
/// cardinality first: exclusions are absent edges, and people are only left out when
/// there is no other way).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    multipliers: [i128; 5],
    per_edge: i128,
}

impl Scale {
    /// `None` if the weights would not fit in an i128 (far beyond any exact-solver size).
    pub fn new(edges: usize, max_edge: Cost) -> Option<Scale> {
        let edges = i128::try_from(edges.max(1)).ok()?;
        let levels = max_edge.levels();
        let mut multipliers = [0i128; 5];
        let mut unit: i128 = 1;
        // Fill from the lowest level (jitter) up.
        for level in (0..5).rev() {
            multipliers[level] = unit;
            let level_max = i128::from(levels[level].max(0));
            let level_total = edges.checked_mul(level_max)?.checked_mul(unit)?;
            unit = unit.checked_add(level_total)?;
        }
        // `unit` now exceeds the scalar cost of any matching; one more edge must beat it.
        let largest_edge_cost = Self::scalar_with(&multipliers, max_edge)?;
        let per_edge = unit.checked_add(largest_edge_cost)?.checked_add(1)?;
        per_edge.checked_mul(edges + 1)?;
        Some(Scale {
            multipliers,
            per_edge,
        })
    }

    fn scalar_with(multipliers: &[i128; 5], cost: Cost) -> Option<i128> {
        let mut total: i128 = 0;
        for (m, v) in multipliers.iter().zip(cost.levels()) {
            total = total.checked_add(m.checked_mul(i128::from(v))?)?;
        }
        Some(total)
    }

    /// The single integer that orders costs like the tuples do.
    pub fn scalar(&self, cost: Cost) -> i128 {
        self.multipliers
            .iter()
            .zip(cost.levels())
            .map(|(m, v)| m * i128::from(v))
            .sum()
    }

    /// Blossom weight of an edge: positive, larger is better.
    pub fn weight(&self, cost: Cost) -> i128 {
        self.per_edge - self.scalar(cost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(levels: [i64; 5]) -> Cost {
        Cost {
            repeats: levels[0],
            recency: levels[1],
            same_team: levels[2],
            time_zone: levels[3],
            jitter: levels[4],
        }
    }

    #[test]
    fn clock_gap_wraps_around_the_date_line() {
        assert_eq!(clock_gap_minutes(-11 * 60, 13 * 60), 0);
        assert_eq!(clock_gap_minutes(-10 * 60, 13 * 60), 60);
        assert_eq!(clock_gap_minutes(0, 330), 330);
        // San Francisco and Tokyo: 17 hours apart one way, 7 the other.
        assert_eq!(clock_gap_minutes(-480, 540), 7 * 60);
        assert_eq!(clock_gap_minutes(0, 12 * 60), 12 * 60);
    }

    #[test]
    fn time_zone_cost_is_quadratic_in_quarter_hours() {
        assert_eq!(time_zone_cost(0), 0);
        assert_eq!(time_zone_cost(1), 1);
        assert_eq!(time_zone_cost(60), 16);
        // Two 3-hour gaps cost less than one 6-hour gap plus a perfect pair.
        assert!(2 * time_zone_cost(180) < time_zone_cost(360));
    }

    #[test]
    fn jitter_is_symmetric_seeded_and_bounded() {
        assert_eq!(jitter(7, 3, 9), jitter(7, 9, 3));
        let values: Vec<i64> = (0..200).map(|b| jitter(7, 1, b)).collect();
        assert!(
            values
                .iter()
                .all(|&v| (0..JITTER_LEVELS as i64).contains(&v))
        );
        let other_seed: Vec<i64> = (0..200).map(|b| jitter(8, 1, b)).collect();
        assert_ne!(values, other_seed);
    }

    #[test]
    fn derived_order_is_lexicographic() {
        assert!(cost([0, 0, 1, 0, 0]) > cost([0, 0, 0, 2304, 15]));
        assert!(cost([1, 1, 0, 0, 0]) > cost([0, 64, 1, 2304, 15]));
    }

    #[test]
    fn scalar_weights_keep_the_lexicographic_order_of_matchings() {
        let max_edge = cost([1, 13, 1, 2304, 15]);
        let edges = 50;
        let scale = Scale::new(edges, max_edge).expect("fits");
        // Worst case for the level above: every edge maxes out all lower levels.
        let all_lower = cost([0, 13, 1, 2304, 15]);
        let many: i128 = (0..edges).map(|_| scale.scalar(all_lower)).sum();
        assert!(scale.scalar(cost([1, 0, 0, 0, 0])) > many);
        let below_tz: i128 = (0..edges)
            .map(|_| scale.scalar(cost([0, 0, 0, 0, 15])))
            .sum();
        assert!(scale.scalar(cost([0, 0, 0, 1, 0])) > below_tz);
        // One more matched edge beats any cost difference.
        let worst_matching: i128 = (0..edges).map(|_| scale.weight(max_edge)).sum();
        let best_smaller: i128 = (0..edges - 1).map(|_| scale.weight(Cost::ZERO)).sum();
        assert!(worst_matching > best_smaller);
    }
}
