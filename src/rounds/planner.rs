//! Planning a round: snapshot who takes part, ask the engine for groups, and write the
//! round, its groups and every message it will owe in one transaction.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use pourover_pairing as pairing;

use super::RoundError;
use super::closer::RoundCloser;
use super::seed::round_seed;
use crate::chat::IntroFanout;
use crate::domain::{
    EnrollmentState, LocalZone, Member, MemberId, OutboxPayload, OwedMessage, Program, Round,
    RoundState,
};
use crate::roster::RosterPolicy;
use crate::store::{GroupRef, NewOutboxItem, NewRound, RosterEffects, RoundWrite, Store};
use crate::telemetry::metrics::Metrics;

/// Settings the planner needs besides the program's own.
#[derive(Debug, Clone)]
pub struct RoundConfig {
    /// One opens each intro, rotating by round and group.
    pub icebreakers: Vec<String>,
    pub policy: RosterPolicy,
    /// Pause people after this many ignored intros in a row (0 = never).
    pub ghost_pause_after: u32,
}

/// A round as planned (or as it would be, for a dry run).
#[derive(Debug, Clone)]
pub struct PlannedRound {
    /// None for a dry run.
    pub round: Option<Round>,
    pub seq: i64,
    pub scheduled_for: DateTime<Utc>,
    pub groups: Vec<Vec<Member>>,
    /// People the engine could not place, with the engine's reason.
    pub unplaced: Vec<(Member, pairing::UnplacedReason)>,
    pub participants: usize,
    pub quality: pairing::Quality,
}

#[derive(Debug, Clone)]
pub enum PlanOutcome {
    Planned(PlannedRound),
    DryRun(PlannedRound),
    /// Fewer than two people took part; the round is recorded as skipped.
    Skipped {
        round: Round,
        participants: usize,
    },
    /// A round for that time already exists (a restart, a second tick or process).
    AlreadyPlanned,
}

/// How many numbers planning tries when other processes keep numbering rounds of the same
/// program first (each try reads the latest round again).
const PLAN_ATTEMPTS: usize = 3;

#[derive(Debug, Clone)]
pub struct RoundPlanner {
    store: Store,
    config: Arc<RoundConfig>,
    metrics: Metrics,
}

impl RoundPlanner {
    pub fn new(store: Store, config: RoundConfig, metrics: Metrics) -> Self {
        Self {
            store,
            config: Arc::new(config),
            metrics,
        }
    }

    pub fn config(&self) -> &RoundConfig {
        &self.config
    }

    /// Plans `program`'s round due at `scheduled_for`. Earlier open rounds of the program
    /// are closed first, so their answers (and ghosts) count before the roster is taken.
    pub async fn plan(
        &self,
        program: &Program,
        scheduled_for: DateTime<Utc>,
        fanout: IntroFanout,
        dry_run: bool,
    ) -> Result<PlanOutcome, RoundError> {
        if !dry_run {
            RoundCloser::new(self.store.clone(), self.config.ghost_pause_after)
                .close_program_rounds(program.id, scheduled_for)
                .await?;
        }
        for _ in 0..PLAN_ATTEMPTS {
            let last = self.store.last_round(program.id).await?;
            let seq = Round::next_seq(last.as_ref());
            match self
                .plan_numbered(program, seq, scheduled_for, fanout, dry_run)
                .await?
            {
                Some(outcome) => return Ok(outcome),
                None => tracing::info!(
                    program = %program.name,
                    seq,
                    "another process numbered a round first; planning again"
                ),
            }
        }
        Err(RoundError::Contended)
    }

    /// Plans the round as number `seq` of the program; None when another round took that
    /// number before this one was saved.
    async fn plan_numbered(
        &self,
        program: &Program,
        seq: i64,
        scheduled_for: DateTime<Utc>,
        fanout: IntroFanout,
        dry_run: bool,
    ) -> Result<Option<PlanOutcome>, RoundError> {
        let snapshot = self.snapshot(program, seq, scheduled_for).await?;
        let (people, history, exclusions) = self
            .engine_input(program, seq, scheduled_for, &snapshot)
            .await?;
        let input = pairing::Input {
            people: &people,
            history: &history,
            exclusions: &exclusions,
            current_round: seq as u64,
            settings: pairing::Settings {
                group_size: usize::from(program.settings.group_size.get()),
                lookback_rounds: u64::from(program.settings.lookback_rounds),
                ..pairing::Settings::default()
            },
        };
        let seed = round_seed(program.id.0, scheduled_for.timestamp_millis());
        let plan = pairing::plan(&input, seed)?;

        let by_id: HashMap<MemberId, Member> = snapshot
            .participants
            .iter()
            .map(|m| (m.id, m.clone()))
            .collect();
        let member = |id: &MemberId| by_id.get(id).cloned();
        let groups: Vec<Vec<Member>> = plan
            .groups
            .iter()
            .map(|group| group.iter().filter_map(member).collect())
            .collect();
        let unplaced: Vec<(Member, pairing::UnplacedReason)> = plan
            .unplaced
            .iter()
            .filter_map(|u| member(&u.id).map(|m| (m, u.reason)))
            .collect();
        let planned = PlannedRound {
            round: None,
            seq,
            scheduled_for,
            groups,
            unplaced,
            participants: snapshot.participants.len(),
            quality: plan.quality,
        };
        if dry_run {
            return Ok(Some(PlanOutcome::DryRun(planned)));
        }

        let nudge_at =
            scheduled_for + Duration::hours(i64::from(program.settings.nudge_after_hours));
        let close_at =
            scheduled_for + Duration::hours(i64::from(program.settings.close_after_hours));
        let skipped = planned.groups.is_empty();
        let new_round = NewRound {
            program: program.id,
            seq,
            scheduled_for,
            state: if skipped {
                RoundState::Skipped
            } else {
                RoundState::Open
            },
            seed,
            nudge_at,
            close_at,
        };
        let outbox = self.owed_messages(program, &planned, fanout, nudge_at, close_at);
        let group_ids: Vec<Vec<MemberId>> = plan.groups.clone();
        let saved = self
            .store
            .save_planned_round(new_round, &group_ids, &outbox, &snapshot.effects)
            .await?;
        let round = match saved {
            RoundWrite::Written((round, _groups)) => round,
            RoundWrite::TimeTaken => return Ok(Some(PlanOutcome::AlreadyPlanned)),
            RoundWrite::NumberTaken => return Ok(None),
        };
        self.metrics.rounds_planned.inc();
        tracing::info!(
            program = %program.name,
            round = round.seq,
            participants = planned.participants,
            groups = planned.groups.len(),
            unplaced = planned.unplaced.len(),
            repeats = planned.quality.score.repeats,
            same_team_pairs = planned.quality.score.same_team_pairs,
            "round planned"
        );
        if skipped {
            return Ok(Some(PlanOutcome::Skipped {
                round,
                participants: planned.participants,
            }));
        }
        Ok(Some(PlanOutcome::Planned(PlannedRound {
            round: Some(round),
            ..planned
        })))
    }

    /// Who takes part in round `seq` at `at`, and what taking the snapshot changes.
    async fn snapshot(
        &self,
        program: &Program,
        seq: i64,
        at: DateTime<Utc>,
    ) -> Result<Snapshot, RoundError> {
        let enrollments = self.store.program_enrollments(program.id).await?;
        let mut effects = RosterEffects {
            program: program.id,
            ..RosterEffects::default()
        };
        let mut taking_part = Vec::new();
        for enrollment in &enrollments {
            let without_skip = crate::domain::Enrollment {
                skip_next: false,
                ..enrollment.clone()
            };
            if !without_skip.takes_part(seq, at) {
                continue;
            }
            if enrollment.skip_next {
                // This was "the next round" for them: the skip is used up.
                effects.clear_skip.push(enrollment.member_id);
                continue;
            }
            if matches!(enrollment.state, EnrollmentState::Paused { .. }) {
                effects.reactivate.push(enrollment.member_id);
            }
            taking_part.push(enrollment.member_id);
        }
        let participants = self
            .store
            .members_by_ids(&taking_part)
            .await?
            .into_iter()
            .filter(|member| self.config.policy.check(member).is_ok())
            .collect();
        Ok(Snapshot {
            participants,
            effects,
        })
    }

    async fn engine_input(
        &self,
        program: &Program,
        seq: i64,
        at: DateTime<Utc>,
        snapshot: &Snapshot,
    ) -> Result<EngineInput, RoundError> {
        let people = snapshot
            .participants
            .iter()
            .map(|member| pairing::Person {
                id: member.id,
                team: member.team().map(str::to_owned),
                utc_offset_minutes: (member.time_zone.is_some()
                    || member.utc_offset_minutes.is_some())
                // The offset on the day of the round: daylight saving may differ from today.
                .then(|| LocalZone::of(member).offset_minutes_at(at)),
            })
            .collect();
        let from_seq = seq - i64::from(program.settings.lookback_rounds);
        let history = self
            .store
            .program_history(program.id, from_seq)
            .await?
            .into_iter()
            .map(|(round, members)| pairing::PastGroup {
                round: round.max(0) as u64,
                members,
            })
            .collect();
        let exclusions = self
            .store
            .workspace_exclusions(program.workspace_id)
            .await?;
        Ok((people, history, exclusions))
    }

    /// Every message the round owes: intros now, a nudge and a closing prompt later, and a
    /// note to anyone who could not be placed.
    fn owed_messages(
        &self,
        program: &Program,
        planned: &PlannedRound,
        fanout: IntroFanout,
        nudge_at: DateTime<Utc>,
        close_at: DateTime<Utc>,
    ) -> Vec<NewOutboxItem> {
        let icebreakers = &self.config.icebreakers;
        let mut items = Vec::new();
        for (position, group) in planned.groups.iter().enumerate() {
            let icebreaker = if icebreakers.is_empty() {
                String::new()
            } else {
                icebreakers[(planned.seq as usize + position) % icebreakers.len()].clone()
            };
            let recipients: Vec<Option<MemberId>> = match fanout {
                IntroFanout::OneConversationPerGroup => vec![None],
                IntroFanout::OneMessagePerMember => group.iter().map(|m| Some(m.id)).collect(),
            };
            for recipient in recipients {
                let program_name = || program.name.clone();
                for (payload, not_before) in [
                    (
                        OutboxPayload::Intro {
                            program: program_name(),
                            icebreaker: icebreaker.clone(),
                        },
                        planned.scheduled_for,
                    ),
                    (
                        OutboxPayload::Nudge {
                            program: program_name(),
                        },
                        nudge_at,
                    ),
                    (
                        OutboxPayload::ClosePrompt {
                            program: program_name(),
                        },
                        close_at,
                    ),
                ] {
                    let owed = OwedMessage::Group {
                        program: program.id,
                        scheduled_for: planned.scheduled_for,
                        position,
                        recipient,
                        kind: payload.kind(),
                    };
                    items.push(NewOutboxItem {
                        key: owed.idempotency_key(),
                        workspace: program.workspace_id,
                        group: Some(GroupRef::Planned(position)),
                        recipient,
                        payload,
                        not_before,
                    });
                }
            }
        }
        for (member, _reason) in &planned.unplaced {
            items.push(unplaced_notice(program, member, planned.scheduled_for));
        }
        items
    }
}

fn unplaced_notice(program: &Program, member: &Member, at: DateTime<Utc>) -> NewOutboxItem {
    let owed = OwedMessage::Unplaced {
        program: program.id,
        scheduled_for: at,
        member: member.id,
    };
    NewOutboxItem {
        key: owed.idempotency_key(),
        workspace: program.workspace_id,
        group: None,
        recipient: Some(member.id),
        payload: OutboxPayload::Notice {
            program: program.name.clone(),
            text: format!(
                "Sorry — I couldn't find anyone for you to meet in *{}* this round. \
                 You'll be in the next one. ☕",
                program.name
            ),
        },
        not_before: at,
    }
}

struct Snapshot {
    participants: Vec<Member>,
    effects: RosterEffects,
}

type EngineInput = (
    Vec<pairing::Person<MemberId>>,
    Vec<pairing::PastGroup<MemberId>>,
    Vec<(MemberId, MemberId)>,
);
