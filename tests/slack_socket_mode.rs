//! Socket Mode: no public URL, no signing secret; the bot connects out through
//! apps.connections.open and the same commands, events and buttons arrive over a WebSocket.

mod common;

use common::harness::{HarnessOptions, SlackTestBot, Transport, blocks_text};
use pourover::domain::EnrollmentState;
use pourover_simulator::CompanySpec;

async fn socket_mode_bot() -> SlackTestBot {
    let options = HarnessOptions::new(CompanySpec::new(6, 2)).transport(Transport::SocketMode);
    SlackTestBot::start_with(options).await
}

#[tokio::test]
async fn a_command_works_end_to_end_over_socket_mode() {
    let bot = socket_mode_bot().await;
    assert!(!bot.recorder().calls_to("apps.connections.open").is_empty());
    let created = bot
        .command_answer(&bot.owner().id, "admin program create coffee")
        .await;
    // The reply rides on the envelope's acknowledgement.
    assert_eq!(created.response_type.as_deref(), Some("ephemeral"));
    assert!(
        created.text.contains("Created *coffee*"),
        "{}",
        created.text
    );
    let person = bot.member();
    let joined = bot.command(&person.id, "join").await;
    assert!(joined.contains("You're in *coffee*"), "{joined}");
    assert_eq!(
        bot.enrollment(&person.id, "coffee").await,
        Some(EnrollmentState::Active)
    );
    let deliveries = bot.recorder().deliveries();
    assert!(deliveries.iter().all(|d| d.transport == "socket_mode"));
    bot.shutdown().await;
}

#[tokio::test]
async fn events_and_buttons_arrive_over_socket_mode_too() {
    let bot = socket_mode_bot().await;
    bot.command(&bot.owner().id, "admin program create coffee")
        .await;
    let person = bot.member();
    let home = blocks_text(&bot.open_home(&person.id).await["blocks"]);
    assert!(home.contains("Programs you can join"), "{home}");
    let home = blocks_text(&bot.press_home_button(&person.id, "Join").await["blocks"]);
    assert!(home.contains("active, weekly"), "{home}");
    bot.shutdown().await;
}

#[tokio::test]
async fn without_a_signing_secret_there_are_no_http_endpoints() {
    let bot = socket_mode_bot().await;
    let response = reqwest::Client::new()
        .post(format!("{}/slack/commands", bot.base_url))
        .body("command=%2Fcoffee")
        .send()
        .await
        .expect("the bot answers");
    assert_eq!(response.status(), 404);
    bot.shutdown().await;
}
