//! The delivery worker's lease is what keeps two senders off one intro. A sender that
//! stalled past its lease (a frozen process, a locked database) while another took the
//! intro over must not post it: the other one is about to, and neither would find the
//! other's message in time. Driven with `try_execute_task` and a `Chat` that plays the
//! stall, so the moment is exact.

mod common;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{Duration, Utc};
use pourover::app::{Core, open_store};
use pourover::chat::{Chat, ChatDirectory, ChatError, IntroFanout, Message, Posted};
use pourover::clock::Clock;
use pourover::delivery::Outcome;
use pourover::domain::{
    GroupSize, MemberProfile, OutboxKind, OutboxState, Platform, ProgramName, ProgramSettings,
};
use pourover::rounds::PlanOutcome;
use pourover::store::{NewProgram, Store};

/// A chat whose `conversations.open` takes so long that the sender's lease runs out and
/// another sender claims the message meanwhile (done here through the store, as a second
/// worker would). Records every post.
#[derive(Debug)]
struct StallingChat {
    store: Store,
    posts: Mutex<Vec<String>>,
}

#[async_trait]
impl Chat for StallingChat {
    fn intro_fanout(&self) -> IntroFanout {
        IntroFanout::OneConversationPerGroup
    }

    async fn open_conversation(&self, _members: &[String]) -> Result<String, ChatError> {
        // Seen from the database, the lease ran out an hour ago: another worker claims it.
        let later = Utc::now() + Duration::hours(1);
        let taken = self
            .store
            .claim_due_outbox(Utc::now(), later, later + Duration::minutes(1), 1)
            .await
            .map_err(|err| ChatError::Transient(err.to_string()))?;
        assert_eq!(taken.len(), 1, "the other worker took the stalled intro");
        Ok("D-GROUP".into())
    }

    async fn post(
        &self,
        conversation_id: &str,
        _message: &Message,
        key: &str,
    ) -> Result<Posted, ChatError> {
        self.posts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(key.to_owned());
        Ok(Posted {
            conversation_id: conversation_id.to_owned(),
            message_id: "1.000001".into(),
        })
    }

    async fn find_posted(&self, _: &str, _: &str) -> Result<Option<Posted>, ChatError> {
        Ok(None)
    }

    async fn update(&self, _: &Posted, _: &Message) -> Result<(), ChatError> {
        Ok(())
    }

    async fn user_profile(&self, _: &str) -> Result<MemberProfile, ChatError> {
        Err(ChatError::Permanent("not in this test".into()))
    }

    async fn all_users(&self) -> Result<Vec<MemberProfile>, ChatError> {
        Ok(Vec::new())
    }

    async fn channel_members(&self, _: &str) -> Result<Vec<String>, ChatError> {
        Ok(Vec::new())
    }
}

#[tokio::test]
async fn a_sender_whose_lease_was_taken_over_while_it_waited_on_slack_does_not_post() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let settings = common::settings_in(dir.path(), &[]);
    let store = open_store(&settings).await.expect("a database");
    let workspace = store
        .upsert_workspace(Platform::Slack, "T1", "Acme")
        .await
        .expect("a workspace");
    let name = ProgramName::parse("coffee").expect("a name");
    let program = store
        .create_program(NewProgram {
            workspace,
            name: &name,
            channel_id: None,
            schedule: None,
            settings: ProgramSettings {
                group_size: GroupSize::PAIRS,
                lookback_rounds: 12,
                nudge_after_hours: 72,
                close_after_hours: 144,
            },
            created_by: None,
        })
        .await
        .expect("created")
        .expect("new");
    for id in ["U1", "U2"] {
        let member = store
            .upsert_member(
                workspace,
                &MemberProfile {
                    external_id: id.into(),
                    display_name: id.into(),
                    ..MemberProfile::default()
                },
            )
            .await
            .expect("a member");
        store.enroll(program.id, member.id).await.expect("enrolled");
    }
    let chat = Arc::new(StallingChat {
        store: store.clone(),
        posts: Mutex::new(Vec::new()),
    });
    let mut chats = ChatDirectory::default();
    chats.insert(workspace, chat.clone());
    let core = Core::new(&settings, store.clone(), chats, Clock::system()).expect("a core");
    let planned = core
        .planner
        .plan(
            &program,
            core.clock.now(),
            IntroFanout::OneConversationPerGroup,
            false,
        )
        .await
        .expect("planned");
    assert!(matches!(planned, PlanOutcome::Planned(_)), "{planned:?}");

    let outcome = core
        .delivery
        .try_execute_task()
        .await
        .expect("the worker ran");
    assert_eq!(outcome, Some(Outcome::LostLease));
    assert!(
        chat.posts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty(),
        "the stalled sender posted an intro someone else now owns"
    );
    let groups = store
        .round_groups(
            store
                .last_round(program.id)
                .await
                .expect("rounds")
                .expect("a round")
                .id,
        )
        .await
        .expect("groups");
    let intro = store
        .group_outbox(groups[0].id)
        .await
        .expect("outbox")
        .into_iter()
        .find(|row| row.kind == OutboxKind::Intro)
        .expect("the intro");
    assert_eq!(
        intro.state,
        OutboxState::Sending,
        "still the other worker's"
    );
    assert_eq!(intro.attempts, 2);
    store.close().await;
}
