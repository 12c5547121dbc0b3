//! The App Home tab: a person's programs, what they can do about them, and for admins a
//! summary.

use slack_morphism::prelude::*;

use super::blocks::{
    ButtonStyle, actions, button, capped, confirm, context, divider, header, limits, section,
    section_with_button,
};
use super::messages::COMMAND;
use crate::chat::HomeView;
use crate::chat::content::{HomeAction, HomeProgram};

/// The home tab for `view`; `note` (what the last button press did) is shown on top.
pub fn home_view(view: &HomeView, note: Option<&str>) -> SlackView {
    let mut blocks = vec![header("☕ Pourover")];
    if let Some(note) = note.filter(|note| !note.trim().is_empty()) {
        blocks.push(context(&format!("👉 {note}")));
    }
    blocks.push(section(&format!(
        "Hi {}! I pair people across teams for a coffee every round. Here's where you stand.",
        view.display_name.markup()
    )));
    if view.programs.is_empty() {
        blocks.push(section("You're not in any program yet."));
    }
    for program in &view.programs {
        blocks.push(program_block(program));
    }
    if let Some(row) = program_actions(&view.programs) {
        blocks.push(row);
    }
    if !view.current_partners.is_empty() {
        blocks.push(divider());
        let partners = view
            .current_partners
            .iter()
            .map(|partner| format!("• {partner}"))
            .collect::<Vec<_>>()
            .join("\n");
        blocks.push(section(&format!("*Your current group*\n{partners}")));
    }
    if !view.joinable.is_empty() {
        blocks.push(divider());
        blocks.push(section("*Programs you can join*"));
        for name in &view.joinable {
            blocks.push(section_with_button(
                &format!("*{}*", name.markup()),
                button(
                    "Join",
                    &format!("home_join_{}", name.as_str()),
                    &HomeAction::Join(name.as_str().to_owned()).to_string(),
                    ButtonStyle::Primary,
                ),
            ));
        }
    } else if view.programs.is_empty() {
        blocks.push(context(&format!(
            "No programs yet. An admin can start one with `{COMMAND} admin program create &lt;name&gt;`."
        )));
    }
    if let Some(summary) = &view.admin_summary {
        blocks.push(divider());
        blocks.push(header("📊 Admin summary"));
        blocks.push(section(&if summary.is_empty() {
            "No programs yet.".to_owned()
        } else {
            summary.join("\n")
        }));
        blocks.push(context(&format!(
            "All admin commands: `{COMMAND} admin help`"
        )));
    }
    blocks.push(divider());
    blocks.push(context(&format!(
        "Type `{COMMAND} help` anywhere for every command."
    )));
    SlackView::Home(SlackHomeView::new(capped(blocks, limits::VIEW_BLOCKS)))
}

/// One program: its name, status and next round, with a Leave button.
fn program_block(program: &HomeProgram) -> SlackBlock {
    let mut text = format!("*{}*\n{}", program.name.markup(), program.status);
    if let Some(next) = &program.next_round {
        text.push_str(&format!("\nNext round: {next}"));
    }
    let leave = confirm(
        button(
            "Leave",
            &format!("home_leave_{}", program.name.as_str()),
            &HomeAction::Leave(program.name.as_str().to_owned()).to_string(),
            ButtonStyle::Danger,
        ),
        "Leave this program?",
        &format!(
            "You won't be paired in *{}* any more.",
            program.name.markup()
        ),
        "Leave",
    );
    section_with_button(&text, leave)
}

/// Pause, skip and resume act on every program at once, so they sit in one row.
fn program_actions(programs: &[HomeProgram]) -> Option<SlackBlock> {
    let any_paused = programs.iter().any(|p| p.paused);
    let any_active = programs.iter().any(|p| !p.paused);
    let any_not_skipping = programs.iter().any(|p| !p.paused && !p.skipping_next);
    let mut buttons = Vec::new();
    if any_paused {
        buttons.push(button(
            "Resume",
            "home_resume",
            &HomeAction::Resume.to_string(),
            ButtonStyle::Primary,
        ));
    }
    if any_not_skipping {
        buttons.push(button(
            "Skip next round",
            "home_skip",
            &HomeAction::Skip.to_string(),
            ButtonStyle::Plain,
        ));
    }
    if any_active {
        buttons.push(button(
            "Pause 2 weeks",
            "home_pause",
            &HomeAction::Pause.to_string(),
            ButtonStyle::Plain,
        ));
    }
    (!buttons.is_empty()).then(|| actions("home_actions", buttons))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn program(name: &str, paused: bool) -> HomeProgram {
        HomeProgram {
            name: name.into(),
            status: if paused {
                "paused".into()
            } else {
                "active, weekly".into()
            },
            paused,
            skipping_next: false,
            next_round: Some("Mon 30 Nov, 10:00 (CET)".into()),
        }
    }

    fn buttons(view: &SlackView) -> Vec<(String, String)> {
        let json = serde_json::to_value(view).expect("serialises");
        let mut found = Vec::new();
        for block in json["blocks"].as_array().into_iter().flatten() {
            let mut elements: Vec<Value> =
                block["elements"].as_array().cloned().unwrap_or_default();
            if block["accessory"].is_object() {
                elements.push(block["accessory"].clone());
            }
            for element in elements.iter().filter(|e| e["type"] == "button") {
                found.push((
                    element["text"]["text"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    element["value"].as_str().unwrap_or_default().to_owned(),
                ));
            }
        }
        found
    }

    #[test]
    fn an_active_member_sees_status_next_round_and_can_skip_pause_or_leave() {
        let view = HomeView {
            display_name: "Ada".into(),
            programs: vec![program("coffee", false)],
            joinable: vec!["lunch".into()],
            current_partners: vec!["Bo (Sales)".into()],
            admin_summary: None,
        };
        let rendered = home_view(&view, Some("You're in coffee."));
        let text = serde_json::to_string(&rendered).expect("json");
        for expected in [
            "active, weekly",
            "Next round: Mon 30 Nov",
            "Bo (Sales)",
            "You're in coffee.",
        ] {
            assert!(text.contains(expected), "missing {expected}");
        }
        assert!(!text.contains("Admin summary"));
        assert_eq!(
            buttons(&rendered),
            vec![
                ("Leave".into(), "home:leave:coffee".into()),
                ("Skip next round".into(), "home:skip".into()),
                ("Pause 2 weeks".into(), "home:pause".into()),
                ("Join".into(), "home:join:lunch".into()),
            ]
        );
        for (_, value) in buttons(&rendered) {
            assert!(HomeAction::decode(&value).is_some(), "{value}");
        }
    }

    #[test]
    fn a_paused_member_is_offered_resume() {
        let view = HomeView {
            display_name: "Ada".into(),
            programs: vec![program("coffee", true)],
            ..HomeView::default()
        };
        let labels: Vec<String> = buttons(&home_view(&view, None))
            .into_iter()
            .map(|(label, _)| label)
            .collect();
        assert_eq!(labels, vec!["Leave", "Resume"]);
    }

    #[test]
    fn admins_see_the_summary_lines() {
        let view = HomeView {
            display_name: "Ada".into(),
            admin_summary: Some(vec!["*coffee*: 12 active of 14 enrolled".into()]),
            ..HomeView::default()
        };
        let text = serde_json::to_string(&home_view(&view, None)).expect("json");
        assert!(text.contains("Admin summary"));
        assert!(text.contains("12 active of 14 enrolled"));
    }
}
