//! People and bots, and how Slack shows them.

use std::collections::HashMap;

use chrono::{Offset, Utc};
use chrono_tz::Tz;
use slack_morphism::prelude::*;

use crate::error::SimError;

/// The custom profile field holding a person's department, as team.profile.get lists it.
pub const DEPARTMENT_FIELD_ID: &str = "Xf01POURDEPT";
/// The custom profile field holding a person's team (a squad within the department).
pub const TEAM_FIELD_ID: &str = "Xf01POURTEAM";
pub const DEPARTMENT_FIELD_LABEL: &str = "Department";
pub const TEAM_FIELD_LABEL: &str = "Team";

/// A member of the simulated workspace, as the simulator knows them.
#[derive(Debug, Clone, PartialEq)]
pub struct SimUser {
    pub id: String,
    /// The handle (`name` in users.list), e.g. "ada.lovelace".
    pub name: String,
    pub real_name: String,
    pub display_name: String,
    pub email: Option<String>,
    /// The department (custom profile field "Department"); empty for bots.
    pub team: String,
    /// The team within the department (custom profile field "Team"); empty for bots.
    pub squad: String,
    pub title: String,
    /// IANA time zone.
    pub tz: String,
    /// Seconds east of UTC, as the zone stands now (DST included), like Slack's `tz_offset`.
    pub tz_offset: i32,
    /// Slack shows a long zone name; we show the zone's abbreviation (e.g. "CEST").
    pub tz_label: String,
    pub is_admin: bool,
    pub is_owner: bool,
    pub is_primary_owner: bool,
    pub is_bot: bool,
    pub is_app_user: bool,
    /// Guest (multi-channel guests and single-channel guests).
    pub is_restricted: bool,
    /// Single-channel guest.
    pub is_ultra_restricted: bool,
    /// Deactivated.
    pub deleted: bool,
    pub bot_id: Option<String>,
    pub app_id: Option<String>,
    /// Unix seconds of the last profile change.
    pub updated: i64,
}

/// The zone's current offset and abbreviation; errors on a name chrono-tz does not know.
pub(crate) fn zone_now(tz: &str) -> Result<(i32, String), SimError> {
    let zone: Tz = tz
        .parse()
        .map_err(|_| SimError::UnknownTimeZone(tz.to_owned()))?;
    let now = Utc::now().with_timezone(&zone);
    let offset = now.offset().fix().local_minus_utc();
    Ok((offset, now.format("%Z").to_string()))
}

impl SimUser {
    /// A person (not a bot) with the flags all off.
    pub(crate) fn person(
        id: String,
        name: String,
        real_name: String,
        tz: &str,
    ) -> Result<Self, SimError> {
        let (tz_offset, tz_label) = zone_now(tz)?;
        let display_name = real_name
            .split_whitespace()
            .next()
            .unwrap_or(&real_name)
            .to_owned();
        Ok(Self {
            id,
            name,
            display_name,
            real_name,
            email: None,
            team: String::new(),
            squad: String::new(),
            title: String::new(),
            tz: tz.to_owned(),
            tz_offset,
            tz_label,
            is_admin: false,
            is_owner: false,
            is_primary_owner: false,
            is_bot: false,
            is_app_user: false,
            is_restricted: false,
            is_ultra_restricted: false,
            deleted: false,
            bot_id: None,
            app_id: None,
            updated: crate::clock::SimClock::unix_seconds(),
        })
    }

    /// Moves the person to another zone, recomputing the offset.
    pub(crate) fn set_time_zone(&mut self, tz: &str) -> Result<(), SimError> {
        let (offset, label) = zone_now(tz)?;
        self.tz = tz.to_owned();
        self.tz_offset = offset;
        self.tz_label = label;
        Ok(())
    }

    /// The user as Slack shows it. Custom profile fields ("Department", "Team") are only
    /// filled in when `with_custom_fields`: Slack leaves them out of users.list and
    /// users.info, and includes them in users.profile.get and `user_change` events.
    pub(crate) fn to_slack(&self, team_id: &str, with_custom_fields: bool) -> SlackUser {
        let flags = SlackUserFlags::new()
            .with_is_admin(self.is_admin)
            .with_is_owner(self.is_owner)
            .with_is_primary_owner(self.is_primary_owner)
            .with_is_bot(self.is_bot)
            .with_is_app_user(self.is_app_user)
            .with_is_restricted(self.is_restricted)
            .with_is_ultra_restricted(self.is_ultra_restricted)
            .with_has_2fa(false);
        SlackUser::new(self.id.clone().into(), flags)
            .with_team_id(team_id.into())
            .with_name(self.name.clone())
            .with_real_name(self.real_name.clone())
            .with_profile(self.profile(team_id, with_custom_fields))
            .with_tz(self.tz.clone())
            .with_tz_label(self.tz_label.clone())
            .with_tz_offset(self.tz_offset)
            .with_deleted(self.deleted)
            .with_color("9f69e7".into())
    }

    pub(crate) fn profile(&self, team_id: &str, with_custom_fields: bool) -> SlackUserProfile {
        let mut profile = SlackUserProfile::new()
            .with_real_name(self.real_name.clone())
            .with_real_name_normalized(self.real_name.clone())
            .with_display_name(self.display_name.clone())
            .with_display_name_normalized(self.display_name.clone())
            .with_title(self.title.clone())
            .with_team(team_id.into());
        if let Some((first, last)) = self.real_name.split_once(' ') {
            profile = profile
                .with_first_name(first.to_owned())
                .with_last_name(last.to_owned());
        }
        if let Some(email) = &self.email {
            profile = profile.with_email(email.clone().into());
        }
        if with_custom_fields && !self.is_bot {
            profile = profile.with_fields(self.custom_fields());
        }
        profile
    }

    fn custom_fields(&self) -> HashMap<SlackUserProfileFieldId, SlackUserProfileFieldValue> {
        let mut fields = HashMap::new();
        for (id, value) in [
            (DEPARTMENT_FIELD_ID, &self.team),
            (TEAM_FIELD_ID, &self.squad),
        ] {
            if !value.is_empty() {
                fields.insert(
                    SlackUserProfileFieldId(id.to_owned()),
                    SlackUserProfileFieldValue {
                        value: value.clone(),
                        alt: None,
                    },
                );
            }
        }
        fields
    }
}

/// team.profile.get's field definitions for the fields above. Built through serde
/// because slack-morphism keeps `SlackTeamProfileField`'s optional setters private.
pub(crate) fn team_profile() -> SlackTeamProfile {
    let field = |id: &str, ordering: i64, label: &str, hint: &str| {
        serde_json::from_value(serde_json::json!({
            "id": id,
            "ordering": ordering,
            "label": label,
            "hint": hint,
            "type": "text",
            "possible_values": null,
            "options": null,
        }))
        .unwrap_or_else(|_| {
            SlackTeamProfileField::new(
                SlackTeamProfileFieldId(id.to_owned()),
                ordering,
                label.to_owned(),
            )
        })
    };
    SlackTeamProfile::new(vec![
        field(
            DEPARTMENT_FIELD_ID,
            0,
            DEPARTMENT_FIELD_LABEL,
            "Which part of the company you work in",
        ),
        field(
            TEAM_FIELD_ID,
            1,
            TEAM_FIELD_LABEL,
            "Your team within the department",
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_offset_is_whole_minutes_and_known_zones_parse() {
        let (offset, label) = zone_now("Asia/Kolkata").expect("a real zone");
        assert_eq!(offset, 19_800);
        assert!(!label.is_empty());
        assert!(zone_now("Mars/Olympus_Mons").is_err());
    }

    #[test]
    fn custom_fields_appear_only_when_asked_for() {
        let mut user = SimUser::person(
            "U1".into(),
            "ada".into(),
            "Ada Lovelace".into(),
            "Europe/London",
        )
        .expect("a real zone");
        user.team = "Engineering".into();
        let listed = user.to_slack("T1", false);
        let detailed = user.to_slack("T1", true);
        assert!(listed.profile.and_then(|p| p.fields).is_none());
        let fields = detailed.profile.and_then(|p| p.fields).expect("fields");
        assert_eq!(
            fields
                .get(&SlackUserProfileFieldId(DEPARTMENT_FIELD_ID.into()))
                .map(|v| v.value.as_str()),
            Some("Engineering")
        );
    }
}
