//! What Slack makes of a bot's mrkdwn: every `<…>` is a reference — a mention, a channel,
//! a broadcast (`<!here>`), a link (`<https://…|label>`) — and `&lt;`/`&gt;`/`&amp;` are
//! the only way to show those characters. Tests read messages through this to tell live
//! references from text that merely looks like one.

use serde_json::Value;

/// One `<…>` Slack would turn into something live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `<@U123>` or `<@U123|name>`: a mention, which notifies the person.
    User(String),
    /// `<#C123>`: a link to a channel.
    Channel(String),
    /// `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^S1>`, `<!date…>`: broadcasts
    /// notify everyone concerned.
    Special(String),
    /// `<url>` or `<url|label>`: a link that may show a label instead of where it goes.
    Link { url: String, label: Option<String> },
}

/// The references in one mrkdwn text, in order.
pub fn references(text: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            break;
        };
        let inner = &after[..close];
        let (target, label) = match inner.split_once('|') {
            Some((target, label)) => (target, Some(label.to_owned())),
            None => (inner, None),
        };
        found.push(if let Some(user) = target.strip_prefix('@') {
            Reference::User(user.to_owned())
        } else if let Some(channel) = target.strip_prefix('#') {
            Reference::Channel(channel.to_owned())
        } else if let Some(special) = target.strip_prefix('!') {
            Reference::Special(special.to_owned())
        } else {
            Reference::Link {
                url: target.to_owned(),
                label,
            }
        });
        rest = &after[close + 1..];
    }
    found
}

/// The references in a message's fallback `text` and in every mrkdwn text of its blocks
/// (plain_text objects show no references).
pub fn message_references(text: Option<&str>, blocks: Option<&Value>) -> Vec<Reference> {
    let mut found: Vec<Reference> = text.map(references).unwrap_or_default();
    if let Some(blocks) = blocks {
        collect(blocks, &mut found);
    }
    found
}

fn collect(node: &Value, found: &mut Vec<Reference>) {
    match node {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("mrkdwn")
                && let Some(text) = map.get("text").and_then(Value::as_str)
            {
                found.extend(references(text));
            }
            map.values().for_each(|child| collect(child, found));
        }
        Value::Array(items) => items.iter().for_each(|item| collect(item, found)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_reference_is_recognised_and_escaped_text_is_not() {
        let text = "Hi <@U1>! <!here> see <https://evil.example|Verify> in <#C9> \
                    but not &lt;!channel&gt;";
        assert_eq!(
            references(text),
            vec![
                Reference::User("U1".into()),
                Reference::Special("here".into()),
                Reference::Link {
                    url: "https://evil.example".into(),
                    label: Some("Verify".into())
                },
                Reference::Channel("C9".into()),
            ]
        );
    }
}
