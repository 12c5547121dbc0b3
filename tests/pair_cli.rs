//! `pourover pair` run as a real process on temporary CSV files.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

struct Files {
    dir: TempDir,
}

impl Files {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write a test file");
        path
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Runs `pourover pair` with these arguments from the files' directory, so messages name
/// the files as typed.
fn pair(files: &Files, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pourover"))
        .arg("pair")
        .args(args)
        .current_dir(files.dir.path())
        // Proves `pair` needs no configuration or secrets.
        .env_clear()
        .output()
        .expect("run pourover")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// (round, members) of each output line after an optional header.
fn groups(output: &Output) -> Vec<(u64, Vec<String>)> {
    stdout(output)
        .lines()
        .filter(|line| *line != "round,members")
        .map(|line| {
            let (round, members) = line.split_once(',').expect("round,members");
            let round = round.parse().expect("a round number");
            let members = members
                .trim_matches('"')
                .split(';')
                .map(str::to_owned)
                .collect();
            (round, members)
        })
        .collect()
}

const TEAMS: [&str; 4] = ["sales", "support", "engineering", "finance"];
const ZONES: [&str; 4] = ["Asia/Kolkata", "+05:30", "+04:30", ""];

/// `count` people over four teams, all within an hour of India time or unknown.
fn people_csv(count: usize) -> String {
    let mut csv = String::from("id,name,team,timezone\n");
    for i in 0..count {
        csv.push_str(&format!(
            "u{i},Person {i},{},{}\n",
            TEAMS[i % 4],
            ZONES[i % 4]
        ));
    }
    csv
}

fn assert_bad_input(output: &Output, expected: &str) {
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(output));
    let message = stderr(output);
    assert_eq!(message.lines().count(), 1, "one line: {message}");
    assert!(
        message.contains(expected),
        "expected `{expected}` in: {message}"
    );
    assert!(
        stdout(output).is_empty(),
        "nothing planned: {}",
        stdout(output)
    );
}

#[test]
fn without_history_it_prints_round_one_with_the_history_header() {
    let files = Files::new();
    files.write("people.csv", &people_csv(8));
    let output = pair(&files, &["--people", "people.csv"]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert!(stdout(&output).starts_with("round,members\n"));
    let groups = groups(&output);
    assert_eq!(groups.len(), 4);
    assert!(
        groups
            .iter()
            .all(|(round, members)| *round == 1 && members.len() == 2)
    );
    let placed: HashSet<&String> = groups.iter().flat_map(|(_, m)| m).collect();
    assert_eq!(placed.len(), 8);
}

#[test]
fn the_summary_goes_to_stderr() {
    let files = Files::new();
    files.write("people.csv", &people_csv(9));
    let output = pair(&files, &["--people", "people.csv"]);
    let summary = stderr(&output);
    assert!(
        summary.contains("round 1: 9 people in 4 groups (3 pairs, 1 trio)"),
        "{summary}"
    );
    assert!(summary.contains("cross-team pairs 100.0 %"), "{summary}");
    assert!(summary.contains("repeats 0"), "{summary}");
    assert!(summary.contains("largest time-zone gap"), "{summary}");
    assert!(summary.contains("planned in"), "{summary}");
}

#[test]
fn appending_the_output_to_the_history_builds_rounds_without_repeats() {
    let files = Files::new();
    files.write("people.csv", &people_csv(12));
    let first = pair(&files, &["--people", "people.csv"]);
    assert_eq!(first.status.code(), Some(0));
    files.write("history.csv", &stdout(&first));
    let mut met: HashSet<(String, String)> = HashSet::new();
    let mut remember = |groups: &[(u64, Vec<String>)]| {
        let mut repeats = 0;
        for (_, members) in groups {
            let (a, b) = (members[0].clone(), members[1].clone());
            if !met.insert((a.clone().min(b.clone()), a.max(b))) {
                repeats += 1;
            }
        }
        repeats
    };
    assert_eq!(remember(&groups(&first)), 0);
    for round in 2..=4 {
        let next = pair(
            &files,
            &["--people", "people.csv", "--history", "history.csv"],
        );
        assert_eq!(next.status.code(), Some(0), "stderr: {}", stderr(&next));
        assert!(
            stdout(&next).starts_with("round,members\n"),
            "the output is a CSV file of its own"
        );
        let groups = groups(&next);
        assert!(groups.iter().all(|(r, _)| *r == round));
        assert_eq!(remember(&groups), 0, "round {round} repeats a pair");
        let mut history = std::fs::read_to_string(files.path("history.csv")).expect("history");
        // Odd rounds as `| tail -n +2 >> history.csv`, even ones as a plain `>>`: the
        // repeated header is skipped.
        let lines = stdout(&next);
        let appended = if round % 2 == 1 {
            lines.split_once('\n').expect("a header line").1
        } else {
            lines.as_str()
        };
        history.push_str(appended);
        files.write("history.csv", &history);
    }
}

#[test]
fn the_round_follows_the_last_round_in_the_history() {
    let files = Files::new();
    files.write("people.csv", &people_csv(4));
    files.write("history.csv", "round,members\n7,u0;u1\n41,u2;u3\n3,u0;u2\n");
    let output = pair(
        &files,
        &["--people", "people.csv", "--history", "history.csv"],
    );
    assert!(groups(&output).iter().all(|(round, _)| *round == 42));
}

#[test]
fn exclusions_are_honoured() {
    let files = Files::new();
    files.write("people.csv", &people_csv(4));
    // u0 may only meet u2.
    files.write("exclusions.csv", "id_a,id_b\nu0,u1\nu3,u0\n");
    let output = pair(
        &files,
        &["--people", "people.csv", "--exclusions", "exclusions.csv"],
    );
    let groups = groups(&output);
    assert!(
        groups
            .iter()
            .any(|(_, m)| m.contains(&"u0".to_owned()) && m.contains(&"u2".to_owned()))
    );
}

#[test]
fn someone_who_cannot_be_placed_is_named_in_the_summary() {
    let files = Files::new();
    files.write("people.csv", &people_csv(3));
    files.write("exclusions.csv", "id_a,id_b\nu0,u1\nu0,u2\n");
    let output = pair(
        &files,
        &["--people", "people.csv", "--exclusions", "exclusions.csv"],
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(groups(&output).len(), 1);
    assert!(
        stderr(&output).contains("not placed: u0"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn group_size_and_seed_are_honoured_and_the_same_seed_gives_the_same_round() {
    let files = Files::new();
    files.write("people.csv", &people_csv(20));
    let run = |seed: &str| {
        pair(
            &files,
            &[
                "--people",
                "people.csv",
                "--group-size",
                "4",
                "--seed",
                seed,
            ],
        )
    };
    let first = run("7");
    assert!(groups(&first).iter().all(|(_, m)| m.len() == 4));
    assert!(
        stderr(&first).contains("20 people in 5 groups (5 groups of 4)"),
        "{}",
        stderr(&first)
    );
    assert_eq!(stdout(&first), stdout(&run("7")));
    assert_ne!(stdout(&first), stdout(&run("8")));
}

#[test]
fn names_may_contain_commas_and_quotes() {
    let files = Files::new();
    files.write(
        "people.csv",
        "id,name,team,timezone\na,\"Doe, Jane\",x,+01:00\nb,\"O\"\"Brien\",y,Europe/Dublin\n",
    );
    let output = pair(&files, &["--people", "people.csv"]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(
        groups(&output),
        vec![(1, vec!["a".to_owned(), "b".to_owned()])]
    );
}

#[test]
fn columns_may_come_in_any_order_with_extra_ones() {
    let files = Files::new();
    files.write(
        "people.csv",
        "timezone,team,name,id,email\n+01:00,x,Ana,a,a@x\n,y,Bo,b,b@x\n",
    );
    let output = pair(&files, &["--people", "people.csv"]);
    assert_eq!(
        groups(&output),
        vec![(1, vec!["a".to_owned(), "b".to_owned()])]
    );
}

#[test]
fn an_unknown_id_in_the_history_is_bad_input() {
    let files = Files::new();
    files.write("people.csv", &people_csv(4));
    files.write("history.csv", "round,members\n1,u0;u1\n1,u2;ghost\n");
    let output = pair(
        &files,
        &["--people", "people.csv", "--history", "history.csv"],
    );
    assert_bad_input(&output, "history.csv, line 3: unknown id `ghost`");
}

#[test]
fn an_unknown_id_in_the_exclusions_is_bad_input() {
    let files = Files::new();
    files.write("people.csv", &people_csv(4));
    files.write("exclusions.csv", "id_a,id_b\nu0,u1\nnobody,u1\n");
    let output = pair(
        &files,
        &["--people", "people.csv", "--exclusions", "exclusions.csv"],
    );
    assert_bad_input(&output, "exclusions.csv, line 3: unknown id `nobody`");
}

#[test]
fn a_duplicate_id_is_bad_input() {
    let files = Files::new();
    files.write(
        "people.csv",
        "id,name,team,timezone\na,Ana,x,\nb,Bo,y,\na,Again,z,\n",
    );
    let output = pair(&files, &["--people", "people.csv"]);
    assert_bad_input(
        &output,
        "people.csv, line 4: duplicate id `a` (also on line 2)",
    );
}

#[test]
fn a_missing_column_is_bad_input() {
    let files = Files::new();
    files.write("people.csv", "id,name,team\na,Ana,x\nb,Bo,y\n");
    assert_bad_input(
        &pair(&files, &["--people", "people.csv"]),
        "people.csv, line 1: missing column `timezone`",
    );

    files.write("people.csv", &people_csv(2));
    files.write("history.csv", "round,people\n1,u0;u1\n");
    let output = pair(
        &files,
        &["--people", "people.csv", "--history", "history.csv"],
    );
    assert_bad_input(&output, "history.csv, line 1: missing column `members`");

    files.write("exclusions.csv", "id_a\nu0\n");
    let output = pair(
        &files,
        &["--people", "people.csv", "--exclusions", "exclusions.csv"],
    );
    assert_bad_input(&output, "exclusions.csv, line 1: missing column `id_b`");
}

#[test]
fn an_unknown_time_zone_is_bad_input() {
    let files = Files::new();
    files.write(
        "people.csv",
        "id,name,team,timezone\na,Ana,x,Europe/Paris\nb,Bo,y,Mars/Olympus_Mons\n",
    );
    let output = pair(&files, &["--people", "people.csv"]);
    assert_bad_input(
        &output,
        "people.csv, line 3: unknown time zone `Mars/Olympus_Mons`",
    );
}

#[test]
fn an_impossible_utc_offset_is_bad_input() {
    let files = Files::new();
    files.write("people.csv", "id,name,team,timezone\na,Ana,x,+25:00\n");
    let output = pair(&files, &["--people", "people.csv"]);
    assert_bad_input(&output, "people.csv, line 2: invalid UTC offset `+25:00`");
}

#[test]
fn a_group_size_below_two_or_above_eight_is_bad_input() {
    let files = Files::new();
    files.write("people.csv", &people_csv(4));
    for size in ["1", "0", "9"] {
        let output = pair(&files, &["--people", "people.csv", "--group-size", size]);
        assert_bad_input(
            &output,
            &format!("--group-size: must be between 2 and 8, got {size}"),
        );
    }
}

#[test]
fn a_round_that_is_not_a_number_is_bad_input() {
    let files = Files::new();
    files.write("people.csv", &people_csv(4));
    files.write("history.csv", "round,members\n1,u0;u1\nlast week,u2;u3\n");
    let output = pair(
        &files,
        &["--people", "people.csv", "--history", "history.csv"],
    );
    assert_bad_input(
        &output,
        "history.csv, line 3: round `last week` is not a whole number",
    );
}

#[test]
fn a_row_with_too_few_fields_is_bad_input() {
    let files = Files::new();
    files.write("people.csv", "id,name,team,timezone\na,Ana,x,\nb,Bo\n");
    let output = pair(&files, &["--people", "people.csv"]);
    assert_bad_input(
        &output,
        "people.csv, line 3: 2 fields where the header has 4",
    );
}

#[test]
fn a_spreadsheet_byte_order_mark_is_ignored() {
    let files = Files::new();
    files.write(
        "people.csv",
        "\u{feff}id,name,team,timezone\na,Ana,x,\nb,Bo,y,\n",
    );
    let output = pair(&files, &["--people", "people.csv"]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert!(
        stderr(&output).contains("round 1: 2 people in 1 group (1 pair)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_missing_file_is_bad_input() {
    let files = Files::new();
    let output = pair(&files, &["--people", "nowhere.csv"]);
    assert_bad_input(&output, "nowhere.csv: cannot read it");
}

#[test]
fn an_empty_roster_plans_an_empty_round() {
    let files = Files::new();
    files.write("people.csv", "id,name,team,timezone\n");
    let output = pair(&files, &["--people", "people.csv"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "round,members\n");
}

#[test]
fn paths_are_reported_as_given() {
    let files = Files::new();
    std::fs::create_dir(files.path("in")).expect("subdirectory");
    files.write(
        "in/people.csv",
        "id,name,team,timezone\na,Ana,x,Atlantis/Capital\n",
    );
    let output = pair(
        &files,
        &[
            "--people",
            Path::new("in").join("people.csv").to_str().unwrap_or(""),
        ],
    );
    assert_bad_input(&output, "in/people.csv, line 2: unknown time zone");
}

#[test]
fn ids_that_look_like_formulas_are_written_as_text_and_read_back_as_history() {
    let files = Files::new();
    files.write(
        "people.csv",
        "id,name,team,timezone\n=evil,E,sales,\n-1,M,support,\n@u,A,engineering,\n+u,P,finance,\n",
    );
    let first = pair(&files, &["--people", "people.csv", "--seed", "1"]);
    assert_eq!(first.status.code(), Some(0), "stderr: {}", stderr(&first));
    let written = stdout(&first);
    for line in written.lines().skip(1) {
        let members = line.split_once(',').expect("round,members").1;
        assert!(
            !members
                .trim_start_matches('"')
                .starts_with(['=', '+', '-', '@']),
            "a spreadsheet would run `{members}`"
        );
    }
    files.write("history.csv", &written);
    let first_pairs: HashSet<Vec<String>> = groups(&first)
        .into_iter()
        .map(|(_, members)| {
            let mut ids: Vec<String> = members
                .iter()
                .map(|id| id.trim_start_matches('\'').to_owned())
                .collect();
            ids.sort();
            ids
        })
        .collect();
    let second = pair(
        &files,
        &[
            "--people",
            "people.csv",
            "--history",
            "history.csv",
            "--seed",
            "1",
        ],
    );
    assert_eq!(second.status.code(), Some(0), "stderr: {}", stderr(&second));
    for (round, members) in groups(&second) {
        assert_eq!(round, 2, "the history was read: this is the second round");
        let mut ids: Vec<String> = members
            .iter()
            .map(|id| id.trim_start_matches('\'').to_owned())
            .collect();
        ids.sort();
        assert!(
            !first_pairs.contains(&ids),
            "{ids:?} met in round 1 already"
        );
    }
}
