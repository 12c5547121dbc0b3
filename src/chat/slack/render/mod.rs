//! Block Kit rendering of the bot's neutral content: messages, command replies and the
//! App Home. The neutral markup (`*bold*`, `_italic_`, `<@U…>`) is Slack's mrkdwn already.

pub mod blocks;
pub mod home;
pub mod messages;
pub mod reply;

pub use home::home_view;
pub use messages::{COMMAND, message_content};
pub use reply::{command_response, reply_content};
