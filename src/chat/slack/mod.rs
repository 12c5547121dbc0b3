//! Slack: the only place Slack's types appear.
