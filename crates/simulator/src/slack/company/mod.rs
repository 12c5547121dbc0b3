//! Inventing a company for a seed: people across departments and time zones, admins,
//! bots, guests, deactivated accounts, and public channels with their members.

use std::collections::BTreeSet;

use crate::clock::SimClock;
use crate::error::SimError;
use crate::rng::SplitMix64;

mod names;

use super::config::{CompanySpec, SlackSimConfig};
use super::workspace::{Conversation, ConversationKind, SimUser};
use names::{DEFAULT_TIME_ZONES, DEPARTMENTS, FIRST_NAMES, LAST_NAMES, OTHER_BOTS, SQUADS, TITLES};

/// The app this simulator pretends the bot is.
#[derive(Debug, Clone)]
pub(crate) struct AppIdentity {
    pub app_id: String,
    pub bot_user_id: String,
    pub bot_id: String,
}

pub(crate) struct GeneratedCompany {
    pub identity: AppIdentity,
    pub users: Vec<SimUser>,
    pub channels: Vec<Conversation>,
}

pub(crate) fn generate(
    config: &SlackSimConfig,
    spec: &CompanySpec,
) -> Result<GeneratedCompany, SimError> {
    if spec.people > 0 && spec.teams == 0 {
        return Err(SimError::InvalidConfig(
            "a company with people needs at least one team".into(),
        ));
    }
    let zones: Vec<String> = if spec.time_zones.is_empty() {
        DEFAULT_TIME_ZONES
            .iter()
            .map(|zone| (*zone).to_owned())
            .collect()
    } else {
        spec.time_zones.clone()
    };
    let mut rng = SplitMix64::new(config.seed);
    let mut ids = IdAllocator::default();
    let now = SimClock::unix_seconds();

    let identity = AppIdentity {
        app_id: ids.fresh(&mut rng, "A"),
        bot_user_id: ids.fresh(&mut rng, "U"),
        bot_id: ids.fresh(&mut rng, "B"),
    };
    let departments = department_names(spec.teams);
    let mut users = vec![slackbot()?, app_bot(config, &identity)?];

    // Departments are dealt round-robin over a shuffled order and zones round-robin over
    // the plain order, so both are balanced but not correlated with each other.
    let total_humans = spec.people + spec.guests + spec.deactivated;
    let shuffled = shuffled_indices(total_humans, &mut rng);
    let mut handles = BTreeSet::new();
    for index in 0..total_humans {
        let department = departments
            .get(shuffled[index] % departments.len().max(1))
            .cloned()
            .unwrap_or_default();
        let zone = &zones[index % zones.len()];
        let mut person = invent_person(&mut rng, &mut ids, &mut handles, zone, config)?;
        person.team = department;
        person.squad = rng
            .pick(SQUADS)
            .map(|s| (*s).to_owned())
            .unwrap_or_default();
        person.title = rng
            .pick(TITLES)
            .map(|t| (*t).to_owned())
            .unwrap_or_default();
        if index == 0 {
            person.is_owner = true;
            person.is_primary_owner = true;
            person.is_admin = true;
        } else if index < spec.admins.min(spec.people) {
            person.is_admin = true;
        }
        if (spec.people..spec.people + spec.guests).contains(&index) {
            person.is_restricted = true;
            // Every other guest is a single-channel guest.
            person.is_ultra_restricted = (index - spec.people) % 2 == 1;
        }
        if index >= spec.people + spec.guests {
            person.deleted = true;
        }
        users.push(person);
    }
    for index in 0..spec.bots {
        users.push(other_bot(&mut rng, &mut ids, index)?);
    }

    let channels = invent_channels(
        &users,
        &departments,
        &identity,
        spec,
        &mut rng,
        &mut ids,
        now,
    );
    Ok(GeneratedCompany {
        identity,
        users,
        channels,
    })
}

#[derive(Default)]
struct IdAllocator {
    used: BTreeSet<String>,
}

impl IdAllocator {
    fn fresh(&mut self, rng: &mut SplitMix64, prefix: &str) -> String {
        loop {
            let id = format!("{prefix}{}", rng.id_chars(10));
            if self.used.insert(id.clone()) {
                return id;
            }
        }
    }
}

fn department_names(teams: usize) -> Vec<String> {
    (0..teams)
        .map(|index| {
            DEPARTMENTS.get(index).map_or_else(
                || format!("Department {}", index + 1),
                |name| (*name).to_owned(),
            )
        })
        .collect()
}

fn shuffled_indices(len: usize, rng: &mut SplitMix64) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..len).collect();
    for last in (1..len).rev() {
        indices.swap(last, rng.below(last + 1));
    }
    indices
}

fn invent_person(
    rng: &mut SplitMix64,
    ids: &mut IdAllocator,
    handles: &mut BTreeSet<String>,
    zone: &str,
    config: &SlackSimConfig,
) -> Result<SimUser, SimError> {
    let first = rng.pick(FIRST_NAMES).copied().unwrap_or("Sam");
    let last = rng.pick(LAST_NAMES).copied().unwrap_or("Doe");
    let base = format!("{first}.{last}")
        .to_lowercase()
        .replace([' ', '-'], "");
    let mut handle = base.clone();
    let mut suffix = 2;
    while !handles.insert(handle.clone()) {
        handle = format!("{base}{suffix}");
        suffix += 1;
    }
    let mut person = SimUser::person(
        ids.fresh(rng, "U"),
        handle.clone(),
        format!("{first} {last}"),
        zone,
    )?;
    person.email = Some(format!("{handle}@{}.example.com", config.team_domain));
    Ok(person)
}

/// Slackbot, listed by users.list like any workspace; famously `is_bot: false`.
fn slackbot() -> Result<SimUser, SimError> {
    let mut slackbot = SimUser::person(
        "USLACKBOT".into(),
        "slackbot".into(),
        "Slackbot".into(),
        "America/Los_Angeles",
    )?;
    slackbot.display_name = "Slackbot".into();
    Ok(slackbot)
}

fn app_bot(config: &SlackSimConfig, identity: &AppIdentity) -> Result<SimUser, SimError> {
    let mut bot = SimUser::person(
        identity.bot_user_id.clone(),
        config.app_name.to_lowercase().replace(' ', "_"),
        config.app_name.clone(),
        "America/Los_Angeles",
    )?;
    bot.display_name = config.app_name.clone();
    bot.is_bot = true;
    bot.bot_id = Some(identity.bot_id.clone());
    bot.app_id = Some(identity.app_id.clone());
    Ok(bot)
}

fn other_bot(
    rng: &mut SplitMix64,
    ids: &mut IdAllocator,
    index: usize,
) -> Result<SimUser, SimError> {
    let base = OTHER_BOTS[index % OTHER_BOTS.len()];
    let real_name = if index < OTHER_BOTS.len() {
        base.to_owned()
    } else {
        format!("{base} {}", index / OTHER_BOTS.len() + 1)
    };
    let mut bot = SimUser::person(
        ids.fresh(rng, "U"),
        real_name.to_lowercase().replace(' ', "_"),
        real_name.clone(),
        "America/Los_Angeles",
    )?;
    bot.display_name = real_name;
    bot.is_bot = true;
    bot.bot_id = Some(ids.fresh(rng, "B"));
    bot.app_id = Some(ids.fresh(rng, "A"));
    Ok(bot)
}

/// #general (every full member), #random (most), #coffee (a `coffee_share` of people and
/// guests, plus the app's bot) and one channel per department. Deactivated accounts are
/// in none: Slack takes them out of channels.
fn invent_channels(
    users: &[SimUser],
    departments: &[String],
    identity: &AppIdentity,
    spec: &CompanySpec,
    rng: &mut SplitMix64,
    ids: &mut IdAllocator,
    now: i64,
) -> Vec<Conversation> {
    let humans: Vec<&SimUser> = users
        .iter()
        .filter(|user| !user.is_bot && user.id != "USLACKBOT" && !user.deleted)
        .collect();
    let creator = humans.first().map(|owner| owner.id.clone());
    let channel =
        |ids: &mut IdAllocator, rng: &mut SplitMix64, name: &str, members: BTreeSet<String>| {
            let mut conversation = Conversation::new(
                ids.fresh(rng, "C"),
                name.to_owned(),
                ConversationKind::PublicChannel,
                now,
            );
            conversation.creator = creator.clone();
            conversation.members = members;
            conversation
        };
    let full_members: BTreeSet<String> = humans
        .iter()
        .filter(|user| !user.is_restricted)
        .map(|user| user.id.clone())
        .collect();
    let mut general = channel(ids, rng, "general", full_members.clone());
    general.is_general = true;
    let mut channels = vec![general];

    let random_members = full_members
        .iter()
        .filter(|_| rng.chance(0.8))
        .cloned()
        .collect();
    channels.push(channel(ids, rng, "random", random_members));

    let mut coffee_members: BTreeSet<String> = humans
        .iter()
        .filter(|_| rng.chance(spec.coffee_share))
        .map(|user| user.id.clone())
        .collect();
    coffee_members.insert(identity.bot_user_id.clone());
    channels.push(channel(ids, rng, "coffee", coffee_members));

    for department in departments {
        let members = humans
            .iter()
            .filter(|user| &user.team == department && !user.is_restricted)
            .map(|user| user.id.clone())
            .collect();
        let name = format!("team-{}", department.to_lowercase().replace(' ', "-"));
        channels.push(channel(ids, rng, &name, members));
    }
    channels
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(spec: &CompanySpec) -> GeneratedCompany {
        generate(&SlackSimConfig::default(), spec).expect("a valid spec")
    }

    #[test]
    fn the_same_seed_invents_the_same_company() {
        let spec = CompanySpec::new(30, 3);
        let first: Vec<_> = company(&spec)
            .users
            .into_iter()
            .map(|u| (u.id, u.name, u.team))
            .collect();
        let second: Vec<_> = company(&spec)
            .users
            .into_iter()
            .map(|u| (u.id, u.name, u.team))
            .collect();
        assert_eq!(first, second);
    }

    #[test]
    fn counts_match_the_spec() {
        let spec = CompanySpec {
            people: 40,
            teams: 5,
            admins: 3,
            bots: 2,
            guests: 4,
            deactivated: 3,
            ..CompanySpec::default()
        };
        let users = company(&spec).users;
        assert_eq!(users.len(), 40 + 4 + 3 + 2 + 2);
        assert_eq!(users.iter().filter(|u| u.is_restricted).count(), 4);
        assert_eq!(users.iter().filter(|u| u.deleted).count(), 3);
        assert_eq!(users.iter().filter(|u| u.is_admin).count(), 3);
        assert_eq!(users.iter().filter(|u| u.is_primary_owner).count(), 1);
        assert_eq!(users.iter().filter(|u| u.is_bot).count(), 3);
        assert!(users.iter().any(|u| u.id == "USLACKBOT" && !u.is_bot));
        let ids: BTreeSet<&str> = users.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids.len(), users.len(), "ids are unique");
    }

    #[test]
    fn every_department_and_zone_gets_people() {
        let spec = CompanySpec {
            people: 24,
            teams: 4,
            time_zones: vec![
                "Europe/Berlin".into(),
                "America/Chicago".into(),
                "Asia/Tokyo".into(),
            ],
            ..CompanySpec::default()
        };
        let users = company(&spec).users;
        let people: Vec<&SimUser> = users
            .iter()
            .filter(|u| !u.is_bot && u.id != "USLACKBOT")
            .collect();
        for department in ["Engineering", "Sales", "Marketing", "Design"] {
            assert_eq!(people.iter().filter(|u| u.team == department).count(), 6);
        }
        for zone in &spec.time_zones {
            assert_eq!(people.iter().filter(|u| &u.tz == zone).count(), 8);
        }
    }

    #[test]
    fn coffee_has_the_bot_and_deactivated_people_are_in_no_channel() {
        let spec = CompanySpec {
            deactivated: 2,
            ..CompanySpec::default()
        };
        let generated = company(&spec);
        let coffee = generated
            .channels
            .iter()
            .find(|c| c.name == "coffee")
            .expect("#coffee");
        assert!(coffee.members.contains(&generated.identity.bot_user_id));
        let deleted: Vec<&String> = generated
            .users
            .iter()
            .filter(|u| u.deleted)
            .map(|u| &u.id)
            .collect();
        assert!(
            generated
                .channels
                .iter()
                .all(|c| deleted.iter().all(|id| !c.members.contains(*id)))
        );
    }

    #[test]
    fn an_unknown_zone_is_an_error() {
        let spec = CompanySpec {
            time_zones: vec!["Atlantis/Capital".into()],
            ..CompanySpec::default()
        };
        assert!(matches!(
            generate(&SlackSimConfig::default(), &spec),
            Err(SimError::UnknownTimeZone(_))
        ));
    }
}
