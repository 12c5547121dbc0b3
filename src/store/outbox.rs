use super::{Store, StoreResult, parse_stored};
use crate::domain::OutboxState;

impl Store {
    /// Outbox rows per state, for metrics and admin views.
    pub async fn outbox_counts(&self) -> StoreResult<Vec<(OutboxState, i64)>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(state, count)| Ok((parse_stored(&state)?, count)))
            .collect()
    }
}
