//! `pourover demo`: the README's main command, end to end.

use std::collections::HashSet;
use std::process::Command;

use pourover::app::open_store;
use pourover::demo::{DemoOptions, run};
use pourover::domain::FeedbackAnswer;

mod common;

#[tokio::test]
async fn the_demo_introduces_everyone_once_per_round_and_its_stats_match_the_feedback() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("demo.db");
    let options = DemoOptions {
        people: 16,
        teams: 4,
        rounds: 2,
        database: Some(database.clone()),
        report: dir.path().join("report.html"),
        seed: 7,
    };
    let mut narration = Vec::new();
    let outcome = run(&options, &mut narration).await.unwrap();
    let narration = String::from_utf8(narration).unwrap();

    assert!(outcome.joined >= 2, "{narration}");
    assert_eq!(outcome.rounds.len(), 2);
    for round in &outcome.rounds {
        assert!(!round.groups.is_empty(), "{narration}");
        let mut seen = HashSet::new();
        for group in &round.groups {
            assert!(group.members.len() >= 2);
            assert_eq!(
                group.intros_posted, 1,
                "round {}: group {:?} got {} intros",
                round.seq, group.members, group.intros_posted
            );
            for member in &group.members {
                assert!(seen.insert(member.clone()), "{member} is in two groups");
            }
        }
    }
    for part in [
        "/coffee admin program create coffee",
        "Round 1",
        "The group DM of",
        "coffee stats",
        "Met",
    ] {
        assert!(
            narration.contains(part),
            "missing `{part}` in:\n{narration}"
        );
    }
    let report = std::fs::read_to_string(&options.report).unwrap();
    assert!(report.contains("<svg"), "the report has charts");

    // The stats say what the recorded button presses say.
    let settings = common::settings_in(
        dir.path(),
        &[(
            "POUROVER_DATABASE_URL",
            &format!("sqlite://{}", database.display()),
        )],
    );
    let store = open_store(&settings).await.unwrap();
    let records = pourover::stats::load_records(&store, Some("coffee"))
        .await
        .unwrap();
    let stats = pourover::stats::program_stats(&records[0], chrono::Utc::now());
    let workspace = store.list_workspaces().await.unwrap()[0].0;
    let program = &store.programs(workspace).await.unwrap()[0];
    let (mut groups, mut groups_met) = (0, 0);
    for round in store.program_rounds(program.id).await.unwrap() {
        for group in store.round_groups(round.id).await.unwrap() {
            groups += 1;
            let feedback = store.group_feedback(group.id).await.unwrap();
            if feedback.iter().any(|f| f.answer == FeedbackAnswer::Met) {
                groups_met += 1;
            }
        }
    }
    assert_eq!(stats.totals.groups, groups);
    assert_eq!(stats.totals.groups_met, groups_met);
    assert!(groups_met > 0, "somebody met: {narration}");
    assert_eq!(
        stats.totals.met_rate,
        Some(groups_met as f64 / groups as f64)
    );
}

#[test]
fn the_demo_command_runs_as_the_readme_says_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_pourover"))
        .args(["demo", "--people", "12", "--rounds", "1"])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Done in"), "{stdout}");
    assert!(dir.path().join("pourover-report.html").exists());
}
