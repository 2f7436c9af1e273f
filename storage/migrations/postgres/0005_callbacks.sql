-- Callback requests («Обратный звонок»): the call of an appeal of type 'callback'.
-- The phone to call and the question live in the appeal's fields (erased with
-- them); this table keeps the slot, the outcome and the operator's short result.
-- A slot's capacity counts the 'scheduled' calls overlapping it, so that a change
-- of the slot length keeps old bookings counted.
CREATE TABLE callbacks (
    appeal_id bigint PRIMARY KEY REFERENCES appeals (id),
    slot_start timestamptz NOT NULL,
    slot_end timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'done', 'not_reached', 'cancelled')),
    result text,                          -- the operator's short result of the call
    marked_by bigint,                     -- the operator who marked it done or not reached
    marked_at timestamptz,
    confirmed_at timestamptz,             -- the citizen confirmed the call took place
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX ix_callbacks_slot ON callbacks (slot_start, status);
