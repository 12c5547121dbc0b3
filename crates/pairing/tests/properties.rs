//! Properties that hold for every roster, both solvers and every group size.

mod support;

use pourover_pairing::{Input, Plan, UnplacedReason, evaluate, plan};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use support::{Case, case};

fn check_plan(case: &Case, plan: &Plan<u32>) -> Result<(), TestCaseError> {
    let people = case.people.len();
    let group_size = case.settings.group_size;

    // Everyone is either in exactly one group or reported, never both, never dropped.
    let mut seen = vec![0usize; people];
    for id in plan.groups.iter().flatten() {
        seen[*id as usize] += 1;
    }
    for unplaced in &plan.unplaced {
        seen[unplaced.id as usize] += 1;
    }
    prop_assert!(
        seen.iter().all(|&count| count == 1),
        "placed counts {seen:?}"
    );

    for group in &plan.groups {
        prop_assert!(group.len() >= 2, "group {group:?} is too small");
        for (i, &a) in group.iter().enumerate() {
            for &b in &group[i + 1..] {
                prop_assert!(
                    !case.is_excluded(a, b),
                    "{a} and {b} are excluded but grouped"
                );
            }
        }
    }

    let sizes: Vec<usize> = plan.groups.iter().map(Vec::len).collect();
    if case.exclusions.is_empty() {
        if people == 1 {
            prop_assert_eq!(plan.unplaced.len(), 1);
            prop_assert_eq!(plan.unplaced[0].reason, UnplacedReason::NobodyElse);
        } else {
            prop_assert!(plan.unplaced.is_empty());
        }
        let (min, max) = (sizes.iter().min(), sizes.iter().max());
        if let (Some(min), Some(max)) = (min, max) {
            prop_assert!(max - min <= 1, "sizes {sizes:?}");
        }
        let full = people / group_size;
        let remainder = people % group_size;
        if full >= 1 && remainder <= full {
            // The usual case: groups of the requested size, the remainder one larger each.
            prop_assert_eq!(plan.groups.len(), full);
            prop_assert_eq!(
                sizes.iter().filter(|&&s| s == group_size + 1).count(),
                remainder
            );
            prop_assert!(
                sizes
                    .iter()
                    .all(|&s| s == group_size || s == group_size + 1)
            );
        }
    } else {
        prop_assert!(
            sizes.iter().all(|&s| s <= group_size + 2),
            "sizes {sizes:?}"
        );
        for unplaced in &plan.unplaced {
            let has_exclusion = case
                .exclusions
                .iter()
                .any(|&(a, b)| a == unplaced.id || b == unplaced.id);
            prop_assert!(
                people == 1 || has_exclusion,
                "{} unplaced without exclusions",
                unplaced.id
            );
        }
    }

    let rescored = evaluate(&case.input(), case.seed, &plan.groups)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&rescored, &plan.quality);
    Ok(())
}

fn shuffled_input(case: &Case) -> Case {
    let mut reordered = case.clone();
    reordered.people.reverse();
    reordered.history.reverse();
    for group in &mut reordered.history {
        group.members.reverse();
    }
    reordered.exclusions = reordered
        .exclusions
        .iter()
        .rev()
        .map(|&(a, b)| (b, a))
        .collect();
    reordered
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_plan_places_everyone_once_with_the_right_sizes(case in case(0usize..40, 2..=8, false)) {
        let plan = plan(&case.input(), case.seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_plan(&case, &plan)?;
    }

    #[test]
    fn exclusions_are_never_broken_and_nobody_is_dropped(case in case(0usize..30, 2..=5, true)) {
        let plan = plan(&case.input(), case.seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_plan(&case, &plan)?;
    }

    #[test]
    fn the_same_seed_gives_the_same_groups_whatever_the_input_order(case in case(0usize..40, 2..=4, true)) {
        let first = plan(&case.input(), case.seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let again = plan(&case.input(), case.seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&first, &again);
        let reordered = shuffled_input(&case);
        let reordered_plan = plan(&reordered.input(), case.seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&first, &reordered_plan);
    }

    #[test]
    fn tiny_rosters_are_handled(case in case(0usize..=3, 2..=8, true)) {
        let plan = plan(&case.input(), case.seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_plan(&case, &plan)?;
    }

}

proptest! {
    // Larger rosters are slower to check; fewer cases still cover the approximate paths
    // (clock windows, random candidates, repair) that small rosters barely exercise.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn larger_rosters_keep_the_properties(case in case(60usize..300, 2..=8, true)) {
        let plan = plan(&case.input(), case.seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_plan(&case, &plan)?;
    }
}

#[test]
fn an_empty_roster_gives_an_empty_plan() {
    let plan = plan(&Input::<u32>::new(&[]), 1).expect("valid input");
    assert!(plan.groups.is_empty() && plan.unplaced.is_empty());
}
