//! `pourover-sim`: run the Slack simulator on its own and print how to point a bot at it.

use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use pourover_simulator::{CompanySpec, SlackSim, SlackSimConfig};

/// A local Slack workspace on 127.0.0.1 for running Pourover against.
#[derive(Debug, Parser)]
#[command(name = "pourover-sim", version)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Seed for the invented company and ids.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Active full members.
    #[arg(long, default_value_t = 30)]
    people: usize,
    /// Departments.
    #[arg(long, default_value_t = 4)]
    teams: usize,
    /// IANA time zones, comma-separated (default: a spread across the world).
    #[arg(long, value_delimiter = ',')]
    time_zones: Vec<String>,
    #[arg(long, default_value_t = 2)]
    admins: usize,
    #[arg(long, default_value_t = 1)]
    bots: usize,
    #[arg(long, default_value_t = 0)]
    guests: usize,
    #[arg(long, default_value_t = 0)]
    deactivated: usize,
    /// Slack time per real time (60 = a Slack minute per second).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Serve without rate limits.
    #[arg(long)]
    no_rate_limits: bool,
    /// OAuth installs get expiring tokens and refresh tokens (token rotation).
    #[arg(long)]
    token_rotation: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let config = SlackSimConfig {
        seed: args.seed,
        time_scale: args.time_scale,
        rate_limits: !args.no_rate_limits,
        port: args.port,
        token_rotation: args.token_rotation,
        ..SlackSimConfig::default()
    };
    let company = CompanySpec {
        people: args.people,
        teams: args.teams,
        time_zones: args.time_zones,
        admins: args.admins,
        bots: args.bots,
        guests: args.guests,
        deactivated: args.deactivated,
        ..CompanySpec::default()
    };
    let sim = SlackSim::start(config, company)
        .await
        .context("starting the Slack simulator")?;
    print_connection_details(&sim);
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    println!("\nShutting down.");
    tokio::time::timeout(Duration::from_secs(5), sim.shutdown())
        .await
        .context("the simulator did not stop within 5 s")?;
    Ok(())
}

fn print_connection_details(sim: &SlackSim) {
    let config = sim.config();
    println!("Pourover Slack simulator");
    println!("  Web API URL     {}", sim.api_url());
    println!("  bot token       {}", config.bot_token);
    println!("  app token       {}  (Socket Mode)", config.app_token);
    println!("  signing secret  {}", config.signing_secret);
    println!("  client id       {}", config.client_id);
    println!("  client secret   {}", config.client_secret);
    println!("  authorize URL   {}", sim.authorize_url());
    println!(
        "  team            {} ({})",
        config.team_id, config.team_name
    );
    println!("  app / bot user  {} / {}", sim.app_id(), sim.bot_user_id());
    println!("Channels:");
    for channel in sim.channels() {
        println!(
            "  #{:<20} {}  {} members",
            channel.name,
            channel.id,
            channel.members.len()
        );
    }
    println!("People ({}):", sim.people().len());
    for person in sim.people().iter().take(10) {
        println!(
            "  {}  {:<24} {:<12} {}",
            person.id, person.real_name, person.team, person.tz
        );
    }
    println!("Point the bot's Slack API URL at the Web API URL above; Ctrl-C stops.");
}
