//! What Slack says about a person, as the bot's neutral [`MemberProfile`].
//!
//! The roster policy (`src/roster.rs`) decides who may be enrolled from the flags set here:
//! bots (including Slackbot, which Slack lists with `is_bot: false`), deactivated accounts
//! and guests (multi- and single-channel) are marked so none of them is ever paired.

use slack_morphism::prelude::*;

use crate::domain::MemberProfile;

/// Slackbot's fixed user id.
pub const SLACKBOT_USER_ID: &str = "USLACKBOT";

/// The ids of the custom profile fields holding a person's team, found by their labels
/// in team.profile.get.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamFieldIds {
    /// The field labelled `slack.team_field` (e.g. "Department").
    pub primary: Option<String>,
    /// The field labelled `slack.team_field_fallback` (e.g. "Team").
    pub fallback: Option<String>,
}

impl TeamFieldIds {
    /// Finds the fields labelled `primary` and `fallback` (case-insensitively).
    pub fn resolve(profile: &SlackTeamProfile, primary: &str, fallback: &str) -> Self {
        let labelled = |wanted: &str| {
            profile.fields.iter().find_map(|field| {
                let (id, label) = field_id_and_label(field)?;
                label
                    .trim()
                    .eq_ignore_ascii_case(wanted.trim())
                    .then_some(id)
            })
        };
        Self {
            primary: labelled(primary),
            fallback: labelled(fallback),
        }
    }
}

/// slack-morphism keeps `SlackTeamProfileField`'s members private, so they are read back
/// from its serialised form.
fn field_id_and_label(field: &SlackTeamProfileField) -> Option<(String, String)> {
    let value = serde_json::to_value(field).ok()?;
    let id = value.get("id")?.as_str()?.to_owned();
    let label = value.get("label")?.as_str()?.to_owned();
    Some((id, label))
}

/// The neutral profile for `user`; the team comes from the first non-empty of the
/// configured fields.
pub fn member_profile(user: &SlackUser, team_fields: &TeamFieldIds) -> MemberProfile {
    let flags = &user.flags;
    let flag = |value: Option<bool>| value.unwrap_or(false);
    MemberProfile {
        external_id: user.id.to_string(),
        display_name: display_name(user),
        team: team(user, team_fields),
        time_zone: user.tz.clone().filter(|tz| !tz.trim().is_empty()),
        utc_offset_minutes: user.tz_offset.map(|seconds| seconds / 60),
        is_admin: flag(flags.is_admin) || flag(flags.is_owner) || flag(flags.is_primary_owner),
        is_bot: flag(flags.is_bot) || user.id.0 == SLACKBOT_USER_ID,
        is_guest: flag(flags.is_restricted) || flag(flags.is_ultra_restricted),
        deleted: flag(user.deleted),
        // users.list (and users.info) leave custom fields out: see `SlackChat::profile_of`.
        without_team_fields: user
            .profile
            .as_ref()
            .is_none_or(|profile| profile.fields.is_none()),
    }
}

/// What Slack shows as the person's name: display name, else real name, else handle.
fn display_name(user: &SlackUser) -> String {
    let profile = user.profile.as_ref();
    [
        profile.and_then(|p| p.display_name.clone()),
        profile.and_then(|p| p.real_name.clone()),
        user.real_name.clone(),
        user.name.clone(),
    ]
    .into_iter()
    .flatten()
    .map(|name| name.trim().to_owned())
    .find(|name| !name.is_empty())
    .unwrap_or_else(|| user.id.to_string())
}

fn team(user: &SlackUser, team_fields: &TeamFieldIds) -> Option<String> {
    let fields = user.profile.as_ref()?.fields.as_ref()?;
    [&team_fields.primary, &team_fields.fallback]
        .into_iter()
        .flatten()
        .filter_map(|id| fields.get(&SlackUserProfileFieldId(id.clone())))
        .map(|field| field.value.trim().to_owned())
        .find(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde_json::json;

    use super::*;

    fn team_profile() -> SlackTeamProfile {
        serde_json::from_value(json!({"fields": [
            {"id": "Xf1", "ordering": 0, "label": "Department", "type": "text"},
            {"id": "Xf2", "ordering": 1, "label": "Team", "type": "text"},
            {"id": "Xf3", "ordering": 2, "label": "Pronouns", "type": "text"},
        ]}))
        .expect("a team profile")
    }

    fn user(value: serde_json::Value) -> SlackUser {
        serde_json::from_value(value).expect("a user")
    }

    fn ids() -> TeamFieldIds {
        TeamFieldIds::resolve(&team_profile(), "department", "Team")
    }

    #[test]
    fn team_fields_are_found_by_label_whatever_the_case() {
        assert_eq!(
            ids(),
            TeamFieldIds {
                primary: Some("Xf1".into()),
                fallback: Some("Xf2".into())
            }
        );
        assert_eq!(
            TeamFieldIds::resolve(&team_profile(), "Squad", "Tribe"),
            TeamFieldIds::default()
        );
    }

    #[test]
    fn a_person_maps_with_name_team_zone_and_admin_flag() {
        let ada = user(json!({
            "id": "U1", "name": "ada", "real_name": "Ada Lovelace",
            "tz": "Europe/London", "tz_offset": 3600, "is_admin": false, "is_owner": true,
            "profile": {"display_name": "", "real_name": "Ada Lovelace",
                        "fields": {"Xf1": {"value": "Engineering", "alt": ""}}}
        }));
        assert_eq!(
            member_profile(&ada, &ids()),
            MemberProfile {
                external_id: "U1".into(),
                display_name: "Ada Lovelace".into(),
                team: Some("Engineering".into()),
                time_zone: Some("Europe/London".into()),
                utc_offset_minutes: Some(60),
                is_admin: true,
                is_bot: false,
                is_guest: false,
                deleted: false,
                without_team_fields: false,
            }
        );
    }

    #[test]
    fn the_fallback_field_is_used_when_the_primary_is_empty() {
        let mut fields = HashMap::new();
        fields.insert("Xf1", json!({"value": "  ", "alt": ""}));
        fields.insert("Xf2", json!({"value": "Payments", "alt": ""}));
        let person = user(json!({"id": "U2", "profile": {"display_name": "Bo", "fields": fields}}));
        let profile = member_profile(&person, &ids());
        assert_eq!(profile.team.as_deref(), Some("Payments"));
        assert_eq!(profile.display_name, "Bo");
        let no_fields = user(json!({"id": "U3", "name": "cy"}));
        let profile = member_profile(&no_fields, &ids());
        assert_eq!(profile.team, None);
        assert!(
            profile.without_team_fields,
            "a listing without fields says nothing about the team"
        );
        assert_eq!(profile.display_name, "cy");
    }

    #[test]
    fn bots_slackbot_guests_and_deactivated_people_are_flagged() {
        let bot = member_profile(&user(json!({"id": "U9", "is_bot": true})), &ids());
        assert!(bot.is_bot);
        let slackbot = member_profile(&user(json!({"id": "USLACKBOT", "is_bot": false})), &ids());
        assert!(slackbot.is_bot);
        let guest = member_profile(&user(json!({"id": "U4", "is_restricted": true})), &ids());
        assert!(guest.is_guest);
        let single_channel = member_profile(
            &user(json!({"id": "U5", "is_ultra_restricted": true})),
            &ids(),
        );
        assert!(single_channel.is_guest);
        let gone = member_profile(&user(json!({"id": "U6", "deleted": true})), &ids());
        assert!(gone.deleted);
        let admin = member_profile(&user(json!({"id": "U7", "is_admin": true})), &ids());
        assert!(admin.is_admin && !admin.is_guest && !admin.is_bot);
    }
}
