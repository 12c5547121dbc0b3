//! Figures about a grouping: what the engine minimised, and what people will notice.

use crate::cost::Cost;
use crate::outcome::Quality;
use crate::roster::{PersonIx, Roster};

pub(crate) fn measure<Id>(roster: &Roster<'_, Id>, groups: &[Vec<PersonIx>]) -> Quality {
    let mut total = Cost::ZERO;
    let mut quality = Quality {
        groups: groups.len(),
        people_placed: groups.iter().map(Vec::len).sum(),
        ..Quality::default()
    };
    let mut gap_sum = 0u64;
    for group in groups {
        for (i, &a) in group.iter().enumerate() {
            for &b in &group[i + 1..] {
                quality.pairs += 1;
                total += roster.soft_cost(a, b);
                if roster.recency(a, b).is_some() {
                    quality.repeats += 1;
                }
                if roster.same_team(a, b) {
                    quality.same_team_pairs += 1;
                }
                if let (Some(_), Some(_)) = (roster.team(a), roster.team(b))
                    && !roster.same_team(a, b)
                {
                    quality.cross_team_pairs += 1;
                }
                if let Some(gap) = roster.clock_gap(a, b) {
                    quality.pairs_with_known_time_zones += 1;
                    quality.max_tz_gap_minutes = quality.max_tz_gap_minutes.max(gap);
                    gap_sum += u64::from(gap);
                }
            }
        }
    }
    quality.score = total.to_score();
    if quality.pairs_with_known_time_zones > 0 {
        quality.mean_tz_gap_minutes = gap_sum as f64 / quality.pairs_with_known_time_zones as f64;
    }
    quality
}
