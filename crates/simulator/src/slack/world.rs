//! Everything the simulated Slack holds: its workspaces, Enterprise Grid orgs, the app's
//! installations and tokens, and the journal of what happened.

use std::collections::BTreeMap;

use crate::rng::SplitMix64;

use super::oauth::registry::{InstallTarget, Installation, Registry};
use super::recorder::Journal;
use super::workspace::{Conversation, OrgIdentity, Workspace};

/// An Enterprise Grid org and its workspaces, in creation order.
#[derive(Debug, Clone)]
pub(crate) struct Org {
    pub identity: OrgIdentity,
    pub teams: Vec<String>,
}

/// The workspaces and the journal share one lock so a handler's effect and its record
/// are always seen together.
pub(crate) struct World {
    /// By team id.
    pub workspaces: BTreeMap<String, Workspace>,
    /// By enterprise id.
    pub orgs: BTreeMap<String, Org>,
    /// The workspace `SlackSim::start` created, which `SlackSim`'s own accessors show.
    pub primary_team: String,
    pub installs: Registry,
    /// Redirect URLs the app is configured with; empty accepts any.
    pub redirect_urls: Vec<String>,
    /// App-level runtime ids (Socket Mode tickets, envelope and event ids, OAuth codes
    /// and tokens), apart from every workspace's own stream.
    pub ids: SplitMix64,
    pub journal: Journal,
}

impl World {
    pub(crate) fn new(primary: Workspace, runtime_seed: u64) -> Self {
        let primary_team = primary.team.id.clone();
        Self {
            workspaces: BTreeMap::from([(primary_team.clone(), primary)]),
            orgs: BTreeMap::new(),
            primary_team,
            installs: Registry::default(),
            redirect_urls: Vec::new(),
            ids: SplitMix64::new(runtime_seed),
            journal: Journal::default(),
        }
    }

    pub(crate) fn primary(&self) -> &Workspace {
        // The primary workspace is inserted at construction and never removed.
        &self.workspaces[&self.primary_team]
    }

    pub(crate) fn workspace(&self, team_id: &str) -> Option<&Workspace> {
        self.workspaces.get(team_id)
    }

    pub(crate) fn workspace_mut(&mut self, team_id: &str) -> Option<&mut Workspace> {
        self.workspaces.get_mut(team_id)
    }

    /// A workspace and the journal at once (they are separate fields, so both can be
    /// borrowed mutably).
    pub(crate) fn workspace_and_journal(
        &mut self,
        team_id: &str,
    ) -> Option<(&mut Workspace, &mut Journal)> {
        let workspace = self.workspaces.get_mut(team_id)?;
        Some((workspace, &mut self.journal))
    }

    /// An opaque random token from the app-level stream.
    pub(crate) fn new_token(&mut self) -> String {
        self.ids.hex(32)
    }

    /// The conversation `id` in whichever workspace has it.
    pub(crate) fn find_conversation(&self, id: &str) -> Option<(&Workspace, &Conversation)> {
        self.workspaces.values().find_map(|workspace| {
            workspace
                .conversation(id)
                .map(|conversation| (workspace, conversation))
        })
    }

    /// The workspaces of the org `enterprise_id`, in creation order.
    pub(crate) fn org_teams(&self, enterprise_id: &str) -> Vec<String> {
        self.orgs
            .get(enterprise_id)
            .map(|org| org.teams.clone())
            .unwrap_or_default()
    }

    /// The workspaces an installation's token may act in.
    pub(crate) fn visible_teams(&self, installation: &Installation) -> Vec<String> {
        match &installation.target {
            InstallTarget::Team(team) => vec![team.clone()],
            InstallTarget::Org(enterprise) => self.org_teams(enterprise),
        }
    }

    /// The installation that serves `team_id`: its own (active) one, else its org's
    /// active org-wide one, else an inactive one (uninstalled apps still get told).
    pub(crate) fn serving_installation(&self, team_id: &str) -> Option<&Installation> {
        let team = self
            .installs
            .installation(&InstallTarget::Team(team_id.to_owned()));
        let org = self
            .workspace(team_id)
            .and_then(|workspace| workspace.enterprise.as_ref())
            .and_then(|org| {
                self.installs
                    .installation(&InstallTarget::Org(org.id.clone()))
            });
        [team, org]
            .into_iter()
            .flatten()
            .find(|installation| installation.active)
            .or(team)
            .or(org)
    }
}
