//! One workspace of the simulator, as tests see and change it.
//!
//! `SlackSim`'s own accessors (`users`, `channels`, `app`, `deactivate_user`, …) are
//! this handle's for the primary workspace; `SlackSim::workspace` gives one for any other.

use std::sync::Arc;

use slack_morphism::prelude::SlackUser;

use super::build::PREINSTALLED_SCOPES;
use super::driver::{AppEndpoints, EventEnvelope, SlackAppDriver};
use super::oauth::install::install;
use super::oauth::registry::{InstallTarget, InstalledApp};
use super::oauth::uninstall::uninstall;
use super::render::slack_user;
use super::state::{SimState, World};
use super::workspace::{
    ConversationKind, OrgIdentity, SimConversation, SimUser, TeamIdentity, Workspace,
};
use crate::error::SimError;
use crate::sync::lock;

/// A workspace of the running simulator; clones are cheap and share the simulator.
#[derive(Clone)]
pub struct SimWorkspace {
    pub(crate) state: Arc<SimState>,
    pub(crate) team_id: String,
}

impl SimWorkspace {
    pub(crate) fn new(state: Arc<SimState>, team_id: String) -> Self {
        Self { state, team_id }
    }

    pub fn team_id(&self) -> &str {
        &self.team_id
    }

    /// The workspace's id, name and domain.
    pub fn team(&self) -> TeamIdentity {
        self.read(|workspace| workspace.team.clone())
            .unwrap_or_else(|| TeamIdentity {
                id: self.team_id.clone(),
                name: String::new(),
                domain: String::new(),
            })
    }

    /// The Enterprise Grid org the workspace belongs to.
    pub fn enterprise(&self) -> Option<OrgIdentity> {
        self.read(|workspace| workspace.enterprise.clone())
            .flatten()
    }

    /// The app's bot user here (`U…`; org-wide in an org).
    pub fn bot_user_id(&self) -> String {
        self.read(|workspace| workspace.bot_user_id.clone())
            .unwrap_or_default()
    }

    /// The app's bot id here (`B…`).
    pub fn bot_id(&self) -> String {
        self.read(|workspace| workspace.bot_id.clone())
            .unwrap_or_default()
    }

    /// Members of the workspace (people, guests, deactivated, bots, Slackbot), by id. In
    /// an org, people of its other workspaces are known here by id but not listed.
    pub fn users(&self) -> Vec<SimUser> {
        self.read(|workspace| workspace.members().cloned().collect())
            .unwrap_or_default()
    }

    /// A user known here (in an org: anyone of the org).
    pub fn user(&self, id: &str) -> Option<SimUser> {
        self.read(|workspace| workspace.user(id).cloned()).flatten()
    }

    /// Active full members (not bots, guests, deactivated or Slackbot).
    pub fn people(&self) -> Vec<SimUser> {
        self.users()
            .into_iter()
            .filter(|user| {
                !user.is_bot && !user.deleted && !user.is_restricted && user.id != "USLACKBOT"
            })
            .collect()
    }

    /// Public channels and their members.
    pub fn channels(&self) -> Vec<SimConversation> {
        self.conversations()
            .into_iter()
            .filter(|conversation| conversation.kind == ConversationKind::PublicChannel)
            .collect()
    }

    /// The public channel called `name` (without `#`).
    pub fn channel_named(&self, name: &str) -> Option<SimConversation> {
        self.channels()
            .into_iter()
            .find(|channel| channel.name == name)
    }

    /// Every conversation: channels, IMs and group DMs.
    pub fn conversations(&self) -> Vec<SimConversation> {
        self.read(|workspace| {
            workspace
                .conversations
                .values()
                .map(|conversation| conversation.summary())
                .collect()
        })
        .unwrap_or_default()
    }

    pub fn conversation(&self, id: &str) -> Option<SimConversation> {
        self.read(|workspace| {
            workspace
                .conversation(id)
                .map(|conversation| conversation.summary())
        })
        .flatten()
    }

    /// The IM or group DM whose members are exactly `people` plus the bot, if opened.
    pub fn dm_with(&self, people: &[&str]) -> Option<SimConversation> {
        let mut wanted: Vec<String> = people.iter().map(|id| (*id).to_owned()).collect();
        wanted.push(self.bot_user_id());
        wanted.sort();
        wanted.dedup();
        self.conversations().into_iter().find(|conversation| {
            matches!(
                conversation.kind,
                ConversationKind::Im | ConversationKind::Mpim
            ) && conversation.members == wanted
        })
    }

    /// A driver delivering from this workspace over HTTP to the app's
    /// `{base}/slack/commands`, `{base}/slack/events` and `{base}/slack/interactivity`.
    pub fn app(&self, app_base_url: &str) -> SlackAppDriver {
        SlackAppDriver::http(
            self.state.clone(),
            self.team_id.clone(),
            AppEndpoints::under(app_base_url),
        )
    }

    /// A driver delivering from this workspace over the app's Socket Mode connection(s).
    pub fn socket_mode_app(&self) -> SlackAppDriver {
        SlackAppDriver::socket_mode(self.state.clone(), self.team_id.clone())
    }

    /// The installation serving this workspace now: its own, or its org's org-wide one
    /// (an uninstalled one if that is all there is).
    pub fn installation(&self) -> Option<InstalledApp> {
        lock(&self.state.world)
            .serving_installation(&self.team_id)
            .map(InstalledApp::from)
    }

    /// The bot token the app would use here now, if the app is installed.
    pub fn bot_token(&self) -> Option<String> {
        self.installation()
            .filter(|installation| installation.active)
            .map(|installation| installation.bot_token)
    }

    /// Makes the access tokens of this workspace's own installation lapse now, as if
    /// `expires_in` had passed (with rotation; a non-rotating token is unaffected by
    /// time but lapses too).
    pub fn expire_access_tokens(&self) {
        let target = InstallTarget::Team(self.team_id.clone());
        self.state.change(|world| {
            world
                .installs
                .expire_access_tokens(&target, std::time::Instant::now());
        });
    }

    /// Installs the app here directly (as if someone had approved it on the consent
    /// page), with the simulator's scopes and token rotation setting, approved by the
    /// workspace's primary owner. Returns the installation with its tokens.
    pub fn install(&self) -> Result<InstalledApp, SimError> {
        self.install_for(InstallTarget::Team(self.team_id.clone()))
    }

    /// Installs the app org-wide for this workspace's Enterprise Grid org.
    pub fn install_org_wide(&self) -> Result<InstalledApp, SimError> {
        let org = self
            .enterprise()
            .ok_or_else(|| SimError::OrgNotFound(self.team_id.clone()))?;
        self.install_for(InstallTarget::Org(org.id))
    }

    fn install_for(&self, target: InstallTarget) -> Result<InstalledApp, SimError> {
        let scopes = PREINSTALLED_SCOPES
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        self.state.change(|world| {
            let installer = self
                .workspace_mut(world)?
                .members()
                .find(|user| user.is_primary_owner)
                .map(|user| user.id.clone())
                .unwrap_or_default();
            install(&self.state, world, target, installer, scopes)
                .map(|installation| InstalledApp::from(&installation))
                .ok_or_else(|| SimError::WorkspaceNotFound(self.team_id.clone()))
        })
    }

    /// Uninstalls the app from this workspace (its own installation) without telling
    /// the app: returns the `tokens_revoked` and `app_uninstalled` events Slack would
    /// send, for `SlackAppDriver::send_event` (or to drop, as a missed event).
    /// `SlackAppDriver::uninstall_app` does both.
    pub fn uninstall(&self) -> Result<Vec<EventEnvelope>, SimError> {
        uninstall(
            &self.state,
            InstallTarget::Team(self.team_id.clone()),
            &self.team_id,
        )
    }

    /// Uninstalls the org-wide installation of this workspace's org (events as
    /// [`SimWorkspace::uninstall`], from this workspace).
    pub fn uninstall_org_wide(&self) -> Result<Vec<EventEnvelope>, SimError> {
        let org = self
            .enterprise()
            .ok_or_else(|| SimError::OrgNotFound(self.team_id.clone()))?;
        uninstall(&self.state, InstallTarget::Org(org.id), &self.team_id)
    }

    fn read<T>(&self, read: impl FnOnce(&Workspace) -> T) -> Option<T> {
        lock(&self.state.world).workspace(&self.team_id).map(read)
    }

    pub(crate) fn workspace_mut<'w>(
        &self,
        world: &'w mut World,
    ) -> Result<&'w mut Workspace, SimError> {
        world
            .workspace_mut(&self.team_id)
            .ok_or_else(|| SimError::WorkspaceNotFound(self.team_id.clone()))
    }

    /// The other workspaces of this workspace's org (none outside an org).
    pub(crate) fn org_siblings(&self, world: &World) -> Vec<String> {
        world
            .workspace(&self.team_id)
            .and_then(|workspace| workspace.enterprise.as_ref())
            .map(|org| world.org_teams(&org.id))
            .unwrap_or_default()
            .into_iter()
            .filter(|team| *team != self.team_id)
            .collect()
    }

    /// `user` as Slack shows them from here.
    pub(crate) fn slack_user(
        &self,
        user: &SimUser,
        with_custom_fields: bool,
    ) -> Result<SlackUser, SimError> {
        let world = lock(&self.state.world);
        let workspace = world
            .workspace(&self.team_id)
            .ok_or_else(|| SimError::WorkspaceNotFound(self.team_id.clone()))?;
        Ok(slack_user(&world, workspace, user, with_custom_fields))
    }
}
