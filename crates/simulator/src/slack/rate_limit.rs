//! Slack's rate limits: a token bucket per method tier, plus chat.postMessage's special
//! per-channel and workspace-wide posting limits.
//!
//! Buckets are measured in Slack time (see `clock.rs`): a Tier 2 method refills 20 tokens
//! per Slack minute, which at `time_scale = 60` is 20 per real second. A bucket holds at
//! most `burst` tokens, Slack's "occasional bursts" allowance; a bucket that starts full
//! with `burst = per_minute` behaves like Slack's per-minute evaluation window.
//!
//! `Retry-After` is whole seconds on the wire (slack-morphism parses it as an integer), in
//! *real* seconds because that is what the client will sleep. A scaled wait is rounded
//! up, and never below 1 s: a sub-second wait (common at large time scales) is still
//! expressible, the client just waits a little longer than strictly needed. The bucket
//! itself stays precise, so a client that polls sooner than Retry-After succeeds as soon
//! as a token is back. The exact wait is also sent in `X-Simulator-Retry-After-Ms`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::clock::SimClock;

/// A sustained rate and the burst a bucket may save up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Calls per Slack minute, sustained.
    pub per_minute: f64,
    /// Bucket capacity: how many calls may go back-to-back after a quiet period.
    pub burst: f64,
}

impl RateLimit {
    pub const fn new(per_minute: f64, burst: f64) -> Self {
        Self { per_minute, burst }
    }
}

/// The rates the simulator enforces. Defaults follow Slack's published tiers.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitPolicy {
    /// Tier 1, "1+ per minute" (apps.connections.open). Burst 5 so slack-morphism's
    /// default of several Socket Mode connections can open at start-up.
    pub tier1: RateLimit,
    /// Tier 2, "20+ per minute" (users.list).
    pub tier2: RateLimit,
    /// Tier 3, "50+ per minute" (conversations.open, conversations.history, chat.update…).
    pub tier3: RateLimit,
    /// Tier 4, "100+ per minute" (users.info, conversations.members, views.publish…).
    pub tier4: RateLimit,
    /// auth.test is "special" in Slack's docs; slack-morphism assumes 100 per second.
    pub auth_test: RateLimit,
    /// chat.postMessage: "1 message per second per channel, short bursts allowed".
    pub post_message_per_channel: RateLimit,
    /// chat.postMessage across the whole workspace. Slack publishes no number; we assume
    /// 10 per second sustained so the per-channel and tier limits are what a bot
    /// normally meets first.
    pub workspace_posting: RateLimit,
}

impl Default for RateLimitPolicy {
    fn default() -> Self {
        Self {
            tier1: RateLimit::new(1.0, 5.0),
            tier2: RateLimit::new(20.0, 20.0),
            tier3: RateLimit::new(50.0, 50.0),
            tier4: RateLimit::new(100.0, 100.0),
            auth_test: RateLimit::new(6000.0, 100.0),
            post_message_per_channel: RateLimit::new(60.0, 3.0),
            workspace_posting: RateLimit::new(600.0, 100.0),
        }
    }
}

/// Which limit a method falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateClass {
    Tier1,
    Tier2,
    Tier3,
    Tier4,
    AuthTest,
    /// chat.postMessage: per channel and workspace-wide.
    Posting,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum BucketKey {
    Method(&'static str),
    Channel(String),
    WorkspacePosting,
}

#[derive(Debug)]
struct TokenBucket {
    tokens: f64,
    refilled_at: Instant,
}

impl TokenBucket {
    fn full(limit: RateLimit, now: Instant) -> Self {
        Self {
            tokens: limit.burst.max(1.0),
            refilled_at: now,
        }
    }

    fn refill(&mut self, limit: RateLimit, clock: &SimClock, now: Instant) {
        let slack_elapsed = clock.slack_duration(now.saturating_duration_since(self.refilled_at));
        let earned = slack_elapsed.as_secs_f64() * limit.per_minute / 60.0;
        self.tokens = (self.tokens + earned).min(limit.burst.max(1.0));
        self.refilled_at = now;
    }

    /// Real time until one whole token is available (zero if it already is).
    fn wait_for_token(&self, limit: RateLimit, clock: &SimClock) -> Duration {
        if self.tokens >= 1.0 || limit.per_minute <= 0.0 {
            return Duration::ZERO;
        }
        let slack_seconds = (1.0 - self.tokens) * 60.0 / limit.per_minute;
        clock.real_duration(Duration::from_secs_f64(slack_seconds))
    }
}

/// The answer for one call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Admission {
    Admitted,
    Limited { retry_after: Duration },
}

#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    buckets: HashMap<BucketKey, TokenBucket>,
}

impl RateLimiter {
    /// Takes a token for `method` (and, for posting, for `channel` and the workspace) or
    /// says how long to wait. Nothing is taken when the call is limited.
    pub(crate) fn admit(
        &mut self,
        method: &'static str,
        class: RateClass,
        channel: Option<&str>,
        policy: &RateLimitPolicy,
        clock: &SimClock,
        now: Instant,
    ) -> Admission {
        let checks: Vec<(BucketKey, RateLimit)> = match class {
            RateClass::Tier1 => vec![(BucketKey::Method(method), policy.tier1)],
            RateClass::Tier2 => vec![(BucketKey::Method(method), policy.tier2)],
            RateClass::Tier3 => vec![(BucketKey::Method(method), policy.tier3)],
            RateClass::Tier4 => vec![(BucketKey::Method(method), policy.tier4)],
            RateClass::AuthTest => vec![(BucketKey::Method(method), policy.auth_test)],
            RateClass::Posting => {
                let mut checks = vec![(BucketKey::WorkspacePosting, policy.workspace_posting)];
                if let Some(channel) = channel {
                    checks.push((
                        BucketKey::Channel(channel.to_owned()),
                        policy.post_message_per_channel,
                    ));
                }
                checks
            }
        };
        let mut longest_wait = Duration::ZERO;
        for (key, limit) in &checks {
            let bucket = self
                .buckets
                .entry(key.clone())
                .or_insert_with(|| TokenBucket::full(*limit, now));
            bucket.refill(*limit, clock, now);
            longest_wait = longest_wait.max(bucket.wait_for_token(*limit, clock));
        }
        if longest_wait > Duration::ZERO {
            return Admission::Limited {
                retry_after: longest_wait,
            };
        }
        for (key, _) in &checks {
            if let Some(bucket) = self.buckets.get_mut(key) {
                bucket.tokens -= 1.0;
            }
        }
        Admission::Admitted
    }
}

/// The `Retry-After` header value for a real wait: whole seconds, rounded up, at least 1.
pub(crate) fn retry_after_header_seconds(wait: Duration) -> u64 {
    (wait.as_secs_f64().ceil() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(scale: f64) -> SimClock {
        SimClock::new(scale).expect("valid scale")
    }

    #[test]
    fn a_full_tier_bucket_admits_its_burst_then_limits() {
        let policy = RateLimitPolicy::default();
        let clock = clock(1.0);
        let mut limiter = RateLimiter::default();
        let now = Instant::now();
        for _ in 0..20 {
            let admission =
                limiter.admit("users.list", RateClass::Tier2, None, &policy, &clock, now);
            assert_eq!(admission, Admission::Admitted);
        }
        match limiter.admit("users.list", RateClass::Tier2, None, &policy, &clock, now) {
            Admission::Limited { retry_after } => {
                // One token every 3 s at 20 per minute.
                assert!(
                    (retry_after.as_secs_f64() - 3.0).abs() < 1e-6,
                    "{retry_after:?}"
                );
            }
            Admission::Admitted => panic!("the 21st call in the same instant must be limited"),
        }
    }

    #[test]
    fn the_bucket_refills_in_scaled_time() {
        let policy = RateLimitPolicy::default();
        let clock = clock(60.0);
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        for _ in 0..20 {
            limiter.admit("users.list", RateClass::Tier2, None, &policy, &clock, start);
        }
        // 3 Slack seconds = 50 real ms at scale 60.
        let limited = limiter.admit("users.list", RateClass::Tier2, None, &policy, &clock, start);
        assert_eq!(
            limited,
            Admission::Limited {
                retry_after: Duration::from_millis(50)
            }
        );
        let later = start + Duration::from_millis(50);
        let admission = limiter.admit("users.list", RateClass::Tier2, None, &policy, &clock, later);
        assert_eq!(admission, Admission::Admitted);
    }

    #[test]
    fn methods_have_separate_buckets() {
        let policy = RateLimitPolicy::default();
        let clock = clock(1.0);
        let mut limiter = RateLimiter::default();
        let now = Instant::now();
        for _ in 0..20 {
            limiter.admit("users.list", RateClass::Tier2, None, &policy, &clock, now);
        }
        let other = limiter.admit(
            "conversations.list",
            RateClass::Tier2,
            None,
            &policy,
            &clock,
            now,
        );
        assert_eq!(other, Admission::Admitted);
    }

    #[test]
    fn posting_is_limited_per_channel_but_not_across_channels() {
        let policy = RateLimitPolicy::default();
        let clock = clock(1.0);
        let mut limiter = RateLimiter::default();
        let now = Instant::now();
        let post = |limiter: &mut RateLimiter, channel: &str| {
            limiter.admit(
                "chat.postMessage",
                RateClass::Posting,
                Some(channel),
                &policy,
                &clock,
                now,
            )
        };
        for _ in 0..3 {
            assert_eq!(post(&mut limiter, "C1"), Admission::Admitted);
        }
        assert!(matches!(
            post(&mut limiter, "C1"),
            Admission::Limited { .. }
        ));
        assert_eq!(post(&mut limiter, "C2"), Admission::Admitted);
    }

    #[test]
    fn a_limited_call_takes_no_token_from_the_other_bucket() {
        let policy = RateLimitPolicy {
            workspace_posting: RateLimit::new(60.0, 4.0),
            ..RateLimitPolicy::default()
        };
        let clock = clock(1.0);
        let mut limiter = RateLimiter::default();
        let now = Instant::now();
        for _ in 0..3 {
            limiter.admit(
                "chat.postMessage",
                RateClass::Posting,
                Some("C1"),
                &policy,
                &clock,
                now,
            );
        }
        // C1 is exhausted; this must not spend the workspace's last token.
        limiter.admit(
            "chat.postMessage",
            RateClass::Posting,
            Some("C1"),
            &policy,
            &clock,
            now,
        );
        let other = limiter.admit(
            "chat.postMessage",
            RateClass::Posting,
            Some("C2"),
            &policy,
            &clock,
            now,
        );
        assert_eq!(other, Admission::Admitted);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds_and_never_says_zero() {
        assert_eq!(retry_after_header_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_header_seconds(Duration::from_millis(1000)), 1);
        assert_eq!(retry_after_header_seconds(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_header_seconds(Duration::ZERO), 1);
    }
}
