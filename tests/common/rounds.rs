//! What the `rounds_*` tests check a round against: its groups and outbox rows in the
//! bot's database, and the messages carrying their outbox keys in the simulator.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use pourover::domain::{
    Group, Member, OutboxItem, OutboxKind, OutboxState, Program, Round, WorkspaceId,
};
use pourover::store::Store;
use pourover_simulator::{CompanySpec, RecordedMessage, SlackSim};

use super::harness::{HarnessOptions, SlackTestBot};

/// How long a whole round may take to settle on a loaded machine (faults and restarts
/// included). Generous: tests poll and return as soon as it is done.
pub const SETTLE: Duration = Duration::from_secs(120);

/// A program of the workspace, by name.
pub async fn program(store: &Store, workspace: WorkspaceId, name: &str) -> Program {
    store
        .programs(workspace)
        .await
        .expect("programs")
        .into_iter()
        .find(|program| program.name.to_string() == name)
        .unwrap_or_else(|| panic!("no program called {name}"))
}

/// The workspace of the one Slack team in a database.
pub async fn only_workspace(store: &Store) -> WorkspaceId {
    let workspaces = store.list_workspaces().await.expect("workspaces");
    assert_eq!(workspaces.len(), 1, "{workspaces:?}");
    workspaces[0].0
}

/// The program's latest round, once there is one.
pub async fn last_round(store: &Store, program: &Program) -> Option<Round> {
    store.last_round(program.id).await.expect("rounds")
}

/// A group of a round with its people and every message owed for it.
#[derive(Debug, Clone)]
pub struct OwedGroup {
    pub group: Group,
    pub people: Vec<Member>,
    pub rows: Vec<OutboxItem>,
}

impl OwedGroup {
    /// The group's row of `kind` (one per group where the whole group shares a DM).
    pub fn row(&self, kind: OutboxKind) -> &OutboxItem {
        let rows: Vec<&OutboxItem> = self.rows.iter().filter(|r| r.kind == kind).collect();
        assert_eq!(rows.len(), 1, "one {kind} row per group: {rows:#?}");
        rows[0]
    }

    pub fn external_ids(&self) -> BTreeSet<String> {
        self.people.iter().map(|m| m.external_id.clone()).collect()
    }
}

/// Every group of `round` with its people and outbox rows.
pub async fn owed_groups(store: &Store, round: &Round) -> Vec<OwedGroup> {
    let mut owed = Vec::new();
    for group in store.round_groups(round.id).await.expect("groups") {
        let people = store.members_by_ids(&group.members).await.expect("members");
        let rows = store.group_outbox(group.id).await.expect("outbox");
        owed.push(OwedGroup {
            group,
            people,
            rows,
        });
    }
    owed
}

/// Row states of one kind across the round, for failure messages.
pub fn states(groups: &[OwedGroup], kind: OutboxKind) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for group in groups {
        for row in group.rows.iter().filter(|r| r.kind == kind) {
            *counts.entry(row.state.as_str().to_owned()).or_default() += 1;
        }
    }
    counts
}

/// Polls until the program has a round with `groups` groups whose rows of `kind` have all
/// left `pending` and `sending`, then returns them. Panics with the states seen at the
/// deadline.
pub async fn settled(
    store: &Store,
    program: &Program,
    kind: OutboxKind,
    timeout: Duration,
) -> Vec<OwedGroup> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let groups = match last_round(store, program).await {
            Some(round) => owed_groups(store, &round).await,
            None => Vec::new(),
        };
        let done = !groups.is_empty()
            && groups.iter().all(|g| {
                g.rows
                    .iter()
                    .filter(|r| r.kind == kind)
                    .all(|r| !matches!(r.state, OutboxState::Pending | OutboxState::Sending))
            });
        if done {
            return groups;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{kind} rows did not settle within {timeout:?}: {:?}",
            states(&groups, kind)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The outbox key a message carries in its metadata, if it is one of the bot's.
pub fn outbox_key(message: &RecordedMessage) -> Option<String> {
    let metadata = message.metadata.as_ref()?;
    if metadata["event_type"] != "pourover_outbox" {
        return None;
    }
    metadata["event_payload"]["key"].as_str().map(str::to_owned)
}

/// Every message in the simulated workspace carrying an outbox key, by key.
pub fn posted_by_key(sim: &SlackSim) -> BTreeMap<String, Vec<RecordedMessage>> {
    let mut by_key: BTreeMap<String, Vec<RecordedMessage>> = BTreeMap::new();
    for message in sim.recorder().all_messages() {
        if let Some(key) = outbox_key(&message) {
            by_key.entry(key).or_default().push(message);
        }
    }
    by_key
}

/// The user ids a text mentions (`<@U…>`), in order.
pub fn mentions(text: &str) -> Vec<String> {
    text.split("<@")
        .skip(1)
        .filter_map(|rest| rest.split_once('>').map(|(id, _)| id.to_owned()))
        .collect()
}

/// The exactly-once promise for intros, checked from both sides: every group's intro row
/// is `sent`, the simulator holds exactly ONE message carrying its key, in a group DM of
/// exactly that group (and the bot), and the row remembers that very message. Also no
/// other intro key of the round appears in Slack, so nothing went to a group it lacks.
pub fn assert_exactly_one_intro_per_group(sim: &SlackSim, round: &Round, groups: &[OwedGroup]) {
    let prefix = format!(
        "p{}-t{}-",
        round.program_id,
        round.scheduled_for.timestamp_millis()
    );
    let posted = posted_by_key(sim);
    let mut intro_keys = BTreeSet::new();
    for owed in groups {
        let row = owed.row(OutboxKind::Intro);
        intro_keys.insert(row.key.clone());
        assert_eq!(
            row.state,
            OutboxState::Sent,
            "intro {} ended {:?} after {} attempts: {:?}",
            row.key,
            row.state,
            row.attempts,
            row.last_error
        );
        let copies = posted.get(&row.key).map_or(&[][..], Vec::as_slice);
        assert_eq!(
            copies.len(),
            1,
            "intro {} is in Slack {} times",
            row.key,
            copies.len()
        );
        let message = &copies[0];
        assert_eq!(
            row.conversation_id.as_deref(),
            Some(message.channel.as_str())
        );
        assert_eq!(row.message_id.as_deref(), Some(message.ts.as_str()));
        let conversation = sim
            .conversation(&message.channel)
            .expect("the intro's conversation exists");
        let mut expected: Vec<String> = owed.external_ids().into_iter().collect();
        expected.push(sim.bot_user_id().to_owned());
        expected.sort();
        assert_eq!(
            conversation.members, expected,
            "intro {} went to its group's DM",
            row.key
        );
    }
    let strays: Vec<&String> = posted
        .keys()
        .filter(|key| {
            key.starts_with(&prefix) && key.ends_with("-intro") && !intro_keys.contains(*key)
        })
        .collect();
    assert!(strays.is_empty(), "intros for no group: {strays:?}");
}

/// Everyone in #coffee, no guests: a channel-bound program's roster is the whole company.
pub fn everyone_in_coffee(people: usize, teams: usize) -> CompanySpec {
    CompanySpec {
        coffee_share: 1.0,
        guests: 0,
        ..CompanySpec::new(people, teams)
    }
}

/// Harness options for round tests: quick retries, and no scheduler ticks besides the one
/// at start-up (tests tick themselves, after moving the clock).
pub fn round_options(company: CompanySpec) -> HarnessOptions {
    HarnessOptions::new(company)
        .env("POUROVER_DELIVERY_BACKOFF_BASE_MS", "50")
        .env("POUROVER_DELIVERY_BACKOFF_MAX_MS", "1000")
        .env("POUROVER_TICK_SECONDS", "3600")
}

/// The owner creates `name` bound to #coffee, then takes its schedule away (programs get
/// a weekly one by default): its rounds run only when a test asks, however far the test
/// moves the clock.
pub async fn on_demand_program(bot: &SlackTestBot, name: &str) -> Program {
    bot.create_program(name, Some("coffee")).await;
    let created = program(bot.store(), bot.workspace().await, name).await;
    bot.store()
        .set_program_schedule(created.id, None)
        .await
        .expect("the schedule is removed");
    created
}

/// The owner starts a round of `program` now; returns the reply. With `again`: tests run
/// rounds back to back, which `admin round now` alone asks about within the hour.
pub async fn round_now(bot: &SlackTestBot, program: &str) -> String {
    let reply = bot
        .command(&bot.owner().id, &format!("admin round now {program} again"))
        .await;
    assert!(reply.contains("is planned"), "{reply}");
    reply
}
