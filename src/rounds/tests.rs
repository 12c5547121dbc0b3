//! Planning and closing rounds against a real (temporary) database.

use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::chat::IntroFanout;
use crate::domain::{
    Cadence, EnrollmentState, FeedbackAnswer, MemberId, MemberProfile, OutboxKind, Program,
    RoundState,
};
use crate::roster::RosterPolicy;
use crate::store::test_support::{TempStore, coffee_program, temp_store};
use crate::telemetry::metrics::Metrics;

struct Fixture {
    store: TempStore,
    program: Program,
    members: Vec<MemberId>,
    planner: RoundPlanner,
}

async fn fixture(people: usize, teams: usize) -> Fixture {
    let store = temp_store().await;
    let program = coffee_program(&store).await;
    let ws = program.workspace_id;
    let mut members = Vec::new();
    for i in 0..people {
        let profile = MemberProfile {
            external_id: format!("U{i:03}"),
            display_name: format!("Person {i}"),
            team: Some(format!("Team {}", i % teams)),
            time_zone: Some("Europe/Berlin".into()),
            utc_offset_minutes: Some(60),
            ..MemberProfile::default()
        };
        let member = store.upsert_member(ws, &profile).await.unwrap();
        store.enroll(program.id, member.id).await.unwrap();
        members.push(member.id);
    }
    let planner = RoundPlanner::new(
        store.store.clone(),
        RoundConfig {
            icebreakers: vec!["Q1".into(), "Q2".into()],
            policy: RosterPolicy {
                enroll_guests: false,
            },
            ghost_pause_after: 3,
        },
        Metrics::new(),
    );
    Fixture {
        store,
        program,
        members,
        planner,
    }
}

fn at(day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, 9, 0, 0).unwrap()
}

async fn plan(f: &Fixture, when: chrono::DateTime<Utc>) -> PlannedRound {
    match f
        .planner
        .plan(
            &f.program,
            when,
            IntroFanout::OneConversationPerGroup,
            false,
        )
        .await
        .unwrap()
    {
        PlanOutcome::Planned(planned) => planned,
        other => panic!("expected a planned round, got {other:?}"),
    }
}

#[tokio::test]
async fn a_round_places_everyone_once_and_owes_an_intro_nudge_and_prompt_per_group() {
    let f = fixture(41, 6).await;
    let planned = plan(&f, at(7)).await;
    let round = planned.round.clone().unwrap();
    let groups = f.store.round_groups(round.id).await.unwrap();
    assert_eq!(groups.len(), 20);
    assert_eq!(groups.iter().filter(|g| g.members.len() == 3).count(), 1);
    let mut everyone: Vec<MemberId> = groups.iter().flat_map(|g| g.members.clone()).collect();
    everyone.sort();
    assert_eq!(everyone, f.members);
    assert_eq!(planned.quality.score.same_team_pairs, 0);
    for group in &groups {
        let owed = f.store.group_outbox(group.id).await.unwrap();
        let kinds: Vec<OutboxKind> = owed.iter().map(|o| o.kind).collect();
        assert_eq!(
            kinds,
            vec![
                OutboxKind::Intro,
                OutboxKind::Nudge,
                OutboxKind::ClosePrompt
            ]
        );
        assert_eq!(owed[0].not_before, at(7));
        assert_eq!(owed[1].not_before, at(7) + Duration::hours(72));
        assert_eq!(owed[2].not_before, at(7) + Duration::hours(144));
        assert!(owed.iter().all(|o| o.recipient.is_none()));
    }
}

#[tokio::test]
async fn per_member_platforms_get_one_intro_per_person() {
    let f = fixture(4, 2).await;
    let planned = match f
        .planner
        .plan(&f.program, at(7), IntroFanout::OneMessagePerMember, false)
        .await
        .unwrap()
    {
        PlanOutcome::Planned(p) => p,
        other => panic!("{other:?}"),
    };
    let groups = f
        .store
        .round_groups(planned.round.unwrap().id)
        .await
        .unwrap();
    for group in groups {
        let intros: Vec<_> = f
            .store
            .group_outbox(group.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|o| o.kind == OutboxKind::Intro)
            .collect();
        let mut recipients: Vec<MemberId> = intros.iter().filter_map(|o| o.recipient).collect();
        recipients.sort();
        assert_eq!(recipients, group.members);
    }
}

#[tokio::test]
async fn planning_the_same_time_twice_creates_one_round() {
    let f = fixture(6, 3).await;
    plan(&f, at(7)).await;
    let again = f
        .planner
        .plan(
            &f.program,
            at(7),
            IntroFanout::OneConversationPerGroup,
            false,
        )
        .await
        .unwrap();
    assert!(matches!(again, PlanOutcome::AlreadyPlanned));
    assert_eq!(f.store.program_rounds(f.program.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_dry_run_writes_nothing() {
    let f = fixture(6, 3).await;
    let outcome = f
        .planner
        .plan(
            &f.program,
            at(7),
            IntroFanout::OneConversationPerGroup,
            true,
        )
        .await
        .unwrap();
    let PlanOutcome::DryRun(planned) = outcome else {
        panic!("expected a dry run");
    };
    assert_eq!(planned.groups.len(), 3);
    assert!(
        f.store
            .program_rounds(f.program.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn skipping_paused_and_cadence_decide_who_takes_part() {
    let f = fixture(8, 4).await;
    let (skipper, paused, expired, biweekly) =
        (f.members[0], f.members[1], f.members[2], f.members[3]);
    f.store.skip_next_round(skipper).await.unwrap();
    f.store.pause_member(paused, None).await.unwrap();
    f.store.pause_member(expired, Some(at(6))).await.unwrap();
    f.store
        .set_cadence(biweekly, Cadence::Biweekly)
        .await
        .unwrap();
    let slot = f
        .store
        .enrollment(f.program.id, biweekly)
        .await
        .unwrap()
        .unwrap()
        .cadence_slot;

    let first = plan(&f, at(7)).await;
    let in_first: Vec<MemberId> = first.groups.iter().flatten().map(|m| m.id).collect();
    assert!(
        !in_first.contains(&skipper),
        "a skip sits out the next round"
    );
    assert!(!in_first.contains(&paused));
    assert!(
        in_first.contains(&expired),
        "an expired pause takes part again"
    );
    assert_eq!(
        in_first.contains(&biweekly),
        Cadence::Biweekly.is_due(slot, 1)
    );
    let expired_now = f
        .store
        .enrollment(f.program.id, expired)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(expired_now.state, EnrollmentState::Active);

    let second = plan(&f, at(14)).await;
    let in_second: Vec<MemberId> = second.groups.iter().flatten().map(|m| m.id).collect();
    assert!(
        in_second.contains(&skipper),
        "the skip was used up by the first round"
    );
    assert_eq!(
        in_second.contains(&biweekly),
        Cadence::Biweekly.is_due(slot, 2)
    );
}

#[tokio::test]
async fn the_next_round_avoids_last_rounds_pairs() {
    let f = fixture(10, 10).await;
    let first = plan(&f, at(7)).await;
    let second = plan(&f, at(14)).await;
    assert_eq!(second.quality.score.repeats, 0);
    let pairs = |p: &PlannedRound| -> Vec<(MemberId, MemberId)> {
        p.groups.iter().map(|g| (g[0].id, g[1].id)).collect()
    };
    for pair in pairs(&second) {
        assert!(!pairs(&first).contains(&pair));
    }
}

#[tokio::test]
async fn one_person_alone_gets_a_skipped_round_and_a_note() {
    let f = fixture(1, 1).await;
    let outcome = f
        .planner
        .plan(
            &f.program,
            at(7),
            IntroFanout::OneConversationPerGroup,
            false,
        )
        .await
        .unwrap();
    let PlanOutcome::Skipped {
        round,
        participants,
    } = outcome
    else {
        panic!("expected a skipped round, got {outcome:?}");
    };
    assert_eq!(participants, 1);
    assert_eq!(round.state, RoundState::Skipped);
    let due = f
        .store
        .claim_due_outbox(at(8), at(8), at(9), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].kind, OutboxKind::Notice);
    assert_eq!(due[0].recipient, Some(f.members[0]));
}

#[tokio::test]
async fn people_who_ignore_three_intros_in_a_row_are_paused_with_a_notice() {
    let f = fixture(4, 2).await;
    let ghost = f.members[0];
    for week in 0..3 {
        let planned = plan(&f, at(1 + 7 * week)).await;
        // Everyone but the ghost answers; the ghost's partner only skips, so nothing says
        // the ghost engaged.
        for group in &planned.groups {
            for member in group {
                if member.id != ghost {
                    let answer = if group.iter().any(|m| m.id == ghost) {
                        FeedbackAnswer::Skipped
                    } else {
                        FeedbackAnswer::Met
                    };
                    let group_id = f.store.member_groups(member.id, 1).await.unwrap()[0].1.id;
                    f.store
                        .record_feedback(group_id, member.id, answer, at(2 + 7 * week))
                        .await
                        .unwrap();
                }
            }
        }
    }
    let closer = RoundCloser::new(f.store.store.clone(), 3);
    let report = closer.close_due(at(28)).await.unwrap();
    assert_eq!(
        report.rounds_closed, 1,
        "earlier rounds were closed by later planning"
    );
    assert_eq!(report.paused, vec![ghost]);
    let enrollment = f
        .store
        .enrollment(f.program.id, ghost)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(enrollment.state, EnrollmentState::Paused { until: None });
    assert_eq!(enrollment.ignored_streak, 3);
    let others = f
        .store
        .enrollment(f.program.id, f.members[1])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(others.state, EnrollmentState::Active);
    let notices: Vec<_> = f
        .store
        .claim_due_outbox(at(28), at(28), at(29), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.kind == OutboxKind::GhostPause)
        .collect();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].recipient, Some(ghost));
    // Closing again changes nothing.
    assert_eq!(
        closer.close_due(at(29)).await.unwrap(),
        CloseReport::default()
    );
}

#[tokio::test]
async fn a_partner_saying_we_met_counts_as_engaging() {
    let f = fixture(2, 2).await;
    for week in 0..3 {
        let planned = plan(&f, at(1 + 7 * week)).await;
        let group = f
            .store
            .round_groups(planned.round.unwrap().id)
            .await
            .unwrap()
            .remove(0);
        f.store
            .record_feedback(
                group.id,
                f.members[1],
                FeedbackAnswer::Met,
                at(2 + 7 * week),
            )
            .await
            .unwrap();
    }
    let report = RoundCloser::new(f.store.store.clone(), 3)
        .close_due(at(28))
        .await
        .unwrap();
    assert!(report.paused.is_empty());
    let silent = f
        .store
        .enrollment(f.program.id, f.members[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(silent.ignored_streak, 0);
    assert_eq!(silent.state, EnrollmentState::Active);
}

#[tokio::test]
async fn intros_that_never_arrived_are_not_counted_as_ignored() {
    let f = fixture(2, 2).await;
    for week in 0..3 {
        let planned = plan(&f, at(1 + 7 * week)).await;
        // Slack refused every intro: nobody could have answered.
        for group in f
            .store
            .round_groups(planned.round.unwrap().id)
            .await
            .unwrap()
        {
            for item in f.store.group_outbox(group.id).await.unwrap() {
                if item.kind == OutboxKind::Intro {
                    f.store
                        .mark_outbox_failed(item.id, "refused: slack: user_disabled")
                        .await
                        .unwrap();
                }
            }
        }
    }
    let report = RoundCloser::new(f.store.store.clone(), 3)
        .close_due(at(28))
        .await
        .unwrap();
    assert!(report.paused.is_empty(), "{report:?}");
    assert_eq!(report.no_answers, 0, "nobody owes an answer: {report:?}");
    for member in &f.members {
        let enrollment = f
            .store
            .enrollment(f.program.id, *member)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(enrollment.ignored_streak, 0);
        assert_eq!(enrollment.state, EnrollmentState::Active);
    }
}

#[tokio::test]
async fn the_number_the_engine_was_given_is_the_number_stored() {
    let f = fixture(6, 2).await;
    for (day, seq) in [(7, 1), (14, 2), (21, 3)] {
        let planned = plan(&f, at(day)).await;
        assert_eq!(planned.seq, seq);
        assert_eq!(planned.round.map(|round| round.seq), Some(seq));
    }
}
