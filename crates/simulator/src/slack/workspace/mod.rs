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

pub(crate) struct Workspace {
    /// By id; the order users.list pages through.
    pub users: BTreeMap<String, SimUser>,
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
    pub bot_user_id: String,
}

impl Workspace {
    pub(crate) fn new(
        users: Vec<SimUser>,
        channels: Vec<Conversation>,
        bot_user_id: String,
        runtime_seed: u64,
    ) -> Self {
        Self {
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
        }
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
