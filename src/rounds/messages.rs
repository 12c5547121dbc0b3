//! Turns an outbox row into the neutral message it stands for, from current data: names,
//! teams, local times and answers so far.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::chat::{FollowUp, GhostPauseNotice, Intro, IntroPerson, Message};
use crate::domain::{
    FeedbackAnswer, Group, GroupId, LocalZone, Member, MemberId, OutboxItem, OutboxKind,
    OutboxPayload, PayloadError, ProgramName,
};
use crate::store::{Store, StoreError};

/// Why an owed message cannot be written out. Not a database failure: the row itself is
/// unusable, so the worker marks it failed for the admins to see.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Payload(#[from] PayloadError),
    #[error("the group of this {0} no longer exists")]
    NoGroup(OutboxKind),
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
                display_name: member.display_name.clone(),
                team: member.team().map(str::to_owned),
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
) -> Result<Vec<(String, FeedbackAnswer)>, StoreError> {
    Ok(store
        .group_feedback(group.id)
        .await?
        .into_iter()
        .filter(|f| f.answer != FeedbackAnswer::NoAnswer)
        .filter_map(|f| {
            members
                .get(&f.member_id)
                .map(|m| (m.display_name.clone(), f.answer))
        })
        .collect())
}

/// The message for `item`, as it should read at `now`.
pub async fn compose(
    store: &Store,
    item: &OutboxItem,
    now: DateTime<Utc>,
) -> Result<Message, ComposeError> {
    Ok(match item.payload.clone()? {
        OutboxPayload::GhostPause {
            program,
            ignored_in_a_row,
        } => Message::GhostPause(GhostPauseNotice {
            program: program.to_string(),
            ignored_in_a_row,
        }),
        OutboxPayload::Notice { text, .. } => Message::Text(text),
        OutboxPayload::Intro {
            program,
            icebreaker,
        } => {
            let group = GroupNow::load(store, item, now).await?;
            Message::Intro(Intro {
                program: program.to_string(),
                group_id: group.id,
                people: group.people,
                recipient: group.recipient,
                icebreaker,
                answers: group.answers,
            })
        }
        OutboxPayload::Nudge { program } => {
            Message::Nudge(GroupNow::load(store, item, now).await?.follow_up(&program))
        }
        OutboxPayload::ClosePrompt { program } => {
            Message::ClosePrompt(GroupNow::load(store, item, now).await?.follow_up(&program))
        }
    })
}

/// A group as its messages show it at `now`: the people, the recipient, the answers so far.
struct GroupNow {
    id: GroupId,
    people: Vec<IntroPerson>,
    recipient: Option<String>,
    answers: Vec<(String, FeedbackAnswer)>,
}

impl GroupNow {
    async fn load(
        store: &Store,
        item: &OutboxItem,
        now: DateTime<Utc>,
    ) -> Result<Self, ComposeError> {
        let group = match item.group_id {
            Some(id) => store.group(id).await?,
            None => None,
        };
        let Some(group) = group else {
            return Err(ComposeError::NoGroup(item.kind));
        };
        let recipient = match item.recipient {
            Some(id) => store.member(id).await?.map(|m| m.external_id),
            None => None,
        };
        let members = store.members_by_ids(&group.members).await?;
        let by_id: HashMap<MemberId, Member> = members.iter().map(|m| (m.id, m.clone())).collect();
        Ok(Self {
            id: group.id,
            answers: answers(store, &group, &by_id).await?,
            people: intro_people(&members, now),
            recipient,
        })
    }

    fn follow_up(self, program: &ProgramName) -> FollowUp {
        FollowUp {
            program: program.to_string(),
            group_id: self.id,
            people: self.people,
            recipient: self.recipient,
            answers: self.answers,
        }
    }
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
