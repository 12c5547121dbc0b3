//! What the adapter remembers about people and places between calls: names (to turn
//! `<@id>` into a real mention), each person's 1:1 conversation and a conversation they
//! are in (to look them up), the zone their client reports, and the teams the bot is in.
//! All of it is a cache, rebuilt from activities and rosters after a restart.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, Default)]
struct People {
    names: HashMap<String, String>,
    personal: HashMap<String, String>,
    /// A conversation (team or chat) the person is known to be in.
    seen_in: HashMap<String, String>,
    time_zones: HashMap<String, String>,
    /// Team id -> name.
    teams: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
pub(crate) struct Directory {
    people: Mutex<People>,
}

impl Directory {
    fn lock(&self) -> MutexGuard<'_, People> {
        // Only a cache: a panic elsewhere leaves nothing inconsistent worth refusing.
        self.people
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn learn_person(&self, user_id: &str, name: Option<&str>, seen_in: Option<&str>) {
        let mut people = self.lock();
        if let Some(name) = name.filter(|name| !name.trim().is_empty()) {
            people.names.insert(user_id.to_owned(), name.to_owned());
        }
        if let Some(conversation) = seen_in {
            people
                .seen_in
                .insert(user_id.to_owned(), conversation.to_owned());
        }
    }

    pub(crate) fn learn_personal_conversation(&self, user_id: &str, conversation_id: &str) {
        let mut people = self.lock();
        people
            .personal
            .insert(user_id.to_owned(), conversation_id.to_owned());
        people
            .seen_in
            .insert(user_id.to_owned(), conversation_id.to_owned());
    }

    /// True when this is news (a first sighting after a start, or a move).
    pub(crate) fn learn_time_zone(&self, user_id: &str, zone: &str) -> bool {
        if zone.parse::<chrono_tz::Tz>().is_err() {
            return false;
        }
        let previous = self
            .lock()
            .time_zones
            .insert(user_id.to_owned(), zone.to_owned());
        previous.as_deref() != Some(zone)
    }

    pub(crate) fn learn_team(&self, team_id: &str, name: Option<&str>) {
        let mut people = self.lock();
        let entry = people.teams.entry(team_id.to_owned()).or_default();
        if let Some(name) = name {
            *entry = name.to_owned();
        }
    }

    pub(crate) fn forget_team(&self, team_id: &str) {
        self.lock().teams.remove(team_id);
    }

    pub(crate) fn name(&self, user_id: &str) -> Option<String> {
        self.lock().names.get(user_id).cloned()
    }

    pub(crate) fn personal_conversation(&self, user_id: &str) -> Option<String> {
        self.lock().personal.get(user_id).cloned()
    }

    /// Conversations to ask the connector about this person in, best first.
    pub(crate) fn conversations_of(&self, user_id: &str) -> Vec<String> {
        let people = self.lock();
        let mut found: Vec<String> = people.seen_in.get(user_id).cloned().into_iter().collect();
        for team in people.teams.keys() {
            if !found.contains(team) {
                found.push(team.clone());
            }
        }
        found
    }

    pub(crate) fn time_zone(&self, user_id: &str) -> Option<String> {
        self.lock().time_zones.get(user_id).cloned()
    }

    pub(crate) fn team_name(&self, team_id: &str) -> Option<String> {
        self.lock()
            .teams
            .get(team_id)
            .filter(|name| !name.is_empty())
            .cloned()
    }

    pub(crate) fn teams(&self) -> Vec<String> {
        self.lock().teams.keys().cloned().collect()
    }
}
