//! Pairs from a small odd roster: which trio?
//!
//! The general path leaves one person out of the matching and then adds them to the pair
//! where they fit best. In a large roster some pair always fits, but in a small one the
//! matching may have used up exactly the pairs the odd one out could have joined, and a
//! different trio would have avoided a repeat. Small rosters are cheap to solve many
//! times, so we try trios cheapest first, match everyone else, and keep the best total.
//! Every grouping is a trio plus pairs and the rest costs at least zero, so once a trio
//! alone costs more than the best total found, no later trio can win: the result is
//! optimal whenever the matching of the rest is.

use crate::cost::Cost;
use crate::grouping::{Parts, cost_with};
use crate::layout::merge_rounds;
use crate::matching::{Method, Quotas, match_units};
use crate::roster::{PersonIx, Roster};

/// Largest odd roster solved this way: C(21, 3) = 1 330 trios at most, each with a
/// matching of 18 people.
pub(crate) const SMALL_ODD_ROSTER: usize = 21;

/// The best trio plus pairs, or `None` if exclusions allow no such grouping.
pub(crate) fn best_split<Id>(
    roster: &Roster<'_, Id>,
    method: Method,
    seed: u64,
) -> Option<Vec<Vec<PersonIx>>> {
    let people = roster.len() as PersonIx;
    let mut trios: Vec<(Cost, [PersonIx; 3])> = Vec::new();
    for a in 0..people {
        for b in a + 1..people {
            let Some(ab) = roster.cost(a, b) else {
                continue;
            };
            for c in b + 1..people {
                if let Some(with_c) = cost_with(roster, c, &[a, b]) {
                    trios.push((ab + with_c, [a, b, c]));
                }
            }
        }
    }
    trios.sort_unstable();
    let pairs_round = merge_rounds(2).into_iter().next()?;
    let mut best: Option<(Cost, Vec<Vec<PersonIx>>)> = None;
    for (trio_cost, trio) in trios {
        if best.as_ref().is_some_and(|(total, _)| trio_cost >= *total) {
            break;
        }
        let rest: Vec<Vec<PersonIx>> = (0..people)
            .filter(|p| !trio.contains(p))
            .map(|p| vec![p])
            .collect();
        let units = Parts::new(roster, &rest, &pairs_round);
        let quotas = Quotas::new([(2, rest.len() / 2)], 0);
        let mate = match_units(&units, &quotas, method, seed);
        let mut groups = vec![trio.to_vec()];
        let mut total = Some(trio_cost);
        for (a, partner) in mate.iter().enumerate() {
            match partner {
                Some(b) if (a as u32) < *b => {
                    let (pa, pb) = (rest[a][0], rest[*b as usize][0]);
                    total = total.zip(roster.cost(pa, pb)).map(|(t, c)| t + c);
                    groups.push(vec![pa, pb]);
                }
                Some(_) => {}
                // Exclusions leave someone without a partner around this trio.
                None => total = None,
            }
        }
        if let Some(total) = total
            && best
                .as_ref()
                .is_none_or(|(best_total, _)| total < *best_total)
        {
            best = Some((total, groups));
        }
    }
    best.map(|(_, groups)| groups)
}
