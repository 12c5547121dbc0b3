use std::time::Duration;

use rand::RngExt;

/// How transient failures are retried: exponential backoff with full jitter, capped, for a
/// limited number of attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl RetryPolicy {
    /// The longest wait before attempt `attempts + 1`: base · 2^(attempts−1), capped.
    pub fn ceiling(&self, attempts: u32) -> Duration {
        let exponent = attempts.saturating_sub(1).min(30);
        self.base.saturating_mul(1_u32 << exponent).min(self.max)
    }

    /// A random wait in [ceiling/2, ceiling]: spread out so that many messages failing
    /// together (a Slack outage) do not come back together.
    pub fn delay(&self, attempts: u32) -> Duration {
        let ceiling = self.ceiling(attempts);
        let half = ceiling / 2;
        let spread = (ceiling - half).as_millis() as u64;
        half + Duration::from_millis(rand::rng().random_range(0..=spread))
    }

    pub fn exhausted(&self, attempts: u32) -> bool {
        attempts >= self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        max_attempts: 5,
        base: Duration::from_secs(1),
        max: Duration::from_secs(60),
    };

    #[test]
    fn waits_double_until_the_cap() {
        assert_eq!(POLICY.ceiling(1), Duration::from_secs(1));
        assert_eq!(POLICY.ceiling(2), Duration::from_secs(2));
        assert_eq!(POLICY.ceiling(4), Duration::from_secs(8));
        assert_eq!(POLICY.ceiling(20), Duration::from_secs(60));
        assert_eq!(POLICY.ceiling(u32::MAX), Duration::from_secs(60));
    }

    #[test]
    fn jittered_waits_stay_between_half_and_the_ceiling() {
        for attempts in 1..10 {
            for _ in 0..50 {
                let delay = POLICY.delay(attempts);
                assert!(delay <= POLICY.ceiling(attempts));
                assert!(delay >= POLICY.ceiling(attempts) / 2);
            }
        }
    }

    #[test]
    fn the_budget_is_spent_after_max_attempts() {
        assert!(!POLICY.exhausted(4));
        assert!(POLICY.exhausted(5));
    }
}
