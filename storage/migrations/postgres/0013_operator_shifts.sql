-- Operators on shift (/shift): new appeals are assigned round-robin among them, each up
-- to OPERATOR_CAPACITY open appeals; last_assigned_at orders the round.
CREATE TABLE operator_shifts (
    operator_id bigint PRIMARY KEY,       -- Telegram user id
    name text NOT NULL,                   -- as on cards: full name (@username)
    on_shift boolean NOT NULL,
    changed_at timestamptz NOT NULL,
    last_assigned_at timestamptz
);
