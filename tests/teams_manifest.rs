//! The Teams app package in `teams-app/`: a manifest Teams will accept once the bot's
//! id is filled in, and the icons it names.

use std::path::Path;

use serde_json::Value;

fn package() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("teams-app")
        .leak()
}

fn manifest() -> Value {
    let text = std::fs::read_to_string(package().join("manifest.json")).unwrap();
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

#[test]
fn the_manifest_names_the_bot_by_the_placeholder_the_readme_describes() {
    let manifest = manifest();
    assert_eq!(manifest["id"], "{{TEAMS_APP_ID}}");
    let bot = &manifest["bots"][0];
    assert_eq!(bot["botId"], "{{TEAMS_APP_ID}}");
    let scopes: Vec<&str> = bot["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        scopes,
        ["personal", "team"],
        "1:1 chats for intros, teams for programmes"
    );
}

#[test]
fn the_command_list_fits_teams_limits_and_names_real_commands() {
    let manifest = manifest();
    let commands = manifest["bots"][0]["commandLists"][0]["commands"]
        .as_array()
        .unwrap();
    assert!(
        commands.len() <= 10,
        "Teams shows at most 10 commands per list"
    );
    for command in commands {
        let title = command["title"].as_str().unwrap();
        let description = command["description"].as_str().unwrap();
        assert!(title.len() <= 32 && description.len() <= 128, "{title}");
        // With a typical argument where the command needs one.
        let parses = ["", " 2w", " x", " <@29:1a>"]
            .iter()
            .any(|argument| pourover::commands::parse(&format!("{title}{argument}")).is_ok());
        assert!(parses, "`{title}` is a Pourover command");
    }
}

#[test]
fn the_icons_the_manifest_names_are_pngs_of_the_sizes_teams_requires() {
    let manifest = manifest();
    for (key, size) in [("color", 192), ("outline", 32)] {
        let file = manifest["icons"][key].as_str().unwrap();
        let bytes = std::fs::read(package().join(file)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{file} is a PNG");
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        assert_eq!((width, height), (size, size), "{file}");
    }
}
