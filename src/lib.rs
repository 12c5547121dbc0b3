//! Pourover: a self-hosted random-coffee bot for Slack and Microsoft Teams.
//! See ARCHITECTURE.md for the shape of the code and who may import what.

pub mod app;
pub mod bot;
pub mod chat;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod csv_cells;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod export;
pub mod export_links;
pub mod http;
pub mod metrics;
pub mod report;
pub mod roster;
pub mod rounds;
pub mod schedule;
pub mod settings;
pub mod stats;
pub mod store;
pub mod telemetry;
