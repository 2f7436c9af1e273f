-- Claims of outbox rows: a sender takes the first pending row of a lane for a while
-- (a lease), so that of several senders exactly one tries it, and a sender that dies
-- leaves it to the others once the lease runs out.
ALTER TABLE outbox
    ADD COLUMN claimed_by text,
    ADD COLUMN claimed_until timestamptz;
-- The pending rows of a lane, for finding each lane's first one.
CREATE INDEX ix_outbox_pending_lane ON outbox (lane, id) WHERE status = 'pending';
