-- Erasure reaches the operators' chat. After /forget the bot deletes its copies of the
-- citizen's messages there through the outbox (a new kind, 'delete'), so that a crash
-- loses none of them and the chat's budget holds. PostgreSQL changes the CHECK in place.
ALTER TABLE outbox
    DROP CONSTRAINT outbox_kind_check,
    ADD CONSTRAINT outbox_kind_check
        CHECK (kind IN ('card', 'card_update', 'message', 'edit', 'delete')),
    ADD COLUMN more_message_ids bigint[];  -- the rest of an album

-- Why an appeal's personal data was erased: the citizen's /forget, or RETENTION_DAYS.
ALTER TABLE appeals ADD COLUMN erasure_reason text
    CHECK (erasure_reason IN ('request', 'retention'));
