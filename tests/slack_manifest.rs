//! `slack-app-manifest.yaml` declares what the bot actually uses: the command Slack must send
//! with escaped mentions, the events it handles, interactivity, the App Home, and scopes.

const MANIFEST: &str = include_str!("../slack-app-manifest.yaml");

fn has_line(line: &str) -> bool {
    MANIFEST.lines().any(|l| l.trim() == line)
}

#[test]
fn the_manifest_declares_the_command_with_escaped_mentions() {
    assert!(has_line("- command: /coffee"));
    assert!(has_line("should_escape: true"));
    assert!(has_line("url: https://pourover.example.com/slack/commands"));
}

#[test]
fn the_manifest_subscribes_to_the_events_the_bot_handles_and_enables_buttons_and_home() {
    for event in [
        "- app_home_opened",
        "- member_joined_channel",
        "- member_left_channel",
        "- user_change",
    ] {
        assert!(has_line(event), "{event}");
    }
    assert!(has_line(
        "request_url: https://pourover.example.com/slack/events"
    ));
    assert!(has_line(
        "request_url: https://pourover.example.com/slack/interactivity"
    ));
    assert!(has_line("home_tab_enabled: true"));
    assert!(has_line("socket_mode_enabled: false"));
}

#[test]
fn the_manifest_asks_for_exactly_the_scopes_the_bot_calls_need() {
    let scopes: Vec<&str> = MANIFEST
        .lines()
        .skip_while(|line| line.trim() != "bot:")
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with("settings:"))
        .filter_map(|line| line.trim().strip_prefix("- "))
        .collect();
    assert_eq!(
        scopes,
        [
            "commands",
            "chat:write",
            "im:write",
            "mpim:write",
            "im:history",
            "mpim:history",
            "users:read",
            "users.profile:read",
            "channels:read",
            "groups:read",
        ]
    );
}
