//! Pourover's pairing engine. Pure: no I/O, no platform types; deterministic for a seed.
//!
//! Given who takes part (team, UTC offset), who met whom in earlier rounds, and pairs
//! that must never meet, [`plan`] splits everyone into groups of
//! [`Settings::group_size`]. In strict priority order it:
//!
//! 1. places everyone exactly once, never puts an excluded pair together, and makes groups
//!    of the requested size, the remainder making some groups one larger (an odd count
//!    with pairs gives exactly one trio); someone who cannot be placed is reported in
//!    [`Plan::unplaced`] with the reason, never dropped;
//! 2. minimises repeats within the look-back, a more recent repeat being worse;
//! 3. minimises same-team pairs;
//! 4. minimises time-zone gaps (quadratically: two moderate gaps beat one huge one);
//! 5. breaks remaining ties with seeded noise, so rounds are fresh but reproducible.
//!
//! Pairs are a minimum-cost perfect matching over these costs: exact (Edmonds' blossom
//! algorithm) up to [`EXACT_LIMIT`] people, a sparse candidate graph plus local search
//! above. Larger groups are built by matching pairs, then pairs of pairs, and so on.
//!
//! ```
//! use pourover_pairing::{Input, Person, plan};
//!
//! let people = [
//!     Person::new("ana").with_team("sales").with_utc_offset(60),
//!     Person::new("bo").with_team("sales").with_utc_offset(60),
//!     Person::new("cy").with_team("support").with_utc_offset(60),
//!     Person::new("di").with_team("support").with_utc_offset(-300),
//! ];
//! let plan = plan(&Input::new(&people), 42)?;
//! assert_eq!(plan.groups.len(), 2);
//! assert_eq!(plan.quality.same_team_pairs, 0);
//! # Ok::<(), pourover_pairing::PairingError>(())
//! ```

mod approximate;
mod candidates;
mod cost;
mod exact;
mod grouping;
mod layout;
mod matching;
mod model;
mod outcome;
mod polish;
mod quality;
mod roster;
pub mod synthetic;
mod trio;

use std::hash::Hash;

pub use grouping::EXACT_LIMIT;
pub use model::{Input, PastGroup, Person, Priorities, Settings, Solver};
pub use outcome::{PairingError, Plan, Quality, Score, Unplaced, UnplacedReason};

use roster::{PersonIx, Roster};

/// Plans one round. The same input and seed always give the same plan, whatever order
/// the people are listed in.
pub fn plan<Id>(input: &Input<'_, Id>, seed: u64) -> Result<Plan<Id>, PairingError>
where
    Id: Clone + Eq + Hash + Ord,
{
    let roster = Roster::new(input, seed)?;
    let mut grouping = grouping::group(&roster, &input.settings);
    // Person indices follow id order, so sorting them sorts by id.
    for group in &mut grouping.groups {
        group.sort_unstable();
    }
    grouping.groups.sort_unstable();
    grouping.unplaced.sort_unstable_by_key(|&(p, _)| p);
    let quality = quality::measure(&roster, &grouping.groups);
    let id = |p: PersonIx| roster.ids[p as usize].clone();
    Ok(Plan {
        groups: grouping
            .groups
            .iter()
            .map(|group| group.iter().map(|&p| id(p)).collect())
            .collect(),
        unplaced: grouping
            .unplaced
            .into_iter()
            .map(|(p, reason)| Unplaced { id: id(p), reason })
            .collect(),
        quality,
    })
}

/// Scores a grouping made elsewhere (an earlier round, a baseline) by the same measures
/// `plan` uses with this `seed`. Exclusions are not checked.
pub fn evaluate<Id>(
    input: &Input<'_, Id>,
    seed: u64,
    groups: &[Vec<Id>],
) -> Result<Quality, PairingError>
where
    Id: Clone + Eq + Hash + Ord,
{
    let roster = Roster::new(input, seed)?;
    let index: std::collections::HashMap<&Id, PersonIx> = roster
        .ids
        .iter()
        .enumerate()
        .map(|(p, &id)| (id, p as PersonIx))
        .collect();
    let mut seen = vec![false; roster.len()];
    let mut indexed = Vec::with_capacity(groups.len());
    for (g, group) in groups.iter().enumerate() {
        let mut members = Vec::with_capacity(group.len());
        for id in group {
            let p = *index
                .get(id)
                .ok_or(PairingError::NotInRoster { group: g })?;
            if std::mem::replace(&mut seen[p as usize], true) {
                return Err(PairingError::NotInRoster { group: g });
            }
            members.push(p);
        }
        indexed.push(members);
    }
    Ok(quality::measure(&roster, &indexed))
}
