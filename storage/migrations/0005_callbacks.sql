-- Callback requests («Обратный звонок»): the call of an appeal of type 'callback'.
-- The phone to call and the question live in the appeal's fields (erased with
-- them); this table keeps the slot, the outcome and the operator's short result.
-- Times are UTC text as in 0001. A slot's capacity counts the 'scheduled' calls
-- overlapping it, so that a change of the slot length keeps old bookings counted.
CREATE TABLE callbacks (
    appeal_id INTEGER PRIMARY KEY REFERENCES appeals (id),
    slot_start TEXT NOT NULL,
    slot_end TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'done', 'not_reached', 'cancelled')),
    result TEXT,                          -- the operator's short result of the call
    marked_by INTEGER,                    -- the operator who marked it done or not reached
    marked_at TEXT,
    confirmed_at TEXT,                    -- the citizen confirmed the call took place
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_callbacks_slot ON callbacks (slot_start, status);
