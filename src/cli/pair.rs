//! `pourover pair`: the pairing engine on CSV files, for teams that plan coffee rounds
//! without a chat platform. Reads people, history and exclusions; writes the new round to
//! stdout in the history format and a summary to stderr.
//!
//! Bad input is reported as one line naming the file, the line and the problem, with exit
//! code 2, before anything is planned.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use pourover_pairing::{self as pairing, PastGroup, Person, Plan, Settings};

use crate::csv_cells::{SafeCsvWriter, restore};
use crate::domain::LocalZone;

/// Exit code for input the command cannot plan with.
pub const BAD_INPUT: i32 = 2;
/// Exit code when the round cannot be written out.
const OUTPUT_FAILED: i32 = 1;

#[derive(Debug, Clone, clap::Args)]
pub struct PairArgs {
    /// Who takes part: CSV with header `id,name,team,timezone`. The time zone is an IANA
    /// name (Europe/Paris), a UTC offset (+05:30) or empty.
    #[arg(long, value_name = "FILE.csv")]
    pub people: PathBuf,
    /// Earlier rounds: CSV with header `round,members`, members' ids joined by `;`. The
    /// output has the same format and numbers its round after the last one here, so
    /// `pourover pair ... | tail -n +2 >> history.csv` builds history round after round (a
    /// plain `>>` works too: a repeated header line is skipped).
    #[arg(long, value_name = "FILE.csv")]
    pub history: Option<PathBuf>,
    /// Pairs who must never be grouped: CSV with header `id_a,id_b`.
    #[arg(long, value_name = "FILE.csv")]
    pub exclusions: Option<PathBuf>,
    /// People per group, 2 to 8; the remainder makes some groups one larger.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub group_size: usize,
    /// Pairs who met within this many rounds count as repeats and are avoided.
    #[arg(long, value_name = "ROUNDS", default_value_t = 12)]
    pub lookback: u64,
    /// Seed for choosing among equally good groupings (default: the round number, so every
    /// round differs and any round can be reproduced).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

/// Plans the round; returns the process exit code.
pub fn run(args: &PairArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    match plan_round(args, Utc::now()) {
        Ok(round) => match write_round(&round, stdout).and_then(|()| write_summary(&round, stderr))
        {
            Ok(()) => 0,
            Err(err) => {
                // Nothing more useful to do if stderr is gone too.
                let _ = writeln!(stderr, "pourover pair: cannot write the round: {err}");
                OUTPUT_FAILED
            }
        },
        Err(err) => {
            let _ = writeln!(stderr, "pourover pair: {err}");
            BAD_INPUT
        }
    }
}

/// What the user gave us that we cannot use: which file, which line, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file as given on the command line, or the option for argument errors.
    pub source: String,
    pub line: Option<u64>,
    pub problem: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}, line {line}: {}", self.source, self.problem),
            None => write!(f, "{}: {}", self.source, self.problem),
        }
    }
}

impl std::error::Error for InputError {}

struct PlannedRound {
    number: u64,
    people: usize,
    plan: Plan<String>,
    elapsed: Duration,
}

fn plan_round(args: &PairArgs, now: DateTime<Utc>) -> Result<PlannedRound, InputError> {
    let group_size_range = Settings::MIN_GROUP_SIZE..=Settings::MAX_GROUP_SIZE;
    if !group_size_range.contains(&args.group_size) {
        return Err(InputError {
            source: "--group-size".into(),
            line: None,
            problem: format!(
                "must be between {} and {}, got {}",
                Settings::MIN_GROUP_SIZE,
                Settings::MAX_GROUP_SIZE,
                args.group_size
            ),
        });
    }
    let people = read_people(&args.people, now)?;
    let known: HashMap<&str, ()> = people.iter().map(|p| (p.id.as_str(), ())).collect();
    let history = match &args.history {
        Some(path) => read_history(path, &known)?,
        None => Vec::new(),
    };
    let exclusions = match &args.exclusions {
        Some(path) => read_exclusions(path, &known)?,
        None => Vec::new(),
    };
    let number = history
        .iter()
        .map(|g| g.round)
        .max()
        .map_or(1, |last| last + 1);
    let input = pairing::Input {
        people: &people,
        history: &history,
        exclusions: &exclusions,
        current_round: number,
        settings: Settings {
            group_size: args.group_size,
            lookback_rounds: args.lookback,
            ..Settings::default()
        },
    };
    let started = Instant::now();
    // Ids are unique and the group size checked, so the engine has nothing to refuse; if
    // it ever does, say so as bad input rather than crash.
    let plan = pairing::plan(&input, args.seed.unwrap_or(number)).map_err(|err| InputError {
        source: args.people.display().to_string(),
        line: None,
        problem: err.to_string(),
    })?;
    Ok(PlannedRound {
        number,
        people: people.len(),
        plan,
        elapsed: started.elapsed(),
    })
}

/// One CSV file being read: its name for messages and its header's columns.
struct Table {
    source: String,
    reader: csv::Reader<std::fs::File>,
    columns: Vec<usize>,
    header_fields: usize,
}

impl Table {
    fn open(path: &Path, required: &[&str]) -> Result<Table, InputError> {
        let source = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|err| InputError {
            source: source.clone(),
            line: None,
            problem: format!("cannot read it: {err}"),
        })?;
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(file);
        let headers = reader
            .headers()
            .map_err(|err| csv_error(&source, &err))?
            .clone();
        let columns = required
            .iter()
            .map(|name| {
                headers
                    .iter()
                    .position(|h| h.eq_ignore_ascii_case(name))
                    .ok_or_else(|| InputError {
                        source: source.clone(),
                        line: Some(1),
                        problem: format!(
                            "missing column `{name}` (the header is `{}`)",
                            required.join(",")
                        ),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Table {
            source,
            reader,
            columns,
            header_fields: headers.len(),
        })
    }

    /// Each data row's line number and its required fields, in `required` order.
    fn rows(&mut self) -> impl Iterator<Item = Result<(u64, Vec<String>), InputError>> + '_ {
        let (source, columns, header_fields) = (&self.source, &self.columns, self.header_fields);
        self.reader.records().map(move |record| {
            let record = record.map_err(|err| csv_error(source, &err))?;
            let line = record.position().map_or(0, csv::Position::line);
            let fields = columns
                .iter()
                .map(|&c| record.get(c).map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| InputError {
                    source: source.clone(),
                    line: Some(line),
                    problem: format!(
                        "{} fields where the header has {header_fields}",
                        record.len()
                    ),
                })?;
            Ok((line, fields))
        })
    }

    fn error(&self, line: u64, problem: String) -> InputError {
        InputError {
            source: self.source.clone(),
            line: Some(line),
            problem,
        }
    }
}

fn csv_error(source: &str, err: &csv::Error) -> InputError {
    InputError {
        source: source.to_owned(),
        line: err.position().map(csv::Position::line),
        problem: match err.kind() {
            csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".into(),
            csv::ErrorKind::Io(io) => format!("cannot read it: {io}"),
            _ => err.to_string(),
        },
    }
}

fn read_people(path: &Path, now: DateTime<Utc>) -> Result<Vec<Person<String>>, InputError> {
    let mut table = Table::open(path, &["id", "name", "team", "timezone"])?;
    let mut first_seen: HashMap<String, u64> = HashMap::new();
    let mut people = Vec::new();
    let rows: Vec<_> = table.rows().collect();
    for row in rows {
        let (line, fields) = row?;
        let [id, _name, team, time_zone] = <[String; 4]>::try_from(fields)
            .map_err(|_| table.error(line, "expected four fields".into()))?;
        if id.is_empty() {
            return Err(table.error(line, "empty id".into()));
        }
        if let Some(first) = first_seen.insert(id.clone(), line) {
            return Err(table.error(line, format!("duplicate id `{id}` (also on line {first})")));
        }
        let utc_offset_minutes =
            parse_time_zone(&time_zone, now).map_err(|problem| table.error(line, problem))?;
        people.push(Person {
            id,
            team: (!team.is_empty()).then_some(team),
            utc_offset_minutes,
        });
    }
    Ok(people)
}

/// An IANA name (its offset at `now`, daylight saving included), `+05:30`, `-03`, `+0530`,
/// or empty for unknown.
pub fn parse_time_zone(value: &str, now: DateTime<Utc>) -> Result<Option<i32>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    if value.starts_with(['+', '-']) {
        return parse_offset(value).map(Some);
    }
    let zone: Tz = value.parse().map_err(|_| {
        format!("unknown time zone `{value}` (use an IANA name such as Europe/Paris, or +05:30)")
    })?;
    Ok(Some(LocalZone::Named(zone).offset_minutes_at(now)))
}

fn parse_offset(value: &str) -> Result<i32, String> {
    let invalid =
        || format!("invalid UTC offset `{value}` (expected -12:00 to +14:00, e.g. +05:30)");
    let (sign, digits) = value.split_at(1);
    let sign = if sign == "-" { -1 } else { 1 };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    let all_digits =
        |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(hours) || !all_digits(minutes) {
        return Err(invalid());
    }
    let (hours, minutes): (i32, i32) = (
        hours.parse().map_err(|_| invalid())?,
        minutes.parse().map_err(|_| invalid())?,
    );
    let total = sign * (hours * 60 + minutes);
    if minutes >= 60 || !(-12 * 60..=14 * 60).contains(&total) {
        return Err(invalid());
    }
    Ok(total)
}

/// A `round,members` line past the first: what `pourover pair ... >> history.csv` leaves
/// between rounds.
fn is_header_again(round: &str, members: &str) -> bool {
    round.eq_ignore_ascii_case("round") && members.eq_ignore_ascii_case("members")
}

fn read_history(
    path: &Path,
    known: &HashMap<&str, ()>,
) -> Result<Vec<PastGroup<String>>, InputError> {
    let mut table = Table::open(path, &["round", "members"])?;
    let rows: Vec<_> = table.rows().collect();
    let mut history = Vec::new();
    for row in rows {
        let (line, fields) = row?;
        // Cells the bot wrote carry a `'` where a spreadsheet would see a formula.
        let (round, members) = (restore(&fields[0]).trim(), restore(&fields[1]));
        if is_header_again(round, members) {
            continue;
        }
        let round: u64 = round
            .parse()
            .map_err(|_| table.error(line, format!("round `{round}` is not a whole number")))?;
        let members = members
            .split(';')
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(|id| known_id(&table, line, id, known))
            .collect::<Result<Vec<_>, _>>()?;
        history.push(PastGroup { round, members });
    }
    Ok(history)
}

fn read_exclusions(
    path: &Path,
    known: &HashMap<&str, ()>,
) -> Result<Vec<(String, String)>, InputError> {
    let mut table = Table::open(path, &["id_a", "id_b"])?;
    let rows: Vec<_> = table.rows().collect();
    let mut exclusions = Vec::new();
    for row in rows {
        let (line, fields) = row?;
        let a = known_id(&table, line, &fields[0], known)?;
        let b = known_id(&table, line, &fields[1], known)?;
        exclusions.push((a, b));
    }
    Ok(exclusions)
}

fn known_id(
    table: &Table,
    line: u64,
    id: &str,
    known: &HashMap<&str, ()>,
) -> Result<String, InputError> {
    if known.contains_key(id) {
        Ok(id.to_owned())
    } else {
        Err(table.error(line, format!("unknown id `{id}` (not in the people file)")))
    }
}

fn write_round(round: &PlannedRound, out: &mut dyn Write) -> std::io::Result<()> {
    let mut writer = SafeCsvWriter::new(out);
    writer.write_record(["round", "members"])?;
    let number = round.number.to_string();
    for group in &round.plan.groups {
        writer.write_record([number.as_str(), group.join(";").as_str()])?;
    }
    writer.flush()
}

/// `3 pairs`, `1 trio`, `2 groups of 4`.
fn groups_of(size: usize, count: usize) -> String {
    let plural = if count == 1 { "" } else { "s" };
    match size {
        2 => format!("{count} pair{plural}"),
        3 => format!("{count} trio{plural}"),
        _ => format!("{count} group{plural} of {size}"),
    }
}

fn write_summary(round: &PlannedRound, err: &mut dyn Write) -> std::io::Result<()> {
    let quality = &round.plan.quality;
    let mut sizes: Vec<(usize, usize)> = Vec::new();
    for group in &round.plan.groups {
        match sizes.iter_mut().find(|(size, _)| *size == group.len()) {
            Some((_, count)) => *count += 1,
            None => sizes.push((group.len(), 1)),
        }
    }
    sizes.sort_unstable();
    let sizes: Vec<String> = sizes
        .iter()
        .map(|&(size, count)| groups_of(size, count))
        .collect();
    let cross_team = if quality.pairs == 0 {
        0.0
    } else {
        100.0 * quality.cross_team_pairs as f64 / quality.pairs as f64
    };
    let gap = quality.max_tz_gap_minutes;
    let people = match round.people {
        1 => "1 person".to_owned(),
        n => format!("{n} people"),
    };
    let groups = match quality.groups {
        1 => "1 group".to_owned(),
        n => format!("{n} groups"),
    };
    writeln!(
        err,
        "round {}: {people} in {groups} ({})",
        round.number,
        sizes.join(", ")
    )?;
    writeln!(
        err,
        "cross-team pairs {cross_team:.1} %, repeats {}, largest time-zone gap {}:{:02}, planned in {} ms",
        quality.repeats,
        gap / 60,
        gap % 60,
        round.elapsed.as_millis()
    )?;
    for unplaced in &round.plan.unplaced {
        writeln!(err, "not placed: {} ({})", unplaced.id, unplaced.reason)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn offsets_come_in_the_usual_spellings() {
        assert_eq!(parse_offset("+05:30"), Ok(330));
        assert_eq!(parse_offset("-03"), Ok(-180));
        assert_eq!(parse_offset("+0545"), Ok(345));
        assert_eq!(parse_offset("+14:00"), Ok(840));
        assert_eq!(parse_offset("-12:00"), Ok(-720));
        for bad in ["+15:00", "-13", "+05:60", "+5:3x", "+", "+123"] {
            assert!(parse_offset(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn named_zones_use_the_offset_on_the_day_of_the_run() {
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(parse_time_zone("Europe/Paris", winter), Ok(Some(60)));
        assert_eq!(parse_time_zone("Europe/Paris", summer), Ok(Some(120)));
        assert_eq!(parse_time_zone("", summer), Ok(None));
        assert!(parse_time_zone("Mars/Olympus_Mons", summer).is_err());
    }

    #[test]
    fn input_errors_name_the_file_and_line() {
        let err = InputError {
            source: "people.csv".into(),
            line: Some(4),
            problem: "duplicate id `ana` (also on line 2)".into(),
        };
        assert_eq!(
            err.to_string(),
            "people.csv, line 4: duplicate id `ana` (also on line 2)"
        );
    }
}
