//! The engine's promises, one scenario each.

use pourover_pairing::{
    Input, PairingError, PastGroup, Person, Plan, Priorities, Settings, Solver, UnplacedReason,
    plan,
};

fn person(id: &'static str, team: &str, offset_hours: i32) -> Person<&'static str> {
    Person::new(id)
        .with_team(team)
        .with_utc_offset(offset_hours * 60)
}

fn met(round: u64, members: &[&'static str]) -> PastGroup<&'static str> {
    PastGroup {
        round,
        members: members.to_vec(),
    }
}

fn plan_of(input: &Input<'_, &'static str>) -> Plan<&'static str> {
    plan(input, 7).expect("valid input")
}

fn together(plan: &Plan<&'static str>, a: &str, b: &str) -> bool {
    plan.groups.iter().any(|g| g.contains(&a) && g.contains(&b))
}

#[test]
fn one_person_alone_is_reported_as_having_nobody_else() {
    let people = [person("ana", "sales", 0)];
    let plan = plan_of(&Input::new(&people));
    assert!(plan.groups.is_empty());
    assert_eq!(plan.unplaced.len(), 1);
    assert_eq!(plan.unplaced[0].id, "ana");
    assert_eq!(plan.unplaced[0].reason, UnplacedReason::NobodyElse);
}

#[test]
fn two_people_who_must_not_meet_are_both_reported() {
    let people = [person("ana", "sales", 0), person("bo", "support", 0)];
    let exclusions = [("bo", "ana")];
    let plan = plan_of(&Input {
        exclusions: &exclusions,
        ..Input::new(&people)
    });
    assert!(plan.groups.is_empty());
    assert!(
        plan.unplaced
            .iter()
            .all(|u| u.reason == UnplacedReason::Excluded)
    );
    assert_eq!(plan.unplaced.len(), 2);
}

#[test]
fn someone_excluded_from_everyone_is_reported_and_the_others_are_grouped() {
    let people = [
        person("ana", "a", 0),
        person("bo", "b", 0),
        person("cy", "c", 0),
        person("di", "d", 0),
        person("ed", "e", 0),
    ];
    let exclusions = [("ana", "bo"), ("ana", "cy"), ("ana", "di"), ("ana", "ed")];
    let plan = plan_of(&Input {
        exclusions: &exclusions,
        ..Input::new(&people)
    });
    assert_eq!(plan.unplaced.len(), 1);
    assert_eq!(plan.unplaced[0].id, "ana");
    assert_eq!(plan.unplaced[0].reason, UnplacedReason::Excluded);
    assert_eq!(plan.groups.iter().map(Vec::len).sum::<usize>(), 4);
}

#[test]
fn an_odd_count_gives_exactly_one_trio() {
    let teams = ["a", "b", "c"];
    let ids = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"];
    let people: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| person(id, teams[i % 3], 0))
        .collect();
    let plan = plan_of(&Input::new(&people));
    let mut sizes: Vec<usize> = plan.groups.iter().map(Vec::len).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, vec![2, 2, 2, 3]);
}

#[test]
fn people_who_met_recently_are_not_paired_again() {
    let people = [
        person("ana", "a", 0),
        person("bo", "a", 0),
        person("cy", "a", 0),
        person("di", "a", 0),
    ];
    let history = [
        met(4, &["ana", "bo"]),
        met(4, &["cy", "di"]),
        met(3, &["ana", "cy"]),
        met(3, &["bo", "di"]),
    ];
    let plan = plan_of(&Input {
        history: &history,
        current_round: 5,
        ..Input::new(&people)
    });
    assert!(together(&plan, "ana", "di") && together(&plan, "bo", "cy"));
    assert_eq!(plan.quality.repeats, 0);
}

#[test]
fn when_every_pairing_is_a_repeat_the_oldest_meeting_is_repeated() {
    let people = [
        person("ana", "a", 0),
        person("bo", "b", 0),
        person("cy", "c", 0),
        person("di", "d", 0),
    ];
    let history = [
        met(1, &["ana", "bo"]),
        met(1, &["cy", "di"]),
        met(2, &["ana", "cy"]),
        met(2, &["bo", "di"]),
        met(3, &["ana", "di"]),
        met(3, &["bo", "cy"]),
    ];
    let plan = plan_of(&Input {
        history: &history,
        current_round: 4,
        ..Input::new(&people)
    });
    assert!(together(&plan, "ana", "bo") && together(&plan, "cy", "di"));
    assert_eq!(plan.quality.repeats, 2);
}

#[test]
fn meetings_older_than_the_look_back_do_not_count() {
    let people = [person("ana", "a", 0), person("bo", "b", 0)];
    let history = [met(1, &["ana", "bo"])];
    let settings = Settings {
        lookback_rounds: 3,
        ..Settings::default()
    };
    let at = |current_round| {
        plan_of(&Input {
            history: &history,
            current_round,
            settings,
            ..Input::new(&people)
        })
        .quality
        .repeats
    };
    assert_eq!(at(4), 1, "three rounds ago is within a look-back of three");
    assert_eq!(at(5), 0, "four rounds ago is not");
}

#[test]
fn a_repeat_is_worse_than_any_number_of_same_team_pairs() {
    // Avoiding the repeat forces two same-team pairs; the engine accepts them.
    let people = [
        person("a1", "a", 0),
        person("a2", "a", 0),
        person("b1", "b", 0),
        person("b2", "b", 0),
    ];
    let history = [
        met(9, &["a1", "b1"]),
        met(9, &["a2", "b2"]),
        met(8, &["a1", "b2"]),
        met(8, &["a2", "b1"]),
    ];
    let plan = plan_of(&Input {
        history: &history,
        current_round: 10,
        ..Input::new(&people)
    });
    assert_eq!(plan.quality.repeats, 0);
    assert_eq!(plan.quality.same_team_pairs, 2);
}

#[test]
fn a_same_team_pair_is_worse_than_any_time_zone_gap() {
    let people = [
        person("paris-a", "a", 1),
        person("paris-b", "a", 1),
        person("tokyo-c", "c", 9),
        person("tokyo-d", "c", 9),
    ];
    let plan = plan_of(&Input::new(&people));
    assert_eq!(plan.quality.same_team_pairs, 0);
    assert_eq!(plan.quality.max_tz_gap_minutes, 8 * 60);
}

#[test]
fn among_other_teams_the_closest_time_zone_wins() {
    let people = [
        person("paris", "a", 1),
        person("berlin", "b", 1),
        person("new-york", "c", -5),
        person("chicago", "d", -6),
    ];
    let plan = plan_of(&Input::new(&people));
    assert!(together(&plan, "paris", "berlin") && together(&plan, "new-york", "chicago"));
    assert_eq!(plan.quality.max_tz_gap_minutes, 60);
}

#[test]
fn time_zones_are_compared_on_the_clock_face_across_the_date_line() {
    // Honolulu (UTC-10) and Auckland (UTC+13) are one hour apart on the clock.
    let people = [
        person("honolulu", "a", -10),
        person("auckland", "b", 13),
        person("london", "c", 0),
        person("lisbon", "d", 0),
    ];
    let plan = plan_of(&Input::new(&people));
    assert!(together(&plan, "honolulu", "auckland"));
}

#[test]
fn switching_off_cross_team_ignores_teams() {
    let people = [
        person("a1", "a", 1),
        person("a2", "a", 1),
        person("b1", "b", 9),
        person("b2", "b", 9),
    ];
    let settings = Settings {
        priorities: Priorities {
            cross_team: false,
            ..Priorities::default()
        },
        ..Settings::default()
    };
    let plan = plan_of(&Input {
        settings,
        ..Input::new(&people)
    });
    assert_eq!(
        plan.quality.same_team_pairs, 2,
        "teammates in the same office are closest"
    );
    assert_eq!(
        plan.quality.score.same_team_pairs, 0,
        "and the score does not count them"
    );
}

#[test]
fn groups_of_four_avoid_repeats_between_every_member() {
    let ids = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"];
    let people: Vec<_> = ids.iter().map(|id| person(id, id, 0)).collect();
    // p0..p3 all met each other last round: they must be split up.
    let history = [met(1, &["p0", "p1", "p2", "p3"])];
    for solver in [Solver::Exact, Solver::Approximate] {
        let plan = plan_of(&Input {
            history: &history,
            current_round: 2,
            settings: Settings {
                group_size: 4,
                solver,
                ..Settings::default()
            },
            ..Input::new(&people)
        });
        assert_eq!(plan.groups.len(), 2);
        assert_eq!(
            plan.quality.repeats, 2,
            "{solver:?}: two of p0..p3 in each group is the best"
        );
    }
}

#[test]
fn ids_not_in_the_roster_are_ignored() {
    let people = [person("ana", "a", 0), person("bo", "b", 0)];
    let history = [met(1, &["ana", "gone"])];
    let exclusions = [("bo", "gone")];
    let plan = plan_of(&Input {
        history: &history,
        exclusions: &exclusions,
        current_round: 2,
        ..Input::new(&people)
    });
    assert_eq!(plan.groups, vec![vec!["ana", "bo"]]);
}

#[test]
fn group_size_outside_two_to_eight_is_refused() {
    let people = [person("ana", "a", 0), person("bo", "b", 0)];
    for group_size in [0, 1, 9] {
        let input = Input {
            settings: Settings {
                group_size,
                ..Settings::default()
            },
            ..Input::new(&people)
        };
        assert_eq!(
            plan(&input, 1),
            Err(PairingError::GroupSize {
                requested: group_size
            })
        );
    }
}

#[test]
fn a_duplicate_id_is_refused_naming_both_positions() {
    let people = [
        person("ana", "a", 0),
        person("bo", "b", 0),
        person("ana", "c", 0),
    ];
    assert_eq!(
        plan(&Input::new(&people), 1),
        Err(PairingError::DuplicateId {
            first: 0,
            second: 2
        })
    );
}

#[test]
fn different_seeds_give_different_rounds() {
    let names: Vec<String> = (0..40).map(|i| format!("p{i}")).collect();
    let people: Vec<Person<&str>> = names.iter().map(|n| Person::new(n.as_str())).collect();
    let first = plan(&Input::new(&people), 1).expect("valid");
    let second = plan(&Input::new(&people), 2).expect("valid");
    assert_ne!(first.groups, second.groups);
}
