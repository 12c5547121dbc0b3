-- Deliveries from the platforms (events, button presses, commands, Teams activities) are
-- recorded before they are acknowledged, with what is still to be applied, and marked
-- applied once done: an acknowledged event survives a busy database or a crash.
ALTER TABLE processed_events ADD COLUMN payload TEXT;
ALTER TABLE processed_events ADD COLUMN applied_at BIGINT;
ALTER TABLE processed_events ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
-- While a process is applying a row it found unapplied, others leave it alone until then.
ALTER TABLE processed_events ADD COLUMN claimed_until BIGINT;
-- Everything recorded before was handled when it arrived.
UPDATE processed_events SET applied_at = received_at;
CREATE INDEX processed_events_unapplied ON processed_events (applied_at, received_at);

-- /healthz writes one row here to prove the database still takes writes.
CREATE TABLE health_checks (
    id          INTEGER PRIMARY KEY,
    checked_at  BIGINT  NOT NULL
);
