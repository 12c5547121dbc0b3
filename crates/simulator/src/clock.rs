//! Simulated time.
//!
//! Wall-clock timestamps (message `ts`, `event_time`, request signatures) are always real:
//! the bot compares them with its own clock. What the time scale speeds up is *durations
//! Slack enforces*: rate-limit windows, `Retry-After`, retry back-off between event
//! deliveries, response_url expiry. With `time_scale = 60.0` a Slack minute passes in one
//! real second, so every ratio (20 calls per minute, 1 post per second) is kept.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::SimError;
use crate::sync::lock;

#[derive(Debug)]
pub(crate) struct SimClock {
    time_scale: f64,
    /// Last message timestamp handed out, in microseconds since the epoch.
    last_ts_micros: Mutex<u64>,
}

impl SimClock {
    pub(crate) fn new(time_scale: f64) -> Result<Self, SimError> {
        if !(time_scale.is_finite() && time_scale > 0.0) {
            return Err(SimError::InvalidConfig(format!(
                "time_scale must be a positive number, got {time_scale}"
            )));
        }
        Ok(Self {
            time_scale,
            last_ts_micros: Mutex::new(0),
        })
    }

    /// How long a Slack-time duration lasts in real time.
    pub(crate) fn real_duration(&self, slack_time: Duration) -> Duration {
        Duration::from_secs_f64(slack_time.as_secs_f64() / self.time_scale)
    }

    /// How much Slack time passes during a real duration.
    pub(crate) fn slack_duration(&self, real_time: Duration) -> Duration {
        Duration::from_secs_f64(real_time.as_secs_f64() * self.time_scale)
    }

    pub(crate) fn unix_seconds() -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs() as i64)
            .unwrap_or_default()
    }

    /// A Slack message timestamp (`"1700000000.000123"`), strictly increasing across the
    /// whole workspace, so it is unique per channel as Slack promises, even when two
    /// posts land in the same microsecond.
    pub(crate) fn next_message_ts(&self) -> String {
        let now_micros = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_micros() as u64)
            .unwrap_or_default();
        let mut last = lock(&self.last_ts_micros);
        let micros = now_micros.max(*last + 1);
        *last = micros;
        format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
    }
}

/// Orders two Slack timestamps numerically (they are decimal strings with a fixed
/// six-digit fraction, but be tolerant of other widths the bot might send back).
pub(crate) fn ts_key(ts: &str) -> (u64, u64) {
    let (seconds, fraction) = ts.split_once('.').unwrap_or((ts, "0"));
    let mut micros = fraction.chars().take(6).collect::<String>();
    while micros.len() < 6 {
        micros.push('0');
    }
    (
        seconds.parse().unwrap_or_default(),
        micros.parse().unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_timestamps_strictly_increase() {
        let clock = SimClock::new(1.0).expect("valid scale");
        let stamps: Vec<String> = (0..1000).map(|_| clock.next_message_ts()).collect();
        assert!(stamps.windows(2).all(|w| ts_key(&w[0]) < ts_key(&w[1])));
        assert!(
            stamps
                .iter()
                .all(|ts| ts.split_once('.').map(|(_, f)| f.len()) == Some(6))
        );
    }

    #[test]
    fn a_scaled_minute_lasts_a_second() {
        let clock = SimClock::new(60.0).expect("valid scale");
        assert_eq!(
            clock.real_duration(Duration::from_secs(60)),
            Duration::from_secs(1)
        );
        assert_eq!(
            clock.slack_duration(Duration::from_secs(1)),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn a_non_positive_scale_is_rejected() {
        assert!(SimClock::new(0.0).is_err());
        assert!(SimClock::new(f64::NAN).is_err());
    }
}
