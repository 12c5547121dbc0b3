//! Command replies as Block Kit. Every reply is ephemeral: only the person who typed the
//! command sees it.

use slack_morphism::prelude::*;

use super::blocks::{capped, context, divider, fields, header, limits, section, truncate};
use crate::commands::{Reply, ReplyBlock};

/// Text and blocks for `reply`.
pub fn reply_content(reply: &Reply) -> SlackMessageContent {
    let mut blocks: Vec<SlackBlock> = Vec::new();
    for block in &reply.blocks {
        match block {
            ReplyBlock::Heading(text) => blocks.push(header(text)),
            ReplyBlock::Text(text) => blocks.push(section(text)),
            ReplyBlock::Fields(pairs) => blocks.extend(fields(pairs)),
            ReplyBlock::Context(text) => blocks.push(context(text)),
            ReplyBlock::Divider => blocks.push(divider()),
            ReplyBlock::Link { label, url } => blocks.push(section(&format!(
                "🔗 <{url}|{}>",
                label.replace(['|', '>'], " ")
            ))),
        }
    }
    let mut text = reply.plain_text();
    if blocks.is_empty() || text.trim().is_empty() {
        text = "✅ Done.".to_owned();
        blocks = vec![section(&text)];
    }
    SlackMessageContent::new()
        .with_text(truncate(&text, limits::FALLBACK_TEXT))
        .with_blocks(capped(blocks, limits::MESSAGE_BLOCKS))
}

/// The answer to a slash command, shown to its author only.
pub fn command_response(reply: &Reply) -> SlackCommandEventResponse {
    SlackCommandEventResponse::new(reply_content(reply))
        .with_response_type(SlackMessageResponseType::Ephemeral)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(reply: &Reply) -> serde_json::Value {
        serde_json::to_value(command_response(reply)).expect("serialises")
    }

    #[test]
    fn every_reply_block_has_a_slack_counterpart_and_the_reply_is_ephemeral() {
        let reply = Reply::default()
            .with(ReplyBlock::Heading("📊 Coffee stats".into()))
            .with(ReplyBlock::Text("*coffee*: 12 active".into()))
            .with(ReplyBlock::Fields(vec![("Rounds".into(), "4".into())]))
            .with(ReplyBlock::Divider)
            .with(ReplyBlock::Context("Updated just now".into()))
            .with(ReplyBlock::Link {
                label: "Export".into(),
                url: "https://example.com/x.csv".into(),
            });
        let body = json(&reply);
        assert_eq!(body["response_type"], "ephemeral");
        let kinds: Vec<&str> = body["blocks"]
            .as_array()
            .expect("blocks")
            .iter()
            .filter_map(|block| block["type"].as_str())
            .collect();
        assert_eq!(
            kinds,
            [
                "header", "section", "section", "divider", "context", "section"
            ]
        );
        assert_eq!(body["blocks"][2]["fields"][0]["text"], "*Rounds*\n4");
        assert_eq!(
            body["blocks"][5]["text"]["text"],
            "🔗 <https://example.com/x.csv|Export>"
        );
        assert_eq!(body["text"], reply.plain_text());
    }

    #[test]
    fn an_empty_reply_still_says_something() {
        let body = json(&Reply::default());
        assert_eq!(body["text"], "✅ Done.");
    }
}
