-- Operators on shift (/shift): new appeals are assigned round-robin among them, each up
-- to OPERATOR_CAPACITY open appeals; last_assigned_at orders the round. Times are UTC
-- text as in 0001.
CREATE TABLE operator_shifts (
    operator_id INTEGER PRIMARY KEY,      -- Telegram user id
    name TEXT NOT NULL,                   -- as on cards: full name (@username)
    on_shift INTEGER NOT NULL CHECK (on_shift IN (0, 1)),
    changed_at TEXT NOT NULL,
    last_assigned_at TEXT
);
