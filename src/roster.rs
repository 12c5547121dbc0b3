//! Who is in which program: profile refreshes, channel-bound enrolment, deactivations.
//! Shared by commands, platform events and the daily reconciliation.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use crate::chat::{Chat, ChatError};
use crate::domain::{Member, MemberProfile, Program, WorkspaceId};
use crate::store::{EnrollmentChange, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("chat platform: {0}")]
    Chat(#[from] ChatError),
}

/// Who may take part, beyond being a real, active person.
#[derive(Debug, Clone, Copy)]
pub struct RosterPolicy {
    pub enroll_guests: bool,
}

/// Why someone cannot be enrolled; the text is shown to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    Bot,
    Deactivated,
    Guest,
}

impl Ineligible {
    pub fn explanation(self) -> &'static str {
        match self {
            Ineligible::Bot => "bots don't drink coffee",
            Ineligible::Deactivated => "this account is deactivated",
            Ineligible::Guest => "guests can't join programs in this workspace",
        }
    }
}

impl RosterPolicy {
    pub fn check(&self, member: &Member) -> Result<(), Ineligible> {
        if member.is_bot {
            Err(Ineligible::Bot)
        } else if member.deleted {
            Err(Ineligible::Deactivated)
        } else if member.is_guest && !self.enroll_guests {
            Err(Ineligible::Guest)
        } else {
            Ok(())
        }
    }
}

/// How old a stored profile may be before it is read again (admin rights can change).
pub const PROFILE_MAX_AGE: Duration = Duration::hours(1);

/// The member behind a platform user id, refreshing the profile when unknown or stale. A
/// failed refresh falls back to the stored profile rather than refusing the person.
pub async fn ensure_member(
    store: &Store,
    chat: &dyn Chat,
    workspace: WorkspaceId,
    external_id: &str,
    now: DateTime<Utc>,
) -> Result<Member, RosterError> {
    let stored = store.member_by_external_id(workspace, external_id).await?;
    if let Some(member) = &stored
        && now - member.profile_synced_at < PROFILE_MAX_AGE
    {
        return Ok(member.clone());
    }
    match chat.user_profile(external_id).await {
        Ok(profile) => apply_profile(store, workspace, &profile).await,
        Err(err) => match stored {
            Some(member) => {
                tracing::warn!(error = %err, member = %member.id, "profile refresh failed; using the stored one");
                Ok(member)
            }
            None => Err(err.into()),
        },
    }
}

/// Stores what the platform says about a person; a deactivated person leaves every program.
pub async fn apply_profile(
    store: &Store,
    workspace: WorkspaceId,
    profile: &MemberProfile,
) -> Result<Member, RosterError> {
    let member = store.upsert_member(workspace, profile).await?;
    if member.deleted {
        let left = store.leave_all_programs(member.id).await?;
        if left > 0 {
            tracing::info!(member = %member.id, programs = left, "deactivated member left their programs");
        }
    }
    Ok(member)
}

/// Reads the full profile of up to `limit` people whose stored one was last read before
/// `before` (people found through a channel sync first: listing users leaves their team
/// out). Stops early when the platform asks to slow down; the next pass goes on.
pub async fn refresh_stale_profiles(
    store: &Store,
    chat: &dyn Chat,
    workspace: WorkspaceId,
    before: DateTime<Utc>,
    limit: u32,
) -> Result<usize, RosterError> {
    let mut refreshed = 0;
    for member in store
        .members_needing_refresh(workspace, before, limit)
        .await?
    {
        match chat.user_profile(&member.external_id).await {
            Ok(profile) => {
                apply_profile(store, workspace, &profile).await?;
                refreshed += 1;
            }
            Err(ChatError::RateLimited { .. }) => break,
            Err(err) => {
                tracing::warn!(member = %member.id, error = %err, "profile refresh failed");
            }
        }
    }
    Ok(refreshed)
}

/// Someone joined a channel: enrol them in the programs bound to it.
pub async fn joined_channel(
    store: &Store,
    chat: &dyn Chat,
    policy: RosterPolicy,
    workspace: WorkspaceId,
    channel_id: &str,
    external_id: &str,
) -> Result<Vec<(Program, EnrollmentChange)>, RosterError> {
    let programs = store.programs_for_channel(workspace, channel_id).await?;
    if programs.is_empty() {
        return Ok(Vec::new());
    }
    let member = ensure_member(store, chat, workspace, external_id, Utc::now()).await?;
    if policy.check(&member).is_err() {
        return Ok(Vec::new());
    }
    let mut changes = Vec::new();
    for program in programs {
        let change = store.enroll(program.id, member.id).await?;
        changes.push((program, change));
    }
    Ok(changes)
}

/// Someone left a channel: they leave the programs bound to it.
pub async fn left_channel(
    store: &Store,
    workspace: WorkspaceId,
    channel_id: &str,
    external_id: &str,
) -> Result<Vec<Program>, RosterError> {
    let Some(member) = store.member_by_external_id(workspace, external_id).await? else {
        return Ok(Vec::new());
    };
    let mut left = Vec::new();
    for program in store.programs_for_channel(workspace, channel_id).await? {
        if store.leave_program(program.id, member.id).await? {
            left.push(program);
        }
    }
    Ok(left)
}

/// What a channel reconciliation changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub enrolled: usize,
    pub left: usize,
}

/// Makes a channel-bound program's roster match the channel: new channel members are
/// enrolled, people no longer in the channel leave. People who left the program themselves
/// while staying in the channel are not enrolled again: their choice wins.
pub async fn sync_channel(
    store: &Store,
    chat: &dyn Chat,
    policy: RosterPolicy,
    program: &Program,
) -> Result<SyncReport, RosterError> {
    let Some(channel_id) = program.channel_id.as_deref() else {
        return Ok(SyncReport::default());
    };
    let in_channel: HashSet<String> = chat
        .channel_members(channel_id)
        .await?
        .into_iter()
        .collect();
    let profiles: HashMap<String, MemberProfile> = chat
        .all_users()
        .await?
        .into_iter()
        .map(|profile| (profile.external_id.clone(), profile))
        .collect();

    let mut report = SyncReport::default();
    let mut enrolled_ids = HashSet::new();
    for enrollment in store.program_enrollments(program.id).await? {
        enrolled_ids.insert(enrollment.member_id);
    }
    let mut has_row = HashSet::new();
    for member in store.workspace_members(program.workspace_id).await? {
        if store.enrollment(program.id, member.id).await?.is_some() {
            has_row.insert(member.external_id.clone());
        }
        let active_here = enrolled_ids.contains(&member.id);
        if active_here && !in_channel.contains(&member.external_id) {
            store.leave_program(program.id, member.id).await?;
            report.left += 1;
        }
    }
    for external_id in &in_channel {
        if has_row.contains(external_id) {
            continue;
        }
        let Some(profile) = profiles.get(external_id) else {
            continue;
        };
        let member = apply_profile(store, program.workspace_id, profile).await?;
        if policy.check(&member).is_ok() {
            store.enroll(program.id, member.id).await?;
            report.enrolled += 1;
        }
    }
    Ok(report)
}
