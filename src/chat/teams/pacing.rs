//! Keeping under Teams' rate limits instead of running into them. Microsoft documents
//! limits per bot per conversation ("thread") over several windows at once, plus a cap
//! per app and tenant; the pacer keeps a log of recent calls and waits (briefly) until a
//! call fits every window. A longer wait is handed back to the caller as
//! `ChatError::RateLimited`, so the delivery worker reschedules instead of holding a
//! message's lease. After a 429 the whole conversation waits out its `Retry-After`.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::chat::ChatError;

/// What kind of call, for the documented per-thread limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CallClass {
    /// Send, reply and update.
    Send,
    CreateConversation,
    GetMembers,
}

/// `max` calls in any `period`.
#[derive(Debug, Clone, Copy)]
struct Window {
    period: Duration,
    max: usize,
}

const fn window(seconds: u64, max: usize) -> Window {
    Window {
        period: Duration::from_secs(seconds),
        max,
    }
}

/// Microsoft's per-bot-per-thread table.
const SEND: [Window; 4] = [
    window(1, 7),
    window(2, 8),
    window(30, 60),
    window(3600, 1800),
];
const MEMBERS: [Window; 4] = [
    window(1, 14),
    window(2, 16),
    window(30, 120),
    window(3600, 3600),
];
/// Per app and tenant. Microsoft has published both 30 and 50 requests per second; the
/// lower one keeps us clear of either.
const TENANT: [Window; 1] = [window(1, 30)];

/// Waits up to this long inline; longer waits go back to the caller.
const MAX_INLINE_WAIT: Duration = Duration::from_secs(2);
/// Past this many conversations, logs nobody wrote to for an hour are dropped: a
/// long-running bot talks to every person once a round, and their logs would pile up.
const SWEEP_ABOVE: usize = 1024;

#[derive(Debug, Default)]
struct Logs {
    threads: HashMap<(CallClass, String), VecDeque<Instant>>,
    tenant: VecDeque<Instant>,
    /// A 429 pauses its conversation until then.
    paused_until: HashMap<String, Instant>,
}

#[derive(Debug, Default)]
pub(crate) struct Pacer {
    logs: Mutex<Logs>,
}

impl Pacer {
    /// Returns when a call of `class` on `thread` fits the limits (and counts it), or
    /// hands back how long the caller should wait if that is longer than a moment.
    pub(crate) async fn admit(&self, class: CallClass, thread: &str) -> Result<(), ChatError> {
        loop {
            let wait = self.try_admit(class, thread, Instant::now());
            if wait.is_zero() {
                return Ok(());
            }
            if wait > MAX_INLINE_WAIT {
                return Err(ChatError::RateLimited { retry_after: wait });
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Teams answered 429 for `thread`: nothing more goes there before `retry_after`.
    pub(crate) fn throttled(&self, thread: &str, retry_after: Duration) {
        let mut logs = self.lock();
        let until = Instant::now() + retry_after;
        let entry = logs.paused_until.entry(thread.to_owned()).or_insert(until);
        *entry = (*entry).max(until);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Logs> {
        // A panic while holding this lock leaves only timestamps behind: keep going.
        self.logs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn try_admit(&self, class: CallClass, thread: &str, now: Instant) -> Duration {
        let mut logs = self.lock();
        let mut wait = logs
            .paused_until
            .get(thread)
            .map_or(Duration::ZERO, |until| until.saturating_duration_since(now));
        let windows: &[Window] = match class {
            CallClass::Send | CallClass::CreateConversation => &SEND,
            CallClass::GetMembers => &MEMBERS,
        };
        if logs.threads.len() > SWEEP_ABOVE {
            let oldest_kept = now.checked_sub(SEND[3].period).unwrap_or(now);
            logs.threads
                .retain(|_, log| log.back().is_some_and(|at| *at > oldest_kept));
        }
        let key = (class, thread.to_owned());
        wait = wait.max(wait_for_room(
            logs.threads.entry(key.clone()).or_default(),
            windows,
            now,
        ));
        wait = wait.max(wait_for_room(&mut logs.tenant, &TENANT, now));
        if wait.is_zero() {
            logs.threads.entry(key).or_default().push_back(now);
            logs.tenant.push_back(now);
            logs.paused_until.remove(thread);
        }
        wait
    }
}

/// How long until `log` has room in every window; forgets what no window looks at.
fn wait_for_room(log: &mut VecDeque<Instant>, windows: &[Window], now: Instant) -> Duration {
    let longest = windows.iter().map(|w| w.period).max().unwrap_or_default();
    while log
        .front()
        .is_some_and(|at| now.saturating_duration_since(*at) >= longest)
    {
        log.pop_front();
    }
    let mut wait = Duration::ZERO;
    for window in windows {
        let inside: Vec<&Instant> = log
            .iter()
            .filter(|at| now.saturating_duration_since(**at) < window.period)
            .collect();
        if inside.len() >= window.max
            && let Some(leaving) = inside.get(inside.len() - window.max)
        {
            wait = wait.max((**leaving + window.period).saturating_duration_since(now));
        }
    }
    wait
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_sends_a_second_go_through_then_the_eighth_waits() {
        let pacer = Pacer::default();
        let now = Instant::now();
        for _ in 0..7 {
            assert!(pacer.try_admit(CallClass::Send, "a:1", now).is_zero());
        }
        let wait = pacer.try_admit(CallClass::Send, "a:1", now);
        assert_eq!(wait, Duration::from_secs(1));
        assert!(
            pacer.try_admit(CallClass::Send, "a:2", now).is_zero(),
            "other conversations are not held up"
        );
    }

    #[test]
    fn a_429_pauses_its_conversation_for_the_retry_after() {
        let pacer = Pacer::default();
        pacer.throttled("a:1", Duration::from_secs(30));
        let wait = pacer.try_admit(CallClass::Send, "a:1", Instant::now());
        assert!(wait > Duration::from_secs(29), "{wait:?}");
        assert!(
            pacer
                .try_admit(CallClass::Send, "a:2", Instant::now())
                .is_zero()
        );
    }

    #[tokio::test]
    async fn a_long_wait_is_handed_back_as_rate_limited() {
        let pacer = Pacer::default();
        pacer.throttled("a:1", Duration::from_secs(30));
        match pacer.admit(CallClass::Send, "a:1").await {
            Err(ChatError::RateLimited { retry_after }) => {
                assert!(retry_after > Duration::from_secs(29))
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }
    }

    #[test]
    fn logs_of_conversations_quiet_for_an_hour_are_forgotten() {
        let pacer = Pacer::default();
        let long_ago = Instant::now();
        let later = long_ago + Duration::from_secs(3600 + 60);
        for n in 0..=SWEEP_ABOVE {
            pacer.try_admit(
                CallClass::Send,
                &format!("a:{n}"),
                long_ago + Duration::from_millis(n as u64 * 40),
            );
        }
        assert!(pacer.try_admit(CallClass::Send, "a:now", later).is_zero());
        assert!(
            pacer.lock().threads.len() < 10,
            "{}",
            pacer.lock().threads.len()
        );
    }

    #[test]
    fn the_tenant_cap_holds_across_conversations() {
        let pacer = Pacer::default();
        let now = Instant::now();
        for n in 0..30 {
            assert!(
                pacer
                    .try_admit(CallClass::Send, &format!("a:{n}"), now)
                    .is_zero()
            );
        }
        assert!(!pacer.try_admit(CallClass::Send, "a:new", now).is_zero());
    }
}
