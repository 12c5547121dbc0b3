//! `pourover stats` and `pourover export`, run as the real binary against a temp database
//! holding a realistic company (see `stats_fixture`).

mod stats_fixture;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// Runs `pourover <args>` on the database at `db`, from an empty working directory.
fn pourover(db: &Path, args: &[&str]) -> Output {
    let cwd = db.parent().unwrap();
    Command::new(env!("CARGO_BIN_EXE_pourover"))
        .args(args)
        .current_dir(cwd)
        .env(
            "POUROVER_DATABASE_URL",
            format!("sqlite://{}", db.display()),
        )
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

async fn acme() -> (tempfile::TempDir, std::path::PathBuf, stats_fixture::Truth) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pourover.db");
    let truth = stats_fixture::acme(&db).await;
    (dir, db, truth)
}

#[tokio::test]
async fn stats_json_for_a_program_matches_what_was_recorded() {
    let (_dir, db, truth) = acme().await;
    let json: Value = serde_json::from_str(&stdout(&pourover(
        &db,
        &["stats", "--program", "coffee", "--json"],
    )))
    .unwrap();
    assert_eq!(json["program"], "coffee");
    // 30 people: 2 left, 2 paused (one indefinitely, one until next year).
    assert_eq!(json["enrollment"]["enrolled"], 28);
    assert_eq!(json["enrollment"]["active"], 26);
    assert_eq!(json["enrollment"]["paused"], 2);
    assert_eq!(json["enrollment"]["left"], 2);

    let rounds = json["rounds"].as_array().unwrap();
    let seqs: Vec<i64> = rounds.iter().map(|r| r["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5], "round 6 has no groups yet");
    assert_eq!(rounds[2]["state"], "skipped");
    for round in rounds.iter().filter(|r| r["state"] != "skipped") {
        let seq = round["seq"].as_i64().unwrap();
        let at = |key: &str| round[key].as_u64().unwrap();
        assert_eq!(at("groups"), truth.groups_in("coffee", seq), "round {seq}");
        assert_eq!(
            at("participants"),
            truth.participants_in("coffee", seq),
            "round {seq}"
        );
        assert_eq!(at("groups_met"), truth.met_in("coffee", seq), "round {seq}");
        assert_eq!(
            at("answered"),
            truth.answered_in("coffee", seq),
            "round {seq}"
        );
        assert_eq!(
            at("intros_failed"),
            truth.failed_intros_in("coffee", seq),
            "round {seq}"
        );
        let met_rate = round["met_rate"].as_f64().unwrap();
        let expected = truth.met_in("coffee", seq) as f64 / truth.groups_in("coffee", seq) as f64;
        assert!(
            (met_rate - expected).abs() < 1e-9,
            "round {seq}: {met_rate} vs {expected}"
        );
    }
    assert_eq!(
        rounds[4]["participants"], 25,
        "round 5: 26 active minus one sitting out"
    );
    assert_eq!(rounds[4]["groups"], 12, "eleven pairs and one trio");
    assert_eq!(json["totals"]["rounds_run"], 4);
    assert_eq!(json["totals"]["rounds_skipped"], 1);
    // Teams among participants: Engineering, Sales, Marketing, Support, Finance, People, Legal.
    assert_eq!(json["totals"]["teams"], 7);
    assert_eq!(json["totals"]["team_pairs_possible"], 21);
    assert_eq!(json["team_matrix"]["teams"].as_array().unwrap().len(), 7);
    assert!(json["totals"]["team_pairs_met"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn stats_text_shows_every_program_and_the_overall_figures() {
    let (_dir, db, _truth) = acme().await;
    let text = stdout(&pourover(&db, &["stats"]));
    for expected in [
        "Program book-club",
        "No rounds yet.",
        "Program coffee",
        "Latest: round 5 on 2026-11-02 (open), compared with round 4",
        "Program lunch",
        "All programs",
        "Top connectors",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The coffee table has one line per round that happened (1, 2, 3 skipped, 4, 5).
    let coffee = text.split("Program lunch").next().unwrap();
    let dated_lines = coffee.lines().filter(|l| l.contains("2026-1")).count();
    assert_eq!(
        dated_lines,
        1 + 5,
        "latest line plus five rounds:\n{coffee}"
    );
}

#[tokio::test]
async fn stats_json_without_a_program_lists_programs_by_name_with_overall_totals() {
    let (_dir, db, truth) = acme().await;
    let json: Value = serde_json::from_str(&stdout(&pourover(&db, &["stats", "--json"]))).unwrap();
    let names: Vec<&str> = json["programs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["program"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["book-club", "coffee", "lunch"]);
    assert_eq!(json["totals"]["groups"], truth.groups.len());
    // 30 Slack people (28 enrolled somewhere, 2 left) and 9 on Teams.
    assert_eq!(json["enrollment"]["enrolled"], 28 + 9);
    assert_eq!(json["enrollment"]["left"], 2);
}

#[tokio::test]
async fn an_unknown_program_is_one_line_naming_the_programs_that_exist() {
    let (_dir, db, _truth) = acme().await;
    for args in [
        &["stats", "--program", "tea"][..],
        &["export", "--program", "tea", "--out", "x.csv"][..],
        &["report", "--program", "tea", "--out", "x.html"][..],
    ] {
        let output = pourover(&db, args);
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains("no program named `tea`"), "{stderr}");
        assert!(stderr.contains("book-club, coffee, lunch"), "{stderr}");
    }
}

#[tokio::test]
async fn an_empty_database_says_so_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pourover.db");
    stats_fixture::empty_database(&db).await;
    assert_eq!(
        stdout(&pourover(&db, &["stats"])),
        "No programs yet: nothing to report.\n"
    );
    let json: Value = serde_json::from_str(&stdout(&pourover(&db, &["stats", "--json"]))).unwrap();
    assert_eq!(json["programs"], Value::Array(Vec::new()));
    assert_eq!(json["totals"]["rounds_run"], 0);
    assert!(json["totals"]["met_rate"].is_null());
    let out = dir.path().join("report.html");
    stdout(&pourover(&db, &["report", "--out", out.to_str().unwrap()]));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("No programs yet")
    );
}

#[tokio::test]
async fn export_writes_one_line_per_group_that_reads_back_as_recorded() {
    let (dir, db, truth) = acme().await;
    let out = dir.path().join("coffee.csv");
    let printed = stdout(&pourover(
        &db,
        &[
            "export",
            "--program",
            "coffee",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    let coffee: Vec<_> = truth
        .groups
        .iter()
        .filter(|g| g.program == "coffee")
        .collect();
    assert!(
        printed.contains(&format!("wrote {} groups", coffee.len())),
        "{printed}"
    );

    let mut reader = csv::Reader::from_path(&out).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "round");
    assert_eq!(&headers[1], "members");
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let lines: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(lines.len(), coffee.len());
    for (line, group) in lines.iter().zip(&coffee) {
        let members: Vec<&str> = line[column("members")].split(';').collect();
        assert_eq!(line[column("round")].parse::<i64>().unwrap(), group.round);
        assert_eq!(
            members,
            group.members.iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(
            line[column("group")].parse::<i64>().unwrap(),
            group.position + 1
        );
        let answers: Vec<&str> = line[column("answers")].split(';').collect();
        assert_eq!(answers.len(), members.len());
        for (member, answer) in members.iter().zip(&answers) {
            assert_eq!(
                group.answers.get(*member).copied().unwrap_or(""),
                *answer,
                "round {} group {}",
                group.round,
                group.position
            );
        }
        let outcome = &line[column("outcome")];
        assert_eq!(outcome == "met", group.met, "{line:?}");
        let intros = &line[column("intros")];
        let failed = intros.split(';').filter(|s| *s == "failed").count() as u64;
        assert_eq!(failed, group.failed_intros, "{line:?}");
        assert_eq!(line[column("teams")].split(';').count(), members.len());
        assert_eq!(line[column("names")].split(';').count(), members.len());
    }
    // Dev chose Support over the Sales profile field; Björn has no team.
    let dev = lines
        .iter()
        .find_map(|line| {
            let members: Vec<&str> = line[column("members")].split(';').collect();
            let teams: Vec<&str> = line[column("teams")].split(';').collect();
            members
                .iter()
                .position(|m| *m == "U030")
                .map(|i| teams[i].to_string())
        })
        .unwrap();
    assert_eq!(dev, "Support");
    // A Teams program exports per-member intros the same way.
    let lunch_out = dir.path().join("lunch.csv");
    stdout(&pourover(
        &db,
        &[
            "export",
            "--program",
            "lunch",
            "--out",
            lunch_out.to_str().unwrap(),
        ],
    ));
    let lunch = std::fs::read_to_string(&lunch_out).unwrap();
    assert_eq!(lunch.lines().count(), 1 + 6);
    assert!(lunch.contains("delivered;delivered;failed"), "{lunch}");
}

#[tokio::test]
async fn the_store_loads_what_the_fixture_wrote() {
    let (_dir, db, truth) = acme().await;
    let store = stats_fixture::open(&db).await;
    let program = pourover::stats::find_program(&store, "#Lunch")
        .await
        .unwrap();
    let records = store.program_records(&program).await.unwrap();
    assert_eq!(records.people.len(), 9);
    assert_eq!(records.rounds.len(), 2);
    assert_eq!(records.groups.len(), 6);
    assert!(records.groups.iter().all(|g| g.members.len() == 3));
    assert_eq!(
        records.intros.len(),
        18,
        "one intro per member; nudges are not intros"
    );
    let answered = truth
        .groups
        .iter()
        .filter(|g| g.program == "lunch")
        .map(|g| g.answers.len())
        .sum::<usize>();
    assert_eq!(records.feedback.len(), answered);
    store.close().await;
}

#[tokio::test]
async fn workspace_stats_show_only_that_installs_programs() {
    let (_dir, db, _truth) = acme().await;
    let store = stats_fixture::open(&db).await;
    let coffee = pourover::stats::find_program(&store, "coffee")
        .await
        .unwrap();
    let slack = pourover::stats::workspace_stats(&store, coffee.workspace_id, chrono::Utc::now())
        .await
        .unwrap();
    let names: Vec<&str> = slack.programs.iter().map(|p| p.program.as_str()).collect();
    assert_eq!(names, vec!["book-club", "coffee"]);
    let summary = pourover::stats::program_summary(&store, &coffee, chrono::Utc::now())
        .await
        .unwrap();
    let latest = summary.latest.unwrap();
    assert_eq!((latest.seq, latest.previous_seq), (5, Some(4)));
    assert_eq!(latest.participants.change(), Some(-1));
    let csv = pourover::stats::export::program_csv(&store, &coffee)
        .await
        .unwrap();
    assert!(csv.starts_with(b"round,members,"));
    store.close().await;
}
