use chrono::{DateTime, Utc};

use super::enrollments::transition_enrollments;
use super::{Store, StoreResult, from_ms, parse_stored, to_ms};
use crate::domain::{EnrollmentTransition, Feedback, FeedbackAnswer, GroupId, MemberId, ProgramId};

impl Store {
    /// One answer per person per group: a later press replaces an earlier one. Answering
    /// also ends a streak of ignored intros in every program the person is in.
    pub async fn record_feedback(
        &self,
        group: GroupId,
        member: MemberId,
        answer: FeedbackAnswer,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO feedback (group_id, member_id, answer, answered_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (group_id, member_id) DO UPDATE
                SET answer = excluded.answer, answered_at = excluded.answered_at",
        )
        .bind(group.0)
        .bind(member.0)
        .bind(answer.as_str())
        .bind(to_ms(at))
        .execute(&mut *tx)
        .await?;
        if answer != FeedbackAnswer::NoAnswer {
            let program: Option<i64> = sqlx::query_scalar(
                "SELECT r.program_id FROM groups g JOIN rounds r ON r.id = g.round_id
                 WHERE g.id = $1",
            )
            .bind(group.0)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(program) = program {
                transition_enrollments(
                    &mut tx,
                    member,
                    Some(ProgramId(program)),
                    EnrollmentTransition::Engaged,
                    at,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every answer given in a group, by member id.
    pub async fn group_feedback(&self, group: GroupId) -> StoreResult<Vec<Feedback>> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT member_id, answer, answered_at FROM feedback WHERE group_id = $1 ORDER BY member_id",
        )
        .bind(group.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(member, answer, at)| {
                Ok(Feedback {
                    group_id: group,
                    member_id: MemberId(member),
                    answer: parse_stored(&answer)?,
                    answered_at: from_ms(at)?,
                })
            })
            .collect()
    }
}
