//! On small rosters the engine's groups are as good as the best possible, checked against
//! a brute-force optimum over every way to split the roster into pairs (and one trio when
//! the count is odd).

mod support;

use std::collections::HashMap;

use pourover_pairing::{Score, Settings, Solver, evaluate, plan};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use support::{Case, case};

/// The best total score over all groupings into pairs plus, for an odd count, one trio.
/// Dynamic programming over subsets: the lowest remaining person is grouped first, so
/// every grouping is reached once. Lexicographic order is compatible with addition, so
/// the minimum of sums is the sum of minima.
struct BruteForce {
    pair: Vec<Vec<Score>>,
    /// `None`: the people left cannot be grouped (one person alone).
    memo: HashMap<(u32, bool), Option<Score>>,
}

impl BruteForce {
    fn new(case: &Case) -> Result<Self, TestCaseError> {
        let n = case.people.len();
        let score = |a: usize, b: usize| {
            evaluate(&case.input(), case.seed, &[vec![a as u32, b as u32]])
                .map(|quality| quality.score)
                .map_err(|e| TestCaseError::fail(e.to_string()))
        };
        let pair = (0..n)
            .map(|a| {
                (0..n)
                    .map(|b| {
                        if a == b {
                            Ok(Score::default())
                        } else {
                            score(a, b)
                        }
                    })
                    .collect()
            })
            .collect::<Result<Vec<Vec<Score>>, _>>()?;
        Ok(Self {
            pair,
            memo: HashMap::new(),
        })
    }

    fn optimum(&mut self) -> Result<Score, TestCaseError> {
        let n = self.pair.len();
        self.best((1u32 << n) - 1, n % 2 == 1)
            .ok_or_else(|| TestCaseError::fail("no grouping exists"))
    }

    fn best(&mut self, left: u32, trio_needed: bool) -> Option<Score> {
        if left == 0 {
            return (!trio_needed).then(Score::default);
        }
        if let Some(&known) = self.memo.get(&(left, trio_needed)) {
            return known;
        }
        let first = left.trailing_zeros() as usize;
        let rest = left & !(1 << first);
        let others: Vec<usize> = (0..self.pair.len())
            .filter(|&p| rest & (1 << p) != 0)
            .collect();
        let mut best: Option<Score> = None;
        for (i, &b) in others.iter().enumerate() {
            let without_b = rest & !(1 << b);
            let as_pair = self
                .best(without_b, trio_needed)
                .map(|s| s + self.pair[first][b]);
            best = best.min(as_pair).or(best).or(as_pair);
            if trio_needed {
                for &c in &others[i + 1..] {
                    let trio = self.pair[first][b] + self.pair[first][c] + self.pair[b][c];
                    let as_trio = self.best(without_b & !(1 << c), false).map(|s| s + trio);
                    best = best.min(as_trio).or(best).or(as_trio);
                }
            }
        }
        self.memo.insert((left, trio_needed), best);
        best
    }
}

fn pairs_only(case: Case, solver: Solver) -> Case {
    Case {
        settings: Settings {
            group_size: 2,
            solver,
            ..case.settings
        },
        ..case
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The exact solver reaches the optimum on every level, down to the seeded noise (odd
    /// counts: every trio is tried on rosters this small).
    #[test]
    fn exact_pairs_are_optimal_on_every_level(case in case(2usize..=14, 2..=2, false)) {
        let case = pairs_only(case, Solver::Exact);
        let optimum = BruteForce::new(&case)?.optimum()?;
        let plan = plan(&case.input(), case.seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(plan.quality.score, optimum);
    }

    /// Any count, either solver: repeats and same-team (hence cross-team) pairs equal the
    /// optimum.
    #[test]
    fn repeats_and_cross_team_pairs_equal_the_optimum(
        case in case(2usize..=14, 2..=2, false),
        exact in any::<bool>(),
    ) {
        let case = pairs_only(case, if exact { Solver::Exact } else { Solver::Approximate });
        let optimum = BruteForce::new(&case)?.optimum()?;
        let plan = plan(&case.input(), case.seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let score = plan.quality.score;
        prop_assert_eq!(
            (score.repeats, score.repeat_recency, score.same_team_pairs),
            (optimum.repeats, optimum.repeat_recency, optimum.same_team_pairs),
            "optimum {:?}, plan {:?}", optimum, plan.groups
        );
        prop_assert!(score >= optimum);
        let known_teams = case.people.iter().all(|p| p.team.is_some());
        if known_teams {
            prop_assert_eq!(plan.quality.cross_team_pairs, plan.quality.pairs - optimum.same_team_pairs);
        }
    }

    /// Without history and with an even count, same-team pairs are exactly what the team
    /// sizes force: max(0, ⌈(2 · largest − n) / 2⌉). (With an odd count the trio's three
    /// pairs break the formula; the brute-force test above covers it.)
    #[test]
    fn same_team_pairs_are_the_minimum_the_team_sizes_allow(
        case in case((1usize..=30).prop_map(|h| 2 * h), 2..=2, false),
        exact in any::<bool>(),
    ) {
        let mut case = pairs_only(case, if exact { Solver::Exact } else { Solver::Approximate });
        case.history.clear();
        let mut sizes: HashMap<&str, usize> = HashMap::new();
        for team in case.people.iter().filter_map(|p| p.team.as_deref()) {
            *sizes.entry(team).or_default() += 1;
        }
        let largest = sizes.values().copied().max().unwrap_or(0);
        let n = case.people.len();
        let minimum = (2 * largest).saturating_sub(n).div_ceil(2) as u64;
        let plan = plan(&case.input(), case.seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(plan.quality.same_team_pairs, minimum);
    }
}
