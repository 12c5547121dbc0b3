//! Small builders over slack-morphism's Block Kit types, keeping every text inside Slack's
//! size limits (a block over a limit makes Slack refuse the whole message).

use slack_morphism::prelude::*;

use crate::chat::content::unescape;

/// Slack's limits, in characters (https://api.slack.com/reference/block-kit/blocks).
pub mod limits {
    pub const SECTION_TEXT: usize = 3000;
    pub const SECTION_FIELD: usize = 2000;
    pub const FIELDS_PER_SECTION: usize = 10;
    pub const HEADER_TEXT: usize = 150;
    pub const CONTEXT_TEXT: usize = 2000;
    pub const BUTTON_TEXT: usize = 75;
    pub const BUTTON_VALUE: usize = 2000;
    pub const ACTION_ID: usize = 255;
    pub const MESSAGE_BLOCKS: usize = 50;
    pub const VIEW_BLOCKS: usize = 100;
    /// Notifications show the top-level `text`; long ones are cut well before Slack's
    /// 40 000-character `msg_too_long`.
    pub const FALLBACK_TEXT: usize = 3000;
}

/// `text` cut to at most `max` characters, ending in "…" when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// `<@U123>`: Slack shows the person's current name and links their profile.
pub use crate::chat::content::mention;

/// A section of mrkdwn text (the neutral markup is Slack's mrkdwn already).
pub fn section(text: &str) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(md(&truncate(text, limits::SECTION_TEXT)))
        .into()
}

/// A section with a button on its right.
pub fn section_with_button(text: &str, button: SlackBlockButtonElement) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(md(&truncate(text, limits::SECTION_TEXT)))
        .with_accessory(button.into())
        .into()
}

/// Label/value pairs as a two-column grid; more than ten become several sections.
pub fn fields(pairs: &[(String, String)]) -> Vec<SlackBlock> {
    pairs
        .chunks(limits::FIELDS_PER_SECTION)
        .map(|chunk| {
            let fields = chunk
                .iter()
                .map(|(label, value)| {
                    md(&truncate(
                        &format!("*{label}*\n{value}"),
                        limits::SECTION_FIELD,
                    ))
                })
                .collect();
            SlackSectionBlock::new().with_fields(fields).into()
        })
        .collect()
}

/// A bold title. Headers take plain text only, so mrkdwn asterisks are dropped.
pub fn header(text: &str) -> SlackBlock {
    // Plain text shows no references, so escaped characters go back to what they stand for.
    let plain = unescape(&text.replace('*', ""));
    SlackHeaderBlock::new(
        SlackBlockPlainText::new(truncate(plain.trim(), limits::HEADER_TEXT))
            .with_emoji(true)
            .into(),
    )
    .into()
}

/// Small grey print.
pub fn context(text: &str) -> SlackBlock {
    SlackContextBlock::new(vec![
        SlackBlockMarkDownText::new(truncate(text, limits::CONTEXT_TEXT)).into(),
    ])
    .into()
}

pub fn divider() -> SlackBlock {
    SlackDividerBlock::new().into()
}

/// A row of buttons.
pub fn actions(block_id: &str, buttons: Vec<SlackBlockButtonElement>) -> SlackBlock {
    SlackActionsBlock::new(buttons.into_iter().map(Into::into).collect())
        .with_block_id(SlackBlockId(block_id.to_owned()))
        .into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonStyle {
    Plain,
    Primary,
    Danger,
}

/// A button that sends `value` back to the bot when pressed.
pub fn button(
    label: &str,
    action_id: &str,
    value: &str,
    style: ButtonStyle,
) -> SlackBlockButtonElement {
    let button = SlackBlockButtonElement::new(
        SlackBlockPlainText::new(truncate(label, limits::BUTTON_TEXT))
            .with_emoji(true)
            .into(),
    )
    .with_action_id(SlackActionId(truncate(action_id, limits::ACTION_ID)))
    .with_value(truncate(value, limits::BUTTON_VALUE));
    match style {
        ButtonStyle::Plain => button,
        ButtonStyle::Primary => button.with_style(SlackBlockButtonStyle::Primary),
        ButtonStyle::Danger => button.with_style(SlackBlockButtonStyle::Danger),
    }
}

/// Asks "are you sure?" before the button acts.
pub fn confirm(
    button: SlackBlockButtonElement,
    title: &str,
    text: &str,
    yes: &str,
) -> SlackBlockButtonElement {
    button.with_confirm(SlackBlockConfirmItem::new(
        SlackBlockPlainText::new(truncate(title, 100)).into(),
        md(&truncate(text, 300)),
        SlackBlockPlainText::new(truncate(yes, 30)).into(),
        SlackBlockPlainText::new("Cancel".into()).into(),
    ))
}

/// At most `max` blocks; when cut, the last one says so.
pub fn capped(mut blocks: Vec<SlackBlock>, max: usize) -> Vec<SlackBlock> {
    if blocks.len() > max {
        blocks.truncate(max.saturating_sub(1));
        blocks.push(context("…and more than fits here."));
    }
    blocks
}

fn md(text: &str) -> SlackBlockText {
    SlackBlockMarkDownText::new(text.to_owned()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_with_an_ellipsis_at_the_limit() {
        assert_eq!(truncate("coffee", 10), "coffee");
        let cut = truncate(&"☕".repeat(200), 150);
        assert_eq!(cut.chars().count(), 150);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn more_than_ten_fields_are_split_over_sections() {
        let pairs: Vec<(String, String)> = (0..23)
            .map(|i| (format!("label {i}"), format!("value {i}")))
            .collect();
        assert_eq!(fields(&pairs).len(), 3);
    }

    #[test]
    fn headers_drop_mrkdwn_bold_markers() {
        let json = serde_json::to_value(header("*Coffee* stats")).expect("json");
        assert_eq!(json["text"]["text"], "Coffee stats");
        assert_eq!(json["text"]["type"], "plain_text");
    }

    #[test]
    fn capping_keeps_the_limit_and_says_it_cut() {
        let blocks: Vec<SlackBlock> = (0..60).map(|i| section(&i.to_string())).collect();
        let capped = capped(blocks, limits::MESSAGE_BLOCKS);
        assert_eq!(capped.len(), limits::MESSAGE_BLOCKS);
    }
}
