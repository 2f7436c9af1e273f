-- A lease on each update in flight: the process that took it renews the lease
-- while it runs, and another process takes the update over only once the lease
-- has run out (its taker died). SQLite has one bot process, which treats every
-- other run as gone; the column is here so that both dialects number alike.
ALTER TABLE processed_updates ADD COLUMN lease_until TEXT;
