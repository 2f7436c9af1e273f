-- Citizens, phone verification, appeals and FSM sessions.
-- Times are UTC, ISO 8601 text with microseconds ("2026-11-23T14:39:04.000000Z"),
-- so that text order is time order.

CREATE TABLE citizens (
    user_id INTEGER PRIMARY KEY,          -- Telegram user id
    chat_id INTEGER NOT NULL,             -- private chat with the bot
    phone TEXT,                           -- verified contact phone, E.164
    phone_verified_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE phone_history (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES citizens (user_id),
    phone TEXT NOT NULL,                  -- the number that stopped being current
    verified_at TEXT,
    replaced_at TEXT NOT NULL
);
CREATE INDEX ix_phone_history_user ON phone_history (user_id, replaced_at);

CREATE TABLE verification_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    phone TEXT NOT NULL,
    code_hash TEXT NOT NULL,              -- HMAC-SHA256 of the code, never the code
    salt TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'used', 'exhausted', 'superseded'))
);
CREATE INDEX ix_codes_phone_created ON verification_codes (phone, created_at);
CREATE INDEX ix_codes_user_created ON verification_codes (user_id, created_at);

CREATE TABLE appeal_sequences (
    year INTEGER PRIMARY KEY,
    last_value INTEGER NOT NULL
);

CREATE TABLE appeals (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,          -- "2026-000042"
    citizen_id INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'in_progress', 'answered', 'closed')),
    fields TEXT NOT NULL DEFAULT '{}',    -- JSON object of the collected fields
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX ix_appeals_citizen ON appeals (citizen_id, created_at);
CREATE INDEX ix_appeals_status ON appeals (status, created_at);

CREATE TABLE appeal_attachments (
    id INTEGER PRIMARY KEY,
    appeal_id INTEGER NOT NULL REFERENCES appeals (id),
    kind TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    file_id TEXT NOT NULL,
    file_unique_id TEXT NOT NULL,
    file_name TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_attachments_appeal ON appeal_attachments (appeal_id);

CREATE TABLE appeal_messages (
    id INTEGER PRIMARY KEY,
    appeal_id INTEGER NOT NULL REFERENCES appeals (id),
    author TEXT NOT NULL CHECK (author IN ('citizen', 'operator', 'system')),
    author_id INTEGER,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_appeal_messages_appeal ON appeal_messages (appeal_id, created_at);

-- aiogram FSM: the whole StorageKey is the primary key. A missing thread id is
-- stored as 0 and a missing business connection as '' (Telegram never uses those).
CREATE TABLE fsm_sessions (
    bot_id INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    thread_id INTEGER NOT NULL DEFAULT 0,
    business_connection_id TEXT NOT NULL DEFAULT '',
    destiny TEXT NOT NULL,
    state TEXT,
    data TEXT NOT NULL DEFAULT '{}',      -- JSON object, never pickle
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (bot_id, chat_id, user_id, thread_id, business_connection_id, destiny)
) WITHOUT ROWID;
