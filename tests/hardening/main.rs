//! What an attacker, a slow client and a busy disk did to Pourover (issue 12), each tried
//! again against the real bot — over signed HTTP against the Slack simulator, as Bot
//! Framework activities against the Teams simulator, or as the `pourover serve` binary.

#[path = "../common/mod.rs"]
mod common;
// Both helpers include tests/common/poll.rs; here, in one binary, it is compiled twice.
#[allow(clippy::duplicate_mod)]
#[path = "../teams_support/mod.rs"]
mod teams_support;

mod busy_database;
mod forged_presses;
mod fuzz;
mod injection;
mod mistakes;
mod replays;
mod slow_clients;
