-- Pourover's first schema (see ARCHITECTURE.md, "Data model").
--
-- Portability rules, so that PostgreSQL is a second migrations folder and not a rewrite:
-- * instants are BIGINT milliseconds since the Unix epoch (UTC): comparable, sortable and
--   typed the same on both backends;
-- * flags are BOOLEAN with TRUE/FALSE literals; enums are TEXT with a CHECK;
-- * ids are INTEGER PRIMARY KEY here (BIGINT GENERATED ... AS IDENTITY on PostgreSQL);
-- * queries use $N placeholders, RETURNING and ON CONFLICT, which both backends accept.

-- One install per Slack team / Teams tenant.
CREATE TABLE workspaces (
    id            INTEGER PRIMARY KEY,
    platform      TEXT    NOT NULL CHECK (platform IN ('slack', 'teams')),
    external_id   TEXT    NOT NULL,
    name          TEXT    NOT NULL DEFAULT '',
    -- Where the platform API lives for this install (Teams serviceUrl); NULL = settings default.
    service_url   TEXT,
    created_at    BIGINT  NOT NULL,
    UNIQUE (platform, external_id)
);

-- A pairing pool. A program may be bound to a channel (Slack) or team (Teams):
-- then membership of that channel is enrolment.
CREATE TABLE programs (
    id                  INTEGER PRIMARY KEY,
    workspace_id        INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    channel_id          TEXT,
    -- Six-field cron (seconds first) evaluated in time_zone; NULL = rounds only on demand.
    schedule_cron       TEXT,
    time_zone           TEXT    NOT NULL DEFAULT 'UTC',
    group_size          INTEGER NOT NULL DEFAULT 2 CHECK (group_size BETWEEN 2 AND 8),
    lookback_rounds     INTEGER NOT NULL DEFAULT 12 CHECK (lookback_rounds >= 0),
    nudge_after_hours   INTEGER NOT NULL DEFAULT 72 CHECK (nudge_after_hours > 0),
    close_after_hours   INTEGER NOT NULL DEFAULT 144 CHECK (close_after_hours > 0),
    created_by          TEXT,
    created_at          BIGINT  NOT NULL,
    UNIQUE (workspace_id, name)
);
CREATE INDEX programs_channel ON programs (workspace_id, channel_id);

-- A person as the platform knows them.
CREATE TABLE members (
    id                  INTEGER PRIMARY KEY,
    workspace_id        INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    external_id         TEXT    NOT NULL,
    display_name        TEXT    NOT NULL DEFAULT '',
    -- Team/department from the profile field, and the one a person set with `team <name>`
    -- (which wins: profiles are often empty or stale).
    profile_team        TEXT,
    chosen_team         TEXT,
    time_zone           TEXT,
    utc_offset_minutes  INTEGER,
    is_admin            BOOLEAN NOT NULL DEFAULT FALSE,
    is_bot              BOOLEAN NOT NULL DEFAULT FALSE,
    is_guest            BOOLEAN NOT NULL DEFAULT FALSE,
    deleted             BOOLEAN NOT NULL DEFAULT FALSE,
    -- When the platform's profile was last read, to refresh stale ones (admin rights!).
    profile_synced_at   BIGINT  NOT NULL,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL,
    UNIQUE (workspace_id, external_id)
);

-- A member in a program.
CREATE TABLE enrollments (
    program_id      INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    member_id       INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    state           TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'left')),
    -- Only for state = 'paused': NULL means "until resumed".
    paused_until    BIGINT,
    cadence         TEXT    NOT NULL DEFAULT 'weekly' CHECK (cadence IN ('weekly', 'biweekly', 'monthly')),
    -- Which of the 2 (biweekly) or 4 (monthly) round slots this person takes part in, chosen
    -- at enrolment so that each cadence group is spread over the weeks.
    cadence_slot    INTEGER NOT NULL DEFAULT 0 CHECK (cadence_slot >= 0),
    skip_next       BOOLEAN NOT NULL DEFAULT FALSE,
    -- Consecutive intros this person ignored; reset by any button press.
    ignored_streak  INTEGER NOT NULL DEFAULT 0,
    joined_at       BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (program_id, member_id)
);
CREATE INDEX enrollments_member ON enrollments (member_id);

-- "Never pair me with X": private to the member who asked, workspace-wide.
CREATE TABLE exclusions (
    member_id           INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    excluded_member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at          BIGINT  NOT NULL,
    PRIMARY KEY (member_id, excluded_member_id),
    CHECK (member_id <> excluded_member_id)
);

-- One pairing round. UNIQUE (program_id, scheduled_for): a restart, two scheduler ticks or two
-- processes can never create the same round twice.
CREATE TABLE rounds (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    -- 1, 2, 3... within the program: the engine's notion of "how long ago".
    seq             INTEGER NOT NULL,
    scheduled_for   BIGINT  NOT NULL,
    -- open: planned and running (intros owed or sent); closed: answers counted;
    -- skipped: too few people took part.
    state           TEXT    NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'closed', 'skipped')),
    seed            BIGINT  NOT NULL,
    nudge_at        BIGINT  NOT NULL,
    close_at        BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    closed_at       BIGINT,
    UNIQUE (program_id, scheduled_for),
    UNIQUE (program_id, seq)
);

CREATE TABLE groups (
    id              INTEGER PRIMARY KEY,
    round_id        INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    -- Platform conversation the intro went to (Slack group DM id), once known.
    conversation_id TEXT,
    UNIQUE (round_id, position)
);

CREATE TABLE group_members (
    group_id    INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX group_members_member ON group_members (member_id);

-- Every message the bot owes. A row is written in the same transaction as what caused it,
-- so nothing owed is ever lost; idempotency_key makes every message sent at most once.
CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    idempotency_key     TEXT    NOT NULL UNIQUE,
    workspace_id        INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind                TEXT    NOT NULL
                        CHECK (kind IN ('intro', 'nudge', 'close_prompt', 'ghost_pause', 'notice')),
    group_id            INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    -- NULL: the whole group in one conversation; set: one member (platforms without group DMs).
    recipient_member_id INTEGER REFERENCES members (id) ON DELETE CASCADE,
    -- Neutral message data decided at planning time (e.g. which icebreaker), as JSON.
    payload             TEXT    NOT NULL DEFAULT '{}',
    -- cancelled: no longer needed when due (e.g. a nudge to a group that already answered).
    state               TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    not_before          BIGINT  NOT NULL,
    next_attempt_at     BIGINT  NOT NULL,
    -- A worker's lease on a 'sending' row; an expired lease means that worker died mid-send.
    lease_until         BIGINT,
    conversation_id     TEXT,
    message_id          TEXT,
    last_error          TEXT,
    created_at          BIGINT  NOT NULL,
    sent_at             BIGINT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_group ON outbox (group_id);

-- One answer per person per group; the last button press wins.
CREATE TABLE feedback (
    group_id    INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    answer      TEXT    NOT NULL CHECK (answer IN ('met', 'planned', 'skipped', 'no_answer')),
    rating      INTEGER CHECK (rating BETWEEN 1 AND 5),
    comment     TEXT,
    answered_at BIGINT  NOT NULL,
    PRIMARY KEY (group_id, member_id)
);

-- Platform events already handled (Slack retries an event it thinks we missed).
CREATE TABLE processed_events (
    event_key   TEXT    PRIMARY KEY,
    received_at BIGINT  NOT NULL
);
