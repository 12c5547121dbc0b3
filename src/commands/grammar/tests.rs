use proptest::prelude::*;

use super::*;

fn ok(text: &str) -> Command {
    parse(text).unwrap_or_else(|err| panic!("`{text}` should parse: {err}"))
}

fn err(text: &str) -> UsageError {
    match parse(text) {
        Ok(command) => panic!("`{text}` should be refused, parsed as {command:?}"),
        Err(err) => err,
    }
}

fn name(s: &str) -> ProgramName {
    ProgramName::parse(s).unwrap()
}

#[test]
fn member_commands_parse() {
    assert_eq!(ok(""), Command::Help);
    assert_eq!(ok("  HELP "), Command::Help);
    assert_eq!(ok("join"), Command::Join { program: None });
    assert_eq!(
        ok("join Coffee"),
        Command::Join {
            program: Some(name("coffee"))
        }
    );
    assert_eq!(
        ok("leave coffee"),
        Command::Leave {
            program: Some(name("coffee"))
        }
    );
    assert_eq!(ok("pause 2w"), Command::Pause(PauseRequest::Days(14)));
    assert!(matches!(
        ok("pause until 2030-12-24"),
        Command::Pause(PauseRequest::Until(_))
    ));
    assert_eq!(ok("resume"), Command::Resume);
    assert_eq!(ok("skip"), Command::Skip);
    assert_eq!(ok("cadence biweekly"), Command::Cadence(Cadence::Biweekly));
    assert_eq!(
        ok("team Data Science"),
        Command::Team(Some("Data Science".into()))
    );
    assert_eq!(ok("team clear"), Command::Team(None));
    assert_eq!(
        ok("never <@U123|ada>"),
        Command::Never {
            user_id: "U123".into()
        }
    );
    assert_eq!(
        ok("never remove <@U123>"),
        Command::NeverRemove {
            user_id: "U123".into()
        }
    );
    assert_eq!(ok("status"), Command::Status);
    assert_eq!(ok("history"), Command::History);
}

#[test]
fn a_teams_user_id_of_a_hundred_characters_is_a_mention() {
    let id = format!("29:1{}", "Ab9_-".repeat(20));
    assert_eq!(
        ok(&format!("never <@{id}>")),
        Command::Never { user_id: id }
    );
}

#[test]
fn admin_commands_parse() {
    assert_eq!(ok("admin"), Command::Admin(AdminCommand::Help));
    assert_eq!(
        ok("admin program create coffee <#C42|random>"),
        Command::Admin(AdminCommand::ProgramCreate {
            name: name("coffee"),
            channel_id: Some("C42".into())
        })
    );
    assert_eq!(
        ok("admin program create coffee"),
        Command::Admin(AdminCommand::ProgramCreate {
            name: name("coffee"),
            channel_id: None
        })
    );
    match ok("admin schedule coffee \"0 9 * * MON\" Europe/Berlin") {
        Command::Admin(AdminCommand::Schedule { program, schedule }) => {
            assert_eq!(program, name("coffee"));
            assert_eq!(schedule.expression(), "0 9 * * MON");
            assert_eq!(schedule.time_zone(), chrono_tz::Europe::Berlin);
        }
        other => panic!("{other:?}"),
    }
    // Curly quotes from Slack's clients, and no quotes at all, work too.
    assert!(matches!(
        ok("admin schedule coffee “0 9 * * 1” UTC"),
        Command::Admin(AdminCommand::Schedule { .. })
    ));
    assert!(matches!(
        ok("admin schedule coffee 0 9 * * 1 UTC"),
        Command::Admin(AdminCommand::Schedule { .. })
    ));
    assert_eq!(
        ok("admin group-size coffee 3"),
        Command::Admin(AdminCommand::GroupSize {
            program: name("coffee"),
            size: GroupSize::new(3).unwrap()
        })
    );
    assert_eq!(
        ok("admin stats"),
        Command::Admin(AdminCommand::Stats { program: None })
    );
    assert_eq!(
        ok("admin round now coffee"),
        Command::Admin(AdminCommand::RoundNow {
            program: name("coffee"),
            again: false
        })
    );
    assert_eq!(
        ok("admin round now coffee again"),
        Command::Admin(AdminCommand::RoundNow {
            program: name("coffee"),
            again: true
        })
    );
    assert_eq!(
        ok("admin export coffee"),
        Command::Admin(AdminCommand::Export {
            program: name("coffee")
        })
    );
    assert_eq!(ok("admin failures"), Command::Admin(AdminCommand::Failures));
}

#[test]
fn malformed_commands_explain_the_problem_and_show_the_usage() {
    let cases: &[(&str, &str, &str)] = &[
        ("dance", "don't know `dance`", usage::HELP),
        ("pause", "how long", usage::PAUSE),
        ("pause 2x", "not a duration", usage::PAUSE),
        ("pause until 24.12.2026", "not a date", usage::PAUSE),
        ("cadence daily", "not a cadence", usage::CADENCE),
        ("never", "who", usage::NEVER),
        ("never bob", "not a mention", usage::NEVER),
        ("never <@U1> <@U2>", "exactly one", usage::NEVER),
        ("team", "which team", usage::TEAM),
        ("status now", "takes no arguments", usage::STATUS),
        ("join a b", "at most one", usage::JOIN),
        ("join two%words", "not a program name", usage::JOIN),
        ("admin fly", "don't know `admin fly`", usage::ADMIN),
        ("admin program create", "called", usage::PROGRAM_CREATE),
        (
            "admin program create coffee general",
            "not a channel",
            usage::PROGRAM_CREATE,
        ),
        (
            "admin schedule coffee \"0 25 * * *\" UTC",
            "not a valid cron",
            usage::SCHEDULE,
        ),
        (
            "admin schedule coffee \"0 9 * * 1\" Mars/Base",
            "not a time zone",
            usage::SCHEDULE,
        ),
        ("admin schedule coffee", "cron expression", usage::SCHEDULE),
        (
            "admin schedule coffee \"0 9 * * 1",
            "quote is not closed",
            usage::HELP,
        ),
        (
            "admin group-size coffee 12",
            "between 2 and 8",
            usage::GROUP_SIZE,
        ),
        (
            "admin group-size coffee",
            "program and a size",
            usage::GROUP_SIZE,
        ),
        ("admin round coffee", "admin round now", usage::ROUND_NOW),
        ("admin export", "which program", usage::EXPORT),
        ("admin failures all", "no arguments", usage::FAILURES),
    ];
    for (text, problem, usage) in cases {
        let e = err(text);
        assert!(
            e.problem.contains(problem),
            "`{text}`: expected a problem mentioning `{problem}`, got `{}`",
            e.problem
        );
        assert_eq!(e.usage, *usage, "`{text}`");
        assert!(!e.problem.contains('\n'), "one line: `{}`", e.problem);
    }
}

#[test]
fn a_team_name_is_at_most_80_characters_of_visible_text() {
    assert_eq!(
        ok(&format!("team {}", "x".repeat(80))),
        Command::Team(Some("x".repeat(80)))
    );
    let long = err(&format!("team {}", "x".repeat(81)));
    assert!(
        long.problem.contains("at most 80 characters"),
        "{}",
        long.problem
    );
    assert_eq!(long.usage, usage::TEAM);
    for sneaky in [
        "team Ops\u{7}",
        "team \u{1b}[31mRed",
        "team Ops\u{202E}gnp.exe",
        "team a\u{0}b",
    ] {
        let refused = err(sneaky);
        assert!(
            refused.problem.contains("control characters"),
            "{sneaky:?}: {}",
            refused.problem
        );
        assert_eq!(refused.usage, usage::TEAM);
    }
    // Markup is not refused here: it is escaped wherever the name is shown.
    assert_eq!(
        ok("team Ops <!here> <https://evil.example|Verify>"),
        Command::Team(Some("Ops <!here> <https://evil.example|Verify>".into()))
    );
}

#[test]
fn long_unknown_words_are_shortened_in_replies() {
    let e = err(&"x".repeat(500));
    assert!(e.problem.chars().count() < 60, "{}", e.problem);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Fuzzing: no input panics the parser, and every refusal has text and a usage line.
    #[test]
    fn no_input_panics_the_parser(text in any::<String>()) {
        if let Err(e) = parse(&text) {
            prop_assert!(!e.problem.is_empty());
            prop_assert!(!e.usage.is_empty());
        }
    }

    /// Inputs shaped like commands reach deep into the grammar.
    #[test]
    fn command_shaped_inputs_never_panic(
        words in prop::collection::vec(
            prop_oneof![
                Just("admin".to_string()), Just("schedule".to_string()), Just("program".to_string()),
                Just("create".to_string()), Just("pause".to_string()), Just("until".to_string()),
                Just("never".to_string()), Just("remove".to_string()), Just("round".to_string()),
                Just("now".to_string()), Just("\"".to_string()), Just("“".to_string()),
                Just("<@U1|x>".to_string()), Just("<#C1>".to_string()), Just("<@>".to_string()),
                Just("2w".to_string()), Just("9999999999999999999d".to_string()),
                Just("Europe/Berlin".to_string()), Just("*".to_string()), Just("0".to_string()),
                "[a-z0-9/*,\\-]{0,12}",
            ],
            0..10,
        )
    ) {
        let _ = parse(&words.join(" "));
    }
}
