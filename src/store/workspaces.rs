use chrono::Utc;

use super::{Store, StoreResult, to_ms};
use crate::domain::{Platform, WorkspaceId};

impl Store {
    /// The workspace for a platform install, created on first sight.
    pub async fn upsert_workspace(
        &self,
        platform: Platform,
        external_id: &str,
        name: &str,
    ) -> StoreResult<WorkspaceId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO workspaces (platform, external_id, name, created_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (platform, external_id) DO UPDATE
                SET name = CASE WHEN excluded.name = '' THEN workspaces.name ELSE excluded.name END
             RETURNING id",
        )
        .bind(platform.as_str())
        .bind(external_id)
        .bind(name)
        .bind(to_ms(Utc::now()))
        .fetch_one(&self.pool)
        .await?;
        Ok(WorkspaceId(id))
    }

    /// Remembers where a platform's API lives for this install (Teams `serviceUrl`).
    pub async fn set_workspace_service_url(
        &self,
        workspace: WorkspaceId,
        service_url: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE workspaces SET service_url = $1 WHERE id = $2")
            .bind(service_url)
            .bind(workspace.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every workspace with its platform and external id.
    pub async fn list_workspaces(&self) -> StoreResult<Vec<(WorkspaceId, Platform, String)>> {
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, platform, external_id FROM workspaces ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(id, platform, external)| {
                Ok((WorkspaceId(id), super::parse_stored(&platform)?, external))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;

    #[tokio::test]
    async fn the_same_install_is_one_workspace() {
        let store = temp_store().await;
        let a = store
            .upsert_workspace(Platform::Slack, "T1", "Acme")
            .await
            .unwrap();
        let b = store
            .upsert_workspace(Platform::Slack, "T1", "")
            .await
            .unwrap();
        let c = store
            .upsert_workspace(Platform::Teams, "T1", "Acme")
            .await
            .unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(store.list_workspaces().await.unwrap().len(), 2);
    }
}
