//! What a command answers, without platform markup (see `chat::content` for the markup
//! conventions). Replies to commands are always private to the person who typed them.

use super::grammar::UsageError;
use crate::chat::content::{UserText, escape};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyBlock {
    Heading(String),
    Text(String),
    /// Label/value pairs, shown as a compact grid.
    Fields(Vec<(String, String)>),
    /// Small print under the main text.
    Context(String),
    Divider,
    /// A link with a label (e.g. a CSV export).
    Link {
        label: String,
        url: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    pub blocks: Vec<ReplyBlock>,
}

impl Reply {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            blocks: vec![ReplyBlock::Text(text.into())],
        }
    }

    pub fn with(mut self, block: ReplyBlock) -> Self {
        self.blocks.push(block);
        self
    }

    /// A malformed command: the problem on one line, then the subcommand's usage. The
    /// problem quotes what was typed, so it is typed text, escaped.
    pub fn usage(error: &UsageError, command_name: &str) -> Self {
        let problem = UserText::from(capitalise(&error.problem));
        Self::text(format!("{} 🤔", problem.markup())).with(ReplyBlock::Context(format!(
            "Usage: `{}`",
            with_command(command_name, error.usage)
        )))
    }

    /// Plain text of the whole reply, for notifications and tests.
    pub fn plain_text(&self) -> String {
        self.blocks
            .iter()
            .filter_map(|block| match block {
                ReplyBlock::Heading(text) | ReplyBlock::Text(text) | ReplyBlock::Context(text) => {
                    Some(text.clone())
                }
                ReplyBlock::Fields(fields) => Some(
                    fields
                        .iter()
                        .map(|(label, value)| format!("{label}: {value}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                ReplyBlock::Link { label, url } => Some(format!("{label}: {url}")),
                ReplyBlock::Divider => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `/coffee pause 2w` on Slack; just `pause 2w` where there is no command name (Teams).
/// As bot text: a usage's `<2w>` is shown, not read as a reference.
pub fn with_command(command_name: &str, usage: &str) -> String {
    let usage = escape(usage);
    if command_name.is_empty() {
        usage
    } else {
        format!("{} {usage}", escape(command_name))
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_usage_reply_quotes_what_was_typed_as_text() {
        let error = UsageError {
            problem: "I don't know `<!here>`".into(),
            usage: "help",
        };
        assert_eq!(
            Reply::usage(&error, "/coffee").plain_text(),
            "I don't know `&lt;!here&gt;` 🤔\nUsage: `/coffee help`"
        );
    }

    #[test]
    fn a_usage_reply_shows_the_problem_then_the_usage_with_the_command_name() {
        let error = UsageError {
            problem: "`2x` is not a duration".into(),
            usage: "pause <2w>",
        };
        let reply = Reply::usage(&error, "/coffee");
        assert_eq!(
            reply.plain_text(),
            "`2x` is not a duration 🤔\nUsage: `/coffee pause &lt;2w&gt;`"
        );
        assert_eq!(
            Reply::usage(&error, "").plain_text(),
            "`2x` is not a duration 🤔\nUsage: `pause &lt;2w&gt;`"
        );
    }
}
