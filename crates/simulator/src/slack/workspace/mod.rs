//! The simulated workspace's state: who exists, which conversations, what was said.

mod conversations;
mod users;

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub(crate) use conversations::{Conversation, StoredMessage};
pub use conversations::{ConversationKind, MessageVersion, SimConversation};
pub(crate) use users::team_profile;
pub use users::{
    DEPARTMENT_FIELD_ID, DEPARTMENT_FIELD_LABEL, SimUser, TEAM_FIELD_ID, TEAM_FIELD_LABEL,
};

use crate::rng::SplitMix64;
use crate::slack::recorder::PublishedView;
use crate::slack::response_url::ResponseUrlTarget;

/// Which workspace this is, as payloads and team.info name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamIdentity {
    /// `T…`.
    pub id: String,
    pub name: String,
    /// `{domain}.slack.com`.
    pub domain: String,
}

/// An Enterprise Grid organisation, as payloads name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgIdentity {
    /// `E…`.
    pub id: String,
    pub name: String,
    /// `{domain}.enterprise.slack.com`.
    pub domain: String,
}

pub(crate) struct Workspace {
    pub team: TeamIdentity,
    /// The Enterprise Grid org the workspace belongs to, if any.
    pub enterprise: Option<OrgIdentity>,
    /// By id; the order users.list pages through. In an org this also holds the org's
    /// people from its other workspaces (their ids are valid everywhere in the org), see
    /// `other_org_members`.
    pub users: BTreeMap<String, SimUser>,
    /// Org people who are not members of this workspace: known by id (users.info, DMs),
    /// but not listed by users.list.
    pub other_org_members: BTreeSet<String>,
    pub conversations: BTreeMap<String, Conversation>,
    /// Member set (the bot included) of every IM and group DM, so opening the same set
    /// again finds the same conversation, as Slack does.
    dm_ids: HashMap<BTreeSet<String>, String>,
    /// The App Home each user sees now.
    pub home_views: HashMap<String, PublishedView>,
    pub response_urls: HashMap<String, ResponseUrlTarget>,
    /// Runtime ids (DMs, triggers, events, views); separate from the company's stream so
    /// the company for a seed never depends on what happened at run time.
    ids: SplitMix64,
    /// The app's bot user here (org-wide in an org: the same in every workspace).
    pub bot_user_id: String,
    /// The app's bot id (`B…`) here.
    pub bot_id: String,
}

/// Everything a workspace is made of when it is created.
pub(crate) struct WorkspaceParts {
    pub team: TeamIdentity,
    pub enterprise: Option<OrgIdentity>,
    pub users: Vec<SimUser>,
    pub channels: Vec<Conversation>,
    pub bot_user_id: String,
    pub bot_id: String,
    pub runtime_seed: u64,
}

impl Workspace {
    pub(crate) fn new(parts: WorkspaceParts) -> Self {
        let WorkspaceParts {
            team,
            enterprise,
            users,
            channels,
            bot_user_id,
            bot_id,
            runtime_seed,
        } = parts;
        Self {
            team,
            enterprise,
            other_org_members: BTreeSet::new(),
            users: users
                .into_iter()
                .map(|user| (user.id.clone(), user))
                .collect(),
            conversations: channels
                .into_iter()
                .map(|channel| (channel.id.clone(), channel))
                .collect(),
            dm_ids: HashMap::new(),
            home_views: HashMap::new(),
            response_urls: HashMap::new(),
            ids: SplitMix64::new(runtime_seed),
            bot_user_id,
            bot_id,
        }
    }

    pub(crate) fn team_id(&self) -> &str {
        &self.team.id
    }

    /// Whether `id` is a member of this workspace (not merely known through the org).
    pub(crate) fn is_member(&self, id: &str) -> bool {
        self.users.contains_key(id) && !self.other_org_members.contains(id)
    }

    /// Users listed by users.list: members only.
    pub(crate) fn members(&self) -> impl Iterator<Item = &SimUser> {
        self.users
            .values()
            .filter(|user| !self.other_org_members.contains(&user.id))
    }

    pub(crate) fn user(&self, id: &str) -> Option<&SimUser> {
        self.users.get(id)
    }

    pub(crate) fn conversation(&self, id: &str) -> Option<&Conversation> {
        self.conversations.get(id)
    }

    pub(crate) fn conversation_mut(&mut self, id: &str) -> Option<&mut Conversation> {
        self.conversations.get_mut(id)
    }

    /// A fresh id like Slack's: `prefix` then ten id characters, unused so far.
    pub(crate) fn new_id(&mut self, prefix: &str) -> String {
        loop {
            let id = format!("{prefix}{}", self.ids.id_chars(10));
            if !self.users.contains_key(&id) && !self.conversations.contains_key(&id) {
                return id;
            }
        }
    }

    /// A trigger id in Slack's shape (`{digits}.{digits}.{hex}`).
    pub(crate) fn new_trigger_id(&mut self) -> String {
        let first = self.ids.next_u64() % 10_000_000_000_000;
        let second = self.ids.next_u64() % 10_000_000_000_000;
        format!("{first}.{second}.{}", self.ids.hex(32))
    }

    /// A short id like the ones Slack gives blocks and actions that came without one.
    pub(crate) fn new_block_id(&mut self) -> String {
        self.ids.id_chars(5)
    }

    /// An opaque random token (response_url paths, Socket Mode tickets, envelope ids).
    pub(crate) fn new_token(&mut self) -> String {
        self.ids.hex(32)
    }

    /// The conversation between the bot and `people` (1 person: an IM `D…`; several: a
    /// group DM `G…`), created on first use. Returns its id and whether it existed.
    pub(crate) fn open_dm(&mut self, people: &BTreeSet<String>, now: i64) -> (String, bool) {
        let mut members = people.clone();
        members.insert(self.bot_user_id.clone());
        if let Some(id) = self.dm_ids.get(&members) {
            return (id.clone(), true);
        }
        let (kind, id) = if people.len() == 1 {
            (ConversationKind::Im, self.new_id("D"))
        } else {
            (ConversationKind::Mpim, self.new_id("G"))
        };
        let name = match kind {
            ConversationKind::Im => people.iter().next().cloned().unwrap_or_default(),
            _ => self.mpim_name(&members),
        };
        let mut conversation = Conversation::new(id.clone(), name, kind, now);
        conversation.creator = Some(self.bot_user_id.clone());
        conversation.members = members.clone();
        self.conversations.insert(id.clone(), conversation);
        self.dm_ids.insert(members, id.clone());
        (id, false)
    }

    /// Slack names group DMs `mpdm-{handle}--{handle}…-1`.
    fn mpim_name(&self, members: &BTreeSet<String>) -> String {
        let handles: Vec<&str> = members
            .iter()
            .filter_map(|id| self.users.get(id).map(|user| user.name.as_str()))
            .collect();
        format!("mpdm-{}-1", handles.join("--"))
    }

    /// The IM between the bot and `user`, opened if needed.
    pub(crate) fn im_with(&mut self, user: &str, now: i64) -> String {
        let people = BTreeSet::from([user.to_owned()]);
        self.open_dm(&people, now).0
    }
}
