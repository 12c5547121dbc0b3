//! Exact minimum-cost matching with Edmonds' blossom algorithm (the `integer-blossom`
//! crate: dense, O(n³) time, O(n²) memory). We only build the weights.

use crate::matching::{UnitIx, Units, WithDummies, scale_for};

/// Maximum-cardinality, then minimum-cost matching. `None` only if the weights would not
/// fit in an i128 (far beyond any size the exact solver is used for).
pub(crate) fn solve<U: Units>(units: &WithDummies<'_, U>) -> Option<Vec<Option<UnitIx>>> {
    let scale = scale_for(units)?;
    let n = units.len();
    // Row-major n × n; only the upper triangle is read. Zero means "no edge".
    let mut weights = vec![0i128; n * n];
    for a in 0..n {
        for b in a + 1..n {
            if let Some(cost) = units.cost(a as UnitIx, b as UnitIx) {
                weights[a * n + b] = scale.weight(cost);
            }
        }
    }
    let mate = run_blossom(&weights, n);
    Some(mate.into_iter().map(|m| m.map(|p| p as UnitIx)).collect())
}

/// Up to this size the solver's buffers are small (about 2 MB) and reused.
const SOLVE_IN_PLACE_UP_TO: usize = 256;

/// integer-blossom keeps its O(n²) working buffers in a thread-local pool for reuse. A
/// bot plans a round now and then, so large instances run on a short-lived thread that
/// takes those buffers with it when it ends; if no thread can be started, we run here.
fn run_blossom(weights: &[i128], n: usize) -> Vec<Option<usize>> {
    let solve = || integer_blossom::max_weight_matching(weights, n);
    if n <= SOLVE_IN_PLACE_UP_TO {
        return solve();
    }
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("pairing-blossom".into())
            .spawn_scoped(scope, solve)
        {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => solve(),
        }
    })
}
