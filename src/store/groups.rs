use super::{Store, StoreError, StoreResult};
use crate::domain::{Group, GroupId, MemberId, ProgramId, Round, RoundId};

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    round_id: i64,
    position: i64,
    conversation_id: Option<String>,
    /// Member ids as a JSON array (json_group_array), so one query returns whole groups.
    members: String,
}

impl TryFrom<GroupRow> for Group {
    type Error = StoreError;

    fn try_from(row: GroupRow) -> Result<Self, Self::Error> {
        let mut ids: Vec<i64> = serde_json::from_str(&row.members)
            .map_err(|err| StoreError::Corrupt(format!("group {} members: {err}", row.id)))?;
        ids.sort_unstable();
        Ok(Group {
            id: GroupId(row.id),
            round_id: RoundId(row.round_id),
            position: row.position,
            members: ids.into_iter().map(MemberId).collect(),
            conversation_id: row.conversation_id,
        })
    }
}

macro_rules! group_select {
    () => {
        "SELECT g.id, g.round_id, g.position, g.conversation_id,
                (SELECT json_group_array(gm.member_id) FROM group_members gm
                  WHERE gm.group_id = g.id) AS members
         FROM groups g "
    };
}

impl Store {
    pub async fn group(&self, id: GroupId) -> StoreResult<Option<Group>> {
        let row: Option<GroupRow> = sqlx::query_as(concat!(group_select!(), "WHERE g.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(Group::try_from).transpose()
    }

    /// A round's groups in position order.
    pub async fn round_groups(&self, round: RoundId) -> StoreResult<Vec<Group>> {
        let rows: Vec<GroupRow> = sqlx::query_as(concat!(
            group_select!(),
            "WHERE g.round_id = $1 ORDER BY g.position"
        ))
        .bind(round.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Group::try_from).collect()
    }

    /// The groups a member was in, newest round first, with their rounds.
    pub async fn member_groups(
        &self,
        member: MemberId,
        limit: u32,
    ) -> StoreResult<Vec<(Round, Group)>> {
        let rows: Vec<GroupRow> = sqlx::query_as(concat!(
            group_select!(),
            "JOIN rounds r ON r.id = g.round_id
             WHERE g.id IN (SELECT group_id FROM group_members WHERE member_id = $1)
             ORDER BY r.scheduled_for DESC, g.id DESC LIMIT $2"
        ))
        .bind(member.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let group = Group::try_from(row)?;
            let round = self
                .round(group.round_id)
                .await?
                .ok_or_else(|| StoreError::Corrupt(format!("group {} has no round", group.id)))?;
            out.push((round, group));
        }
        Ok(out)
    }

    /// Every group of a program's rounds numbered `from_seq` or later, as (round seq,
    /// members): the pairing engine's history.
    pub async fn program_history(
        &self,
        program: ProgramId,
        from_seq: i64,
    ) -> StoreResult<Vec<(i64, Vec<MemberId>)>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT r.seq, (SELECT json_group_array(gm.member_id) FROM group_members gm
                             WHERE gm.group_id = g.id)
             FROM groups g JOIN rounds r ON r.id = g.round_id
             WHERE r.program_id = $1 AND r.seq >= $2
             ORDER BY r.seq, g.position",
        )
        .bind(program.0)
        .bind(from_seq)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(seq, members)| {
                let ids: Vec<i64> = serde_json::from_str(&members)
                    .map_err(|err| StoreError::Corrupt(format!("history: {err}")))?;
                Ok((seq, ids.into_iter().map(MemberId).collect()))
            })
            .collect()
    }

    /// Remembers the platform conversation a group's messages go to.
    pub async fn set_group_conversation(
        &self,
        group: GroupId,
        conversation_id: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE groups SET conversation_id = $1 WHERE id = $2")
            .bind(conversation_id)
            .bind(group.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
