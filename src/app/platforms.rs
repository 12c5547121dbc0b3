//! Connecting the chat platforms the settings switch on, and mounting their inbound side
//! (HTTP routes, Socket Mode) once the core exists.

use std::sync::Arc;

use tokio_util::task::TaskTracker;

use super::{AppError, Core};
use crate::chat::ChatDirectory;
use crate::chat::slack::{self, SlackChat, SlackChatConfig, SlackInbound, SocketMode};
use crate::chat::teams::{TeamsChat, TeamsConfig, TeamsEndpoint};
use crate::domain::{Platform, WorkspaceId};
use crate::settings::Settings;
use crate::store::Store;
use crate::telemetry::metrics::Metrics;

/// Connects every chat platform the settings configure, each under its workspace.
pub async fn connect_chats(settings: &Settings, store: &Store) -> Result<ChatDirectory, AppError> {
    Ok(connect_platforms(settings, store, &Metrics::new())
        .await?
        .directory)
}

/// The connected platforms: the directory the core uses, and each platform's own client for
/// its inbound side.
pub(super) struct ConnectedPlatforms {
    pub directory: ChatDirectory,
    slack: Option<(WorkspaceId, Arc<SlackChat>)>,
    teams: Option<TeamsPlatform>,
}

/// What the platforms serve: routes to mount, and a Socket Mode connection to stop.
pub(super) struct Inbound {
    pub routes: axum::Router,
    pub socket_mode: Option<SocketMode>,
}

/// Like `connect_chats`, keeping the platform clients and counting their calls in `metrics`.
pub(super) async fn connect_platforms(
    settings: &Settings,
    store: &Store,
    metrics: &Metrics,
) -> Result<ConnectedPlatforms, AppError> {
    let mut directory = ChatDirectory::default();
    let slack = connect_slack(settings, store, metrics).await?;
    if let Some((workspace, chat)) = &slack {
        directory.insert(*workspace, chat.clone());
    }
    let teams = connect_teams(settings, store).await?;
    if let Some(teams) = &teams {
        directory.insert(teams.workspace, Arc::new(teams.chat.clone()));
    }
    Ok(ConnectedPlatforms {
        directory,
        slack,
        teams,
    })
}

impl ConnectedPlatforms {
    /// Every platform's inbound side, served by the core's bot.
    pub(super) async fn inbound(
        self,
        settings: &Settings,
        core: &Core,
        background: &TaskTracker,
    ) -> Result<Inbound, AppError> {
        let mut routes = axum::Router::new();
        let mut socket_mode = None;
        if let Some((workspace, chat)) = self.slack {
            let inbound = SlackInbound::new(
                core.bot.clone(),
                chat.clone(),
                workspace,
                background.clone(),
            );
            // HTTP routes only where Slack can sign requests to them.
            if let Some(secret) = &settings.slack.signing_secret {
                routes = routes.merge(slack::http_routes(
                    inbound.clone(),
                    secret,
                    settings.server.max_body_bytes,
                ));
            }
            if let Some(app_token) = &settings.slack.app_token {
                let client = chat.http_client();
                socket_mode = Some(SocketMode::start(inbound, client, app_token).await?);
            }
        }
        if let Some(teams) = self.teams {
            let endpoint =
                TeamsEndpoint::new(&teams.config, core.bot.clone(), teams.chat, teams.workspace)
                    .map_err(|err| AppError::Config(err.to_string()))?;
            routes = routes.merge(crate::chat::teams::routes(endpoint));
        }
        Ok(Inbound {
            routes,
            socket_mode,
        })
    }
}

/// Connects to Slack when a bot token is set: asks who the bot is (auth.test) and records
/// the workspace. A token Slack refuses, or a Slack it cannot reach, stops start-up.
async fn connect_slack(
    settings: &Settings,
    store: &Store,
    metrics: &Metrics,
) -> Result<Option<(WorkspaceId, Arc<SlackChat>)>, AppError> {
    if !settings.slack.enabled() {
        return Ok(None);
    }
    let config = SlackChatConfig::from_settings(&settings.slack)?;
    let chat = SlackChat::connect(config, metrics.clone()).await?;
    let identity = chat.identity();
    let workspace = store
        .upsert_workspace(Platform::Slack, &identity.team_id, &identity.team_name)
        .await?;
    tracing::info!(team = %identity.team_id, bot = %identity.bot_user_id, "connected to Slack");
    Ok(Some((workspace, Arc::new(chat))))
}

/// Teams, when its settings switch it on: the tenant's workspace and its chat.
struct TeamsPlatform {
    config: TeamsConfig,
    chat: TeamsChat,
    workspace: WorkspaceId,
}

async fn connect_teams(
    settings: &Settings,
    store: &Store,
) -> Result<Option<TeamsPlatform>, AppError> {
    let teams = &settings.teams;
    let (Some(app_id), Some(app_password), Some(tenant_id)) =
        (&teams.app_id, &teams.app_password, &teams.tenant_id)
    else {
        return Ok(None);
    };
    let config = TeamsConfig {
        app_id: app_id.clone(),
        app_password: app_password.clone(),
        tenant_id: tenant_id.clone(),
        openid_metadata_url: teams.openid_metadata_url.clone(),
        token_url: teams.token_url.clone(),
        admins: settings.admins.clone(),
    };
    let workspace = store
        .upsert_workspace(Platform::Teams, tenant_id, "")
        .await?;
    let service_url = store.workspace_service_url(workspace).await?;
    let chat =
        TeamsChat::new(&config, service_url).map_err(|err| AppError::Config(err.to_string()))?;
    tracing::info!(tenant = %tenant_id, "Microsoft Teams is on");
    Ok(Some(TeamsPlatform {
        config,
        chat,
        workspace,
    }))
}
