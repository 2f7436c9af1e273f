-- Operator desk: who works on an appeal, its outcome and rating; the card's place in
-- the operators' chat; an audit trail of events with (original, relayed copy) pairs;
-- the outbox of pending Bot API sends; canned answers; per-citizen flags.
-- Times are UTC text as in 0001.

ALTER TABLE appeals ADD COLUMN assignee_id INTEGER;
ALTER TABLE appeals ADD COLUMN assignee_name TEXT;
ALTER TABLE appeals ADD COLUMN first_answered_at TEXT;
ALTER TABLE appeals ADD COLUMN resolution TEXT;
ALTER TABLE appeals ADD COLUMN rating INTEGER CHECK (rating BETWEEN 1 AND 5);
ALTER TABLE appeals ADD COLUMN rating_comment TEXT;
ALTER TABLE appeals ADD COLUMN rated_at TEXT;

-- Where an appeal lives in the operators' chat: its forum topic (NULL in a plain
-- group, where everything replies to the card) and the card operators press.
CREATE TABLE appeal_threads (
    appeal_id INTEGER PRIMARY KEY REFERENCES appeals (id),
    chat_id INTEGER NOT NULL,
    topic_id INTEGER,
    card_message_id INTEGER,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_threads_topic ON appeal_threads (chat_id, topic_id);

-- Bot API sends waiting for the background sender. Rows of one lane are delivered
-- strictly in id order; each row is marked delivered once, in the transaction
-- that records what the delivery produced.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    appeal_id INTEGER NOT NULL REFERENCES appeals (id),
    lane TEXT NOT NULL,                   -- "operators:42", "citizen:42"
    audience TEXT NOT NULL CHECK (audience IN ('operators', 'citizen')),
    chat_id INTEGER,                      -- citizen's chat; NULL: the operators' chat
    kind TEXT NOT NULL CHECK (kind IN ('card', 'card_update', 'message', 'edit')),
    payload TEXT NOT NULL DEFAULT '{}',   -- JSON
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    message_id INTEGER                    -- the message the delivery produced
);
CREATE INDEX ix_outbox_pending ON outbox (status, lane, id);

-- Everything that happened to an appeal: who (actor), when, what. A relayed
-- message keeps the pair: the original (origin_*) and the copy the bot sent
-- (copy_*, filled in when its outbox row is delivered).
CREATE TABLE appeal_events (
    id INTEGER PRIMARY KEY,
    appeal_id INTEGER NOT NULL REFERENCES appeals (id),
    kind TEXT NOT NULL,
    actor TEXT NOT NULL CHECK (actor IN ('citizen', 'operator', 'system')),
    actor_id INTEGER,
    actor_name TEXT,
    status_before TEXT,
    status_after TEXT,
    text TEXT,
    content TEXT,                         -- JSON: kind and file of a relayed message
    origin_chat_id INTEGER,
    origin_message_id INTEGER,
    copy_chat_id INTEGER,
    copy_message_id INTEGER,
    outbox_id INTEGER REFERENCES outbox (id),
    created_at TEXT NOT NULL
);
CREATE INDEX ix_events_appeal ON appeal_events (appeal_id, id);
CREATE INDEX ix_events_origin ON appeal_events (origin_chat_id, origin_message_id);
CREATE INDEX ix_events_copy ON appeal_events (copy_chat_id, copy_message_id);
CREATE INDEX ix_events_outbox ON appeal_events (outbox_id);

-- Canned answers; title_key is the title case-folded in Python (SQLite's lower()
-- does not fold Cyrillic), so that one name means one template.
CREATE TABLE reply_templates (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL
);

-- Per-citizen desk flags: relaying stopped by operators (/ban), bot blocked by the citizen.
CREATE TABLE citizen_flags (
    user_id INTEGER PRIMARY KEY,
    banned_at TEXT,
    banned_by INTEGER,
    bot_blocked_at TEXT
);
