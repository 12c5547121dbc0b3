//! The outbox worker: claims owed messages, sends them through `Chat`, and records the
//! outcome. Exactly once: a row is `sending` (leased) before the platform is called and
//! `sent` with the platform's message id after; a row whose worker died is reconciled by
//! looking for its key in the conversation before anything is sent again.

mod backoff;
mod worker;

pub use backoff::RetryPolicy;
pub use worker::{DeliveryWorker, Outcome};
