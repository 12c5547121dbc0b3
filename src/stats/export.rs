//! A program's history as CSV, for spreadsheets and for `pourover pair --history`: one line per
//! group, oldest round first. The first two columns are `pourover pair`'s history format; the
//! rest say who the people were and how the group went.
//!
//! | column        | meaning                                                                  |
//! |---------------|--------------------------------------------------------------------------|
//! | `round`       | the round's number in the program (1, 2, 3…)                             |
//! | `members`     | platform user ids (Slack `U…`, Teams `29:…`), joined by `;`              |
//! | `date`        | the day the round was scheduled for, `YYYY-MM-DD`, in the program's time zone |
//! | `round_state` | `planned`, `open`, `closed` (or `skipped`)                               |
//! | `group`       | the group's number within the round, from 1                              |
//! | `names`       | display names, in `members` order, joined by `;`                         |
//! | `teams`       | teams in `members` order, joined by `;`; empty where unknown             |
//! | `intros`      | per member: `delivered`, `failed` or `waiting`                           |
//! | `answers`     | per member, last button press: `met`, `planned`, `skipped`, `no_answer`; empty if none |
//! | `outcome`     | the group's: `met` if anyone met, else `planned`, `skipped`, `no_answer` |
//! | `cross_team`  | `true` when the group has two or more different known teams               |
//! | `repeat_pairs`| pairs in this group already introduced in an earlier round               |
//!
//! Per-member columns have exactly as many `;`-separated entries as `members` (a `;` inside a
//! name or team becomes `,`). Skipped rounds have no groups, hence no lines.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::stats::{self, GroupView, ProgramRecords, ProgramRef, StatsError, round_views};
use crate::store::Store;

/// The header row, in order.
pub const COLUMNS: [&str; 12] = [
    "round",
    "members",
    "date",
    "round_state",
    "group",
    "names",
    "teams",
    "intros",
    "answers",
    "outcome",
    "cross_team",
    "repeat_pairs",
];

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Stats(#[from] StatsError),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ExportError {
    /// True when the person typed something wrong (a program that does not exist).
    pub fn is_user_mistake(&self) -> bool {
        matches!(self, ExportError::Stats(err) if err.is_user_mistake())
    }
}

/// The CSV of a program (what `/coffee admin export` uploads).
pub async fn program_csv(store: &Store, program: &ProgramRef) -> Result<Vec<u8>, ExportError> {
    let records = store
        .program_records(program)
        .await
        .map_err(StatsError::from)?;
    csv_bytes(&records)
}

/// Writes the CSV of the program named `program` to `out` (`pourover export`); returns how
/// many groups it holds.
pub async fn write_program_csv(
    store: &Store,
    program: &str,
    out: &Path,
) -> Result<usize, ExportError> {
    let program = stats::find_program(store, program).await?;
    let records = store
        .program_records(&program)
        .await
        .map_err(StatsError::from)?;
    let bytes = csv_bytes(&records)?;
    std::fs::write(out, bytes).map_err(|source| ExportError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(records.groups.len())
}

/// The CSV, header first, one line per group.
pub fn csv_bytes(records: &ProgramRecords) -> Result<Vec<u8>, ExportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    let mut introduced_before: HashSet<_> = HashSet::new();
    for round in round_views(records) {
        let mut introduced_now = Vec::new();
        for group in &round.groups {
            let pairs = group.introduced_pairs();
            let repeats = pairs
                .iter()
                .filter(|pair| introduced_before.contains(*pair))
                .count();
            introduced_now.extend(pairs);
            writer.write_record(group_line(records, round.round, group, repeats))?;
        }
        introduced_before.extend(introduced_now);
    }
    writer.flush().map_err(csv::Error::from)?;
    writer
        .into_inner()
        .map_err(|err| ExportError::Csv(csv::Error::from(err.into_error())))
}

fn group_line(
    records: &ProgramRecords,
    round: &stats::RoundRecord,
    group: &GroupView<'_>,
    repeats: usize,
) -> Vec<String> {
    let members = &group.group.members;
    let person = |id| records.people.get(id);
    let per_member = |cell: &dyn Fn(usize) -> String| -> String {
        (0..members.len())
            .map(|i| cell(i).replace(';', ","))
            .collect::<Vec<_>>()
            .join(";")
    };
    let known_teams: HashSet<&str> = members.iter().filter_map(|m| records.team_of(*m)).collect();
    vec![
        round.seq.to_string(),
        per_member(&|i| {
            person(&members[i]).map_or_else(|| members[i].to_string(), |p| p.external_id.clone())
        }),
        records.program.local_date(round.scheduled_for).to_string(),
        round.state.to_string(),
        (group.group.position + 1).to_string(),
        per_member(&|i| person(&members[i]).map_or_else(String::new, |p| p.display_name.clone())),
        per_member(&|i| records.team_of(members[i]).unwrap_or_default().to_string()),
        per_member(&|i| group.intros[i].as_str().to_string()),
        per_member(&|i| {
            group.answers[i].map_or_else(String::new, |answer| answer.as_str().to_string())
        }),
        group.outcome().as_str().to_string(),
        (known_teams.len() >= 2).to_string(),
        repeats.to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FeedbackAnswer::*, OutboxState::*, RoundState};
    use crate::stats::fixtures::{Intro, ProgramBuilder};

    fn lines(records: &ProgramRecords) -> Vec<Vec<String>> {
        let bytes = csv_bytes(records).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(
            reader.headers().unwrap(),
            &csv::StringRecord::from(COLUMNS.to_vec())
        );
        reader
            .records()
            .map(|line| line.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn each_group_is_one_line_with_per_member_columns_in_member_order() {
        let records = ProgramBuilder::new(1, "coffee")
            .person(1, "Ada; the first", Some("Eng"))
            .person(2, "Bob", None)
            .person(3, "Cy", Some("Sales"))
            .round(1, RoundState::Closed)
            .round(2, RoundState::Skipped)
            .round(3, RoundState::Open)
            .group(1, &[1, 2, 3], Intro::Group(Sent), &[(2, Skipped), (3, Met)])
            .group(
                3,
                &[1, 3],
                Intro::PerMember(vec![Sent, Failed]),
                &[(1, NoAnswer)],
            )
            .build();
        let lines = lines(&records);
        assert_eq!(
            lines,
            vec![
                vec![
                    "1",
                    "U1;U2;U3",
                    "2026-11-02",
                    "closed",
                    "1",
                    "Ada, the first;Bob;Cy",
                    "Eng;;Sales",
                    "delivered;delivered;delivered",
                    ";skipped;met",
                    "met",
                    "true",
                    "0",
                ],
                vec![
                    "3",
                    "U1;U3",
                    "2026-11-16",
                    "open",
                    "1",
                    "Ada, the first;Cy",
                    "Eng;Sales",
                    "delivered;failed",
                    "no_answer;",
                    "no_answer",
                    "true",
                    "1",
                ],
            ]
        );
    }

    #[test]
    fn a_program_without_groups_exports_only_the_header() {
        let records = ProgramBuilder::new(1, "coffee").build();
        let bytes = csv_bytes(&records).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            format!("{}\n", COLUMNS.join(","))
        );
    }
}
