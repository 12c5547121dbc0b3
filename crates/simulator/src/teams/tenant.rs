//! The simulated tenant: people, teams, the conversations the bot is in and what was
//! posted there, and the access tokens the token endpoint issued.

use std::collections::{BTreeMap, HashMap};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::error::SimError;
use crate::rng::SplitMix64;

use super::config::{TeamsSimConfig, TenantSpec};

/// Whether a person belongs to the organisation or is an external guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserRole {
    User,
    Guest,
}

impl UserRole {
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::User => "user",
            UserRole::Guest => "guest",
        }
    }
}

/// A person in the tenant, as the connector describes them (a `TeamsChannelAccount`)
/// plus what their Teams client reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamsUser {
    /// The bot-facing user id, `29:…`.
    pub id: String,
    /// Their Entra (Azure AD) object id.
    pub aad_object_id: String,
    pub name: String,
    pub given_name: String,
    pub surname: String,
    pub user_principal_name: String,
    pub role: UserRole,
    /// The IANA zone their client sends as `localTimezone`.
    pub time_zone: String,
    /// They blocked the bot: sends to them answer 403 `MessageWritesBlocked`.
    pub blocked_bot: bool,
}

impl TeamsUser {
    /// The JSON the members endpoints return. Email and UPN are left out, as the
    /// connector stopped returning them to bots in 2022.
    pub(crate) fn channel_account(&self, tenant_id: &str) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "aadObjectId": self.aad_object_id,
            "givenName": self.given_name,
            "surname": self.surname,
            "tenantId": tenant_id,
            "userRole": self.role.as_str(),
        })
    }
}

/// A team: its General channel's id is the team id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimTeam {
    /// `19:…@thread.tacv2`.
    pub id: String,
    pub name: String,
    pub aad_group_id: String,
    /// User ids, in the order they joined.
    pub members: Vec<String>,
    pub bot_installed: bool,
}

/// What kind of conversation the bot is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConversationKind {
    Personal { user_id: String },
    Channel { team_id: String },
}

/// One activity the bot posted, with every version it went through (oldest first).
#[derive(Debug, Clone)]
pub(crate) struct StoredActivity {
    pub id: String,
    pub reply_to_id: Option<String>,
    pub versions: Vec<Value>,
}

#[derive(Debug, Clone)]
pub(crate) struct Conversation {
    pub kind: ConversationKind,
    pub activities: Vec<StoredActivity>,
}

/// A continuation token's meaning: which conversation's roster, from where.
#[derive(Debug, Clone)]
pub(crate) struct PageCursor {
    pub conversation_id: String,
    pub offset: usize,
}

pub(crate) struct Tenant {
    pub tenant_id: String,
    pub users: BTreeMap<String, TeamsUser>,
    /// Users in creation order (BTreeMap orders by id).
    pub user_order: Vec<String>,
    pub teams: Vec<SimTeam>,
    pub conversations: HashMap<String, Conversation>,
    /// User id -> their 1:1 conversation with the bot, once created.
    pub personal: HashMap<String, String>,
    /// Access token -> when it stops being accepted.
    pub tokens: HashMap<String, Instant>,
    pub cursors: HashMap<String, PageCursor>,
    rng: SplitMix64,
    last_activity_ms: u64,
}

const FIRST_NAMES: &[&str] = &[
    "Adele",
    "Alex",
    "Diego",
    "Grady",
    "Henrietta",
    "Isaiah",
    "Johanna",
    "Joni",
    "Lee",
    "Lidia",
    "Lynne",
    "Megan",
    "Miriam",
    "Nestor",
    "Patti",
    "Pradeep",
    "Ravi",
    "Sakura",
    "Tomasz",
    "Zanele",
];
const LAST_NAMES: &[&str] = &[
    "Vance",
    "Wilber",
    "Siciliani",
    "Archie",
    "Mueller",
    "Henderson",
    "Lauer",
    "Sherman",
    "Gu",
    "Holloway",
    "Robbins",
    "Bowen",
    "Graham",
    "Wilke",
    "Fernandez",
    "Gupta",
    "Iyer",
    "Tanaka",
    "Nowak",
    "Dlamini",
];
const DEFAULT_TIME_ZONES: &[&str] = &[
    "America/New_York",
    "Europe/Berlin",
    "Asia/Singapore",
    "America/Los_Angeles",
    "Europe/London",
    "Australia/Sydney",
];

impl Tenant {
    pub(crate) fn generate(config: &TeamsSimConfig, spec: &TenantSpec) -> Result<Self, SimError> {
        if let Some(team) = spec.teams.iter().find(|team| team.members > spec.people) {
            return Err(SimError::InvalidConfig(format!(
                "team {:?} wants {} members but the tenant has {} people",
                team.name, team.members, spec.people
            )));
        }
        let zones: Vec<String> = if spec.time_zones.is_empty() {
            DEFAULT_TIME_ZONES.iter().map(|z| (*z).to_owned()).collect()
        } else {
            spec.time_zones.clone()
        };
        let mut tenant = Tenant {
            tenant_id: config.tenant_id.clone(),
            users: BTreeMap::new(),
            user_order: Vec::new(),
            teams: Vec::new(),
            conversations: HashMap::new(),
            personal: HashMap::new(),
            tokens: HashMap::new(),
            cursors: HashMap::new(),
            rng: SplitMix64::new(config.seed ^ 0x7EA5_0000_5EED),
            last_activity_ms: 0,
        };
        for index in 0..spec.people + spec.guests {
            let role = if index < spec.people {
                UserRole::User
            } else {
                UserRole::Guest
            };
            let zone = zones[index % zones.len()].clone();
            tenant.invent_user(index, role, zone);
        }
        let guests: Vec<String> = tenant.user_order[spec.people..].to_vec();
        for (position, team) in spec.teams.iter().enumerate() {
            let mut members: Vec<String> = tenant.user_order[..team.members].to_vec();
            if position == 0 {
                members.extend(guests.iter().cloned());
            }
            let id = format!("19:{}@thread.tacv2", tenant.rng.hex(32));
            let aad_group_id = tenant.guid();
            tenant.conversations.insert(
                id.clone(),
                Conversation {
                    kind: ConversationKind::Channel {
                        team_id: id.clone(),
                    },
                    activities: Vec::new(),
                },
            );
            tenant.teams.push(SimTeam {
                id,
                name: team.name.clone(),
                aad_group_id,
                members,
                bot_installed: false,
            });
        }
        Ok(tenant)
    }

    fn guid(&mut self) -> String {
        let hex = self.rng.hex(32);
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }

    fn invent_user(&mut self, index: usize, role: UserRole, time_zone: String) -> TeamsUser {
        let given = FIRST_NAMES[index % FIRST_NAMES.len()];
        // Walk surnames at a different stride so names do not repeat in lockstep.
        let surname = LAST_NAMES[(index * 7 + index / FIRST_NAMES.len()) % LAST_NAMES.len()];
        let handle = format!("{}.{}{}", given, surname, index).to_lowercase();
        let (name, upn) = match role {
            UserRole::User => (
                format!("{given} {surname}"),
                format!("{handle}@contoso.example"),
            ),
            UserRole::Guest => (
                format!("{given} {surname} (Guest)"),
                format!("{handle}_fabrikam.example#EXT#@contoso.example"),
            ),
        };
        let user = TeamsUser {
            // Real ids are this long (around a hundred characters): long enough to break
            // any bot that assumes Slack-sized ids.
            id: format!("29:1{}", self.rng.id_chars(96)),
            aad_object_id: self.guid(),
            name,
            given_name: given.to_owned(),
            surname: surname.to_owned(),
            user_principal_name: upn,
            role,
            time_zone,
            blocked_bot: false,
        };
        self.user_order.push(user.id.clone());
        self.users.insert(user.id.clone(), user.clone());
        user
    }

    /// Adds a new person to the organisation (not to any team).
    pub(crate) fn add_user(&mut self, name: &str, time_zone: &str) -> TeamsUser {
        let index = self.user_order.len();
        let mut user = self.invent_user(index, UserRole::User, time_zone.to_owned());
        user.name = name.to_owned();
        self.users.insert(user.id.clone(), user.clone());
        user
    }

    pub(crate) fn user(&self, id: &str) -> Result<&TeamsUser, SimError> {
        self.users
            .get(id)
            .ok_or_else(|| SimError::UserNotFound(id.to_owned()))
    }

    /// A user by any id the connector accepts for a member lookup: the `29:` id, the
    /// Entra object id or the user principal name.
    pub(crate) fn find_user(&self, any_id: &str) -> Option<&TeamsUser> {
        self.users.get(any_id).or_else(|| {
            self.users.values().find(|user| {
                user.aad_object_id.eq_ignore_ascii_case(any_id)
                    || user.user_principal_name.eq_ignore_ascii_case(any_id)
            })
        })
    }

    pub(crate) fn team(&self, id: &str) -> Result<&SimTeam, SimError> {
        self.teams
            .iter()
            .find(|team| team.id == id)
            .ok_or_else(|| SimError::ConversationNotFound(id.to_owned()))
    }

    pub(crate) fn team_mut(&mut self, id: &str) -> Result<&mut SimTeam, SimError> {
        self.teams
            .iter_mut()
            .find(|team| team.id == id)
            .ok_or_else(|| SimError::ConversationNotFound(id.to_owned()))
    }

    /// Whether the bot may start a 1:1 chat with `user_id`: it must be installed in a
    /// team they belong to (or they must have talked to it already).
    pub(crate) fn bot_can_reach(&self, user_id: &str) -> bool {
        self.personal.contains_key(user_id)
            || self
                .teams
                .iter()
                .any(|team| team.bot_installed && team.members.iter().any(|m| m == user_id))
    }

    /// The 1:1 conversation between the bot and `user_id`, created on first use. Teams
    /// returns the same id every time for the same pair.
    pub(crate) fn personal_conversation(&mut self, user_id: &str) -> String {
        if let Some(id) = self.personal.get(user_id) {
            return id.clone();
        }
        let id = format!("a:1{}", self.rng.id_chars(56));
        self.personal.insert(user_id.to_owned(), id.clone());
        self.conversations.insert(
            id.clone(),
            Conversation {
                kind: ConversationKind::Personal {
                    user_id: user_id.to_owned(),
                },
                activities: Vec::new(),
            },
        );
        id
    }

    /// Members of a conversation: a team's roster, or the user of a 1:1 chat.
    pub(crate) fn conversation_members(&self, conversation_id: &str) -> Option<Vec<String>> {
        let base = conversation_id.split(';').next().unwrap_or(conversation_id);
        if let Some(team) = self.teams.iter().find(|team| team.id == base) {
            return Some(team.members.clone());
        }
        match &self.conversations.get(conversation_id)?.kind {
            ConversationKind::Personal { user_id } => Some(vec![user_id.clone()]),
            ConversationKind::Channel { team_id } => {
                self.team(team_id).ok().map(|team| team.members.clone())
            }
        }
    }

    /// A fresh activity id: epoch milliseconds, strictly increasing, as Teams' message
    /// ids are.
    pub(crate) fn next_activity_id(&mut self) -> String {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_millis() as u64)
            .unwrap_or_default();
        self.last_activity_ms = now_ms.max(self.last_activity_ms + 1);
        self.last_activity_ms.to_string()
    }

    pub(crate) fn new_token(&mut self, chars: usize) -> String {
        self.rng.id_chars(chars)
    }
}
