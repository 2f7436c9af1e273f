-- Erasure reaches the operators' chat. After /forget the bot deletes its copies of the
-- citizen's messages there through the outbox (a new kind, 'delete'), so that a crash
-- loses none of them and the chat's budget holds. SQLite cannot change a CHECK in place:
-- the table is rebuilt as SQLite's ALTER TABLE documentation prescribes (the runner
-- applies migrations with foreign keys off and checks them before committing).
CREATE TABLE outbox_new (
    id INTEGER PRIMARY KEY,
    appeal_id INTEGER NOT NULL REFERENCES appeals (id),
    lane TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('operators', 'citizen')),
    chat_id INTEGER,
    kind TEXT NOT NULL CHECK (kind IN ('card', 'card_update', 'message', 'edit', 'delete')),
    payload TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    message_id INTEGER,                   -- the (first) message the delivery produced
    more_message_ids TEXT                 -- JSON list: the rest of an album
);
INSERT INTO outbox_new (id, appeal_id, lane, audience, chat_id, kind, payload, status, attempts,
                        not_before, last_error, created_at, delivered_at, message_id)
SELECT id, appeal_id, lane, audience, chat_id, kind, payload, status, attempts,
       not_before, last_error, created_at, delivered_at, message_id
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX ix_outbox_pending ON outbox (status, lane, id);

-- Why an appeal's personal data was erased: the citizen's /forget, or RETENTION_DAYS.
ALTER TABLE appeals ADD COLUMN erasure_reason TEXT
    CHECK (erasure_reason IN ('request', 'retention'));
