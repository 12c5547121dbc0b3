//! Figures checked against numbers worked out by hand (the comments show the working).

use chrono::{DateTime, Duration, Utc};

use super::fixtures::{Intro, ProgramBuilder, first_round_at};
use super::*;
use crate::domain::{EnrollmentState, FeedbackAnswer::*, OutboxState::*, RoundState};

fn now() -> DateTime<Utc> {
    first_round_at() + Duration::weeks(3)
}

/// Three known teams and some unknown ones over three rounds:
///
/// | id | name | team    | enrollment              |
/// |----|------|---------|-------------------------|
/// | 1  | Ada  | Eng     | active                  |
/// | 2  | Bob  | Eng     | active                  |
/// | 3  | Cy   | Sales   | active                  |
/// | 4  | Di   | Sales   | active                  |
/// | 5  | Ed   | Ops     | active                  |
/// | 6  | Flo  | unknown | paused, no end date     |
/// | 7  | Gus  | "  "    | paused until yesterday  |
/// | 8  | Hal  | Ops     | left                    |
///
/// Round 1 (closed, one intro per group): [1,3] met by 1 (sent); [2,4] planned by 2, 4 said
/// no_answer (sent); [5,6] silent (failed).
/// Round 2 (closed, one intro per member, Teams-style): [1,5] both met (sent, sent); [2,3] 2
/// skipped (sent, failed); [4,6] met by 4 (pending, sent).
/// Round 3 (open): [1,3] met by 3 (group intro pending, a repeat); [2,6] silent (no intro
/// row); [4,5] silent (group intro sending).
fn three_rounds() -> ProgramRecords {
    ProgramBuilder::new(1, "coffee")
        .person(1, "Ada", Some("Eng"))
        .person(2, "Bob", Some("Eng"))
        .person(3, "Cy", Some("Sales"))
        .person(4, "Di", Some("Sales"))
        .person(5, "Ed", Some("Ops"))
        .person_in_state(6, "Flo", None, EnrollmentState::Paused { until: None })
        .person_in_state(
            7,
            "Gus",
            Some("  "),
            EnrollmentState::Paused {
                until: Some(now() - Duration::days(1)),
            },
        )
        .person_in_state(8, "Hal", Some("Ops"), EnrollmentState::Left)
        .round(1, RoundState::Closed)
        .round(2, RoundState::Closed)
        .round(3, RoundState::Open)
        .group(1, &[1, 3], Intro::Group(Sent), &[(1, Met)])
        .group(
            1,
            &[2, 4],
            Intro::Group(Sent),
            &[(2, Planned), (4, NoAnswer)],
        )
        .group(1, &[5, 6], Intro::Group(Failed), &[])
        .group(
            2,
            &[1, 5],
            Intro::PerMember(vec![Sent, Sent]),
            &[(1, Met), (5, Met)],
        )
        .group(
            2,
            &[2, 3],
            Intro::PerMember(vec![Sent, Failed]),
            &[(2, Skipped)],
        )
        .group(
            2,
            &[4, 6],
            Intro::PerMember(vec![Pending, Sent]),
            &[(4, Met)],
        )
        .group(3, &[1, 3], Intro::Group(Pending), &[(3, Met)])
        .group(3, &[2, 6], Intro::None, &[])
        .group(3, &[4, 5], Intro::Group(Sending), &[])
        .build()
}

fn close(actual: Option<f64>, expected: f64) -> bool {
    actual.is_some_and(|actual| (actual - expected).abs() < 1e-9)
}

#[test]
fn enrollment_counts_an_expired_pause_as_active_and_leavers_apart() {
    let stats = program_stats(&three_rounds(), now());
    // Active: 1-5, and 7 whose pause ended yesterday. Paused: 6. Left: 8.
    assert_eq!(
        stats.enrollment,
        EnrollmentCounts {
            enrolled: 7,
            active: 6,
            paused: 1,
            left: 1
        }
    );
}

#[test]
fn met_rate_counts_a_group_as_met_when_anyone_says_so() {
    let stats = program_stats(&three_rounds(), now());
    let met: Vec<u64> = stats.rounds.iter().map(|r| r.groups_met).collect();
    // R1: [1,3] by Ada. R2: [1,5] and [4,6] (Di alone answered). R3: [1,3] by Cy.
    assert_eq!(met, vec![1, 2, 1]);
    assert!(close(stats.rounds[0].met_rate, 1.0 / 3.0));
    assert!(close(stats.rounds[1].met_rate, 2.0 / 3.0));
    assert_eq!(
        stats.rounds[0].groups_planned, 1,
        "[2,4] planned, nobody met"
    );
    assert_eq!(stats.rounds[1].groups_planned, 0);
    assert_eq!(stats.totals.groups_met, 4);
    assert!(close(stats.totals.met_rate, 4.0 / 9.0));
}

#[test]
fn feedback_rate_ignores_no_answer_rows_and_silence() {
    let stats = program_stats(&three_rounds(), now());
    let answered: Vec<u64> = stats.rounds.iter().map(|r| r.answered).collect();
    // R1: Ada met, Bob planned (Di's no_answer is not an answer). R2: Ada, Ed, Bob, Di. R3: Cy.
    assert_eq!(answered, vec![2, 4, 1]);
    assert!(close(stats.rounds[0].feedback_rate, 2.0 / 6.0));
    assert!(close(stats.totals.feedback_rate, 7.0 / 18.0));
}

#[test]
fn cross_team_share_needs_two_known_teams_in_a_group() {
    let stats = program_stats(&three_rounds(), now());
    let cross: Vec<u64> = stats.rounds.iter().map(|r| r.cross_team_groups).collect();
    // R1: [1,3] Eng+Sales, [2,4] Eng+Sales; [5,6] Ops+unknown is not. R2: [1,5], [2,3];
    // [4,6] Sales+unknown is not. R3: [1,3], [4,5]; [2,6] Eng+unknown is not.
    assert_eq!(cross, vec![2, 2, 2]);
    assert!(close(stats.totals.cross_team_share, 6.0 / 9.0));
}

#[test]
fn repeat_rate_counts_pairs_introduced_in_an_earlier_round() {
    let stats = program_stats(&three_rounds(), now());
    let repeats: Vec<(u64, u64)> = stats
        .rounds
        .iter()
        .map(|r| (r.repeat_pairs, r.pairs))
        .collect();
    // Only Ada and Cy (round 1) meet again, in round 3.
    assert_eq!(repeats, vec![(0, 3), (0, 3), (1, 3)]);
    assert!(close(stats.rounds[0].repeat_rate, 0.0));
    assert!(close(stats.rounds[2].repeat_rate, 1.0 / 3.0));
    assert!(close(stats.totals.repeat_rate, 1.0 / 9.0));
}

#[test]
fn reach_grows_with_team_pairs_that_met_over_the_pairs_possible() {
    let stats = program_stats(&three_rounds(), now());
    let reach: Vec<(u64, u64)> = stats
        .rounds
        .iter()
        .map(|r| (r.team_pairs_met, r.team_pairs_possible))
        .collect();
    // Teams among participants: Eng, Sales, Ops from round 1 on, so 3 possible pairs.
    // R1 connects Eng-Sales; R2 adds Eng-Ops; R3's Sales-Ops group did not answer.
    assert_eq!(reach, vec![(1, 3), (2, 3), (2, 3)]);
    assert!(close(stats.rounds[0].reach, 1.0 / 3.0));
    assert!(close(stats.totals.reach, 2.0 / 3.0));
    assert_eq!(stats.totals.teams, 3);
    assert_eq!(stats.totals.team_pairs_met, 2);
    assert_eq!(
        stats.totals.team_pairs_introduced, 3,
        "Sales-Ops was introduced in R3"
    );
}

#[test]
fn first_time_across_teams_counts_each_person_once() {
    let stats = program_stats(&three_rounds(), now());
    let first: Vec<u64> = stats.rounds.iter().map(|r| r.first_cross_team).collect();
    // R1: Ada and Cy. R2: Ed (Ada already had); Di met Flo, whose team is unknown. R3: nobody
    // new (Ada and Cy again).
    assert_eq!(first, vec![2, 1, 0]);
    assert_eq!(stats.totals.people_met_across_teams, 3);
}

#[test]
fn intros_are_counted_per_person_for_group_and_per_member_messages() {
    let stats = program_stats(&three_rounds(), now());
    let intros: Vec<(u64, u64, u64)> = stats
        .rounds
        .iter()
        .map(|r| (r.intros_delivered, r.intros_failed, r.intros_waiting))
        .collect();
    // R1: two sent group DMs reach 4 people, one failed reaches nobody (2 failed).
    // R2: per member: 1,5,2,6 sent; 3 failed; 4 pending.
    // R3: one pending, one sending, one never queued: all 6 waiting.
    assert_eq!(intros, vec![(4, 2, 0), (4, 1, 1), (0, 0, 6)]);
    let t = &stats.totals;
    assert_eq!(
        (t.intros_delivered, t.intros_failed, t.intros_waiting),
        (8, 3, 7)
    );
}

#[test]
fn the_team_matrix_counts_met_pairs_between_known_teams() {
    let stats = program_stats(&three_rounds(), now());
    let matrix = &stats.team_matrix;
    assert_eq!(matrix.teams, vec!["Eng", "Ops", "Sales"]);
    // Ada-Cy twice (Eng-Sales), Ada-Ed once (Eng-Ops); Di-Flo has an unknown team.
    assert_eq!(
        matrix.meetings,
        vec![vec![0, 1, 2], vec![1, 0, 0], vec![2, 0, 0]]
    );
}

#[test]
fn top_connectors_rank_by_other_teams_met_then_meetings() {
    let stats = program_stats(&three_rounds(), now());
    let ranked: Vec<(&str, u64, u64)> = stats
        .top_connectors
        .iter()
        .map(|c| (c.display_name.as_str(), c.teams_met, c.meetings))
        .collect();
    // Ada met Sales and Ops in 3 meetings; Cy met Eng twice; Ed met Eng once. Di only met
    // Flo (unknown team) and Flo has no team: neither is listed.
    assert_eq!(ranked, vec![("Ada", 2, 3), ("Cy", 1, 2), ("Ed", 1, 1)]);
}

#[test]
fn the_summary_compares_the_latest_round_with_the_one_before() {
    let summary = ProgramSummary::from_stats(&program_stats(&three_rounds(), now()));
    let latest = summary.latest.unwrap();
    assert_eq!((latest.seq, latest.previous_seq), (3, Some(2)));
    assert_eq!(latest.state, RoundState::Open);
    assert_eq!(latest.participants.change(), Some(0));
    // Met rate 1/3 after 2/3; feedback 1/6 after 4/6.
    assert!((latest.met_rate.change_points().unwrap() + 100.0 / 3.0).abs() < 1e-9);
    assert!((latest.feedback_rate.change_points().unwrap() + 50.0).abs() < 1e-9);
    assert_eq!(latest.intros_failed.change(), Some(-1));
    assert_eq!(latest.team_pairs_met.change(), Some(0));
    assert_eq!(latest.first_cross_team.change(), Some(-1));
}

#[test]
fn a_program_without_rounds_has_no_rates_and_no_latest_round() {
    let records = ProgramBuilder::new(1, "coffee")
        .person(1, "Ada", Some("Eng"))
        // A round without groups (nothing was planned into it) is not shown.
        .round(1, RoundState::Open)
        .build();
    let stats = program_stats(&records, now());
    assert!(stats.rounds.is_empty());
    assert_eq!(stats.totals, Totals::default());
    assert_eq!(stats.totals.met_rate, None);
    assert_eq!(stats.totals.reach, None);
    assert!(stats.team_matrix.teams.is_empty());
    assert!(ProgramSummary::from_stats(&stats).latest.is_none());
    assert!(text::program(&stats).contains("No rounds yet"));
}

#[test]
fn a_skipped_round_is_listed_but_never_the_latest_for_trends() {
    let records = ProgramBuilder::new(1, "coffee")
        .person(1, "Ada", Some("Eng"))
        .person(2, "Bob", Some("Ops"))
        .round(1, RoundState::Closed)
        .round(2, RoundState::Skipped)
        .group(1, &[1, 2], Intro::Group(Sent), &[(2, Met)])
        .build();
    let stats = program_stats(&records, now());
    assert_eq!(stats.rounds.len(), 2);
    assert_eq!(
        (stats.totals.rounds_run, stats.totals.rounds_skipped),
        (1, 1)
    );
    let skipped = &stats.rounds[1];
    assert_eq!((skipped.groups, skipped.met_rate), (0, None));
    assert_eq!(
        skipped.team_pairs_met, 1,
        "reach carries over a skipped round"
    );
    let latest = ProgramSummary::from_stats(&stats).latest.unwrap();
    assert_eq!((latest.seq, latest.previous_seq), (1, None));
    assert_eq!(latest.participants.change(), None);
}

#[test]
fn one_person_teams_can_all_be_connected_by_one_trio() {
    let records = ProgramBuilder::new(1, "coffee")
        .person(1, "Ada", Some("Eng"))
        .person(2, "Bob", Some("Ops"))
        .person(3, "Cy", Some("Sales"))
        .round(1, RoundState::Closed)
        .group(1, &[1, 2, 3], Intro::Group(Sent), &[(1, Met)])
        .build();
    let stats = program_stats(&records, now());
    let round = &stats.rounds[0];
    assert_eq!(
        (round.pairs, round.team_pairs_met, round.team_pairs_possible),
        (3, 3, 3)
    );
    assert!(close(round.reach, 1.0));
    assert_eq!(round.first_cross_team, 3);
    assert_eq!(
        stats.team_matrix.meetings,
        vec![vec![0, 1, 1], vec![1, 0, 1], vec![1, 1, 0]]
    );
}

#[test]
fn someone_who_skipped_is_not_counted_as_meeting_the_rest_of_the_trio() {
    let records = ProgramBuilder::new(1, "coffee")
        .person(1, "Ada", Some("Eng"))
        .person(2, "Bob", Some("Ops"))
        .person(3, "Cy", Some("Sales"))
        .round(1, RoundState::Closed)
        .group(1, &[1, 2, 3], Intro::Group(Sent), &[(1, Met), (2, Skipped)])
        .build();
    let stats = program_stats(&records, now());
    // Ada and Cy met; Bob said he skipped. Only Eng-Sales is connected.
    assert_eq!(stats.totals.team_pairs_met, 1);
    assert_eq!(stats.totals.people_met_across_teams, 2);
    assert_eq!(stats.totals.met_rate, Some(1.0));
}

#[test]
fn a_pair_where_one_met_and_the_other_skipped_still_counts_as_met() {
    let records = ProgramBuilder::new(1, "coffee")
        .person(1, "Ada", Some("Eng"))
        .person(2, "Bob", Some("Ops"))
        .round(1, RoundState::Closed)
        .group(1, &[1, 2], Intro::Group(Sent), &[(1, Met), (2, Skipped)])
        .build();
    let stats = program_stats(&records, now());
    // A meeting needs two people: Ada's "met" is trusted for the pair.
    assert_eq!(stats.totals.team_pairs_met, 1);
    assert_eq!(stats.totals.people_met_across_teams, 2);
}

#[test]
fn a_program_of_one_team_or_unknown_teams_has_no_reach_to_speak_of() {
    let records = ProgramBuilder::new(1, "coffee")
        .person(1, "Ada", Some("Eng"))
        .person(2, "Bob", Some("Eng"))
        .person(3, "Cy", None)
        .person(4, "Di", Some(""))
        .round(1, RoundState::Closed)
        .group(1, &[1, 2], Intro::Group(Sent), &[(1, Met)])
        .group(1, &[3, 4], Intro::Group(Sent), &[(3, Met)])
        .build();
    let stats = program_stats(&records, now());
    assert_eq!(stats.totals.teams, 1);
    assert_eq!(stats.totals.team_pairs_possible, 0);
    assert_eq!(stats.totals.reach, None);
    assert_eq!(stats.totals.cross_team_share, Some(0.0));
    assert_eq!(stats.totals.people_met_across_teams, 0);
    assert_eq!(
        stats.team_matrix.meetings,
        vec![vec![1]],
        "Ada and Bob met inside Eng"
    );
    assert!(stats.top_connectors.is_empty());
}

#[test]
fn overall_figures_count_people_once_and_judge_repeats_per_program() {
    let coffee = ProgramBuilder::new(1, "coffee")
        .person(1, "Ada", Some("Eng"))
        .person(2, "Bob", Some("Ops"))
        .person_in_state(
            3,
            "Cy",
            Some("Sales"),
            EnrollmentState::Paused { until: None },
        )
        .round(1, RoundState::Closed)
        .group(1, &[1, 2], Intro::Group(Sent), &[(1, Met)])
        .build();
    let lunch = ProgramBuilder::new(2, "lunch")
        .person_in_state(
            1,
            "Ada",
            Some("Eng"),
            EnrollmentState::Paused { until: None },
        )
        .person(2, "Bob", Some("Ops"))
        .person_in_state(3, "Cy", Some("Sales"), EnrollmentState::Left)
        .person(4, "Di", Some("Sales"))
        .round(1, RoundState::Closed)
        .group(1, &[1, 2], Intro::Group(Sent), &[(2, Met)])
        .group(1, &[4, 3], Intro::Group(Sent), &[])
        .build();
    // Given in reverse order: programs come out by name.
    let overall = overall_stats(&[lunch, coffee], now());
    let names: Vec<&str> = overall
        .programs
        .iter()
        .map(|p| p.program.as_str())
        .collect();
    assert_eq!(names, vec!["coffee", "lunch"]);
    // Ada: active in coffee (best standing). Cy: paused in coffee, left lunch: paused.
    assert_eq!(
        overall.enrollment,
        EnrollmentCounts {
            enrolled: 4,
            active: 3,
            paused: 1,
            left: 0
        }
    );
    let t = &overall.totals;
    // Ada and Bob met in both programs: not a repeat (each program's own history).
    assert_eq!((t.pairs, t.repeat_pairs), (3, 0));
    assert_eq!((t.groups, t.groups_met, t.participations), (3, 2, 6));
    assert_eq!(t.distinct_participants, 4);
    // Teams Eng, Ops, Sales: 3 possible pairs; only Eng-Ops met (once per program).
    assert_eq!((t.team_pairs_met, t.team_pairs_possible), (1, 3));
    assert_eq!(overall.team_matrix.meetings[0][1], 2);
    assert_eq!(
        overall.top_connectors[0].meetings, 2,
        "Ada's meetings add up"
    );
}

#[test]
fn figures_read_as_percentages_and_signed_changes() {
    assert_eq!(text::percent(Some(0.554)), "55%");
    assert_eq!(text::percent(None), "–");
    let up = Figure {
        latest: 5_u64,
        previous: Some(3),
    };
    assert_eq!(text::count_change(&up), "+2");
    let down = Figure {
        latest: Some(0.25),
        previous: Some(Some(0.5)),
    };
    assert_eq!(text::points_change(&down), "-25 pts");
    let first = Figure {
        latest: Some(0.25),
        previous: None,
    };
    assert_eq!(text::points_change(&first), "");
}

#[test]
fn the_text_view_shows_the_trend_rounds_and_connectors() {
    let text = text::program(&program_stats(&three_rounds(), now()));
    assert!(
        text.contains("Latest: round 3 on 2026-11-16 (open), compared with round 2"),
        "{text}"
    );
    assert!(text.contains("Met rate"), "{text}");
    assert!(text.contains("-33 pts"), "{text}");
    assert!(text.contains("2 of 3 team pairs (67%)"), "{text}");
    assert!(
        text.contains("1. Ada (U1, Eng): 2 other teams in 3 meetings"),
        "{text}"
    );
    assert_eq!(
        text.lines().filter(|l| l.contains("2026-11-")).count(),
        4,
        "{text}"
    );
}

#[test]
fn json_names_round_states_and_leaves_undefined_rates_null() {
    let records = ProgramBuilder::new(1, "coffee")
        .round(1, RoundState::Skipped)
        .build();
    let json = serde_json::to_value(program_stats(&records, now())).unwrap();
    assert_eq!(json["rounds"][0]["state"], "skipped");
    assert!(json["rounds"][0]["met_rate"].is_null());
    assert_eq!(json["totals"]["rounds_skipped"], 1);
}

#[test]
fn overall_reach_only_counts_team_pairs_that_share_a_program() {
    let slack = ProgramBuilder::new(1, "coffee")
        .person(1, "Ada", Some("Eng"))
        .person(2, "Bob", Some("Ops"))
        .round(1, RoundState::Closed)
        .group(1, &[1, 2], Intro::Group(Sent), &[(1, Met)])
        .build();
    let teams = ProgramBuilder::new(2, "lunch")
        .person(3, "Cy", Some("Design"))
        .person(4, "Di", Some("Research"))
        .round(1, RoundState::Closed)
        .group(1, &[3, 4], Intro::PerMember(vec![Sent, Sent]), &[])
        .build();
    let t = overall_stats(&[slack, teams], now()).totals;
    // Four teams, but Eng/Ops never share a program with Design/Research: 2 pairs, not 6.
    assert_eq!(t.teams, 4);
    assert_eq!((t.team_pairs_met, t.team_pairs_possible), (1, 2));
    assert!(close(t.reach, 0.5));
}

#[test]
fn round_dates_are_days_in_the_program_time_zone() {
    // Round 1 is Monday 2 November, 09:00 UTC: in Honolulu (UTC-10) still Sunday, 23:00.
    let in_zone = |tz| {
        let records = ProgramBuilder::new(1, "coffee")
            .time_zone(tz)
            .person(1, "Ada", Some("Eng"))
            .person(2, "Bob", Some("Ops"))
            .round(1, RoundState::Closed)
            .group(1, &[1, 2], Intro::Group(Sent), &[])
            .build();
        program_stats(&records, now())
    };
    let honolulu = in_zone(chrono_tz::Pacific::Honolulu);
    assert_eq!(honolulu.rounds[0].date.to_string(), "2026-11-01");
    assert_eq!(honolulu.time_zone, "Pacific/Honolulu");
    assert_eq!(
        in_zone(chrono_tz::UTC).rounds[0].date.to_string(),
        "2026-11-02"
    );
}
