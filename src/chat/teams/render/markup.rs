//! Pourover's neutral markup (`*bold*`, `_italic_`, `<@USER>`, `<#CHANNEL>`) in Teams'
//! terms: markdown with `**bold**`, real `<at>` mentions backed by mention entities, and
//! team names for channel references.

use serde_json::{Value, json};

use crate::chat::content::{UserText, unescape};

/// Where names come from when the neutral text only has ids.
pub(crate) trait Names {
    fn person(&self, user_id: &str) -> Option<String>;
    fn team(&self, team_id: &str) -> Option<String>;
}

/// A person mentioned in a message: Teams shows `<at>name</at>` as a mention only when
/// an entity names the same text and the person's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mention {
    pub id: String,
    pub name: String,
}

impl Mention {
    pub(crate) fn tag(&self) -> String {
        format!("<at>{}</at>", escape_html(&self.name))
    }

    pub(crate) fn entity(&self) -> Value {
        json!({
            "type": "mention",
            "text": self.tag(),
            "mentioned": { "id": self.id, "name": self.name },
        })
    }
}

/// Collects the mentions a message makes, once each.
#[derive(Debug, Default)]
pub(crate) struct Mentions(Vec<Mention>);

impl Mentions {
    pub(crate) fn add(&mut self, mention: Mention) -> String {
        let tag = mention.tag();
        if !self.0.iter().any(|m| m.id == mention.id) {
            self.0.push(mention);
        }
        tag
    }

    pub(crate) fn entities(&self) -> Vec<Value> {
        self.0.iter().map(Mention::entity).collect()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Where translated text goes: a message's `text` is read as HTML-flavoured markdown, so
/// stray `<`, `>` and `&` must be escaped; an Adaptive Card's text blocks show them as
/// they are. Both read markdown, so typed text has its markdown neutralised in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    MessageText,
    CardText,
}

/// Typed text for Teams: shown as written. Markdown that could make a link
/// (`[Verify](https://…)`), emphasis or code is backslash-escaped, and in message text the
/// HTML-significant characters too, so no tag (`<at>`, `<a>`) can be opened.
pub(crate) fn typed(text: &UserText, target: Target) -> String {
    let mut out = String::with_capacity(text.as_str().len() + 8);
    for c in text.as_str().chars() {
        if MARKDOWN_SPECIALS.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    match target {
        Target::MessageText => escape_html(&out),
        Target::CardText => out,
    }
}

/// Characters Teams' markdown gives a meaning to, for typed text.
const MARKDOWN_SPECIALS: [char; 8] = ['\\', '*', '_', '`', '[', ']', '~', '#'];

/// Neutral text as Teams markdown. `<@id>` becomes a mention (collected in `mentions`),
/// `<#team>` the team's name; anything else in angle brackets (usage lines such as
/// `pause <2w | 10d>`) is kept visible.
pub(crate) fn to_markdown(text: &str, names: &dyn Names, mentions: &mut Mentions) -> String {
    translate(text, names, mentions, Target::MessageText)
}

/// Bot text (see `chat::content`) for `target`. Outside code spans, `*bold*` becomes
/// `**bold**` and square brackets are escaped: the bot never writes a markdown link, so any
/// `[label](url)` there came from typed text and must stay text.
pub(crate) fn translate(
    text: &str,
    names: &dyn Names,
    mentions: &mut Mentions,
    target: Target,
) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (piece, is_code) in code_spans(text) {
        translate_piece(piece, is_code, names, mentions, target, &mut out);
    }
    out
}

/// `text` cut into alternating plain and `` `code` `` pieces (a code piece keeps its
/// backticks); an unclosed backtick starts no code.
fn code_spans(text: &str) -> Vec<(&str, bool)> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let Some(close) = rest[open + 1..].find('`') else {
            break;
        };
        let close = open + 1 + close;
        if open > 0 {
            pieces.push((&rest[..open], false));
        }
        pieces.push((&rest[open..=close], true));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push((rest, false));
    }
    pieces
}

fn translate_piece(
    text: &str,
    is_code: bool,
    names: &dyn Names,
    mentions: &mut Mentions,
    target: Target,
    out: &mut String,
) {
    // The neutral escapes become the characters they stand for, then what the target needs.
    let literal = |text: &str| {
        let text = unescape(text);
        let text = match target {
            Target::MessageText => escape_html(&text),
            Target::CardText => text,
        };
        if is_code {
            text
        } else {
            text.replace('*', "**")
                .replace('[', "\\[")
                .replace(']', "\\]")
        }
    };
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&literal(&rest[..open]));
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            out.push_str(&literal("&lt;"));
            rest = after;
            continue;
        };
        let inner = &after[..close];
        if let Some(reference) = inner.strip_prefix('@') {
            let (id, label) = split_label(reference);
            let name = names
                .person(id)
                .or(label)
                .unwrap_or_else(|| "someone".to_owned());
            out.push_str(&mentions.add(Mention {
                id: id.to_owned(),
                name,
            }));
        } else if let Some(reference) = inner.strip_prefix('#') {
            let (id, label) = split_label(reference);
            let name = names
                .team(id)
                .or(label)
                .unwrap_or_else(|| "your team".to_owned());
            out.push_str(&format!("**{}**", typed(&UserText::from(name), target)));
        } else {
            out.push_str(&literal("&lt;"));
            out.push_str(&literal(inner));
            out.push_str(&literal("&gt;"));
        }
        rest = &after[close + 1..];
    }
    out.push_str(&literal(rest));
}

fn split_label(reference: &str) -> (&str, Option<String>) {
    match reference.split_once('|') {
        Some((id, label)) => (id, Some(label.to_owned())),
        None => (reference, None),
    }
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Known;

    impl Names for Known {
        fn person(&self, user_id: &str) -> Option<String> {
            (user_id == "29:ada").then(|| "Ada Lovelace".to_owned())
        }
        fn team(&self, team_id: &str) -> Option<String> {
            (team_id == "19:t@thread.tacv2").then(|| "Coffee Lovers".to_owned())
        }
    }

    #[test]
    fn user_references_become_mentions_with_entities() {
        let mut mentions = Mentions::default();
        let text = to_markdown("never be paired with <@29:ada>", &Known, &mut mentions);
        assert_eq!(text, "never be paired with <at>Ada Lovelace</at>");
        let entities = mentions.entities();
        assert_eq!(entities.len(), 1);
        assert_eq!(entities[0]["text"], "<at>Ada Lovelace</at>");
        assert_eq!(entities[0]["mentioned"]["id"], "29:ada");
    }

    #[test]
    fn bold_is_doubled_and_usage_brackets_are_escaped() {
        let mut mentions = Mentions::default();
        let text = to_markdown(
            "*coffee* runs weekly. Usage: `pause <2w | 10d>` & more",
            &Known,
            &mut mentions,
        );
        assert_eq!(
            text,
            "**coffee** runs weekly. Usage: `pause &lt;2w | 10d&gt;` &amp; more"
        );
        assert!(mentions.is_empty());
    }

    #[test]
    fn code_spans_keep_their_stars_and_brackets() {
        let mut mentions = Mentions::default();
        let text = translate(
            "*coffee* runs `0 10 * * MON`. Usage: `join [program]`",
            &Known,
            &mut mentions,
            Target::CardText,
        );
        assert_eq!(
            text,
            "**coffee** runs `0 10 * * MON`. Usage: `join [program]`"
        );
    }

    #[test]
    fn typed_text_cannot_make_a_link_or_a_tag_in_teams() {
        let team = UserText::from("Ops <at>Boss</at> [Verify](https://evil.example) *x*");
        assert_eq!(
            typed(&team, Target::MessageText),
            "Ops &lt;at&gt;Boss&lt;/at&gt; \\[Verify\\](https://evil.example) \\*x\\*"
        );
        assert_eq!(
            typed(&team, Target::CardText),
            "Ops <at>Boss</at> \\[Verify\\](https://evil.example) \\*x\\*"
        );
        // The same team inside bot text (escaped there as `content::UserText::markup`).
        let mut mentions = Mentions::default();
        let text = to_markdown(
            &format!("Noted: you're in *{}*.", team.markup()),
            &Known,
            &mut mentions,
        );
        assert_eq!(
            text,
            "Noted: you're in **Ops &lt;at&gt;Boss&lt;/at&gt; \\[Verify\\](https://evil.example) **x****."
        );
        assert!(mentions.is_empty());
    }

    #[test]
    fn team_references_show_the_team_name_and_unknown_people_a_label() {
        let mut mentions = Mentions::default();
        let text = to_markdown(
            "Everyone in <#19:t@thread.tacv2> and <@29:zed|Zed>",
            &Known,
            &mut mentions,
        );
        assert_eq!(text, "Everyone in **Coffee Lovers** and <at>Zed</at>");
    }
}
