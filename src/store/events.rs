use chrono::{DateTime, Utc};

use super::{Store, StoreResult, to_ms};

impl Store {
    /// Records that a platform event was handled. Returns false when it already was, so a
    /// retried delivery (Slack re-sends what it thinks we missed) is processed once.
    pub async fn first_sight_of_event(&self, event_key: &str) -> StoreResult<bool> {
        let inserted = sqlx::query(
            "INSERT INTO processed_events (event_key, received_at) VALUES ($1, $2)
             ON CONFLICT (event_key) DO NOTHING",
        )
        .bind(event_key)
        .bind(to_ms(Utc::now()))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    /// Forgets events older than `before`: platforms stop retrying within minutes.
    pub async fn prune_processed_events(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        Ok(
            sqlx::query("DELETE FROM processed_events WHERE received_at < $1")
                .bind(to_ms(before))
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::store::test_support::temp_store;

    #[tokio::test]
    async fn an_event_is_new_only_once() {
        let store = temp_store().await;
        assert!(store.first_sight_of_event("slack:Ev1").await.unwrap());
        assert!(!store.first_sight_of_event("slack:Ev1").await.unwrap());
        assert!(store.first_sight_of_event("slack:Ev2").await.unwrap());
    }
}
