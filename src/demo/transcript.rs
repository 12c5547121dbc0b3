//! Slack messages as a terminal shows them: Block Kit flattened to plain lines.

use std::collections::HashMap;
use std::io::Write;

use pourover_simulator::{Recorder, SimUser};
use serde_json::Value;

use super::DemoRound;

/// Writes the DMs of one group of `round`: the group with the most to show (a nudge and a
/// closing prompt besides the intro, if any group got them), as it reads now.
pub fn write_group_dm(
    out: &mut dyn Write,
    recorder: &Recorder,
    round: &DemoRound,
    people: &[SimUser],
) -> std::io::Result<()> {
    let Some(group) = round
        .groups
        .iter()
        .max_by_key(|g| (recorder.messages(&g.conversation).len(), g.members.len()))
    else {
        return Ok(());
    };
    let described: Vec<String> = group
        .members
        .iter()
        .filter_map(|id| people.iter().find(|p| &p.id == id))
        .map(|p| format!("{} ({}, {})", p.real_name, p.team, p.tz))
        .collect();
    writeln!(
        out,
        "\nThe group DM of {} in round {}, as it reads now:",
        described.join(", "),
        round.seq
    )?;
    let names: HashMap<&str, &str> = people
        .iter()
        .map(|p| (p.id.as_str(), p.display_name.as_str()))
        .collect();
    for message in recorder.messages(&group.conversation) {
        writeln!(out, "  ── Pourover")?;
        for line in message_text(message.blocks.as_ref(), message.text.as_deref()) {
            writeln!(out, "  │ {}", with_names(&line, &names))?;
        }
    }
    Ok(())
}

/// The readable text of a message's blocks (or its fallback text when it has none).
pub fn message_text(blocks: Option<&Value>, fallback: Option<&str>) -> Vec<String> {
    let mut lines = Vec::new();
    for block in blocks.and_then(Value::as_array).into_iter().flatten() {
        match block["type"].as_str() {
            Some("header") => lines.push(format!("== {} ==", text_of(&block["text"]))),
            Some("section") => {
                let text = text_of(&block["text"]);
                if !text.is_empty() {
                    lines.extend(text.lines().map(str::to_owned));
                }
                for field in block["fields"].as_array().into_iter().flatten() {
                    lines.push(format!("  {}", text_of(field).replace('\n', " ")));
                }
            }
            Some("context") => {
                let parts: Vec<String> = block["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(text_of)
                    .filter(|t| !t.is_empty())
                    .collect();
                if !parts.is_empty() {
                    lines.push(format!("  ({})", parts.join(" · ")));
                }
            }
            Some("actions") => {
                let buttons: Vec<String> = block["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|element| format!("[{}]", text_of(&element["text"])))
                    .collect();
                lines.push(format!("  {}", buttons.join(" ")));
            }
            Some("divider") => lines.push("  ---".into()),
            _ => {}
        }
    }
    if lines.is_empty() {
        lines.extend(fallback.unwrap_or_default().lines().map(str::to_owned));
    }
    lines
}

/// `<@U123>` as `@Ada`, the way Slack shows a mention.
fn with_names(line: &str, names: &HashMap<&str, &str>) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find("<@") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('>') {
            Some(end) => {
                let id = after[..end].split('|').next().unwrap_or_default();
                match names.get(id) {
                    Some(name) => out.push_str(&format!("@{name}")),
                    None => out.push_str(&rest[start..start + 2 + end + 1]),
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Object(object) => object
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn blocks_read_as_lines_with_buttons_and_small_print() {
        let blocks = json!([
            {"type": "header", "text": {"type": "plain_text", "text": "Coffee time"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "Meet *Ada*\nand *Bo*"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Ada met"}]},
            {"type": "actions", "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "We met"}},
                {"type": "button", "text": {"type": "plain_text", "text": "Skip"}}
            ]}
        ]);
        assert_eq!(
            message_text(Some(&blocks), None),
            vec![
                "== Coffee time ==",
                "Meet *Ada*",
                "and *Bo*",
                "  (Ada met)",
                "  [We met] [Skip]"
            ]
        );
        assert_eq!(message_text(None, Some("plain")), vec!["plain"]);
    }

    #[test]
    fn mentions_read_as_names() {
        let names = HashMap::from([("U1", "Ada")]);
        assert_eq!(
            with_names("Hi <@U1> and <@U2|bo> <@", &names),
            "Hi @Ada and <@U2|bo> <@"
        );
    }
}
