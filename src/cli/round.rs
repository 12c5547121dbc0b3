//! `pourover round run --program NAME [--dry-run]`: a round now, from the command line. A
//! dry run prints the groups and saves and sends nothing; a real run plans the round like the
//! scheduler would and delivers its intros before returning (a running `serve` may deliver
//! some of them too: the outbox's leases keep every intro single).

use std::io::Write;
use std::time::{Duration, Instant};

use clap::Subcommand;

use super::CliError;
use crate::app::{Core, connect_chats, open_store};
use crate::chat::IntroFanout;
use crate::clock::Clock;
use crate::delivery::Outcome;
use crate::domain::{LocalZone, Member, OutboxKind, OutboxState, Program};
use crate::rounds::{PlanOutcome, PlannedRound};
use crate::settings::Settings;
use crate::stats;

#[derive(Debug, clap::Args)]
pub struct RoundArgs {
    #[command(subcommand)]
    pub action: RoundAction,
}

#[derive(Debug, Subcommand)]
pub enum RoundAction {
    /// Plan a round of a program now and send its intros (what the schedule would do).
    Run {
        /// The program, e.g. coffee.
        #[arg(long, value_name = "NAME")]
        program: String,
        /// Print the groups the round would have; save and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// How long a real run waits for its intros before leaving the rest to `serve`.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(600);

pub async fn run(
    settings: &Settings,
    args: &RoundArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match &args.action {
        RoundAction::Run { program, dry_run } => run_round(settings, program, *dry_run, out).await,
    }
}

async fn run_round(
    settings: &Settings,
    program_name: &str,
    dry_run: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let store = open_store(settings).await?;
    let found = stats::find_program(&store, program_name).await?;
    let program = store
        .program(found.id)
        .await?
        .ok_or_else(|| CliError::Refused(format!("program `{program_name}` vanished")))?;
    let chats = if dry_run {
        Default::default()
    } else {
        connect_chats(settings, &store).await?
    };
    let core = Core::new(settings, store.clone(), chats, Clock::system())?;
    let fanout = match core.chats.get(program.workspace_id) {
        Some(chat) => chat.intro_fanout(),
        None if dry_run => IntroFanout::OneConversationPerGroup,
        None => {
            return Err(CliError::Refused(format!(
                "no chat platform is configured for the workspace of `{}`: set SLACK_BOT_TOKEN \
                 (or the Teams settings) so intros can be sent, or use --dry-run",
                program.name
            )));
        }
    };
    let outcome = core
        .planner
        .plan(&program, core.clock.now(), fanout, dry_run)
        .await?;
    let result = match outcome {
        PlanOutcome::DryRun(planned) => {
            print_plan(out, &program, &planned, true)?;
            Ok(())
        }
        PlanOutcome::Planned(planned) => {
            print_plan(out, &program, &planned, false)?;
            deliver_intros(&core, &planned, out).await
        }
        PlanOutcome::Skipped { participants, .. } => {
            writeln!(
                out,
                "Not enough people in {} ({participants} taking part; at least 2 are needed): \
                 the round is recorded as skipped.",
                program.name
            )?;
            Ok(())
        }
        PlanOutcome::AlreadyPlanned => Err(CliError::Refused(
            "a round for this very moment already exists; try again".into(),
        )),
    };
    store.close().await;
    result
}

fn describe(member: &Member) -> String {
    let zone = LocalZone::of(member);
    let tz =
        (member.time_zone.is_some() || member.utc_offset_minutes.is_some()).then(|| zone.label());
    let details: Vec<String> = [member.team().map(str::to_owned), tz]
        .into_iter()
        .flatten()
        .collect();
    if details.is_empty() {
        member.display_name.clone()
    } else {
        format!("{} ({})", member.display_name, details.join(", "))
    }
}

fn print_plan(
    out: &mut dyn Write,
    program: &Program,
    planned: &PlannedRound,
    dry_run: bool,
) -> Result<(), CliError> {
    let size = usize::from(program.settings.group_size.get());
    let larger = planned.groups.iter().filter(|g| g.len() > size).count();
    writeln!(
        out,
        "Round {} of {}{}: {} people in {} groups{}",
        planned.seq,
        program.name,
        if dry_run {
            " (dry run: nothing saved, nothing sent)"
        } else {
            ""
        },
        planned.groups.iter().map(Vec::len).sum::<usize>(),
        planned.groups.len(),
        if larger > 0 {
            format!(" ({larger} one larger so nobody is left out)")
        } else {
            String::new()
        }
    )?;
    for (index, group) in planned.groups.iter().enumerate() {
        let people: Vec<String> = group.iter().map(describe).collect();
        writeln!(out, "  {:>3}. {}", index + 1, people.join("  ·  "))?;
    }
    for (member, reason) in &planned.unplaced {
        writeln!(out, "  not placed: {} ({reason})", describe(member))?;
    }
    let quality = &planned.quality;
    writeln!(
        out,
        "Repeats of recent pairs: {} · same-team pairs: {} · largest time-zone gap: {}h{:02}",
        quality.score.repeats,
        quality.score.same_team_pairs,
        quality.max_tz_gap_minutes / 60,
        quality.max_tz_gap_minutes % 60
    )?;
    Ok(())
}

/// Sends the round's intros now and reports how it went.
async fn deliver_intros(
    core: &Core,
    planned: &PlannedRound,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let Some(round) = &planned.round else {
        return Ok(());
    };
    let started = Instant::now();
    loop {
        let mut intros = Vec::new();
        for group in core.store.round_groups(round.id).await? {
            intros.extend(
                core.store
                    .group_outbox(group.id)
                    .await?
                    .into_iter()
                    .filter(|item| item.kind == OutboxKind::Intro),
            );
        }
        let done = |state: OutboxState| matches!(state, OutboxState::Sent | OutboxState::Failed);
        let sent = intros
            .iter()
            .filter(|i| i.state == OutboxState::Sent)
            .count();
        let failed = intros
            .iter()
            .filter(|i| i.state == OutboxState::Failed)
            .count();
        if intros.iter().all(|i| done(i.state)) {
            writeln!(out, "Intros delivered: {sent}, failed: {failed}.")?;
            if failed > 0 {
                writeln!(out, "See which ones with `/coffee admin failures`.")?;
            }
            return Ok(());
        }
        if started.elapsed() > DELIVERY_DEADLINE {
            writeln!(
                out,
                "Intros delivered so far: {sent}, failed: {failed}; the rest stay queued and \
                 `pourover serve` sends them."
            )?;
            return Ok(());
        }
        match core.delivery.try_execute_task().await? {
            Some(Outcome::Sent | Outcome::Reconciled | Outcome::Cancelled | Outcome::Failed) => {}
            // Waiting for a retry time or a rate limit: look again shortly.
            Some(Outcome::Retrying | Outcome::LostLease) | None => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}
