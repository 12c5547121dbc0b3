//! Finding a button in posted blocks, the way a person finds it on screen.

use serde_json::Value;

/// A button as it sits in a message or a view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundButton {
    pub action_id: String,
    pub block_id: Option<String>,
    pub text: String,
    pub value: Option<String>,
}

/// The button whose `action_id` is `wanted`, or failing that the first whose label is.
pub(crate) fn find_button(blocks: &Value, wanted: &str) -> Option<FoundButton> {
    let buttons = buttons(blocks);
    buttons
        .iter()
        .find(|button| button.action_id == wanted)
        .or_else(|| buttons.iter().find(|button| button.text == wanted))
        .cloned()
}

/// Every button in `blocks` (section accessories and actions blocks), in order.
pub(crate) fn buttons(blocks: &Value) -> Vec<FoundButton> {
    let Some(blocks) = blocks.as_array() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for block in blocks {
        let block_id = block
            .get("block_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut elements: Vec<&Value> = Vec::new();
        if let Some(accessory) = block.get("accessory") {
            elements.push(accessory);
        }
        if let Some(Value::Array(items)) = block.get("elements") {
            elements.extend(items.iter());
        }
        for element in elements {
            if element.get("type").and_then(Value::as_str) != Some("button") {
                continue;
            }
            let Some(action_id) = element.get("action_id").and_then(Value::as_str) else {
                continue;
            };
            found.push(FoundButton {
                action_id: action_id.to_owned(),
                block_id: block_id.clone(),
                text: element
                    .pointer("/text/text")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                value: element
                    .get("value")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn feedback_blocks() -> Value {
        json!([
            {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "Did you meet?"},
             "accessory": {"type": "button", "action_id": "details", "text": {"type": "plain_text", "text": "Details"}}},
            {"type": "actions", "block_id": "feedback", "elements": [
                {"type": "button", "action_id": "met", "value": "g1", "text": {"type": "plain_text", "text": "Yes, we met"}},
                {"type": "button", "action_id": "skipped", "value": "g1", "text": {"type": "plain_text", "text": "Not this time"}}
            ]}
        ])
    }

    #[test]
    fn a_button_is_found_by_action_id_or_by_label() {
        let by_id = find_button(&feedback_blocks(), "skipped").expect("by action_id");
        assert_eq!(by_id.text, "Not this time");
        assert_eq!(by_id.block_id.as_deref(), Some("feedback"));
        let by_label = find_button(&feedback_blocks(), "Yes, we met").expect("by label");
        assert_eq!(by_label.action_id, "met");
        assert_eq!(by_label.value.as_deref(), Some("g1"));
        assert!(find_button(&feedback_blocks(), "nope").is_none());
    }

    #[test]
    fn accessories_count_as_buttons() {
        assert_eq!(buttons(&feedback_blocks()).len(), 3);
    }
}
