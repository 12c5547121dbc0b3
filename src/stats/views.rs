//! Records regrouped the way every figure reads them: rounds in order, each with its groups,
//! each member with their answer and whether their introduction reached them.

use std::collections::HashMap;

use serde::Serialize;

use crate::domain::records::{GroupRecord, ProgramRecords, RoundRecord};
use crate::domain::{FeedbackAnswer, GroupId, MemberId, OutboxState, RoundId, RoundState};

/// Whether a participant's introduction reached them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntroStatus {
    /// The group's message or their own was sent.
    Delivered,
    /// Refused for good by the platform, and nothing else reached them.
    Failed,
    /// Queued, being sent, or not queued (yet).
    Waiting,
}

impl IntroStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IntroStatus::Delivered => "delivered",
            IntroStatus::Failed => "failed",
            IntroStatus::Waiting => "waiting",
        }
    }
}

/// What a group reported, from its members' last answers: the strongest answer wins
/// (`met` > `planned` > `skipped` > nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupOutcome {
    Met,
    Planned,
    Skipped,
    NoAnswer,
}

impl GroupOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupOutcome::Met => "met",
            GroupOutcome::Planned => "planned",
            GroupOutcome::Skipped => "skipped",
            GroupOutcome::NoAnswer => "no_answer",
        }
    }
}

/// A group with what each member answered and received; vectors follow `group.members`.
#[derive(Debug, Clone)]
pub(crate) struct GroupView<'a> {
    pub group: &'a GroupRecord,
    /// None: no feedback row.
    pub answers: Vec<Option<FeedbackAnswer>>,
    pub intros: Vec<IntroStatus>,
}

impl GroupView<'_> {
    pub fn outcome(&self) -> GroupOutcome {
        let said = |wanted: FeedbackAnswer| self.answers.contains(&Some(wanted));
        if said(FeedbackAnswer::Met) {
            GroupOutcome::Met
        } else if said(FeedbackAnswer::Planned) {
            GroupOutcome::Planned
        } else if said(FeedbackAnswer::Skipped) {
            GroupOutcome::Skipped
        } else {
            GroupOutcome::NoAnswer
        }
    }

    /// Members who answered `met`, `planned` or `skipped`.
    pub fn answered(&self) -> u64 {
        self.answers
            .iter()
            .filter(|answer| answer.is_some_and(|a| a != FeedbackAnswer::NoAnswer))
            .count() as u64
    }

    /// The people who met in this group (see `figures` for the rule); empty unless it met.
    pub fn met_members(&self) -> Vec<MemberId> {
        if self.outcome() != GroupOutcome::Met {
            return Vec::new();
        }
        let present: Vec<MemberId> = self
            .group
            .members
            .iter()
            .zip(&self.answers)
            .filter(|(_, answer)| **answer != Some(FeedbackAnswer::Skipped))
            .map(|(member, _)| *member)
            .collect();
        if present.len() >= 2 {
            present
        } else {
            self.group.members.clone()
        }
    }

    /// Every pair of members introduced to each other, each as (smaller id, larger id).
    pub fn introduced_pairs(&self) -> Vec<(MemberId, MemberId)> {
        pairs_of(&self.group.members)
    }
}

/// A round with its groups in planned order.
#[derive(Debug, Clone)]
pub(crate) struct RoundView<'a> {
    pub round: &'a RoundRecord,
    pub groups: Vec<GroupView<'a>>,
}

/// Unordered pairs of distinct people, each as (smaller id, larger id).
pub(crate) fn pairs_of(members: &[MemberId]) -> Vec<(MemberId, MemberId)> {
    let mut pairs = Vec::new();
    for (i, a) in members.iter().enumerate() {
        for b in &members[i + 1..] {
            if a != b {
                pairs.push((*a.min(b), *a.max(b)));
            }
        }
    }
    pairs
}

/// The rounds that happened, oldest first: those with groups, and skipped ones. Rounds only
/// scheduled so far are left out: nothing happened in them yet.
pub(crate) fn round_views(records: &ProgramRecords) -> Vec<RoundView<'_>> {
    let mut answers: HashMap<(GroupId, MemberId), FeedbackAnswer> = HashMap::new();
    for feedback in &records.feedback {
        answers.insert((feedback.group_id, feedback.member_id), feedback.answer);
    }
    let mut intro_states: HashMap<GroupId, Vec<(Option<MemberId>, OutboxState)>> = HashMap::new();
    for intro in &records.intros {
        intro_states
            .entry(intro.group_id)
            .or_default()
            .push((intro.recipient, intro.state));
    }
    let mut groups_by_round: HashMap<RoundId, Vec<&GroupRecord>> = HashMap::new();
    for group in &records.groups {
        groups_by_round
            .entry(group.round_id)
            .or_default()
            .push(group);
    }

    let mut rounds: Vec<&RoundRecord> = records.rounds.iter().collect();
    rounds.sort_by_key(|round| round.seq);
    rounds
        .into_iter()
        .filter_map(|round| {
            let mut groups = groups_by_round.remove(&round.id).unwrap_or_default();
            if groups.is_empty() && round.state != RoundState::Skipped {
                return None;
            }
            groups.sort_by_key(|group| group.position);
            let groups = groups
                .into_iter()
                .map(|group| {
                    let rows = intro_states
                        .get(&group.id)
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    GroupView {
                        group,
                        answers: group
                            .members
                            .iter()
                            .map(|member| answers.get(&(group.id, *member)).copied())
                            .collect(),
                        intros: group
                            .members
                            .iter()
                            .map(|member| intro_status(rows, *member))
                            .collect(),
                    }
                })
                .collect();
            Some(RoundView { round, groups })
        })
        .collect()
}

/// What reached `member`: a sent row wins (a resend may have succeeded after a failure on
/// another row), then anything still in flight, then a permanent failure.
fn intro_status(rows: &[(Option<MemberId>, OutboxState)], member: MemberId) -> IntroStatus {
    let theirs = || {
        rows.iter()
            .filter(move |(recipient, _)| recipient.is_none_or(|r| r == member))
            .map(|(_, state)| *state)
    };
    if theirs().any(|state| state == OutboxState::Sent) {
        IntroStatus::Delivered
    } else if theirs().any(|state| matches!(state, OutboxState::Pending | OutboxState::Sending)) {
        IntroStatus::Waiting
    } else if theirs().any(|state| state == OutboxState::Failed) {
        IntroStatus::Failed
    } else {
        IntroStatus::Waiting
    }
}
