use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::{InvalidValue, MemberId, ProgramId};

/// How often a person wants to be paired, in rounds of a (usually weekly) program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Cadence {
    #[default]
    Weekly,
    Biweekly,
    Monthly,
}

impl Cadence {
    pub const ALL: [Cadence; 3] = [Cadence::Weekly, Cadence::Biweekly, Cadence::Monthly];

    /// Every how many rounds this person takes part.
    pub fn period(self) -> u32 {
        match self {
            Cadence::Weekly => 1,
            Cadence::Biweekly => 2,
            Cadence::Monthly => 4,
        }
    }

    /// Whether someone in `slot` takes part in round number `round_seq`. Slots spread a
    /// cadence group over the weeks, so the biweekly people are not all in the same rounds.
    pub fn is_due(self, slot: u32, round_seq: i64) -> bool {
        let period = i64::from(self.period());
        round_seq.rem_euclid(period) == i64::from(slot) % period
    }

    /// The slot for someone new to this cadence: the one with the fewest people already in
    /// it (`people_in(slot)`), the earliest on a tie, so biweekly and monthly people are
    /// spread over the weeks.
    pub fn least_crowded_slot(self, people_in: impl Fn(u32) -> i64) -> u32 {
        (0..self.period())
            .min_by_key(|&slot| people_in(slot))
            .unwrap_or(0)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Biweekly => "biweekly",
            Cadence::Monthly => "monthly",
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Cadence {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "weekly" => Ok(Cadence::Weekly),
            "biweekly" | "fortnightly" => Ok(Cadence::Biweekly),
            "monthly" => Ok(Cadence::Monthly),
            other => Err(InvalidValue::new(format!(
                "`{other}` is not a cadence: use weekly, biweekly or monthly"
            ))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollmentState {
    Active,
    /// Paused until an instant (then active again without asking), or until resumed.
    Paused {
        until: Option<DateTime<Utc>>,
    },
    Left,
}

impl EnrollmentState {
    pub fn as_str(&self) -> &'static str {
        match self {
            EnrollmentState::Active => "active",
            EnrollmentState::Paused { .. } => "paused",
            EnrollmentState::Left => "left",
        }
    }
}

/// A member in a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub program_id: ProgramId,
    pub member_id: MemberId,
    pub state: EnrollmentState,
    pub cadence: Cadence,
    pub cadence_slot: u32,
    pub skip_next: bool,
    pub ignored_streak: u32,
    pub joined_at: DateTime<Utc>,
}

impl Enrollment {
    /// Whether this person is in the round numbered `round_seq` happening at `at`.
    /// A pause that has run out counts as active: nobody has to remember to resume.
    pub fn takes_part(&self, round_seq: i64, at: DateTime<Utc>) -> bool {
        let active = match self.state {
            EnrollmentState::Active => true,
            EnrollmentState::Paused { until: Some(until) } => until <= at,
            EnrollmentState::Paused { until: None } | EnrollmentState::Left => false,
        };
        active && !self.skip_next && self.cadence.is_due(self.cadence_slot, round_seq)
    }
}

/// A change to someone's enrolment in a program. What each one changes, and when it does
/// not apply, is decided once, in [`Enrollment::after`]; the store only writes the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollmentTransition {
    /// `join` or a channel join: active again with a clean slate (no pause, no pending skip,
    /// no streak of ignored intros).
    Join,
    /// `leave`, a channel leave, a deactivated account.
    Leave,
    /// `pause`: until an instant, or until resumed (None). Programs already left stay left.
    Pause { until: Option<DateTime<Utc>> },
    /// The bot pauses someone who ignored too many intros in a row: only while active,
    /// until they resume.
    GhostPause,
    /// `resume`: a paused program is active again and a pending skip is dropped; so is the
    /// streak of ignored intros (they asked to take part).
    Resume,
    /// `skip`: sit out the next round of an active program.
    SkipNext,
    /// A round's roster was taken without them: the skip is used up.
    SkipUsed,
    /// A round's roster was taken after their pause ran out: shown as active again.
    PauseEnded,
    /// They engaged with an intro (answered, or someone in their group met or planned to):
    /// their streak of ignored intros starts again.
    Engaged,
    /// A round closed without any sign they engaged with the intro they got.
    IgnoredIntro,
}

impl Enrollment {
    /// This enrolment after `transition`, or None when it does not apply (leaving a program
    /// already left, skipping while paused). An applicable transition may leave every field
    /// as it was (pausing twice): it still counts as applied.
    pub fn after(&self, transition: EnrollmentTransition) -> Option<Enrollment> {
        use EnrollmentState::{Active, Left, Paused};
        use EnrollmentTransition as T;
        let mut next = self.clone();
        match transition {
            T::Join => {
                if self.state == Active {
                    return None;
                }
                next.state = Active;
                next.skip_next = false;
                next.ignored_streak = 0;
            }
            T::Leave => {
                if self.state == Left {
                    return None;
                }
                next.state = Left;
            }
            T::Pause { until } => {
                if self.state == Left {
                    return None;
                }
                next.state = Paused { until };
            }
            T::GhostPause => {
                if self.state != Active {
                    return None;
                }
                next.state = Paused { until: None };
            }
            T::Resume => {
                let applies = match self.state {
                    Paused { .. } => true,
                    Active => self.skip_next,
                    Left => false,
                };
                if !applies {
                    return None;
                }
                next.state = Active;
                next.skip_next = false;
                next.ignored_streak = 0;
            }
            T::SkipNext => {
                if self.state != Active {
                    return None;
                }
                next.skip_next = true;
            }
            T::SkipUsed => next.skip_next = false,
            T::PauseEnded => {
                if !matches!(self.state, Paused { .. }) {
                    return None;
                }
                next.state = Active;
            }
            T::Engaged => next.ignored_streak = 0,
            T::IgnoredIntro => next.ignored_streak = self.ignored_streak.saturating_add(1),
        }
        Some(next)
    }
}

/// `pause 2w`, `pause 10d`, `pause until 2026-12-24`: a pause as the person asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseRequest {
    Days(u32),
    Until(NaiveDate),
}

/// Longest pause we accept; longer means "leave", which is a different command.
const MAX_PAUSE_DAYS: u32 = 366;

impl PauseRequest {
    pub const USAGE: &'static str = "pause <2w | 10d | 1m | until YYYY-MM-DD>";

    pub fn parse(args: &str) -> Result<Self, InvalidValue> {
        let args = args.trim();
        if let Some(date) = args.strip_prefix("until") {
            let date = date.trim();
            return NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map(PauseRequest::Until)
                .map_err(|_| {
                    InvalidValue::new(format!(
                        "`{date}` is not a date: write it as YYYY-MM-DD, e.g. until 2026-12-24"
                    ))
                });
        }
        let compact: String = args.chars().filter(|c| !c.is_whitespace()).collect();
        let digits_end = compact
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(compact.len());
        let (number, unit) = compact.split_at(digits_end);
        let invalid = || {
            InvalidValue::new(format!(
                "`{args}` is not a duration: use e.g. 2w (weeks), 10d (days), 1m (months)"
            ))
        };
        let count: u32 = number.parse().map_err(|_| invalid())?;
        let days_per_unit = match unit.to_ascii_lowercase().as_str() {
            "d" | "day" | "days" => 1,
            "w" | "wk" | "week" | "weeks" => 7,
            "m" | "mo" | "month" | "months" => 30,
            _ => return Err(invalid()),
        };
        let days = count.checked_mul(days_per_unit).ok_or_else(invalid)?;
        if days == 0 {
            return Err(InvalidValue::new(
                "a pause must last at least one day".to_string(),
            ));
        }
        if days > MAX_PAUSE_DAYS {
            return Err(InvalidValue::new(format!(
                "a pause can last at most {MAX_PAUSE_DAYS} days; to stop for good use `leave`"
            )));
        }
        Ok(PauseRequest::Days(days))
    }

    /// The first day the person is back, given their local `today`.
    pub fn back_on(&self, today: NaiveDate) -> Result<NaiveDate, InvalidValue> {
        match *self {
            PauseRequest::Days(days) => today
                .checked_add_days(Days::new(u64::from(days)))
                .ok_or_else(|| InvalidValue::new("that date is out of range")),
            PauseRequest::Until(date) if date <= today => Err(InvalidValue::new(format!(
                "{date} is not in the future: pick a later date"
            ))),
            PauseRequest::Until(date) if (date - today).num_days() > i64::from(MAX_PAUSE_DAYS) => {
                Err(InvalidValue::new(format!(
                    "a pause can last at most {MAX_PAUSE_DAYS} days; to stop for good use `leave`"
                )))
            }
            PauseRequest::Until(date) => Ok(date),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn durations_in_days_weeks_and_months_are_understood() {
        assert_eq!(PauseRequest::parse("2w"), Ok(PauseRequest::Days(14)));
        assert_eq!(PauseRequest::parse("10d"), Ok(PauseRequest::Days(10)));
        assert_eq!(PauseRequest::parse("1m"), Ok(PauseRequest::Days(30)));
        assert_eq!(PauseRequest::parse("3 weeks"), Ok(PauseRequest::Days(21)));
    }

    #[test]
    fn a_date_is_understood_after_until() {
        assert_eq!(
            PauseRequest::parse("until 2026-12-24"),
            Ok(PauseRequest::Until(date("2026-12-24")))
        );
    }

    #[test]
    fn nonsense_durations_are_refused_with_an_example() {
        for bad in [
            "",
            "w",
            "2x",
            "-2w",
            "soon",
            "until 24/12/2026",
            "0d",
            "99999999999w",
        ] {
            let err = PauseRequest::parse(bad).unwrap_err();
            assert!(!err.0.is_empty(), "{bad}");
        }
        assert!(PauseRequest::parse("2x").unwrap_err().0.contains("2w"));
    }

    #[test]
    fn pause_with_a_past_date_is_rejected() {
        let today = date("2026-11-24");
        let err = PauseRequest::Until(date("2026-11-01"))
            .back_on(today)
            .unwrap_err();
        assert!(err.0.contains("not in the future"));
        assert!(PauseRequest::Until(today).back_on(today).is_err());
    }

    #[test]
    fn a_relative_pause_ends_that_many_days_later() {
        let today = date("2026-11-24");
        assert_eq!(
            PauseRequest::Days(14).back_on(today),
            Ok(date("2026-12-08"))
        );
    }

    #[test]
    fn cadence_slots_spread_people_over_the_rounds() {
        let biweekly_rounds: Vec<i64> = (1..=6)
            .filter(|&seq| Cadence::Biweekly.is_due(1, seq))
            .collect();
        assert_eq!(biweekly_rounds, vec![1, 3, 5]);
        let monthly_rounds: Vec<i64> = (1..=8)
            .filter(|&seq| Cadence::Monthly.is_due(2, seq))
            .collect();
        assert_eq!(monthly_rounds, vec![2, 6]);
        assert!((1..=5).all(|seq| Cadence::Weekly.is_due(0, seq)));
    }

    fn enrollment(state: EnrollmentState) -> Enrollment {
        Enrollment {
            program_id: ProgramId(1),
            member_id: MemberId(1),
            state,
            cadence: Cadence::Weekly,
            cadence_slot: 0,
            skip_next: false,
            ignored_streak: 0,
            joined_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn joining_again_starts_with_a_clean_slate_and_joining_twice_changes_nothing() {
        use EnrollmentTransition as T;
        let mut left = enrollment(EnrollmentState::Left);
        left.skip_next = true;
        left.ignored_streak = 3;
        let back = left.after(T::Join).unwrap();
        assert_eq!(back.state, EnrollmentState::Active);
        assert!(!back.skip_next);
        assert_eq!(back.ignored_streak, 0);
        assert_eq!(back.after(T::Join), None);
    }

    #[test]
    fn a_program_left_is_neither_paused_resumed_nor_skipped() {
        use EnrollmentTransition as T;
        // A skip asked for before leaving must not bring someone back on `resume`.
        let mut left = enrollment(EnrollmentState::Left);
        left.skip_next = true;
        for transition in [
            T::Leave,
            T::Pause { until: None },
            T::GhostPause,
            T::Resume,
            T::SkipNext,
            T::PauseEnded,
        ] {
            assert_eq!(left.after(transition), None, "{transition:?}");
        }
    }

    #[test]
    fn resuming_ends_a_pause_or_drops_a_pending_skip() {
        use EnrollmentTransition as T;
        let active = enrollment(EnrollmentState::Active);
        assert_eq!(active.after(T::Resume), None);
        let skipping = active.after(T::SkipNext).unwrap();
        assert!(skipping.skip_next);
        assert_eq!(skipping.after(T::Resume), Some(active.clone()));
        let mut paused = enrollment(EnrollmentState::Paused { until: None });
        paused.ignored_streak = 3;
        assert_eq!(paused.after(T::Resume), Some(active.clone()));
        assert_eq!(paused.after(T::SkipNext), None, "only active people skip");
    }

    #[test]
    fn the_bot_pauses_only_active_people_and_streaks_count_ignored_intros() {
        use EnrollmentTransition as T;
        let active = enrollment(EnrollmentState::Active);
        let ignored = active
            .after(T::IgnoredIntro)
            .and_then(|e| e.after(T::IgnoredIntro))
            .unwrap();
        assert_eq!(ignored.ignored_streak, 2);
        assert_eq!(ignored.after(T::Engaged).unwrap().ignored_streak, 0);
        let paused = ignored.after(T::GhostPause).unwrap();
        assert_eq!(paused.state, EnrollmentState::Paused { until: None });
        assert_eq!(paused.after(T::GhostPause), None);
        let until = DateTime::UNIX_EPOCH + chrono::Duration::days(3);
        let on_holiday = active.after(T::Pause { until: Some(until) }).unwrap();
        assert_eq!(on_holiday.after(T::GhostPause), None);
        assert_eq!(on_holiday.after(T::PauseEnded), Some(active));
    }

    #[test]
    fn an_expired_pause_takes_part_again() {
        let now = DateTime::UNIX_EPOCH + chrono::Duration::days(30);
        let mut enrollment = Enrollment {
            program_id: ProgramId(1),
            member_id: MemberId(1),
            state: EnrollmentState::Paused {
                until: Some(now - chrono::Duration::days(1)),
            },
            cadence: Cadence::Weekly,
            cadence_slot: 0,
            skip_next: false,
            ignored_streak: 0,
            joined_at: now,
        };
        assert!(enrollment.takes_part(3, now));
        enrollment.state = EnrollmentState::Paused { until: None };
        assert!(!enrollment.takes_part(3, now));
        enrollment.state = EnrollmentState::Active;
        enrollment.skip_next = true;
        assert!(!enrollment.takes_part(3, now));
    }
}
