-- The update inbox: an update's raw JSON is written with the claim of its id,
-- before it is confirmed to Telegram (which never sends it again), so that a
-- process that dies mid-update leaves it here for the others. It holds personal
-- data, so it is blanked once the update is done. Text, not json: the update is
-- handed back exactly as it came.
ALTER TABLE processed_updates ADD COLUMN payload text;
