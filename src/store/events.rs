//! Deliveries from the platforms, recorded before they are acknowledged. A row's key says
//! what it is (`slack:Ev…`, `slack:action:T…:<trigger>`, `teams:<conversation>:<id>`); its
//! payload is what is still to be applied, until `applied_at` is set.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::Sqlite;
use sqlx::pool::PoolConnection;

use super::{Store, StoreError, StoreResult, to_ms};

/// A delivery that was acknowledged but not applied yet (the process died, or the database
/// kept refusing), claimed for applying now.
#[derive(Debug, Clone)]
pub struct UnappliedDelivery {
    pub key: String,
    pub payload: Value,
    /// Earlier tries, this one not counted.
    pub attempts: u32,
}

impl Store {
    /// Records that a platform event was handled. Returns false when it already was, so a
    /// retried delivery (Slack re-sends what it thinks we missed) is processed once.
    pub async fn first_sight_of_event(&self, event_key: &str) -> StoreResult<bool> {
        self.record_delivery(event_key, None, Utc::now(), self.busy_timeout)
            .await
    }

    /// Records a delivery before it is acknowledged: with `payload` (what to apply) it stays
    /// unapplied until [`Store::delivery_applied`]; without, it only marks the key as seen.
    /// False when the key was recorded before: a redelivery or a replay.
    ///
    /// Done `within` the time given, or not at all ([`StoreError::Timeout`], or the
    /// database's busy error): the limit is the database's own lock timeout, not a
    /// cancelled future, so a write that was given up on cannot still land afterwards
    /// (and make the platform's redelivery look like a duplicate).
    pub async fn record_delivery(
        &self,
        key: &str,
        payload: Option<&Value>,
        now: DateTime<Utc>,
        within: Duration,
    ) -> StoreResult<bool> {
        let mut connection = self.connection_within(within).await?;
        let inserted = insert_delivery(&mut connection, key, payload, now).await;
        self.give_back(connection).await;
        inserted
    }

    /// A connection whose writes wait at most until `within` from now for the lock.
    async fn connection_within(&self, within: Duration) -> StoreResult<PoolConnection<Sqlite>> {
        let deadline = Instant::now() + within;
        let mut connection = tokio::time::timeout(within, self.pool.acquire())
            .await
            .map_err(|_| StoreError::Timeout(within))??;
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(StoreError::Timeout(within));
        }
        set_busy_timeout(&mut connection, left).await?;
        Ok(connection)
    }

    /// Returns a connection from [`Store::connection_within`] to the pool with the usual
    /// lock timeout (or closes it if that cannot be set).
    async fn give_back(&self, mut connection: PoolConnection<Sqlite>) {
        if set_busy_timeout(&mut connection, self.busy_timeout)
            .await
            .is_err()
        {
            connection.close_on_drop();
        }
    }

    /// The delivery is applied (or given up on): its payload is no longer kept.
    pub async fn delivery_applied(&self, key: &str, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE processed_events SET applied_at = $2, payload = NULL, claimed_until = NULL
             WHERE event_key = $1",
        )
        .bind(key)
        .bind(to_ms(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Up to `limit` unapplied deliveries whose key starts with `prefix`, received before
    /// `received_before` and not claimed by anyone now; each is claimed until `claim_until`
    /// (so two processes do not apply it at once) and its attempt counted.
    pub async fn claim_unapplied_deliveries(
        &self,
        prefix: &str,
        received_before: DateTime<Utc>,
        now: DateTime<Utc>,
        claim_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<UnappliedDelivery>> {
        let rows: Vec<(String, Option<String>, i64)> = sqlx::query_as(
            "UPDATE processed_events
             SET claimed_until = $4, attempts = attempts + 1
             WHERE event_key IN (
                 SELECT event_key FROM processed_events
                 WHERE applied_at IS NULL AND received_at < $2
                   AND (claimed_until IS NULL OR claimed_until <= $3)
                   AND substr(event_key, 1, length($1)) = $1
                 ORDER BY received_at
                 LIMIT $5)
             RETURNING event_key, payload, attempts",
        )
        .bind(prefix)
        .bind(to_ms(received_before))
        .bind(to_ms(now))
        .bind(to_ms(claim_until))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(key, payload, attempts)| {
                let payload = payload
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(|err| StoreError::Corrupt(format!("delivery {key}: {err}")))?
                    .unwrap_or(Value::Null);
                Ok(UnappliedDelivery {
                    key,
                    payload,
                    attempts: u32::try_from(attempts - 1).unwrap_or(0),
                })
            })
            .collect()
    }

    /// Forgets applied deliveries older than `before`: platforms stop retrying within
    /// minutes. Unapplied ones stay until applied.
    pub async fn prune_processed_events(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        Ok(sqlx::query(
            "DELETE FROM processed_events WHERE received_at < $1 AND applied_at IS NOT NULL",
        )
        .bind(to_ms(before))
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// Writes (and commits) one row within `within`, to prove the database takes writes.
    pub async fn probe_write(&self, now: DateTime<Utc>, within: Duration) -> StoreResult<()> {
        let mut connection = self.connection_within(within).await?;
        let written = sqlx::query(
            "INSERT INTO health_checks (id, checked_at) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
        )
        .bind(to_ms(now))
        .execute(&mut *connection)
        .await;
        self.give_back(connection).await;
        written?;
        Ok(())
    }
}

async fn set_busy_timeout(
    connection: &mut PoolConnection<Sqlite>,
    timeout: Duration,
) -> StoreResult<()> {
    let ms = timeout.as_millis().max(1);
    // A number we formatted ourselves: PRAGMA takes no bound parameters.
    sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA busy_timeout = {ms}")))
        .execute(&mut **connection)
        .await?;
    Ok(())
}

async fn insert_delivery(
    connection: &mut PoolConnection<Sqlite>,
    key: &str,
    payload: Option<&Value>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let applied_at = payload.is_none().then(|| to_ms(now));
    let inserted = sqlx::query(
        "INSERT INTO processed_events (event_key, received_at, payload, applied_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (event_key) DO NOTHING",
    )
    .bind(key)
    .bind(to_ms(now))
    .bind(payload.map(Value::to_string))
    .bind(applied_at)
    .execute(&mut **connection)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};
    use serde_json::json;

    use crate::store::test_support::temp_store;

    #[tokio::test]
    async fn an_event_is_new_only_once() {
        let store = temp_store().await;
        assert!(store.first_sight_of_event("slack:Ev1").await.unwrap());
        assert!(!store.first_sight_of_event("slack:Ev1").await.unwrap());
        assert!(store.first_sight_of_event("slack:Ev2").await.unwrap());
    }

    #[tokio::test]
    async fn a_delivery_that_could_not_be_recorded_in_time_does_not_land_later() {
        let store = temp_store().await;
        let mut lock = store.pool().acquire().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *lock)
            .await
            .unwrap();
        let payload = json!({ "event": "team_join" });
        let within = std::time::Duration::from_millis(200);
        assert!(
            store
                .record_delivery("slack:Ev9", Some(&payload), Utc::now(), within)
                .await
                .is_err()
        );
        sqlx::query("ROLLBACK").execute(&mut *lock).await.unwrap();
        drop(lock);
        // Slack's redelivery is new, not a duplicate of a write that landed late.
        assert!(
            store
                .record_delivery("slack:Ev9", Some(&payload), Utc::now(), within)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn an_acknowledged_delivery_stays_claimable_until_applied() {
        let store = temp_store().await;
        let now = Utc::now();
        let payload = json!({ "event": "member_joined_channel" });
        let within = std::time::Duration::from_secs(1);
        assert!(
            store
                .record_delivery("slack:Ev1", Some(&payload), now, within)
                .await
                .unwrap()
        );
        assert!(
            !store
                .record_delivery("slack:Ev1", Some(&payload), now, within)
                .await
                .unwrap()
        );
        store.first_sight_of_event("slack:Ev2").await.unwrap();
        let later = now + Duration::minutes(2);
        let claimed = store
            .claim_unapplied_deliveries(
                "slack:",
                now + Duration::seconds(1),
                later,
                later + Duration::minutes(1),
                10,
            )
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1, "only the one with something to apply");
        assert_eq!(claimed[0].key, "slack:Ev1");
        assert_eq!(claimed[0].payload, payload);
        assert_eq!(claimed[0].attempts, 0);
        // Claimed: nobody else takes it meanwhile.
        let again = store
            .claim_unapplied_deliveries("slack:", later, later, later, 10)
            .await
            .unwrap();
        assert!(again.is_empty());
        store.delivery_applied("slack:Ev1", later).await.unwrap();
        let after = later + Duration::minutes(5);
        let none = store
            .claim_unapplied_deliveries("slack:", after, after, after, 10)
            .await
            .unwrap();
        assert!(none.is_empty());
        assert_eq!(store.prune_processed_events(after).await.unwrap(), 2);
    }
}
