//! Pourover: a self-hosted random-coffee bot for Slack and Microsoft Teams.
//! See ARCHITECTURE.md for the shape of the code and who may import what.

pub mod app;
pub mod domain;
pub mod export;
pub mod http;
pub mod metrics;
pub mod report;
pub mod settings;
pub mod stats;
pub mod store;
pub mod telemetry;
