//! Plain SQL writes for the fixture: one helper per table, `$N` placeholders like the store.

use sqlx::SqlitePool;

use super::{WEEK_MS, monday_5_october_2026};
use Bind::{Int, OptInt, OptText, Text};

pub(super) async fn exec(pool: &SqlitePool, sql: &'static str, binds: &[Bind<'_>]) -> i64 {
    let mut query = sqlx::query_scalar::<_, i64>(sql);
    for bind in binds {
        query = match bind {
            Bind::Int(v) => query.bind(*v),
            Bind::Text(v) => query.bind(*v),
            Bind::OptInt(v) => query.bind(*v),
            Bind::OptText(v) => query.bind(*v),
        };
    }
    query.fetch_optional(pool).await.unwrap().unwrap_or(0)
}

#[derive(Clone, Copy)]
pub(super) enum Bind<'a> {
    Int(i64),
    Text(&'a str),
    OptInt(Option<i64>),
    OptText(Option<&'a str>),
}

pub(super) async fn workspace(pool: &SqlitePool, platform: &str, external: &str) -> i64 {
    exec(
        pool,
        "INSERT INTO workspaces (platform, external_id, name, created_at) VALUES ($1, $2, $2, 0)
         RETURNING id",
        &[Text(platform), Text(external)],
    )
    .await
}

pub(super) async fn program(pool: &SqlitePool, workspace: i64, name: &str, group_size: i64) -> i64 {
    exec(
        pool,
        "INSERT INTO programs (workspace_id, name, group_size, created_at) VALUES ($1, $2, $3, 0)
         RETURNING id",
        &[Int(workspace), Text(name), Int(group_size)],
    )
    .await
}

/// A member; returns its id.
pub(super) async fn member(
    pool: &SqlitePool,
    workspace: i64,
    external: &str,
    name: &str,
    profile_team: Option<&str>,
    chosen_team: Option<&str>,
) -> i64 {
    exec(
        pool,
        "INSERT INTO members (workspace_id, external_id, display_name, profile_team, chosen_team,
             profile_synced_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 0, 0, 0) RETURNING id",
        &[
            Int(workspace),
            Text(external),
            Text(name),
            OptText(profile_team),
            OptText(chosen_team),
        ],
    )
    .await
}

pub(super) async fn enroll(
    pool: &SqlitePool,
    program: i64,
    member: i64,
    state: &str,
    paused_until: Option<i64>,
) {
    exec(
        pool,
        "INSERT INTO enrollments (program_id, member_id, state, paused_until, joined_at, updated_at)
         VALUES ($1, $2, $3, $4, 0, 0)",
        &[Int(program), Int(member), Text(state), OptInt(paused_until)],
    )
    .await;
}

pub(super) async fn round(pool: &SqlitePool, program: i64, seq: i64, state: &str) -> i64 {
    let at = monday_5_october_2026() + (seq - 1) * WEEK_MS;
    exec(
        pool,
        "INSERT INTO rounds (program_id, seq, scheduled_for, state, seed, nudge_at, close_at,
             created_at)
         VALUES ($1, $2, $3, $4, $2, $3, $3, $3) RETURNING id",
        &[Int(program), Int(seq), Int(at), Text(state)],
    )
    .await
}

pub(super) async fn group(pool: &SqlitePool, round: i64, position: i64, members: &[i64]) -> i64 {
    let id = exec(
        pool,
        "INSERT INTO groups (round_id, position) VALUES ($1, $2) RETURNING id",
        &[Int(round), Int(position)],
    )
    .await;
    for member in members {
        exec(
            pool,
            "INSERT INTO group_members (group_id, member_id) VALUES ($1, $2)",
            &[Int(id), Int(*member)],
        )
        .await;
    }
    id
}

pub(super) async fn intro(
    pool: &SqlitePool,
    workspace: i64,
    group: i64,
    recipient: Option<i64>,
    state: &str,
) {
    let key = format!("intro:{group}:{}", recipient.unwrap_or(0));
    exec(
        pool,
        "INSERT INTO outbox (idempotency_key, workspace_id, kind, group_id, recipient_member_id,
             state, not_before, next_attempt_at, created_at)
         VALUES ($1, $2, 'intro', $3, $4, $5, 0, 0, 0)",
        &[
            Text(&key),
            Int(workspace),
            Int(group),
            OptInt(recipient),
            Text(state),
        ],
    )
    .await;
    // A nudge for the same group must not be mistaken for an intro.
    exec(
        pool,
        "INSERT INTO outbox (idempotency_key, workspace_id, kind, group_id, state, not_before,
             next_attempt_at, created_at)
         VALUES ($1, $2, 'nudge', $3, 'failed', 0, 0, 0) ON CONFLICT DO NOTHING",
        &[Text(&format!("nudge:{group}")), Int(workspace), Int(group)],
    )
    .await;
}

pub(super) async fn answer(pool: &SqlitePool, group: i64, member: i64, answer: &str) {
    exec(
        pool,
        "INSERT INTO feedback (group_id, member_id, answer, answered_at) VALUES ($1, $2, $3, 0)",
        &[Int(group), Int(member), Text(answer)],
    )
    .await;
}
