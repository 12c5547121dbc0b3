//! A typed message as the command grammar wants it: the bot's own @mention removed,
//! other mentions in the neutral `<@id>` form, Teams' HTML entities decoded.

use crate::chat::teams::activity::Activity;

pub(super) fn command_text(activity: &Activity, bot_id: &str) -> String {
    let mut text = activity.text.clone().unwrap_or_default();
    for (id, _, tag) in activity.mentions() {
        let replacement = if id == bot_id {
            String::new()
        } else {
            format!("<@{id}>")
        };
        text = text.replacen(&tag, &replacement, 1);
    }
    // Anything still tagged is markup the grammar cannot use (a mention Teams sent
    // without its entity, paragraph tags from rich text).
    let text = strip_tags(&text);
    decode_entities(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Drops `<at>`, `<p>`, `<br>`… but keeps the neutral `<@id>` references.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        match after.find('>') {
            Some(close) if !after.starts_with("<@") => {
                out.push(' ');
                rest = &after[close + 1..];
            }
            Some(close) => {
                out.push_str(&after[..=close]);
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entities(text: &str) -> String {
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn activity(text: &str, mentions: &[(&str, &str)]) -> Activity {
        let entities: Vec<_> = mentions
            .iter()
            .map(|(id, name)| {
                json!({
                    "type": "mention",
                    "text": format!("<at>{name}</at>"),
                    "mentioned": { "id": id, "name": name },
                })
            })
            .collect();
        serde_json::from_value(json!({ "type": "message", "text": text, "entities": entities }))
            .unwrap()
    }

    #[test]
    fn the_bots_own_mention_is_removed_in_channels() {
        let a = activity("<at>Pourover</at> pause 2w", &[("28:bot", "Pourover")]);
        assert_eq!(command_text(&a, "28:bot"), "pause 2w");
    }

    #[test]
    fn other_mentions_become_neutral_references() {
        let a = activity(
            "<at>Pourover</at> never <at>Ada Lovelace</at>",
            &[("28:bot", "Pourover"), ("29:1ada", "Ada Lovelace")],
        );
        assert_eq!(command_text(&a, "28:bot"), "never <@29:1ada>");
    }

    #[test]
    fn html_from_rich_text_is_dropped_and_entities_decoded() {
        let a = activity("<p>team&nbsp;R&amp;D</p>", &[]);
        assert_eq!(command_text(&a, "28:bot"), "team R&D");
    }
}
