//! The connector's documented rate limits: sliding windows "per bot per thread" (a
//! thread is a 1:1 chat, a group chat or a channel) plus a global cap per app and tenant.
//!
//! Teams publishes its limits as "N operations per T seconds" for several T at once
//! (7 per second, 8 per 2 s, 60 per 30 s, 1800 per hour for sending), which a sliding
//! log of admission times models exactly; Slack's token buckets would not. Periods are in
//! Teams time (see `TeamsSimConfig::time_scale`).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::clock::SimClock;

/// At most `max` operations in any `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub period: Duration,
    pub max: u32,
}

impl Window {
    pub const fn new(seconds: u64, max: u32) -> Self {
        Self {
            period: Duration::from_secs(seconds),
            max,
        }
    }
}

/// The limits the simulator enforces. Defaults are Microsoft's published table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorRateLimits {
    /// Sending, replying and updating, per conversation.
    pub send: Vec<Window>,
    /// Creating a conversation, per user it is created with.
    pub create_conversation: Vec<Window>,
    /// Reading members, per conversation (or team).
    pub get_members: Vec<Window>,
    /// Every operation of the app in the tenant, per second.
    pub global_per_second: u32,
}

impl Default for ConnectorRateLimits {
    fn default() -> Self {
        let thread = vec![
            Window::new(1, 7),
            Window::new(2, 8),
            Window::new(30, 60),
            Window::new(3600, 1800),
        ];
        Self {
            send: thread.clone(),
            create_conversation: thread,
            get_members: vec![
                Window::new(1, 14),
                Window::new(2, 16),
                Window::new(30, 120),
                Window::new(3600, 3600),
            ],
            global_per_second: 50,
        }
    }
}

/// Which of the limits an operation counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum LimitClass {
    Send,
    CreateConversation,
    GetMembers,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum LogKey {
    Thread(LimitClass, String),
    Global,
}

#[derive(Debug, Default)]
pub(crate) struct ConnectorLimiter {
    logs: HashMap<LogKey, VecDeque<Instant>>,
}

impl ConnectorLimiter {
    /// Admits one operation of `class` on `thread`, or says how long (real time) until
    /// it would be admitted. A refused operation is not counted.
    pub(crate) fn admit(
        &mut self,
        class: LimitClass,
        thread: &str,
        policy: &ConnectorRateLimits,
        clock: &SimClock,
        now: Instant,
    ) -> Result<(), Duration> {
        let windows = match class {
            LimitClass::Send => &policy.send,
            LimitClass::CreateConversation => &policy.create_conversation,
            LimitClass::GetMembers => &policy.get_members,
        };
        let global = [Window::new(1, policy.global_per_second)];
        let checks = [
            (LogKey::Thread(class, thread.to_owned()), windows.as_slice()),
            (LogKey::Global, global.as_slice()),
        ];
        let mut wait = Duration::ZERO;
        for (key, windows) in &checks {
            let log = self.logs.entry(key.clone()).or_default();
            wait = wait.max(wait_in(log, windows, clock, now));
        }
        if wait > Duration::ZERO {
            return Err(wait);
        }
        for (key, _) in checks {
            self.logs.entry(key).or_default().push_back(now);
        }
        Ok(())
    }
}

/// How long until `log` has room in every window (zero if it has now). Forgets entries
/// older than the longest window.
fn wait_in(
    log: &mut VecDeque<Instant>,
    windows: &[Window],
    clock: &SimClock,
    now: Instant,
) -> Duration {
    let longest = windows
        .iter()
        .map(|window| clock.real_duration(window.period))
        .max()
        .unwrap_or_default();
    while log
        .front()
        .is_some_and(|at| now.saturating_duration_since(*at) >= longest)
    {
        log.pop_front();
    }
    let mut wait = Duration::ZERO;
    for window in windows {
        let period = clock.real_duration(window.period);
        let inside: Vec<&Instant> = log
            .iter()
            .filter(|at| now.saturating_duration_since(**at) < period)
            .collect();
        if inside.len() < window.max as usize {
            continue;
        }
        // Room comes back when enough of the oldest entries leave the window.
        let excess = inside.len() + 1 - window.max as usize;
        if let Some(leaving) = inside.get(excess - 1) {
            wait = wait.max((**leaving + period).saturating_duration_since(now));
        }
    }
    wait
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(scale: f64) -> SimClock {
        SimClock::new(scale).expect("valid scale")
    }

    #[test]
    fn seven_sends_a_second_pass_and_the_eighth_waits_for_the_first_to_age() {
        let policy = ConnectorRateLimits::default();
        let clock = clock(1.0);
        let mut limiter = ConnectorLimiter::default();
        let start = Instant::now();
        for _ in 0..7 {
            assert_eq!(
                limiter.admit(LimitClass::Send, "a:1", &policy, &clock, start),
                Ok(())
            );
        }
        let refused = limiter.admit(LimitClass::Send, "a:1", &policy, &clock, start);
        assert_eq!(refused, Err(Duration::from_secs(1)));
        let later = start + Duration::from_secs(1);
        assert_eq!(
            limiter.admit(LimitClass::Send, "a:1", &policy, &clock, later),
            Ok(())
        );
        // The 2-second window (8) is now full until the first entries age out.
        assert!(
            limiter
                .admit(LimitClass::Send, "a:1", &policy, &clock, later)
                .is_err()
        );
    }

    #[test]
    fn threads_are_limited_apart_but_share_the_tenant_cap() {
        let policy = ConnectorRateLimits {
            global_per_second: 10,
            ..ConnectorRateLimits::default()
        };
        let clock = clock(1.0);
        let mut limiter = ConnectorLimiter::default();
        let now = Instant::now();
        for _ in 0..7 {
            assert!(
                limiter
                    .admit(LimitClass::Send, "a:1", &policy, &clock, now)
                    .is_ok()
            );
        }
        for _ in 0..3 {
            assert!(
                limiter
                    .admit(LimitClass::Send, "a:2", &policy, &clock, now)
                    .is_ok()
            );
        }
        assert!(
            limiter
                .admit(LimitClass::Send, "a:3", &policy, &clock, now)
                .is_err(),
            "the tenant's 10 per second are spent"
        );
    }

    #[test]
    fn windows_run_in_scaled_time() {
        let policy = ConnectorRateLimits::default();
        let clock = clock(10.0);
        let mut limiter = ConnectorLimiter::default();
        let now = Instant::now();
        for _ in 0..7 {
            let _ = limiter.admit(LimitClass::Send, "a:1", &policy, &clock, now);
        }
        assert_eq!(
            limiter.admit(LimitClass::Send, "a:1", &policy, &clock, now),
            Err(Duration::from_millis(100))
        );
    }
}
