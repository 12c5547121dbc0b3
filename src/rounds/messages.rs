//! Turns an outbox row into the neutral message it stands for, from current data: names,
//! teams, local times and answers so far.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::chat::content::UserText;
use crate::chat::{FollowUp, GhostPauseNotice, Intro, IntroPerson, Message};
use crate::domain::{FeedbackAnswer, Group, LocalZone, Member, MemberId, OutboxItem, OutboxKind};
use crate::store::{Store, StoreError};

/// What an outbox payload may carry (decided at planning time).
pub mod payload {
    pub const PROGRAM: &str = "program";
    pub const ICEBREAKER: &str = "icebreaker";
    pub const TEXT: &str = "text";
    pub const IGNORED: &str = "ignored_in_a_row";
}

fn payload_text(item: &OutboxItem, key: &str) -> String {
    item.payload
        .get(key)
        .and_then(|value| value.as_str())
        .unwrap_or_default()
        .to_string()
}

/// The people of a group, in a stable order, as intros show them.
pub fn intro_people(members: &[Member], now: DateTime<Utc>) -> Vec<IntroPerson> {
    members
        .iter()
        .map(|member| {
            let zone = LocalZone::of(member);
            let known = member.time_zone.is_some() || member.utc_offset_minutes.is_some();
            IntroPerson {
                external_id: member.external_id.clone(),
                display_name: UserText::from(member.display_name.as_str()),
                team: member.team().map(UserText::from),
                time_zone: known.then(|| zone.label()),
                local_time: known.then(|| zone.format_time(now)),
            }
        })
        .collect()
}

/// Answers so far, by display name, in the group's member order.
async fn answers(
    store: &Store,
    group: &Group,
    members: &HashMap<MemberId, Member>,
) -> Result<Vec<(UserText, FeedbackAnswer)>, StoreError> {
    Ok(store
        .group_feedback(group.id)
        .await?
        .into_iter()
        .filter(|f| f.answer != FeedbackAnswer::NoAnswer)
        .filter_map(|f| {
            members
                .get(&f.member_id)
                .map(|m| (UserText::from(m.display_name.as_str()), f.answer))
        })
        .collect())
}

/// The message for `item`, as it should read at `now`.
pub async fn compose(
    store: &Store,
    item: &OutboxItem,
    now: DateTime<Utc>,
) -> Result<Message, StoreError> {
    let recipient = match item.recipient {
        Some(id) => store.member(id).await?,
        None => None,
    };
    let group = match item.group_id {
        Some(id) => store.group(id).await?,
        None => None,
    };
    let program = UserText::from(payload_text(item, payload::PROGRAM));
    let Some(group) = group else {
        return Ok(match item.kind {
            OutboxKind::GhostPause => Message::GhostPause(GhostPauseNotice {
                program,
                ignored_in_a_row: item
                    .payload
                    .get(payload::IGNORED)
                    .and_then(|v| v.as_u64())
                    .and_then(|v| u32::try_from(v).ok())
                    .unwrap_or(0),
            }),
            _ => Message::Text(payload_text(item, payload::TEXT)),
        });
    };
    let members = store.members_by_ids(&group.members).await?;
    let by_id: HashMap<MemberId, Member> = members.iter().map(|m| (m.id, m.clone())).collect();
    let answers = answers(store, &group, &by_id).await?;
    let people = intro_people(&members, now);
    let recipient = recipient.map(|m| m.external_id);
    Ok(match item.kind {
        OutboxKind::Intro => Message::Intro(Intro {
            program,
            group_id: group.id,
            people,
            recipient,
            icebreaker: payload_text(item, payload::ICEBREAKER),
            answers,
        }),
        OutboxKind::Nudge => Message::Nudge(FollowUp {
            program,
            group_id: group.id,
            people,
            recipient,
            answers,
        }),
        OutboxKind::ClosePrompt => Message::ClosePrompt(FollowUp {
            program,
            group_id: group.id,
            people,
            recipient,
            answers,
        }),
        OutboxKind::GhostPause | OutboxKind::Notice => {
            Message::Text(payload_text(item, payload::TEXT))
        }
    })
}

/// The platform user ids a message goes to: the recipient alone, or the whole group.
pub async fn audience(store: &Store, item: &OutboxItem) -> Result<Vec<String>, StoreError> {
    if let Some(recipient) = item.recipient {
        return Ok(store
            .member(recipient)
            .await?
            .map(|m| vec![m.external_id])
            .unwrap_or_default());
    }
    let Some(group_id) = item.group_id else {
        return Ok(Vec::new());
    };
    let Some(group) = store.group(group_id).await? else {
        return Ok(Vec::new());
    };
    Ok(store
        .members_by_ids(&group.members)
        .await?
        .into_iter()
        .map(|m| m.external_id)
        .collect())
}
