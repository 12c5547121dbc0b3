//! Building workspaces from specs: the primary one `SlackSim::start` invents, more with
//! `SlackSim::add_workspace`, and Enterprise Grid orgs with `SlackSim::add_org`.
//!
//! Every workspace's company comes from its own seed (the simulator's seed mixed with its
//! team id), so adding a workspace never changes another. All of them belong to the same
//! app (one app id, one signing secret); each has its own bot user, except in an org,
//! where the bot user is org-wide like everyone else's id.

use std::collections::BTreeSet;

use super::company::{self, AppIdentity, GeneratedCompany};
use super::config::{CompanySpec, OrgSpec, SlackSimConfig, WorkspaceSpec};
use super::oauth::registry::{InstallTarget, Installation};
use super::state::World;
use super::workspace::{OrgIdentity, SimUser, TeamIdentity, Workspace, WorkspaceParts};
use super::world::Org;
use crate::error::SimError;

/// Mixed into a workspace's seed for its runtime ids (DMs, triggers, views), so the
/// company for a seed never depends on what happened at run time.
const RUNTIME_SEED_MIX: u64 = 0x5EED_0F5E_ED0F;
/// Mixed into the simulator's seed for app-level runtime ids.
const APP_SEED_MIX: u64 = 0xA99_5EED;

/// Scopes the configured `bot_token` is taken to have.
pub(crate) const PREINSTALLED_SCOPES: &[&str] = &[
    "commands",
    "chat:write",
    "im:write",
    "mpim:write",
    "im:history",
    "users:read",
    "users.profile:read",
    "channels:read",
    "groups:read",
    "team:read",
];

/// The primary workspace and the app's identity, from the simulator's config.
pub(crate) fn primary(
    config: &SlackSimConfig,
    company: &CompanySpec,
) -> Result<(AppIdentity, World), SimError> {
    let generated = company::generate(config, company)?;
    let identity = generated.identity.clone();
    let team = TeamIdentity {
        id: config.team_id.clone(),
        name: config.team_name.clone(),
        domain: config.team_domain.clone(),
    };
    let workspace = into_workspace(generated, team, None, config.seed);
    let mut world = World::new(workspace, config.seed ^ APP_SEED_MIX);
    // The configured bot token: installed from the start, never expiring, as a token
    // pasted into a single-workspace bot is.
    let primary_owner = world
        .primary()
        .members()
        .find(|user| user.is_primary_owner)
        .map(|user| user.id.clone())
        .unwrap_or_default();
    world.installs.preinstall(Installation {
        target: InstallTarget::Team(config.team_id.clone()),
        team: Some(world.primary().team.clone()),
        enterprise: None,
        bot_user_id: identity.bot_user_id.clone(),
        bot_id: identity.bot_id.clone(),
        scopes: PREINSTALLED_SCOPES
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        installer: primary_owner,
        active: true,
        rotating: false,
        bot_token: config.bot_token.clone(),
        refresh_token: None,
        expires_at: None,
    });
    Ok((identity, world))
}

/// Adds a workspace (not in any org) to `world`.
pub(crate) fn add_workspace(
    world: &mut World,
    config: &SlackSimConfig,
    app: &AppIdentity,
    spec: &WorkspaceSpec,
) -> Result<(), SimError> {
    check_new_team(world, &spec.team_id)?;
    let workspace = generate(config, app, spec, None, None)?;
    check_fresh_ids(world, &workspace, &BTreeSet::new())?;
    world.workspaces.insert(spec.team_id.clone(), workspace);
    Ok(())
}

/// Adds an Enterprise Grid org and its workspaces to `world`.
pub(crate) fn add_org(
    world: &mut World,
    config: &SlackSimConfig,
    app: &AppIdentity,
    spec: &OrgSpec,
) -> Result<(), SimError> {
    if world.orgs.contains_key(&spec.enterprise_id) {
        return Err(SimError::InvalidConfig(format!(
            "org {} already exists",
            spec.enterprise_id
        )));
    }
    if spec.workspaces.is_empty() {
        return Err(SimError::InvalidConfig(
            "an org needs at least one workspace".into(),
        ));
    }
    let org = OrgIdentity {
        id: spec.enterprise_id.clone(),
        name: spec.name.clone(),
        domain: spec.domain.clone(),
    };
    let mut workspaces: Vec<Workspace> = Vec::new();
    for workspace_spec in &spec.workspaces {
        check_new_team(world, &workspace_spec.team_id)?;
        if workspaces
            .iter()
            .any(|workspace| workspace.team.id == workspace_spec.team_id)
        {
            return Err(SimError::InvalidConfig(format!(
                "workspace {} is listed twice",
                workspace_spec.team_id
            )));
        }
        let org_bot = workspaces.first().and_then(|first| {
            first
                .users
                .get(&first.bot_user_id)
                .cloned()
                .map(|bot| (bot, first.bot_id.clone()))
        });
        let workspace = generate(config, app, workspace_spec, Some(&org), org_bot)?;
        let shared: BTreeSet<String> = workspaces
            .first()
            .map(|first| BTreeSet::from([first.bot_user_id.clone()]))
            .unwrap_or_default();
        check_fresh_ids(world, &workspace, &shared)?;
        workspaces.push(workspace);
    }
    share_people(&mut workspaces, spec.shared_people);
    introduce_org_wide_ids(&mut workspaces);
    let teams: Vec<String> = workspaces
        .iter()
        .map(|workspace| workspace.team.id.clone())
        .collect();
    for workspace in workspaces {
        world
            .workspaces
            .insert(workspace.team.id.clone(), workspace);
    }
    world.orgs.insert(
        spec.enterprise_id.clone(),
        Org {
            identity: org,
            teams,
        },
    );
    Ok(())
}

fn check_new_team(world: &World, team_id: &str) -> Result<(), SimError> {
    if world.workspaces.contains_key(team_id) {
        return Err(SimError::InvalidConfig(format!(
            "workspace {team_id} already exists"
        )));
    }
    Ok(())
}

/// Generated ids are random; make sure a new workspace's never clash with another's
/// (Slackbot and `shared`, the org's bot user, are the same user on purpose).
fn check_fresh_ids(
    world: &World,
    workspace: &Workspace,
    shared: &BTreeSet<String>,
) -> Result<(), SimError> {
    let clash = workspace
        .users
        .keys()
        .chain(workspace.conversations.keys())
        .filter(|id| *id != "USLACKBOT" && !shared.contains(*id))
        .find(|id| {
            world
                .workspaces
                .values()
                .any(|other| other.users.contains_key(*id) || other.conversations.contains_key(*id))
        });
    match clash {
        Some(id) => Err(SimError::InvalidConfig(format!(
            "generated id {id} clashes with another workspace's; try another seed"
        ))),
        None => Ok(()),
    }
}

/// A workspace for `spec`: its company from its own seed, its bot user the app's (the
/// org's shared one when `org_bot` is given).
fn generate(
    config: &SlackSimConfig,
    app: &AppIdentity,
    spec: &WorkspaceSpec,
    org: Option<&OrgIdentity>,
    org_bot: Option<(SimUser, String)>,
) -> Result<Workspace, SimError> {
    let seed = config.seed ^ team_seed(&spec.team_id);
    let company_config = SlackSimConfig {
        seed,
        team_id: spec.team_id.clone(),
        team_name: spec.team_name.clone(),
        team_domain: spec.team_domain.clone(),
        ..config.clone()
    };
    let mut generated = company::generate(&company_config, &spec.company)?;
    adopt_app(&mut generated, app, org_bot);
    let team = TeamIdentity {
        id: spec.team_id.clone(),
        name: spec.team_name.clone(),
        domain: spec.team_domain.clone(),
    };
    Ok(into_workspace(generated, team, org.cloned(), seed))
}

fn into_workspace(
    generated: GeneratedCompany,
    team: TeamIdentity,
    enterprise: Option<OrgIdentity>,
    seed: u64,
) -> Workspace {
    Workspace::new(WorkspaceParts {
        team,
        enterprise,
        users: generated.users,
        channels: generated.channels,
        bot_user_id: generated.identity.bot_user_id,
        bot_id: generated.identity.bot_id,
        runtime_seed: seed ^ RUNTIME_SEED_MIX,
    })
}

/// Makes a generated company's bot user the app's: the app id is the simulator's, and in
/// an org the bot user is the org's one (replacing the generated one everywhere).
fn adopt_app(
    generated: &mut GeneratedCompany,
    app: &AppIdentity,
    org_bot: Option<(SimUser, String)>,
) {
    generated.identity.app_id = app.app_id.clone();
    let generated_bot = generated.identity.bot_user_id.clone();
    match org_bot {
        None => {
            if let Some(bot) = generated
                .users
                .iter_mut()
                .find(|user| user.id == generated_bot)
            {
                bot.app_id = Some(app.app_id.clone());
            }
        }
        Some((bot, bot_id)) => {
            generated.users.retain(|user| user.id != generated_bot);
            for channel in &mut generated.channels {
                if channel.members.remove(&generated_bot) {
                    channel.members.insert(bot.id.clone());
                }
            }
            generated.identity.bot_user_id = bot.id.clone();
            generated.identity.bot_id = bot_id;
            generated.users.push(bot);
        }
    }
}

/// The first `count` people of the org's first workspace join every other workspace of
/// it (and its #general), keeping their ids.
fn share_people(workspaces: &mut [Workspace], count: usize) {
    let Some((first, others)) = workspaces.split_first_mut() else {
        return;
    };
    let shared: Vec<SimUser> = first
        .members()
        .filter(|user| {
            !user.is_bot && !user.deleted && !user.is_restricted && user.id != "USLACKBOT"
        })
        .take(count)
        .cloned()
        .collect();
    for workspace in others {
        for person in &shared {
            workspace.users.insert(person.id.clone(), person.clone());
            for conversation in workspace.conversations.values_mut() {
                if conversation.is_general {
                    conversation.members.insert(person.id.clone());
                }
            }
        }
    }
}

/// Every workspace of an org knows everyone of the org by id; people who are not its
/// members are known but not listed.
fn introduce_org_wide_ids(workspaces: &mut [Workspace]) {
    let everyone: Vec<SimUser> = workspaces
        .iter()
        .flat_map(|workspace| workspace.members().cloned().collect::<Vec<_>>())
        .collect();
    for workspace in workspaces {
        for user in &everyone {
            if !workspace.users.contains_key(&user.id) {
                workspace.users.insert(user.id.clone(), user.clone());
                workspace.other_org_members.insert(user.id.clone());
            }
        }
    }
}

/// A stable 64-bit hash of a team id (FNV-1a), so a workspace's seed depends only on it.
fn team_seed(team_id: &str) -> u64 {
    team_id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
