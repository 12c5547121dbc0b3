use chrono::Utc;

use super::{Store, StoreResult, to_ms};
use crate::domain::{Member, MemberId, MemberProfile, WorkspaceId};

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    workspace_id: i64,
    external_id: String,
    display_name: String,
    profile_team: Option<String>,
    chosen_team: Option<String>,
    time_zone: Option<String>,
    utc_offset_minutes: Option<i32>,
    is_admin: bool,
    is_bot: bool,
    is_guest: bool,
    deleted: bool,
    profile_synced_at: i64,
}

impl TryFrom<MemberRow> for Member {
    type Error = super::StoreError;

    fn try_from(row: MemberRow) -> Result<Self, Self::Error> {
        Ok(Member {
            id: MemberId(row.id),
            workspace_id: WorkspaceId(row.workspace_id),
            external_id: row.external_id,
            display_name: row.display_name,
            profile_team: row.profile_team,
            chosen_team: row.chosen_team,
            time_zone: row.time_zone,
            utc_offset_minutes: row.utc_offset_minutes,
            is_admin: row.is_admin,
            is_bot: row.is_bot,
            is_guest: row.is_guest,
            deleted: row.deleted,
            profile_synced_at: super::from_ms(row.profile_synced_at)?,
        })
    }
}

/// The column list, as a macro so queries stay `&'static str` (sqlx refuses
/// dynamically built SQL unless it is audited).
macro_rules! member_columns {
    () => {
        "id, workspace_id, external_id, display_name, profile_team, \
     chosen_team, time_zone, utc_offset_minutes, is_admin, is_bot, is_guest, deleted, \
     profile_synced_at"
    };
}

impl Store {
    /// Creates or refreshes a member from what the platform says. The team a person chose
    /// with `team <name>` is kept.
    pub async fn upsert_member(
        &self,
        workspace: WorkspaceId,
        profile: &MemberProfile,
    ) -> StoreResult<Member> {
        let now = to_ms(Utc::now());
        let row: MemberRow = sqlx::query_as(concat!(
            "INSERT INTO members (workspace_id, external_id, display_name, profile_team,
                 time_zone, utc_offset_minutes, is_admin, is_bot, is_guest, deleted,
                 profile_synced_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                     CASE WHEN $12 THEN 0 ELSE $11 END, $11, $11)
             ON CONFLICT (workspace_id, external_id) DO UPDATE SET
                 display_name = excluded.display_name,
                 profile_team = CASE WHEN $12 THEN members.profile_team
                                     ELSE excluded.profile_team END,
                 time_zone = excluded.time_zone,
                 utc_offset_minutes = excluded.utc_offset_minutes,
                 is_admin = excluded.is_admin,
                 is_bot = excluded.is_bot,
                 is_guest = excluded.is_guest,
                 deleted = excluded.deleted,
                 profile_synced_at = CASE WHEN $12 THEN members.profile_synced_at
                                          ELSE excluded.profile_synced_at END,
                 updated_at = excluded.updated_at
             RETURNING ",
            member_columns!()
        ))
        .bind(workspace.0)
        .bind(&profile.external_id)
        .bind(&profile.display_name)
        .bind(&profile.team)
        .bind(&profile.time_zone)
        .bind(profile.utc_offset_minutes)
        .bind(profile.is_admin)
        .bind(profile.is_bot)
        .bind(profile.is_guest)
        .bind(profile.deleted)
        .bind(now)
        .bind(profile.without_team_fields)
        .fetch_one(&self.pool)
        .await?;
        row.try_into()
    }

    pub async fn member(&self, id: MemberId) -> StoreResult<Option<Member>> {
        let row: Option<MemberRow> = sqlx::query_as(concat!(
            "SELECT ",
            member_columns!(),
            " FROM members WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Member::try_from).transpose()
    }

    pub async fn member_by_external_id(
        &self,
        workspace: WorkspaceId,
        external_id: &str,
    ) -> StoreResult<Option<Member>> {
        let row: Option<MemberRow> = sqlx::query_as(concat!(
            "SELECT ",
            member_columns!(),
            " FROM members WHERE workspace_id = $1 AND external_id = $2"
        ))
        .bind(workspace.0)
        .bind(external_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Member::try_from).transpose()
    }

    /// Members by id, in id order; ids that do not exist are skipped.
    pub async fn members_by_ids(&self, ids: &[MemberId]) -> StoreResult<Vec<Member>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // A JSON array keeps the statement the same for any number of ids.
        let json = serde_json::to_string(&ids.iter().map(|id| id.0).collect::<Vec<_>>())
            .map_err(|err| super::StoreError::Corrupt(err.to_string()))?;
        let rows: Vec<MemberRow> = sqlx::query_as(concat!(
            "SELECT ",
            member_columns!(),
            " FROM members
             WHERE id IN (SELECT value FROM json_each($1)) ORDER BY id"
        ))
        .bind(json)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Member::try_from).collect()
    }

    pub async fn workspace_members(&self, workspace: WorkspaceId) -> StoreResult<Vec<Member>> {
        let rows: Vec<MemberRow> = sqlx::query_as(concat!(
            "SELECT ",
            member_columns!(),
            " FROM members WHERE workspace_id = $1 ORDER BY id"
        ))
        .bind(workspace.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Member::try_from).collect()
    }

    /// People (not bots, not deactivated) whose full profile was last read before
    /// `before`, least recently read first: the background profile refresh's worklist.
    pub async fn members_needing_refresh(
        &self,
        workspace: WorkspaceId,
        before: chrono::DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Member>> {
        let rows: Vec<MemberRow> = sqlx::query_as(concat!(
            "SELECT ",
            member_columns!(),
            " FROM members
              WHERE workspace_id = $1 AND NOT deleted AND NOT is_bot AND profile_synced_at < $2
              ORDER BY profile_synced_at, id LIMIT $3"
        ))
        .bind(workspace.0)
        .bind(to_ms(before))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Member::try_from).collect()
    }

    /// The team a person set themselves; None clears it (back to the profile's).
    pub async fn set_chosen_team(&self, member: MemberId, team: Option<&str>) -> StoreResult<()> {
        sqlx::query("UPDATE members SET chosen_team = $1, updated_at = $2 WHERE id = $3")
            .bind(team)
            .bind(to_ms(Utc::now()))
            .bind(member.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Platform;
    use crate::store::test_support::temp_store;

    fn profile(external_id: &str, team: Option<&str>) -> MemberProfile {
        MemberProfile {
            external_id: external_id.into(),
            display_name: format!("User {external_id}"),
            team: team.map(str::to_owned),
            time_zone: Some("Europe/Berlin".into()),
            utc_offset_minutes: Some(60),
            ..MemberProfile::default()
        }
    }

    #[tokio::test]
    async fn a_profile_refresh_keeps_the_team_a_person_chose() {
        let store = temp_store().await;
        let ws = store
            .upsert_workspace(Platform::Slack, "T1", "")
            .await
            .unwrap();
        let member = store
            .upsert_member(ws, &profile("U1", Some("Sales")))
            .await
            .unwrap();
        assert_eq!(member.team(), Some("Sales"));
        store.set_chosen_team(member.id, Some("Ops")).await.unwrap();

        let refreshed = store
            .upsert_member(ws, &profile("U1", Some("Marketing")))
            .await
            .unwrap();
        assert_eq!(refreshed.id, member.id);
        assert_eq!(refreshed.profile_team.as_deref(), Some("Marketing"));
        assert_eq!(refreshed.team(), Some("Ops"));
    }

    #[tokio::test]
    async fn a_profile_without_team_fields_keeps_the_stored_team_and_stays_due_for_a_refresh() {
        let store = temp_store().await;
        let ws = store
            .upsert_workspace(Platform::Slack, "T1", "")
            .await
            .unwrap();
        let listed = MemberProfile {
            without_team_fields: true,
            ..profile("U1", None)
        };
        let new = store.upsert_member(ws, &listed).await.unwrap();
        assert_eq!(
            new.profile_synced_at.timestamp_millis(),
            0,
            "never read in full"
        );
        let soon = Utc::now() + chrono::Duration::seconds(1);
        assert_eq!(
            store.members_needing_refresh(ws, soon, 10).await.unwrap(),
            vec![new]
        );

        let full = store
            .upsert_member(ws, &profile("U1", Some("Sales")))
            .await
            .unwrap();
        assert_eq!(full.profile_team.as_deref(), Some("Sales"));
        let listed_again = store.upsert_member(ws, &listed).await.unwrap();
        assert_eq!(listed_again.profile_team.as_deref(), Some("Sales"));
        assert_eq!(listed_again.profile_synced_at, full.profile_synced_at);
        let earlier = Utc::now() - chrono::Duration::hours(1);
        assert!(
            store
                .members_needing_refresh(ws, earlier, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn members_are_found_by_platform_id_and_by_ids() {
        let store = temp_store().await;
        let ws = store
            .upsert_workspace(Platform::Slack, "T1", "")
            .await
            .unwrap();
        let a = store.upsert_member(ws, &profile("U1", None)).await.unwrap();
        let b = store.upsert_member(ws, &profile("U2", None)).await.unwrap();
        let found = store
            .member_by_external_id(ws, "U2")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found, b);
        assert!(
            store
                .member_by_external_id(ws, "U3")
                .await
                .unwrap()
                .is_none()
        );
        let both = store
            .members_by_ids(&[b.id, a.id, MemberId(999)])
            .await
            .unwrap();
        assert_eq!(both, vec![a, b]);
    }
}
