//! The `/coffee` grammar fed whatever people (or attackers) type — any Unicode, control
//! characters, very long text, near-commands — through the real bot over signed HTTP:
//! never a panic or a 5xx, always a reply that says something, never "something went
//! wrong on my side", and nothing typed comes back as a live broadcast or link.

use pourover_simulator::CompanySpec;
use pourover_simulator::slack::mrkdwn::{Reference, references};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::common::harness::{SlackTestBot, blocks_text};

/// Text shaped like commands, with the characters that break parsers and renderers.
fn typed() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("admin".to_owned()),
        Just("team".to_owned()),
        Just("never".to_owned()),
        Just("join".to_owned()),
        Just("pause".to_owned()),
        Just("schedule".to_owned()),
        Just("round".to_owned()),
        Just("now".to_owned()),
        Just("program".to_owned()),
        Just("create".to_owned()),
        Just("<!here>".to_owned()),
        Just("<https://evil.example|Verify>".to_owned()),
        Just("[Verify](https://evil.example)".to_owned()),
        Just("<@U0NOBODY0>".to_owned()),
        Just("\"".to_owned()),
        Just("=HYPERLINK(1)".to_owned()),
        "\\PC{0,12}",
        "[\\x00-\\x1f\\x7f\\u{202e}]{1,4}",
        any::<String>(),
    ];
    prop_oneof![
        4 => prop::collection::vec(word, 0..8).prop_map(|words| words.join(" ")),
        1 => "\\PC{2000,6000}",
    ]
}

#[test]
fn any_typed_command_gets_a_reply_and_nothing_typed_comes_back_live() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let bot = runtime.block_on(SlackTestBot::start(CompanySpec::new(4, 2)));
    let people = [bot.owner().id, bot.member().id];
    runtime.block_on(bot.create_program("coffee", None));
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = runner.run(&(typed(), 0..2usize), |(text, who)| {
        let answer = runtime.block_on(bot.command_answer(&people[who], &text));
        prop_assert_eq!(answer.status, 200);
        prop_assert!(
            !answer.text.trim().is_empty(),
            "an empty reply to {:?}",
            text
        );
        prop_assert!(
            !answer.text.contains("on my side"),
            "{:?} was treated as our failure: {}",
            text,
            answer.text
        );
        let shown = format!("{}\n{}", answer.text, blocks_text(&answer.blocks));
        for reference in references(&shown) {
            prop_assert!(
                matches!(reference, Reference::User(_) | Reference::Channel(_)),
                "{:?} came back live as {:?}",
                text,
                reference
            );
        }
        Ok(())
    });
    runtime.block_on(bot.shutdown());
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
