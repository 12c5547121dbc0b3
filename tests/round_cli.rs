//! `pourover round run` from the command line.

mod common;

use std::process::Command;

use pourover::app::open_store;
use pourover::domain::MemberProfile;

/// A database with a `coffee` program and `people` people across three teams.
async fn database_with_people(dir: &std::path::Path, people: usize) -> String {
    let settings = common::settings_in(dir, &[]);
    let store = open_store(&settings).await.unwrap();
    let program = common::program_in_store(&store, "coffee").await;
    let workspace = program.workspace_id;
    for i in 0..people {
        let member = store
            .upsert_member(
                workspace,
                &MemberProfile {
                    external_id: format!("U{i}"),
                    display_name: format!("Person {i}"),
                    team: Some(["Sales", "Ops", "Eng"][i % 3].into()),
                    time_zone: Some("Europe/Paris".into()),
                    ..MemberProfile::default()
                },
            )
            .await
            .unwrap();
        store.enroll(program.id, member.id).await.unwrap();
    }
    store.close().await;
    settings.database.url
}

fn pourover(dir: &std::path::Path, database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pourover"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("POUROVER_DATABASE_URL", database_url)
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_dry_run_prints_the_groups_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_with_people(dir.path(), 7).await;
    let output = pourover(
        dir.path(),
        &url,
        &["round", "run", "--program", "coffee", "--dry-run"],
    );
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with(
            "Round 1 of coffee (dry run: nothing saved, nothing sent): 7 people in 3 groups"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("one larger so nobody is left out"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Person 0 (Sales, Europe/Paris)"),
        "{stdout}"
    );
    assert!(stdout.contains("same-team pairs: 0"), "{stdout}");

    let settings = common::settings_in(dir.path(), &[]);
    let store = open_store(&settings).await.unwrap();
    let workspace = store.list_workspaces().await.unwrap()[0].0;
    let program = &store.programs(workspace).await.unwrap()[0];
    assert!(store.program_rounds(program.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_unknown_program_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_with_people(dir.path(), 2).await;
    let output = pourover(
        dir.path(),
        &url,
        &["round", "run", "--program", "tea", "--dry-run"],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("tea") && stderr.contains("coffee"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_real_run_without_a_chat_platform_is_refused_before_planning() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_with_people(dir.path(), 4).await;
    let output = pourover(dir.path(), &url, &["round", "run", "--program", "coffee"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("SLACK_BOT_TOKEN"), "{stderr}");
    assert!(stderr.contains("--dry-run"), "{stderr}");
}
