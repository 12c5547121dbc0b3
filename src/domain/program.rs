use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{InvalidValue, ProgramId, WorkspaceId};

/// A pairing pool.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub id: ProgramId,
    pub workspace_id: WorkspaceId,
    pub name: ProgramName,
    /// A Slack channel or Teams team whose members are the program's members.
    pub channel_id: Option<String>,
    /// None: rounds only when an admin asks for one.
    pub schedule: Option<Schedule>,
    pub settings: ProgramSettings,
    pub created_at: DateTime<Utc>,
}

/// Per-program knobs an admin can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgramSettings {
    pub group_size: GroupSize,
    pub lookback_rounds: u32,
    pub nudge_after_hours: u32,
    pub close_after_hours: u32,
}

impl Default for ProgramSettings {
    /// The shipped `[rounds]` defaults (`config/default.toml`): pairs, twelve rounds of
    /// memory, a nudge after three days, closing after six.
    fn default() -> Self {
        Self {
            group_size: GroupSize::PAIRS,
            lookback_rounds: 12,
            nudge_after_hours: 72,
            close_after_hours: 144,
        }
    }
}

/// A program's name as people type it: `coffee`, `eng-lunch`. Stored (e.g. in an outbox
/// payload) as its text, and checked again when read back.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct ProgramName(String);

impl TryFrom<String> for ProgramName {
    type Error = InvalidValue;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<ProgramName> for String {
    fn from(name: ProgramName) -> Self {
        name.0
    }
}

impl ProgramName {
    pub const MAX_LEN: usize = 40;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let name = raw.trim().trim_start_matches('#').to_lowercase();
        if name.is_empty() {
            return Err(InvalidValue::new("a program needs a name, e.g. `coffee`"));
        }
        if name.chars().count() > Self::MAX_LEN {
            return Err(InvalidValue::new(format!(
                "a program name has at most {} characters",
                Self::MAX_LEN
            )));
        }
        if !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            return Err(InvalidValue::new(format!(
                "`{}` is not a program name: use letters, digits, - and _",
                raw.trim()
            )));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProgramName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// People per group: 2 (pairs) up to 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct GroupSize(u8);

impl GroupSize {
    pub const MIN: u8 = 2;
    pub const MAX: u8 = 8;
    pub const PAIRS: GroupSize = GroupSize(2);

    pub fn new(size: i64) -> Result<Self, InvalidValue> {
        if (i64::from(Self::MIN)..=i64::from(Self::MAX)).contains(&size) {
            Ok(Self(size as u8))
        } else {
            Err(InvalidValue::new(format!(
                "group size must be between {} and {}, not {size}",
                Self::MIN,
                Self::MAX
            )))
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl FromStr for GroupSize {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let size: i64 = s.trim().parse().map_err(|_| {
            InvalidValue::new(format!("`{}` is not a number between 2 and 8", s.trim()))
        })?;
        Self::new(size)
    }
}

/// When rounds happen: a cron expression evaluated in an IANA time zone, so "Mondays 09:00"
/// stays 09:00 local across daylight-saving changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// As the admin wrote it (5-field crontab or 6/7-field with seconds).
    expression: String,
    cron: cron::Schedule,
    time_zone: Tz,
}

impl Schedule {
    pub const USAGE: &'static str = "schedule <program> \"<cron>\" <IANA time zone>, e.g. schedule coffee \"0 9 * * MON\" Europe/Berlin";

    pub fn parse(expression: &str, time_zone: &str) -> Result<Self, InvalidValue> {
        let time_zone = parse_time_zone(time_zone)?;
        let expression = expression.trim().to_string();
        let normalized = normalize_cron(&expression)?;
        let cron = cron::Schedule::from_str(&normalized).map_err(|err| {
            // The crate's message spans lines (it echoes the expression with a caret); its
            // last line is the one that says what is wrong.
            let message = err.to_string();
            let reason = message
                .lines()
                .map(str::trim)
                .rfind(|line| !line.is_empty() && *line != "^")
                .unwrap_or("it does not parse")
                .to_string();
            InvalidValue::new(format!(
                "`{expression}` is not a valid cron expression: {reason}"
            ))
        })?;
        if cron.upcoming(time_zone).next().is_none() {
            return Err(InvalidValue::new(format!(
                "`{expression}` never runs again"
            )));
        }
        Ok(Self {
            expression,
            cron,
            time_zone,
        })
    }

    pub fn expression(&self) -> &str {
        &self.expression
    }

    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// Run times strictly after `after`, in the schedule's time zone.
    pub fn runs_after(&self, after: DateTime<Utc>) -> impl Iterator<Item = DateTime<Tz>> + '_ {
        self.cron.after(&after.with_timezone(&self.time_zone))
    }
}

/// An IANA zone name (`Europe/Berlin`), checked against the tz database.
pub fn parse_time_zone(raw: &str) -> Result<Tz, InvalidValue> {
    let raw = raw.trim();
    raw.parse::<Tz>().map_err(|_| {
        InvalidValue::new(format!(
            "`{raw}` is not a time zone: use an IANA name such as Europe/Berlin or America/New_York"
        ))
    })
}

/// The `cron` crate wants seconds first and numbers Sunday as 1; people write 5-field
/// crontab with Sunday as 0 (or 7). Convert the latter, pass the former through.
fn normalize_cron(expression: &str) -> Result<String, InvalidValue> {
    let fields: Vec<&str> = expression.split_whitespace().collect();
    match fields.len() {
        5 => {
            let (dom, dow) = (fields[2], fields[4]);
            if dom != "*" && dom != "?" && dow != "*" && dow != "?" {
                return Err(InvalidValue::new(
                    "restrict either the day of the month or the day of the week, not both \
                     (cron would run on either, which is rarely what is meant)",
                ));
            }
            let dow = crontab_days_of_week(dow)?;
            Ok(format!(
                "0 {} {} {} {} {}",
                fields[0], fields[1], fields[2], fields[3], dow
            ))
        }
        6 | 7 => Ok(expression.to_string()),
        n => Err(InvalidValue::new(format!(
            "a cron expression has 5 fields (minute hour day-of-month month day-of-week), not {n}"
        ))),
    }
}

const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Expands a crontab day-of-week field (0–7, names, ranges, steps) into day names, which mean
/// the same to both conventions.
fn crontab_days_of_week(field: &str) -> Result<String, InvalidValue> {
    if field == "*" || field == "?" {
        return Ok(field.to_string());
    }
    let bad = || InvalidValue::new(format!("`{field}` is not a valid day-of-week field"));
    let day = |token: &str| -> Result<usize, InvalidValue> {
        if let Ok(n) = token.parse::<usize>() {
            return if n <= 7 { Ok(n % 7) } else { Err(bad()) };
        }
        let upper = token.to_ascii_uppercase();
        DAY_NAMES
            .iter()
            .position(|name| upper.starts_with(name))
            .ok_or_else(bad)
    };
    let mut days = [false; 7];
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, step.parse::<usize>().map_err(|_| bad())?),
            None => (part, 1),
        };
        if step == 0 {
            return Err(bad());
        }
        let (first, last) = match range.split_once('-') {
            _ if range == "*" => (0, 6),
            Some((a, b)) => {
                let first = day(a)?;
                // `5-7` means Friday to Sunday: 7 is the end of the week here, not Sunday=0.
                let last = if b.trim() == "7" { 7 } else { day(b)? };
                (first, last)
            }
            None => {
                let d = day(range)?;
                (d, d)
            }
        };
        if last < first {
            return Err(bad());
        }
        for d in (first..=last).step_by(step) {
            days[d % 7] = true;
        }
    }
    let names: Vec<&str> = DAY_NAMES
        .iter()
        .zip(days)
        .filter_map(|(name, on)| on.then_some(*name))
        .collect();
    Ok(names.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone, Timelike, Weekday};

    #[test]
    fn program_names_are_normalised_and_checked() {
        assert_eq!(ProgramName::parse("#Coffee").unwrap().as_str(), "coffee");
        assert!(ProgramName::parse("eng-lunch_2").is_ok());
        assert!(ProgramName::parse("").is_err());
        assert!(ProgramName::parse("two words").is_err());
        assert!(ProgramName::parse(&"x".repeat(41)).is_err());
    }

    #[test]
    fn group_sizes_outside_two_to_eight_are_refused() {
        assert!("2".parse::<GroupSize>().is_ok());
        assert!("8".parse::<GroupSize>().is_ok());
        assert!("1".parse::<GroupSize>().is_err());
        assert!("9".parse::<GroupSize>().is_err());
        assert!("two".parse::<GroupSize>().is_err());
    }

    #[test]
    fn a_five_field_crontab_runs_at_that_local_time() {
        let schedule = Schedule::parse("0 9 * * 1", "Europe/Berlin").unwrap();
        let after = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        let next = schedule.runs_after(after).next().unwrap();
        assert_eq!(next.weekday(), Weekday::Mon);
        assert_eq!((next.hour(), next.minute()), (9, 0));
    }

    #[test]
    fn crontab_sunday_is_zero_or_seven() {
        for expression in ["30 8 * * 0", "30 8 * * 7", "30 8 * * sun"] {
            let schedule = Schedule::parse(expression, "UTC").unwrap();
            let next = schedule.runs_after(Utc::now()).next().unwrap();
            assert_eq!(next.weekday(), Weekday::Sun, "{expression}");
        }
        let weekend = crontab_days_of_week("5-7").unwrap();
        assert_eq!(weekend, "SUN,FRI,SAT");
        assert_eq!(crontab_days_of_week("1-5").unwrap(), "MON,TUE,WED,THU,FRI");
    }

    #[test]
    fn seconds_first_expressions_pass_through() {
        assert!(Schedule::parse("0 0 9 * * Mon", "UTC").is_ok());
    }

    #[test]
    fn bad_cron_and_unknown_time_zones_are_explained() {
        let err = Schedule::parse("every monday", "UTC").unwrap_err();
        assert!(err.0.contains("5 fields"), "{err}");
        let err = Schedule::parse("0 25 * * 1", "UTC").unwrap_err();
        assert!(err.0.contains("not a valid cron"), "{err}");
        let err = Schedule::parse("0 9 * * 1", "Mars/Olympus").unwrap_err();
        assert!(err.0.contains("IANA"), "{err}");
        assert!(Schedule::parse("0 9 1 * 1", "UTC").is_err());
    }
}
