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

/// Requests signed as Slack signs them, sent again byte for byte, as a replay would be.
mod signed {
    use std::time::{SystemTime, UNIX_EPOCH};

    use pourover_simulator::slack::signing::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
    use serde_json::Value;

    use crate::common::harness::SlackTestBot;

    pub fn now_seconds() -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs() as i64)
    }

    /// Posts the form `body` to `path`, signed for `timestamp`: the same bytes and
    /// headers every time it is called with the same arguments.
    pub async fn post(bot: &SlackTestBot, path: &str, body: &str, timestamp: i64) -> (u16, String) {
        let secret = &bot.sim.config().signing_secret;
        let signature = sign(secret, timestamp, body).expect("signs");
        let response = reqwest::Client::new()
            .post(format!("{}{path}", bot.base_url))
            .header("content-type", "application/x-www-form-urlencoded")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signature)
            .body(body.to_owned())
            .send()
            .await
            .expect("the bot answers");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// An interactivity payload as its form body.
    pub fn press_form(payload: &Value) -> String {
        serde_urlencoded::to_string([("payload", payload.to_string())]).expect("a form")
    }

    /// The last button press the simulator delivered, as Slack sent it.
    pub fn last_press(bot: &SlackTestBot) -> Value {
        bot.recorder()
            .deliveries()
            .into_iter()
            .rev()
            .find(|delivery| delivery.kind == "interactive")
            .expect("a press")
            .payload
    }
}
