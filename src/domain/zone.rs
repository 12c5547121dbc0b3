use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::Member;

/// A person's time zone as well as we know it: the IANA zone, else a fixed UTC offset,
/// else UTC. Everything shown to a person about time goes through this.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LocalZone {
    Named(Tz),
    Fixed(FixedOffset),
}

impl LocalZone {
    pub const UTC: LocalZone = LocalZone::Named(Tz::UTC);

    pub fn of(member: &Member) -> Self {
        Self::from_parts(member.time_zone.as_deref(), member.utc_offset_minutes)
    }

    pub fn from_parts(time_zone: Option<&str>, utc_offset_minutes: Option<i32>) -> Self {
        if let Some(tz) = time_zone.and_then(|name| name.parse::<Tz>().ok()) {
            return LocalZone::Named(tz);
        }
        utc_offset_minutes
            .and_then(|minutes| FixedOffset::east_opt(minutes * 60))
            .map(LocalZone::Fixed)
            .unwrap_or(Self::UTC)
    }

    /// Minutes east of UTC at `at` (daylight-saving aware for named zones).
    pub fn offset_minutes_at(&self, at: DateTime<Utc>) -> i32 {
        match self {
            LocalZone::Named(tz) => at.with_timezone(tz).offset().fix().local_minus_utc() / 60,
            LocalZone::Fixed(offset) => offset.local_minus_utc() / 60,
        }
    }

    /// The local calendar day at `at`.
    pub fn date(&self, at: DateTime<Utc>) -> NaiveDate {
        match self {
            LocalZone::Named(tz) => at.with_timezone(tz).date_naive(),
            LocalZone::Fixed(offset) => at.with_timezone(offset).date_naive(),
        }
    }

    /// Local midnight starting `date` (or the first instant after it, on days that skip it).
    pub fn start_of(&self, date: NaiveDate) -> DateTime<Utc> {
        let midnight = date.and_time(NaiveTime::MIN);
        let local = match self {
            LocalZone::Named(tz) => tz
                .from_local_datetime(&midnight)
                .earliest()
                // Zones that move clocks at midnight skip it on that day.
                .or_else(|| {
                    tz.from_local_datetime(&(midnight + chrono::Duration::hours(1)))
                        .earliest()
                })
                .map(|local| local.with_timezone(&Utc)),
            LocalZone::Fixed(offset) => offset
                .from_local_datetime(&midnight)
                .single()
                .map(|local| local.with_timezone(&Utc)),
        };
        local.unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
    }

    /// e.g. "Mon 30 Nov, 10:00".
    pub fn format_day_time(&self, at: DateTime<Utc>) -> String {
        self.format(at, "%a %-d %b, %H:%M")
    }

    /// e.g. "Mon 30 Nov".
    pub fn format_day(&self, at: DateTime<Utc>) -> String {
        self.format(at, "%a %-d %b")
    }

    /// e.g. "14:05".
    pub fn format_time(&self, at: DateTime<Utc>) -> String {
        self.format(at, "%H:%M")
    }

    fn format(&self, at: DateTime<Utc>, pattern: &str) -> String {
        match self {
            LocalZone::Named(tz) => at.with_timezone(tz).format(pattern).to_string(),
            LocalZone::Fixed(offset) => at.with_timezone(offset).format(pattern).to_string(),
        }
    }

    /// A label such as "Europe/Berlin" or "UTC+05:30".
    pub fn label(&self) -> String {
        match self {
            LocalZone::Named(tz) => tz.name().to_string(),
            LocalZone::Fixed(offset) => {
                let minutes = offset.fix().local_minus_utc() / 60;
                let sign = if minutes < 0 { '-' } else { '+' };
                format!(
                    "UTC{sign}{:02}:{:02}",
                    minutes.abs() / 60,
                    minutes.abs() % 60
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_zone_wins_over_the_offset_and_unknown_means_utc() {
        assert_eq!(
            LocalZone::from_parts(Some("Asia/Kolkata"), Some(0)).label(),
            "Asia/Kolkata"
        );
        assert_eq!(
            LocalZone::from_parts(Some("Nowhere/Land"), Some(330)).label(),
            "UTC+05:30"
        );
        assert_eq!(LocalZone::from_parts(None, Some(-210)).label(), "UTC-03:30");
        assert_eq!(LocalZone::from_parts(None, None).label(), "UTC");
    }

    #[test]
    fn local_days_and_midnights_follow_the_zone() {
        let berlin = LocalZone::from_parts(Some("Europe/Berlin"), None);
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 23, 30, 0).unwrap();
        assert_eq!(
            berlin.date(at),
            NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
        );
        let midnight = berlin.start_of(NaiveDate::from_ymd_opt(2026, 12, 8).unwrap());
        assert_eq!(
            midnight,
            Utc.with_ymd_and_hms(2026, 12, 7, 23, 0, 0).unwrap()
        );
        assert_eq!(berlin.format_day_time(at), "Wed 25 Nov, 00:30");
    }
}
