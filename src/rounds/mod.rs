//! A round's life: planning (roster snapshot -> engine -> groups and every owed message in
//! one transaction), the messages it owes, and closing (counting answers, pausing ghosts).

mod closer;
pub mod messages;
mod planner;
mod seed;

pub use closer::{CloseReport, RoundCloser};
pub use planner::{PlanOutcome, PlannedRound, RoundConfig, RoundPlanner};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("pairing engine refused the roster: {0}")]
    Pairing(#[from] pourover_pairing::PairingError),
    #[error("other rounds of this program kept being planned at the same moment; try again")]
    Contended,
}

#[cfg(test)]
mod tests;
