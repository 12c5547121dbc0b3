//! Message content checks shared by chat.* methods: text, blocks, metadata.

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use super::envelope::ApiError;
use super::params::Params;

/// Slack truncates past 40 000 characters; it rejects past that with `msg_too_long`.
const MAX_TEXT_CHARS: usize = 40_000;
/// Slack's limit on blocks per message.
const MAX_BLOCKS: usize = 50;

#[derive(Debug, Clone, Default)]
pub(super) struct Content {
    pub text: Option<String>,
    pub blocks: Option<Value>,
    pub metadata: Option<Value>,
}

/// Reads `text`, `blocks` and (if the method has it) `metadata`, checking them as Slack
/// does. Blocks are normalised as Slack stores them: a missing `block_id`, or a missing
/// `action_id` on an interactive element, gets a generated one.
pub(super) fn read_content(
    params: &Params,
    with_metadata: bool,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Content, ApiError> {
    let text = params.text("text");
    if text
        .as_ref()
        .is_some_and(|text| text.chars().count() > MAX_TEXT_CHARS)
    {
        return Err(ApiError::new("msg_too_long"));
    }
    let blocks = params
        .json("blocks", "invalid_blocks_format")?
        .map(|blocks| checked_blocks(blocks, new_id))
        .transpose()?;
    let metadata = if with_metadata {
        params
            .json("metadata", "invalid_metadata_format")?
            .map(checked_metadata)
            .transpose()?
    } else {
        None
    };
    Ok(Content {
        text,
        blocks,
        metadata,
    })
}

impl Content {
    pub(super) fn has_text_or_blocks(&self) -> bool {
        self.text.is_some()
            || self
                .blocks
                .as_ref()
                .and_then(Value::as_array)
                .is_some_and(|blocks| !blocks.is_empty())
    }
}

fn checked_blocks(
    mut blocks: Value,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Value, ApiError> {
    let Some(list) = blocks.as_array() else {
        return Err(ApiError::new("invalid_blocks_format"));
    };
    if list.len() > MAX_BLOCKS {
        return Err(ApiError::new("invalid_blocks").with_message(format!(
            "no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]"
        )));
    }
    // slack-morphism's model is our schema: a block it can only read as `Unknown` has
    // an unknown type or a malformed body, which Slack rejects as `invalid_blocks`.
    for (index, block) in list.iter().enumerate() {
        let parsed: Result<SlackBlock, _> = serde_json::from_value(block.clone());
        if !matches!(parsed, Ok(ref block) if !matches!(block, SlackBlock::Unknown(_))) {
            return Err(ApiError::new("invalid_blocks").with_message(format!(
                "unsupported or malformed block [json-pointer:/blocks/{index}]"
            )));
        }
    }
    if let Some(list) = blocks.as_array_mut() {
        for block in list {
            fill_missing_ids(block, new_id);
        }
    }
    Ok(blocks)
}

fn fill_missing_ids(block: &mut Value, new_id: &mut dyn FnMut() -> String) {
    let Some(object) = block.as_object_mut() else {
        return;
    };
    object.entry("block_id").or_insert_with(|| json!(new_id()));
    let interactive = |element: &mut Value, new_id: &mut dyn FnMut() -> String| {
        let is_interactive = element
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|kind| !matches!(kind, "image" | "plain_text" | "mrkdwn"));
        if let (true, Some(element)) = (is_interactive, element.as_object_mut()) {
            element
                .entry("action_id")
                .or_insert_with(|| json!(new_id()));
        }
    };
    if let Some(accessory) = object.get_mut("accessory") {
        interactive(accessory, new_id);
    }
    if object.get("type").and_then(Value::as_str) == Some("actions")
        && let Some(Value::Array(elements)) = object.get_mut("elements")
    {
        for element in elements {
            interactive(element, new_id);
        }
    }
}

/// `metadata` needs an `event_type` and, if present, an object `event_payload`.
fn checked_metadata(metadata: Value) -> Result<Value, ApiError> {
    let event_type_ok = metadata
        .get("event_type")
        .and_then(Value::as_str)
        .is_some_and(|event_type| !event_type.is_empty());
    let payload_ok = metadata
        .get("event_payload")
        .is_none_or(|payload| payload.is_object() || payload.is_null());
    if metadata.is_object() && event_type_ok && payload_ok {
        Ok(metadata)
    } else {
        Err(ApiError::new("invalid_metadata_format"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter() -> impl FnMut() -> String {
        let mut next = 0;
        move || {
            next += 1;
            format!("id{next}")
        }
    }

    #[test]
    fn missing_block_and_action_ids_are_filled_in() {
        let blocks = json!([
            {"type": "section", "text": {"type": "mrkdwn", "text": "hi"},
             "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Go"}}},
            {"type": "actions", "block_id": "keep", "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Yes"}, "action_id": "yes"},
                {"type": "button", "text": {"type": "plain_text", "text": "No"}}
            ]}
        ]);
        let checked = checked_blocks(blocks, &mut counter()).expect("valid blocks");
        assert_eq!(checked[0]["block_id"], "id1");
        assert_eq!(checked[0]["accessory"]["action_id"], "id2");
        assert_eq!(checked[1]["block_id"], "keep");
        assert_eq!(checked[1]["elements"][0]["action_id"], "yes");
        assert_eq!(checked[1]["elements"][1]["action_id"], "id3");
    }

    #[test]
    fn malformed_blocks_are_rejected() {
        let error = checked_blocks(json!([{"type": "no_such_block"}]), &mut counter())
            .expect_err("unknown type");
        assert_eq!(error.code, "invalid_blocks");
        let error =
            checked_blocks(json!({"type": "section"}), &mut counter()).expect_err("not a list");
        assert_eq!(error.code, "invalid_blocks_format");
    }

    #[test]
    fn metadata_needs_an_event_type() {
        assert!(
            checked_metadata(json!({"event_type": "intro", "event_payload": {"key": "k1"}}))
                .is_ok()
        );
        assert!(checked_metadata(json!({"event_payload": {}})).is_err());
        assert!(checked_metadata(json!({"event_type": "intro", "event_payload": "nope"})).is_err());
    }
}
