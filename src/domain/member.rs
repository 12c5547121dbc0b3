use chrono::{DateTime, Utc};

use super::{MemberId, WorkspaceId};

/// A person as the bot knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub workspace_id: WorkspaceId,
    /// The platform's user id (Slack `U…`, Teams `29:…`).
    pub external_id: String,
    pub display_name: String,
    pub profile_team: Option<String>,
    pub chosen_team: Option<String>,
    /// IANA name, when the platform tells us.
    pub time_zone: Option<String>,
    pub utc_offset_minutes: Option<i32>,
    pub is_admin: bool,
    pub is_bot: bool,
    pub is_guest: bool,
    pub deleted: bool,
    /// When the platform's profile was last read.
    pub profile_synced_at: DateTime<Utc>,
}

impl Member {
    /// The team used for pairing: what the person chose wins over the profile field,
    /// because profiles are often empty or stale.
    pub fn team(&self) -> Option<&str> {
        self.chosen_team
            .as_deref()
            .or(self.profile_team.as_deref())
            .filter(|team| !team.trim().is_empty())
    }
}

/// What a platform tells us about a person; upserted into `Member`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemberProfile {
    pub external_id: String,
    pub display_name: String,
    pub team: Option<String>,
    pub time_zone: Option<String>,
    pub utc_offset_minutes: Option<i32>,
    pub is_admin: bool,
    pub is_bot: bool,
    pub is_guest: bool,
    pub deleted: bool,
    /// The source leaves out custom profile fields (Slack's `users.list` does), so `team`
    /// says nothing: the stored team and the profile's freshness are kept, and the profile
    /// is read in full later.
    pub without_team_fields: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(profile_team: Option<&str>, chosen_team: Option<&str>) -> Member {
        Member {
            id: MemberId(1),
            workspace_id: WorkspaceId(1),
            external_id: "U1".into(),
            display_name: "Ada".into(),
            profile_team: profile_team.map(str::to_owned),
            chosen_team: chosen_team.map(str::to_owned),
            time_zone: None,
            utc_offset_minutes: None,
            is_admin: false,
            is_bot: false,
            is_guest: false,
            deleted: false,
            profile_synced_at: Utc::now(),
        }
    }

    #[test]
    fn a_chosen_team_wins_over_the_profile_team() {
        assert_eq!(member(Some("Sales"), Some("Ops")).team(), Some("Ops"));
        assert_eq!(member(Some("Sales"), None).team(), Some("Sales"));
    }

    #[test]
    fn a_blank_team_counts_as_unknown() {
        assert_eq!(member(Some("  "), None).team(), None);
    }
}
