-- Claims of outbox rows: a sender takes the first pending row of a lane for a while
-- (a lease), so that of several senders exactly one tries it, and a sender that dies
-- leaves it to the others once the lease runs out. Times are UTC text as in 0001.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
