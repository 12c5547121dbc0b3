use chrono::{DateTime, Utc};

use super::{Store, StoreError, StoreResult, from_ms, parse_stored, to_ms};
use crate::domain::{
    GroupId, MemberId, OutboxId, OutboxItem, OutboxKind, OutboxPayload, OutboxState, WorkspaceId,
};

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    idempotency_key: String,
    workspace_id: i64,
    kind: String,
    group_id: Option<i64>,
    recipient_member_id: Option<i64>,
    payload: String,
    state: String,
    attempts: i64,
    not_before: i64,
    next_attempt_at: i64,
    conversation_id: Option<String>,
    message_id: Option<String>,
    last_error: Option<String>,
}

macro_rules! outbox_columns {
    () => {
        "id, idempotency_key, workspace_id, kind, group_id, recipient_member_id, payload, state, \
         attempts, not_before, next_attempt_at, conversation_id, message_id, last_error"
    };
}

impl TryFrom<OutboxRow> for OutboxItem {
    type Error = StoreError;

    fn try_from(row: OutboxRow) -> Result<Self, Self::Error> {
        let kind = parse_stored::<OutboxKind>(&row.kind)?;
        Ok(OutboxItem {
            id: OutboxId(row.id),
            key: row.idempotency_key,
            workspace_id: WorkspaceId(row.workspace_id),
            kind,
            group_id: row.group_id.map(GroupId),
            recipient: row.recipient_member_id.map(MemberId),
            // A payload that does not decode is the caller's to handle (the worker marks the
            // row failed); it must not make the rows around it unreadable.
            payload: OutboxPayload::decode(&row.payload, kind),
            state: parse_stored::<OutboxState>(&row.state)?,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            not_before: from_ms(row.not_before)?,
            next_attempt_at: from_ms(row.next_attempt_at)?,
            conversation_id: row.conversation_id,
            message_id: row.message_id,
            last_error: row.last_error,
        })
    }
}

/// A message the bot will owe, written in the same transaction as what caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxItem {
    /// From [`crate::domain::OwedMessage::idempotency_key`].
    pub key: String,
    pub workspace: WorkspaceId,
    /// Index into the groups being written in the same transaction, or an existing group.
    pub group: Option<GroupRef>,
    pub recipient: Option<MemberId>,
    /// What it says; its variant is the row's kind.
    pub payload: OutboxPayload,
    /// Not to be sent before this instant (nudges, closing prompts).
    pub not_before: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupRef {
    /// The n-th group of the round being saved.
    Planned(usize),
    Existing(GroupId),
}

pub(super) async fn insert_outbox(
    conn: &mut sqlx::SqliteConnection,
    item: &NewOutboxItem,
    group_id: Option<GroupId>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let payload = item
        .payload
        .encode()
        .map_err(|err| StoreError::Corrupt(format!("outbox payload: {err}")))?;
    let inserted = sqlx::query(
        "INSERT INTO outbox (idempotency_key, workspace_id, kind, group_id, recipient_member_id,
             payload, state, not_before, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7, $8)
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&item.key)
    .bind(item.workspace.0)
    .bind(item.payload.kind().as_str())
    .bind(group_id.map(|g| g.0))
    .bind(item.recipient.map(|m| m.0))
    .bind(payload)
    .bind(to_ms(item.not_before))
    .bind(to_ms(now))
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

impl Store {
    /// Adds messages owed outside round planning (e.g. a pause notice). Keys already present
    /// are skipped, so calling this twice for the same reason owes the message once.
    pub async fn enqueue(&self, items: &[NewOutboxItem]) -> StoreResult<usize> {
        let now = Utc::now();
        let mut tx = self.pool.begin().await?;
        let mut added = 0;
        for item in items {
            let group = match item.group {
                Some(GroupRef::Existing(id)) => Some(id),
                Some(GroupRef::Planned(_)) => {
                    return Err(StoreError::Corrupt(
                        "a planned group reference outside round planning".into(),
                    ));
                }
                None => None,
            };
            if insert_outbox(&mut tx, item, group, now).await? {
                added += 1;
            }
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Claims up to `limit` messages that are due: pending ones whose time has come at
    /// `due_by`, and `sending` ones whose worker's lease ran out at `wall_now` (it died
    /// mid-send; the claimer must look for the message before sending it again). Claimed
    /// rows are `sending`, leased until `lease_until`, with one more attempt counted.
    ///
    /// Leases use wall-clock time (they are about whether a process is alive), due times
    /// the bot's clock (which the demo and tests move forward).
    pub async fn claim_due_outbox(
        &self,
        due_by: DateTime<Utc>,
        wall_now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxItem>> {
        let rows: Vec<OutboxRow> = sqlx::query_as(concat!(
            "UPDATE outbox SET state = 'sending', lease_until = $2, attempts = attempts + 1
             WHERE id IN (
                 SELECT id FROM outbox
                 WHERE (state = 'pending' AND next_attempt_at <= $1 AND not_before <= $1)
                    OR (state = 'sending' AND lease_until < $4)
                 ORDER BY not_before, id
                 LIMIT $3)
             RETURNING ",
            outbox_columns!()
        ))
        .bind(to_ms(due_by))
        .bind(to_ms(lease_until))
        .bind(i64::from(limit))
        .bind(to_ms(wall_now))
        .fetch_all(&self.pool)
        .await?;
        let mut items: Vec<OutboxItem> = rows
            .into_iter()
            .map(OutboxItem::try_from)
            .collect::<StoreResult<_>>()?;
        items.sort_by_key(|item| (item.not_before, item.id));
        Ok(items)
    }

    /// Extends a claimed row's lease while its worker is still busy with it. `attempts` is
    /// the fencing token: if another worker claimed the row since (after this one's lease
    /// ran out), the attempt counts differ and this returns false — the caller must stop.
    pub async fn extend_outbox_lease(
        &self,
        id: OutboxId,
        attempts: u32,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        Ok(sqlx::query(
            "UPDATE outbox SET lease_until = $1
             WHERE id = $2 AND state = 'sending' AND attempts = $3",
        )
        .bind(to_ms(lease_until))
        .bind(id.0)
        .bind(i64::from(attempts))
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// When the earliest pending message becomes due, for a worker deciding how long to idle.
    pub async fn next_outbox_due(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(CASE WHEN next_attempt_at > not_before THEN next_attempt_at ELSE not_before END)
             FROM outbox WHERE state = 'pending'",
        )
        .fetch_one(&self.pool)
        .await?;
        next.map(from_ms).transpose()
    }

    /// The conversation a claimed message goes to, stored before posting so a retry after a
    /// crash looks in the same place.
    pub async fn set_outbox_conversation(
        &self,
        id: OutboxId,
        conversation: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE outbox SET conversation_id = $1 WHERE id = $2")
            .bind(conversation)
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn mark_outbox_sent(
        &self,
        id: OutboxId,
        conversation: &str,
        message_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET state = 'sent', conversation_id = $1, message_id = $2, sent_at = $3,
                 lease_until = NULL, last_error = NULL
             WHERE id = $4",
        )
        .bind(conversation)
        .bind(message_id)
        .bind(to_ms(at))
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Back to pending, to try again at `next_attempt_at`. `count_attempt = false` for waits
    /// that are not failures (rate limits), so they never exhaust the retry budget.
    pub async fn retry_outbox_later(
        &self,
        id: OutboxId,
        next_attempt_at: DateTime<Utc>,
        error: &str,
        count_attempt: bool,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET state = 'pending', lease_until = NULL, next_attempt_at = $1,
                 last_error = $2, attempts = attempts - $3
             WHERE id = $4",
        )
        .bind(to_ms(next_attempt_at))
        .bind(error)
        .bind(if count_attempt { 0_i64 } else { 1_i64 })
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn mark_outbox_failed(&self, id: OutboxId, error: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = $1 WHERE id = $2",
        )
        .bind(error)
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn mark_outbox_cancelled(&self, id: OutboxId, reason: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET state = 'cancelled', lease_until = NULL, last_error = $1 WHERE id = $2",
        )
        .bind(reason)
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The outbox row behind a posted message (for button presses on it).
    pub async fn outbox_by_message(
        &self,
        conversation: &str,
        message_id: &str,
    ) -> StoreResult<Option<OutboxItem>> {
        let row: Option<OutboxRow> = sqlx::query_as(concat!(
            "SELECT ",
            outbox_columns!(),
            " FROM outbox WHERE conversation_id = $1 AND message_id = $2"
        ))
        .bind(conversation)
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(OutboxItem::try_from).transpose()
    }

    /// Every message owed for a group, in creation order.
    pub async fn group_outbox(&self, group: GroupId) -> StoreResult<Vec<OutboxItem>> {
        let rows: Vec<OutboxRow> = sqlx::query_as(concat!(
            "SELECT ",
            outbox_columns!(),
            " FROM outbox WHERE group_id = $1 ORDER BY id"
        ))
        .bind(group.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(OutboxItem::try_from).collect()
    }

    /// Messages the platform refused for good, newest first.
    pub async fn failed_outbox(
        &self,
        workspace: WorkspaceId,
        limit: u32,
    ) -> StoreResult<Vec<OutboxItem>> {
        let rows: Vec<OutboxRow> = sqlx::query_as(concat!(
            "SELECT ",
            outbox_columns!(),
            " FROM outbox WHERE workspace_id = $1 AND state = 'failed' ORDER BY id DESC LIMIT $2"
        ))
        .bind(workspace.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(OutboxItem::try_from).collect()
    }

    pub async fn outbox_item(&self, id: OutboxId) -> StoreResult<Option<OutboxItem>> {
        let row: Option<OutboxRow> = sqlx::query_as(concat!(
            "SELECT ",
            outbox_columns!(),
            " FROM outbox WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(OutboxItem::try_from).transpose()
    }

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

#[cfg(test)]
mod tests {
    use super::super::test_support::{coffee_program, temp_store};
    use super::*;
    use crate::domain::{PayloadError, ProgramName};

    /// Inserts a row the way a release before the version tag did.
    async fn legacy_row(store: &Store, workspace: WorkspaceId, kind: &str, payload: &str) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO outbox (idempotency_key, workspace_id, kind, payload, state,
                 not_before, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, 'pending', 0, 0, 0) RETURNING id",
        )
        .bind(format!("legacy-{kind}"))
        .bind(workspace.0)
        .bind(kind)
        .bind(payload)
        .fetch_one(store.pool())
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn payloads_written_before_the_version_tag_read_back_once_migrated() {
        let store = temp_store().await;
        let workspace = coffee_program(&store).await.workspace_id;
        let notice = legacy_row(
            &store,
            workspace,
            "notice",
            r#"{"program":"coffee","text":"Sorry"}"#,
        )
        .await;
        let ghost = legacy_row(
            &store,
            workspace,
            "ghost_pause",
            r#"{"program":"coffee","ignored_in_a_row":3}"#,
        )
        .await;
        let unread = store.outbox_item(OutboxId(notice)).await.unwrap().unwrap();
        assert!(matches!(
            unread.payload,
            Err(PayloadError::UnknownVersion { found: 0, .. })
        ));

        sqlx::raw_sql(include_str!(
            "../../migrations/20261130000001_versioned_outbox_payloads.sql"
        ))
        .execute(store.pool())
        .await
        .unwrap();
        let coffee = ProgramName::parse("coffee").unwrap();
        let notice = store.outbox_item(OutboxId(notice)).await.unwrap().unwrap();
        assert_eq!(
            notice.payload,
            Ok(OutboxPayload::Notice {
                program: coffee.clone(),
                text: "Sorry".into()
            })
        );
        let ghost = store.outbox_item(OutboxId(ghost)).await.unwrap().unwrap();
        assert_eq!(
            ghost.payload,
            Ok(OutboxPayload::GhostPause {
                program: coffee,
                ignored_in_a_row: 3
            })
        );
    }

    #[tokio::test]
    async fn a_row_whose_payload_does_not_decode_leaves_the_rows_around_it_readable() {
        let store = temp_store().await;
        let workspace = coffee_program(&store).await.workspace_id;
        legacy_row(&store, workspace, "notice", r#"{"v":1,"kind":"notice"}"#).await;
        let claimed = store
            .claim_due_outbox(Utc::now(), Utc::now(), Utc::now(), 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        assert!(matches!(
            claimed[0].payload,
            Err(PayloadError::Malformed(_))
        ));
    }
}
