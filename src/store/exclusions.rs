use chrono::Utc;

use super::{Store, StoreResult, to_ms};
use crate::domain::{MemberId, WorkspaceId};

impl Store {
    /// "Never pair me with them". Returns false when it was already there.
    pub async fn add_exclusion(&self, member: MemberId, excluded: MemberId) -> StoreResult<bool> {
        Ok(sqlx::query(
            "INSERT INTO exclusions (member_id, excluded_member_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (member_id, excluded_member_id) DO NOTHING",
        )
        .bind(member.0)
        .bind(excluded.0)
        .bind(to_ms(Utc::now()))
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Returns false when there was nothing to remove.
    pub async fn remove_exclusion(
        &self,
        member: MemberId,
        excluded: MemberId,
    ) -> StoreResult<bool> {
        Ok(
            sqlx::query("DELETE FROM exclusions WHERE member_id = $1 AND excluded_member_id = $2")
                .bind(member.0)
                .bind(excluded.0)
                .execute(&self.pool)
                .await?
                .rows_affected()
                == 1,
        )
    }

    /// Who this member asked never to meet.
    pub async fn exclusions_of(&self, member: MemberId) -> StoreResult<Vec<MemberId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT excluded_member_id FROM exclusions WHERE member_id = $1 ORDER BY 1",
        )
        .bind(member.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(MemberId).collect())
    }

    /// Every exclusion in a workspace, for the pairing engine (which treats them both ways).
    pub async fn workspace_exclusions(
        &self,
        workspace: WorkspaceId,
    ) -> StoreResult<Vec<(MemberId, MemberId)>> {
        let pairs: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT e.member_id, e.excluded_member_id FROM exclusions e
             JOIN members m ON m.id = e.member_id WHERE m.workspace_id = $1",
        )
        .bind(workspace.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(pairs
            .into_iter()
            .map(|(a, b)| (MemberId(a), MemberId(b)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::{MemberProfile, Platform};
    use crate::store::test_support::temp_store;

    #[tokio::test]
    async fn exclusions_are_added_once_listed_and_removed() {
        let store = temp_store().await;
        let ws = store
            .upsert_workspace(Platform::Slack, "T1", "")
            .await
            .unwrap();
        let profile = |id: &str| MemberProfile {
            external_id: id.into(),
            ..MemberProfile::default()
        };
        let a = store.upsert_member(ws, &profile("U1")).await.unwrap().id;
        let b = store.upsert_member(ws, &profile("U2")).await.unwrap().id;
        assert!(store.add_exclusion(a, b).await.unwrap());
        assert!(!store.add_exclusion(a, b).await.unwrap());
        assert_eq!(store.exclusions_of(a).await.unwrap(), vec![b]);
        assert!(store.exclusions_of(b).await.unwrap().is_empty());
        assert_eq!(store.workspace_exclusions(ws).await.unwrap(), vec![(a, b)]);
        assert!(store.remove_exclusion(a, b).await.unwrap());
        assert!(!store.remove_exclusion(a, b).await.unwrap());
    }
}
