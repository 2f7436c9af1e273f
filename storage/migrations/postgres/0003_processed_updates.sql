-- Update ids already taken by a bot process, so that an update Telegram
-- redelivers (the bot died before confirming it) is not handled twice.
-- run_id tells which process took it; status 'done' once handled.
CREATE TABLE processed_updates (
    bot_id bigint NOT NULL,
    update_id bigint NOT NULL,
    run_id text NOT NULL,
    status text NOT NULL CHECK (status IN ('started', 'done')),
    received_at timestamptz NOT NULL,
    PRIMARY KEY (bot_id, update_id)
);
CREATE INDEX ix_processed_updates_received ON processed_updates (received_at);
