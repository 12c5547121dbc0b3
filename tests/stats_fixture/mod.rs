//! A realistic company in a temp SQLite file, written with plain SQL (the bot's own write
//! paths are tested elsewhere), plus what was written — the figures the admin commands must
//! find — worked out from the generator's own bookkeeping rather than from `pourover::stats`.
//!
//! - `coffee` (Slack, pairs): 30 people in 7 teams, one of them a one-person team, two people
//!   without a team, one whose chosen team overrides the profile. Rounds 1–2 closed with
//!   everyone; round 3 skipped; rounds 4 (closed) and 5 (open) after two people left and two
//!   paused; round 5 has an odd count, hence one trio; round 6 only scheduled. One group DM per
//!   group; one failed in round 2, some still pending in round 5.
//! - `lunch` (Teams, trios): 9 people in 3 teams, 2 closed rounds, one intro per member.
//! - `book-club` (Slack): 4 people enrolled, no round yet.

#![allow(dead_code)] // each test binary uses its own subset

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use pourover::store::{Store, StoreOptions};
use sqlx::SqlitePool;

mod sql;
use sql::Bind::{Int, Text};
use sql::{answer, enroll, exec, group, intro, member, program, round, workspace};

/// What one group was written as.
#[derive(Debug, Clone)]
pub struct WrittenGroup {
    pub program: &'static str,
    pub round: i64,
    pub position: i64,
    /// Platform user ids, in member-id order (the order the CSV uses).
    pub members: Vec<String>,
    /// External id -> answer, for members with a feedback row.
    pub answers: BTreeMap<String, &'static str>,
    pub met: bool,
    /// People whose intro failed.
    pub failed_intros: u64,
}

/// The figures implied by what was written, per program and round.
#[derive(Debug, Clone, Default)]
pub struct Truth {
    pub groups: Vec<WrittenGroup>,
}

impl Truth {
    pub fn rounds(&self, program: &str) -> Vec<i64> {
        let mut rounds: Vec<i64> = self
            .groups
            .iter()
            .filter(|g| g.program == program)
            .map(|g| g.round)
            .collect();
        rounds.dedup();
        rounds
    }

    fn in_round<'a>(
        &'a self,
        program: &'a str,
        round: i64,
    ) -> impl Iterator<Item = &'a WrittenGroup> {
        self.groups
            .iter()
            .filter(move |g| g.program == program && g.round == round)
    }

    pub fn groups_in(&self, program: &str, round: i64) -> u64 {
        self.in_round(program, round).count() as u64
    }

    pub fn participants_in(&self, program: &str, round: i64) -> u64 {
        self.in_round(program, round)
            .map(|g| g.members.len() as u64)
            .sum()
    }

    pub fn met_in(&self, program: &str, round: i64) -> u64 {
        self.in_round(program, round).filter(|g| g.met).count() as u64
    }

    pub fn answered_in(&self, program: &str, round: i64) -> u64 {
        self.in_round(program, round)
            .flat_map(|g| g.answers.values())
            .filter(|answer| **answer != "no_answer")
            .count() as u64
    }

    pub fn failed_intros_in(&self, program: &str, round: i64) -> u64 {
        self.in_round(program, round).map(|g| g.failed_intros).sum()
    }
}

/// Opens (and migrates) a database at `path`.
pub async fn open(path: &Path) -> Store {
    let store = Store::connect(&StoreOptions {
        url: format!("sqlite://{}", path.display()),
        max_connections: 2,
        busy_timeout: Duration::from_secs(5),
    })
    .await
    .unwrap();
    store.migrate().await.unwrap();
    store
}

/// An empty but migrated database.
pub async fn empty_database(path: &Path) {
    open(path).await.close().await;
}

/// Fills a new database at `path` with the company described above.
pub async fn acme(path: &Path) -> Truth {
    let store = open(path).await;
    let pool = store.pool().clone();
    let mut truth = Truth::default();
    coffee(&pool, &mut truth).await;
    lunch(&pool, &mut truth).await;
    book_club(&pool).await;
    store.close().await;
    truth
}

const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;

fn monday_5_october_2026() -> i64 {
    Utc.with_ymd_and_hms(2026, 10, 5, 9, 0, 0)
        .unwrap()
        .timestamp_millis()
}

/// People as (external id, name, profile team, chosen team).
type Roster = Vec<(String, String, Option<&'static str>, Option<&'static str>)>;

fn coffee_roster() -> Roster {
    let teams: [(&str, usize); 7] = [
        ("Engineering", 8),
        ("Sales", 5),
        ("Marketing", 4),
        ("Support", 4),
        ("Finance", 3),
        ("People", 2),
        ("Legal", 1),
    ];
    let first_names = [
        "Ada", "Bruno", "Chloé", "Dmitri", "Esi", "Farah", "Gustav", "Hana", "Ivo", "Jun", "Kemi",
        "Lars", "Mei", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tomás", "Uma", "Vera",
        "Wen", "Xavier", "Yara", "Zoltan", "Amara", "Björn", "Carmen", "Dev",
    ];
    let mut roster = Vec::new();
    let mut names = first_names.iter();
    for (team, size) in teams {
        for _ in 0..size {
            let name = names.next().copied().unwrap_or("Someone");
            roster.push((
                format!("U{:03}", roster.len() + 1),
                name.to_string(),
                Some(team),
                None,
            ));
        }
    }
    // Two people without a team (one blank profile field), one who chose another team.
    roster.push(("U028".into(), "Björn".into(), None, None));
    roster.push(("U029".into(), "Carmen".into(), Some("  "), None));
    roster.push(("U030".into(), "Dev".into(), Some("Sales"), Some("Support")));
    roster
}

/// Deterministic "randomness": the same fixture every run.
fn mix(round: i64, position: i64) -> i64 {
    (round * 31 + position * 17 + 7) % 20
}

/// Pairs people by folding a rotated list (first with last, …); an odd one out joins the
/// last pair.
fn fold_into_groups(people: &[i64], rotation: usize) -> Vec<Vec<i64>> {
    let mut order = people.to_vec();
    let len = order.len().max(1);
    order.rotate_left(rotation % len);
    let mut groups: Vec<Vec<i64>> = (0..order.len() / 2)
        .map(|i| vec![order[i], order[order.len() - 1 - i]])
        .collect();
    if order.len() % 2 == 1
        && let Some(last) = groups.last_mut()
    {
        last.push(order[order.len() / 2]);
    }
    groups
}

async fn coffee(pool: &SqlitePool, truth: &mut Truth) {
    let ws = workspace(pool, "slack", "T0ACME").await;
    let program = program(pool, ws, "coffee", 2).await;
    let mut ids = Vec::new();
    let mut external = BTreeMap::new();
    for (ext, name, profile, chosen) in coffee_roster() {
        let id = member(pool, ws, &ext, &name, profile, chosen).await;
        external.insert(id, ext);
        ids.push(id);
    }
    // U005 and U017 left after round 2; U010 paused indefinitely, U021 until next year;
    // U003 sits out round 5.
    let id_of = |ext: &str| *external.iter().find(|(_, e)| e.as_str() == ext).unwrap().0;
    let left = [id_of("U005"), id_of("U017")];
    let paused = [id_of("U010"), id_of("U021")];
    let next_year = Utc
        .with_ymd_and_hms(2027, 1, 4, 0, 0, 0)
        .unwrap()
        .timestamp_millis();
    for &id in &ids {
        let (state, until) = if left.contains(&id) {
            ("left", None)
        } else if id == paused[0] {
            ("paused", None)
        } else if id == paused[1] {
            ("paused", Some(next_year))
        } else {
            ("active", None)
        };
        enroll(pool, program, id, state, until).await;
    }

    let everyone = ids.clone();
    let later: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !left.contains(id) && !paused.contains(id))
        .collect();
    let round_five: Vec<i64> = later
        .iter()
        .copied()
        .filter(|id| *id != id_of("U003"))
        .collect();
    let plan: [(i64, &str, &[i64]); 4] = [
        (1, "closed", &everyone),
        (2, "closed", &everyone),
        (4, "closed", &later),
        (5, "open", &round_five),
    ];
    round(pool, program, 3, "skipped").await;
    // Created but not yet planned into groups: not shown.
    round(pool, program, 6, "open").await;
    for (seq, state, people) in plan {
        let round_id = round(pool, program, seq, state).await;
        for (position, members) in fold_into_groups(people, seq as usize * 7)
            .into_iter()
            .enumerate()
        {
            let position = position as i64;
            let mut members = members;
            members.sort();
            let group_id = group(pool, round_id, position, &members).await;
            let h = mix(seq, position);
            let open = state == "open";
            let intro_state = if seq == 2 && position == 3 {
                "failed"
            } else if open && h >= 16 {
                "pending"
            } else {
                "sent"
            };
            intro(pool, ws, group_id, None, intro_state).await;
            let mut answers = BTreeMap::new();
            let (first, second) = (members[0], members[1]);
            let mut say = |member: i64, what: &'static str| {
                answers.insert(external[&member].clone(), what);
                (member, what)
            };
            let written: Vec<(i64, &str)> = match (open, h) {
                (_, 0..=9) if h % 2 == 0 => vec![say(first, "met"), say(second, "met")],
                (_, 0..=9) => vec![say(second, "met")],
                (false, 10..=12) => vec![say(first, "planned"), say(second, "planned")],
                (false, 13..=14) => vec![say(first, "skipped"), say(second, "no_answer")],
                _ => Vec::new(),
            };
            for (member, what) in written {
                answer(pool, group_id, member, what).await;
            }
            let met = answers.values().any(|a| *a == "met");
            truth.groups.push(WrittenGroup {
                program: "coffee",
                round: seq,
                position,
                members: members.iter().map(|m| external[m].clone()).collect(),
                answers,
                met,
                failed_intros: if intro_state == "failed" {
                    members.len() as u64
                } else {
                    0
                },
            });
        }
    }
}

async fn lunch(pool: &SqlitePool, truth: &mut Truth) {
    let ws = workspace(pool, "teams", "tenant-acme").await;
    let program = program(pool, ws, "lunch", 3).await;
    let mut ids = Vec::new();
    let mut external = BTreeMap::new();
    for (i, team) in ["Design", "Research", "Operations"].iter().enumerate() {
        for j in 0..3 {
            let ext = format!("29:{}{}", team.to_lowercase(), j + 1);
            let id = member(
                pool,
                ws,
                &ext,
                &format!("{team} person {}", j + 1),
                Some(team),
                None,
            )
            .await;
            enroll(pool, program, id, "active", None).await;
            external.insert(id, ext);
            ids.push((i, id));
        }
    }
    for seq in 1..=2 {
        let round_id = round(pool, program, seq, "closed").await;
        for position in 0..3_i64 {
            // One person of each team per trio, shifted each round.
            let mut members: Vec<i64> = (0..3)
                .map(|team| ids[team * 3 + ((position as usize + team * (seq as usize)) % 3)].1)
                .collect();
            members.sort();
            let group_id = group(pool, round_id, position, &members).await;
            let mut failed = 0;
            for (k, member) in members.iter().enumerate() {
                let state = if seq == 1 && position == 0 && k == 2 {
                    "failed"
                } else {
                    "sent"
                };
                if state == "failed" {
                    failed += 1;
                }
                intro(pool, ws, group_id, Some(*member), state).await;
            }
            let mut answers = BTreeMap::new();
            if position != 2 {
                answer(pool, group_id, members[0], "met").await;
                answers.insert(external[&members[0]].clone(), "met");
            }
            truth.groups.push(WrittenGroup {
                program: "lunch",
                round: seq,
                position,
                members: members.iter().map(|m| external[m].clone()).collect(),
                met: !answers.is_empty(),
                answers,
                failed_intros: failed,
            });
        }
    }
}

async fn book_club(pool: &SqlitePool) {
    let ws = exec(
        pool,
        "SELECT id FROM workspaces WHERE external_id = 'T0ACME'",
        &[],
    )
    .await;
    let program = program(pool, ws, "book-club", 2).await;
    for ext in ["U001", "U002", "U012", "U020"] {
        let id = exec(
            pool,
            "SELECT id FROM members WHERE workspace_id = $1 AND external_id = $2",
            &[Int(ws), Text(ext)],
        )
        .await;
        enroll(pool, program, id, "active", None).await;
    }
}
