//! Pourover: a self-hosted random-coffee bot for Slack and Microsoft Teams.
//! docs/ARCHITECTURE.md describes the shape of the code and who may import what; the modules
//! below are listed from the edges (what starts the program) to the core (plain types).

// The edges: the command line, the wiring of a running bot, its settings and its telemetry.
pub mod app;
pub mod cli;
pub mod demo;
pub mod settings;
pub mod telemetry;

// The chat platforms (Slack, Teams) and the platform-neutral front door they call.
pub mod bot;
pub mod chat;

// What the bot does: commands, who takes part, rounds, their schedule, message delivery.
pub mod commands;
pub mod csv_cells;
pub mod delivery;
pub mod roster;
pub mod rounds;
pub mod schedule;

// What admins read: figures (text, JSON, CSV export) and the HTML report.
pub mod report;
pub mod stats;

// The core: SQL, plain domain types, the one source of "now", and sealing secrets at rest.
pub mod clock;
pub mod crypto;
pub mod domain;
pub mod store;
