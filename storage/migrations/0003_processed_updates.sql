-- Update ids already taken by a bot process, so that an update Telegram
-- redelivers (the bot died before confirming it) is not handled twice.
-- run_id tells which process took it; status 'done' once handled.
CREATE TABLE processed_updates (
    bot_id INTEGER NOT NULL,
    update_id INTEGER NOT NULL,
    run_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('started', 'done')),
    received_at TEXT NOT NULL,
    PRIMARY KEY (bot_id, update_id)
) WITHOUT ROWID;
CREATE INDEX ix_processed_updates_received ON processed_updates (received_at);
