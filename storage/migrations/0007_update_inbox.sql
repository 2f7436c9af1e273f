-- The update inbox: an update's raw JSON is written with the claim of its id,
-- before getUpdates confirms it to Telegram (which never sends it again), so
-- that a process that dies mid-update leaves it here and the next start
-- handles it again. It holds personal data, so it is blanked once the update
-- is done.
ALTER TABLE processed_updates ADD COLUMN payload TEXT;
