-- A lease on each update in flight: the process that took it renews the lease
-- while it runs (a heartbeat), and another process takes the update over only
-- once the lease has run out, i.e. its taker died or hangs. NULL: taken before
-- leases existed, free to take over.
ALTER TABLE processed_updates ADD COLUMN lease_until timestamptz;
CREATE INDEX ix_processed_updates_in_flight ON processed_updates (bot_id, update_id)
    WHERE status = 'started';
