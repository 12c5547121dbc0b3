//! Proactive pacing of Web API calls, so the bot waits for its turn instead of provoking
//! HTTP 429s. Slack publishes a sustained rate per method tier, plus chat.postMessage's
//! "about one message per second per conversation" and a workspace-wide posting budget.
//!
//! Each limit is a bucket in the GCRA form (a "theoretical arrival time" per bucket): a
//! call reserves the earliest instant every bucket it needs allows, and sleeps until then.
//! Reservations are handed out in call order, so concurrent senders queue fairly instead
//! of racing, and the arithmetic is exact (no polling).
//!
//! Our buckets use Slack's sustained rates but save up smaller bursts than Slack allows:
//! whatever burst Slack keeps in hand absorbs network jitter, so pacing at Slack's own
//! rate still meets (almost) no 429s. All rates run `time_scale` times faster, for the
//! simulator's compressed time.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use super::api::{ApiMethod, RateTier};

/// A sustained rate and how many calls may go back to back, in Slack time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_minute: f64,
    pub burst: u32,
}

impl Rate {
    pub const fn new(per_minute: f64, burst: u32) -> Self {
        Self { per_minute, burst }
    }
}

/// The rates the bot paces itself to.
#[derive(Debug, Clone, PartialEq)]
pub struct RatePolicy {
    pub tier2: Rate,
    pub tier3: Rate,
    pub tier4: Rate,
    /// chat.postMessage into one conversation.
    pub posting_per_conversation: Rate,
    /// chat.postMessage across the workspace. Slack publishes no exact figure ("several
    /// hundred messages per minute"); 600 per minute is the budget we assume.
    pub posting_per_workspace: Rate,
}

impl Default for RatePolicy {
    /// Slack's published sustained rates; bursts of about ten seconds' worth.
    fn default() -> Self {
        Self {
            tier2: Rate::new(20.0, 3),
            tier3: Rate::new(50.0, 8),
            tier4: Rate::new(100.0, 16),
            posting_per_conversation: Rate::new(60.0, 1),
            posting_per_workspace: Rate::new(600.0, 50),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum BucketKey {
    Method(ApiMethod),
    Conversation(String),
    WorkspacePosting,
}

/// One limit: calls are spaced `interval` apart, with `tolerance` of saved-up burst.
#[derive(Debug, Clone)]
struct Bucket {
    interval: Duration,
    tolerance: Duration,
    /// When the next call would be due at the sustained rate.
    theoretical_arrival: Instant,
}

impl Bucket {
    fn new(rate: Rate, time_scale: f64, now: Instant) -> Self {
        let per_minute = rate.per_minute.max(f64::MIN_POSITIVE);
        let interval = Duration::from_secs_f64(60.0 / per_minute / time_scale);
        Self {
            interval,
            tolerance: interval * rate.burst.saturating_sub(1),
            // A fresh bucket is full: `burst` calls may go at once.
            theoretical_arrival: now,
        }
    }

    /// The earliest instant at or after `now` this bucket lets a call start.
    fn earliest(&self, now: Instant) -> Instant {
        let allowed_from = self
            .theoretical_arrival
            .checked_sub(self.tolerance)
            .unwrap_or(now);
        allowed_from.max(now)
    }

    fn take(&mut self, at: Instant) {
        self.theoretical_arrival = self.theoretical_arrival.max(at) + self.interval;
    }

    /// Nothing before `until`, then one call, then the sustained rate: after a 429 the
    /// saved-up burst is gone.
    fn pause_until(&mut self, until: Instant) {
        self.theoretical_arrival = self.theoretical_arrival.max(until + self.tolerance);
    }

    /// Whether forgetting this bucket changes nothing (a fresh one would be as full).
    fn is_idle(&self, now: Instant) -> bool {
        self.theoretical_arrival <= now
    }
}

#[derive(Debug, Default)]
struct Buckets {
    by_key: HashMap<BucketKey, Bucket>,
    /// Bumped on every pause, so callers that reserved a slot before it look again.
    pauses: u64,
}

/// Conversations' posting buckets are dropped once idle, beyond this many.
const MAX_IDLE_CONVERSATION_BUCKETS: usize = 4096;

/// Paces calls per method (and per conversation for posting). Cheap to share by `Arc`.
#[derive(Debug)]
pub struct RateLimiter {
    policy: RatePolicy,
    time_scale: f64,
    buckets: Mutex<Buckets>,
}

impl RateLimiter {
    /// `time_scale` > 1 makes Slack time run faster (the simulator's compressed time).
    pub fn new(policy: RatePolicy, time_scale: f64) -> Self {
        let time_scale = if time_scale.is_finite() && time_scale > 0.0 {
            time_scale
        } else {
            1.0
        };
        Self {
            policy,
            time_scale,
            buckets: Mutex::new(Buckets::default()),
        }
    }

    /// Waits until `method` may be called (posting: into `conversation`).
    pub async fn acquire(&self, method: ApiMethod, conversation: Option<&str>) {
        loop {
            let Some((start, pauses)) = self.reserve(method, conversation, Instant::now()) else {
                return;
            };
            tokio::time::sleep_until(start).await;
            // A 429 while we slept paused the method: our slot is no longer good.
            if self.lock().pauses == pauses {
                return;
            }
        }
    }

    /// Slack said 429: nothing more of `method` (and, for posting, into `conversation`
    /// and the workspace) until `retry_after` has passed.
    pub fn pause(&self, method: ApiMethod, conversation: Option<&str>, retry_after: Duration) {
        let now = Instant::now();
        let until = now + retry_after;
        let keys = self.keys(method, conversation);
        let mut buckets = self.lock();
        for (key, rate) in keys {
            buckets
                .by_key
                .entry(key)
                .or_insert_with(|| Bucket::new(rate, self.time_scale, now))
                .pause_until(until);
        }
        buckets.pauses += 1;
    }

    /// Reserves the earliest slot every bucket of `method` allows; None if unpaced.
    fn reserve(
        &self,
        method: ApiMethod,
        conversation: Option<&str>,
        now: Instant,
    ) -> Option<(Instant, u64)> {
        let keys = self.keys(method, conversation);
        if keys.is_empty() {
            return None;
        }
        let mut buckets = self.lock();
        if buckets.by_key.len() > MAX_IDLE_CONVERSATION_BUCKETS {
            buckets.by_key.retain(|key, bucket| {
                !matches!(key, BucketKey::Conversation(_)) || !bucket.is_idle(now)
            });
        }
        let mut start = now;
        for (key, rate) in &keys {
            let bucket = buckets
                .by_key
                .entry(key.clone())
                .or_insert_with(|| Bucket::new(*rate, self.time_scale, now));
            start = start.max(bucket.earliest(now));
        }
        for (key, _) in &keys {
            if let Some(bucket) = buckets.by_key.get_mut(key) {
                bucket.take(start);
            }
        }
        Some((start, buckets.pauses))
    }

    fn keys(&self, method: ApiMethod, conversation: Option<&str>) -> Vec<(BucketKey, Rate)> {
        let policy = &self.policy;
        match method.tier() {
            RateTier::Tier2 => vec![(BucketKey::Method(method), policy.tier2)],
            RateTier::Tier3 => vec![(BucketKey::Method(method), policy.tier3)],
            RateTier::Tier4 => vec![(BucketKey::Method(method), policy.tier4)],
            RateTier::Posting => {
                let mut keys = vec![(BucketKey::WorkspacePosting, policy.posting_per_workspace)];
                if let Some(conversation) = conversation {
                    keys.push((
                        BucketKey::Conversation(conversation.to_owned()),
                        policy.posting_per_conversation,
                    ));
                }
                keys
            }
            RateTier::Unlimited => Vec::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Buckets> {
        // The buckets hold plain numbers; a panic elsewhere cannot leave them inconsistent.
        self.buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(scale: f64) -> RateLimiter {
        RateLimiter::new(RatePolicy::default(), scale)
    }

    fn offsets(starts: &[Instant], origin: Instant) -> Vec<Duration> {
        starts.iter().map(|start| *start - origin).collect()
    }

    #[test]
    fn a_fresh_tier_allows_its_burst_at_once_then_spaces_calls_at_the_sustained_rate() {
        let limiter = limiter(1.0);
        let now = Instant::now();
        let starts: Vec<Instant> = (0..10)
            .filter_map(|_| limiter.reserve(ApiMethod::ConversationsOpen, None, now))
            .map(|(start, _)| start)
            .collect();
        let gap = Duration::from_millis(1200); // 50 per minute
        let mut expected = vec![Duration::ZERO; 8];
        expected.extend([gap, gap * 2]);
        assert_eq!(offsets(&starts, now), expected);
    }

    #[test]
    fn the_time_scale_compresses_the_spacing() {
        let limiter = limiter(60.0);
        let now = Instant::now();
        let starts: Vec<Instant> = (0..5)
            .filter_map(|_| limiter.reserve(ApiMethod::UsersList, None, now))
            .map(|(start, _)| start)
            .collect();
        // Tier 2 at 60x: a call every 50 ms after a burst of 3.
        assert_eq!(
            offsets(&starts, now),
            vec![
                Duration::ZERO,
                Duration::ZERO,
                Duration::ZERO,
                Duration::from_millis(50),
                Duration::from_millis(100),
            ]
        );
    }

    #[test]
    fn posting_waits_for_its_conversation_but_not_for_others() {
        let limiter = limiter(1.0);
        let now = Instant::now();
        let post = |conversation: &str| {
            limiter
                .reserve(ApiMethod::ChatPostMessage, Some(conversation), now)
                .map(|(start, _)| start - now)
        };
        assert_eq!(post("G1"), Some(Duration::ZERO));
        assert_eq!(post("G1"), Some(Duration::from_secs(1)));
        assert_eq!(post("G2"), Some(Duration::ZERO));
    }

    #[test]
    fn posting_also_waits_for_the_workspace_budget() {
        let limiter = limiter(1.0);
        let now = Instant::now();
        let mut last = Duration::ZERO;
        for index in 0..52 {
            let (start, _) = limiter
                .reserve(ApiMethod::ChatPostMessage, Some(&format!("G{index}")), now)
                .expect("posting is paced");
            last = start - now;
        }
        // A burst of 50, then one every 100 ms (600 per minute).
        assert_eq!(last, Duration::from_millis(200));
    }

    #[test]
    fn a_pause_holds_the_method_until_retry_after_and_spends_its_burst() {
        let limiter = limiter(1.0);
        let now = Instant::now();
        limiter.pause(ApiMethod::UsersInfo, None, Duration::from_secs(30));
        let first = limiter.reserve(ApiMethod::UsersInfo, None, now);
        let second = limiter.reserve(ApiMethod::UsersInfo, None, now);
        let other = limiter.reserve(ApiMethod::ViewsPublish, None, now);
        let at = |reserved: Option<(Instant, u64)>| reserved.map(|(start, _)| start - now);
        // The pause is measured from a moment just after `now`.
        let first = at(first).expect("paced");
        assert!(first >= Duration::from_secs(30), "{first:?}");
        assert!(first < Duration::from_millis(30_050), "{first:?}");
        assert_eq!(at(second), Some(first + Duration::from_millis(600)));
        assert_eq!(at(other), Some(Duration::ZERO));
    }

    #[test]
    fn unpaced_calls_never_wait() {
        let limiter = limiter(1.0);
        let now = Instant::now();
        assert!(limiter.reserve(ApiMethod::AuthTest, None, now).is_none());
        assert!(limiter.reserve(ApiMethod::ResponseUrl, None, now).is_none());
    }

    #[test]
    fn idle_conversation_buckets_are_forgotten_when_there_are_many() {
        let limiter = limiter(1000.0);
        let now = Instant::now();
        for index in 0..(MAX_IDLE_CONVERSATION_BUCKETS + 10) {
            limiter.reserve(ApiMethod::ChatPostMessage, Some(&format!("G{index}")), now);
        }
        let later = now + Duration::from_secs(5);
        limiter.reserve(ApiMethod::ChatPostMessage, Some("G-last"), later);
        assert!(limiter.lock().by_key.len() < 10);
    }

    // Real time at a large time scale: waits of milliseconds, and only lower bounds are
    // asserted, so a slow machine cannot fail these.
    #[tokio::test]
    async fn acquire_sleeps_until_the_reserved_slot() {
        let limiter = limiter(1000.0);
        let started = Instant::now();
        for _ in 0..3 {
            limiter.acquire(ApiMethod::UsersList, None).await;
        }
        let burst = started.elapsed();
        limiter.acquire(ApiMethod::UsersList, None).await;
        // Tier 2 at 1000x: 3 ms between calls once the burst of 3 is spent.
        assert!(started.elapsed() >= Duration::from_millis(3), "{burst:?}");
    }

    #[tokio::test]
    async fn a_pause_during_the_wait_sends_the_caller_back_to_the_queue() {
        let limiter = std::sync::Arc::new(limiter(1000.0));
        for _ in 0..3 {
            limiter.acquire(ApiMethod::UsersList, None).await;
        }
        let started = Instant::now();
        let (reserved, waiting) = tokio::sync::oneshot::channel();
        let waiter = tokio::spawn({
            let limiter = limiter.clone();
            async move {
                let _ = reserved.send(());
                limiter.acquire(ApiMethod::UsersList, None).await
            }
        });
        waiting.await.expect("the waiter starts");
        limiter.pause(ApiMethod::UsersList, None, Duration::from_millis(30));
        waiter.await.expect("the waiter finishes");
        assert!(
            started.elapsed() >= Duration::from_millis(30),
            "{:?}",
            started.elapsed()
        );
    }
}
