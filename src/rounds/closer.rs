//! Closing rounds: answers are counted, silence becomes `no_answer`, and people who ignore
//! intro after intro are paused (with a message telling them how to come back).

use std::collections::HashSet;

use super::RoundError;
use crate::domain::{
    EnrollmentTransition, GroupId, MemberId, OutboxPayload, OwedMessage, ProgramId, Round,
};
use crate::store::{ClosingMember, NewOutboxItem, RoundClosing, Store};
use chrono::{DateTime, Duration, Utc};

/// How long after the closing prompt people may still answer before the round is counted.
pub const ANSWER_WINDOW: Duration = Duration::hours(24);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloseReport {
    pub rounds_closed: usize,
    pub no_answers: u64,
    pub paused: Vec<MemberId>,
}

impl CloseReport {
    fn add(&mut self, closing: &RoundClosing, paused: Vec<MemberId>) {
        self.rounds_closed += 1;
        self.no_answers += closing.no_answer.len() as u64;
        self.paused.extend(paused);
    }
}

#[derive(Debug, Clone)]
pub struct RoundCloser {
    store: Store,
    ghost_pause_after: u32,
}

impl RoundCloser {
    pub fn new(store: Store, ghost_pause_after: u32) -> Self {
        Self {
            store,
            ghost_pause_after,
        }
    }

    /// Closes every open round whose answer window has passed at `now`.
    pub async fn close_due(&self, now: DateTime<Utc>) -> Result<CloseReport, RoundError> {
        let mut report = CloseReport::default();
        for round in self.store.rounds_to_close(now - ANSWER_WINDOW).await? {
            self.close(&round, now, &mut report).await?;
        }
        Ok(report)
    }

    /// Closes a program's open rounds scheduled before `before` (a new round is starting:
    /// the old ones' answers must count before its roster is taken).
    pub async fn close_program_rounds(
        &self,
        program: ProgramId,
        before: DateTime<Utc>,
    ) -> Result<CloseReport, RoundError> {
        let mut report = CloseReport::default();
        for round in self.store.open_rounds_before(program, before).await? {
            self.close(&round, before, &mut report).await?;
        }
        Ok(report)
    }

    async fn close(
        &self,
        round: &Round,
        now: DateTime<Utc>,
        report: &mut CloseReport,
    ) -> Result<(), RoundError> {
        let Some(program) = self.store.program(round.program_id).await? else {
            return Ok(());
        };
        let round_id = round.id;
        let notice = move |member: MemberId, ignored: u32| NewOutboxItem {
            key: OwedMessage::GhostPause {
                round: round_id,
                member,
            }
            .idempotency_key(),
            workspace: program.workspace_id,
            group: None,
            recipient: Some(member),
            payload: OutboxPayload::GhostPause {
                program: program.name.clone(),
                ignored_in_a_row: ignored,
            },
            not_before: now,
        };
        let ghost_pause_after = self.ghost_pause_after;
        let decide =
            |members: &[ClosingMember]| decide_closing(members, ghost_pause_after, &notice);
        if let Some(closing) = self.store.close_round(round, now, &decide).await? {
            let paused: Vec<MemberId> = closing
                .notices
                .iter()
                .filter_map(|notice| notice.recipient)
                .collect();
            if !paused.is_empty() {
                tracing::info!(round = %round.id, paused = paused.len(), "paused people who ignored their intros");
            }
            report.add(&closing, paused);
        }
        Ok(())
    }
}

/// The rules of closing a round, from what the closing transaction read:
/// - whoever was introduced and gave no answer is recorded as `no_answer`;
/// - whoever showed no sign of engaging (no answer of their own, and nobody in their group
///   said they met or planned to) has their streak of ignored intros grow, everyone else
///   introduced starts a fresh one;
/// - a streak reaching `ghost_pause_after` (0: never) pauses an active person, who is owed
///   `notice(member, streak)`.
///
/// Someone whose intro never reached them was never asked: they get no `no_answer`, and
/// their streak neither grows nor resets.
fn decide_closing(
    members: &[ClosingMember],
    ghost_pause_after: u32,
    notice: &dyn Fn(MemberId, u32) -> NewOutboxItem,
) -> RoundClosing {
    let engaged_groups: HashSet<GroupId> = members
        .iter()
        .filter(|m| m.answer.is_some_and(|answer| answer.shows_engagement()))
        .map(|m| m.group)
        .collect();
    let mut closing = RoundClosing::default();
    for person in members.iter().filter(|m| m.intro_arrived) {
        if person.answer.is_none() {
            closing.no_answer.push((person.group, person.member));
        }
        let ignored = person.answer.is_none() && !engaged_groups.contains(&person.group);
        let transition = if ignored {
            EnrollmentTransition::IgnoredIntro
        } else {
            EnrollmentTransition::Engaged
        };
        let Some(mut after) = person
            .enrollment
            .as_ref()
            .and_then(|enrollment| enrollment.after(transition))
        else {
            continue;
        };
        let too_many = ghost_pause_after > 0 && after.ignored_streak >= ghost_pause_after;
        if ignored
            && too_many
            && let Some(paused) = after.after(EnrollmentTransition::GhostPause)
        {
            closing
                .notices
                .push(notice(person.member, paused.ignored_streak));
            after = paused;
        }
        closing.enrollments.push(after);
    }
    closing
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::domain::{
        Cadence, Enrollment, EnrollmentState, FeedbackAnswer, ProgramName, WorkspaceId,
    };

    fn person(
        group: i64,
        member: i64,
        answer: Option<FeedbackAnswer>,
        streak: u32,
    ) -> ClosingMember {
        ClosingMember {
            group: GroupId(group),
            member: MemberId(member),
            intro_arrived: true,
            answer,
            enrollment: Some(Enrollment {
                program_id: ProgramId(1),
                member_id: MemberId(member),
                state: EnrollmentState::Active,
                cadence: Cadence::Weekly,
                cadence_slot: 0,
                skip_next: false,
                ignored_streak: streak,
                joined_at: DateTime::UNIX_EPOCH,
            }),
        }
    }

    fn notice(member: MemberId, ignored_in_a_row: u32) -> NewOutboxItem {
        NewOutboxItem {
            key: format!("ghost-m{member}"),
            workspace: WorkspaceId(1),
            group: None,
            recipient: Some(member),
            payload: OutboxPayload::GhostPause {
                program: ProgramName::parse("coffee").unwrap(),
                ignored_in_a_row,
            },
            not_before: DateTime::UNIX_EPOCH,
        }
    }

    fn streaks(closing: &RoundClosing) -> Vec<(i64, u32, EnrollmentState)> {
        closing
            .enrollments
            .iter()
            .map(|e| (e.member_id.0, e.ignored_streak, e.state))
            .collect()
    }

    #[test]
    fn silence_in_a_silent_group_grows_the_streak_and_the_third_pauses() {
        let members = [person(1, 1, None, 2), person(1, 2, None, 0)];
        let closing = decide_closing(&members, 3, &notice);
        assert_eq!(
            closing.no_answer,
            vec![(GroupId(1), MemberId(1)), (GroupId(1), MemberId(2))]
        );
        let paused = EnrollmentState::Paused { until: None };
        assert_eq!(
            streaks(&closing),
            vec![(1, 3, paused), (2, 1, EnrollmentState::Active)]
        );
        assert_eq!(closing.notices, vec![notice(MemberId(1), 3)]);
    }

    #[test]
    fn a_partner_who_met_or_planned_counts_for_the_silent_one_but_a_skip_does_not() {
        let met = [
            person(1, 1, None, 2),
            person(1, 2, Some(FeedbackAnswer::Planned), 0),
        ];
        let closing = decide_closing(&met, 3, &notice);
        assert_eq!(closing.no_answer, vec![(GroupId(1), MemberId(1))]);
        assert_eq!(
            streaks(&closing),
            vec![
                (1, 0, EnrollmentState::Active),
                (2, 0, EnrollmentState::Active)
            ]
        );
        assert!(closing.notices.is_empty());

        let skipped = [
            person(1, 1, None, 0),
            person(1, 2, Some(FeedbackAnswer::Skipped), 4),
        ];
        let closing = decide_closing(&skipped, 3, &notice);
        assert_eq!(
            streaks(&closing),
            vec![
                (1, 1, EnrollmentState::Active),
                (2, 0, EnrollmentState::Active)
            ]
        );
    }

    #[test]
    fn an_intro_that_never_arrived_asks_nothing_and_changes_no_streak() {
        let mut lost = person(1, 1, None, 2);
        lost.intro_arrived = false;
        let closing = decide_closing(&[lost], 3, &notice);
        assert_eq!(closing, RoundClosing::default());
    }

    #[test]
    fn nobody_is_paused_when_ghost_pausing_is_off_or_they_are_already_paused() {
        let closing = decide_closing(&[person(1, 1, None, 9)], 0, &notice);
        assert!(closing.notices.is_empty());
        assert_eq!(streaks(&closing), vec![(1, 10, EnrollmentState::Active)]);

        let mut on_holiday = person(1, 1, None, 2);
        if let Some(enrollment) = &mut on_holiday.enrollment {
            enrollment.state = EnrollmentState::Paused { until: None };
        }
        let closing = decide_closing(&[on_holiday], 3, &notice);
        assert!(closing.notices.is_empty());
    }
}
