-- Every message a card, a relay or an answer was delivered as (an album is several, a long
-- text is several rows), so that a reply to any copy finds its appeal. Message ids only.
CREATE TABLE delivered_copies (
    chat_id bigint NOT NULL,
    message_id bigint NOT NULL,
    appeal_id bigint NOT NULL REFERENCES appeals (id),
    outbox_id bigint REFERENCES outbox (id),
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX ix_delivered_copies_appeal ON delivered_copies (appeal_id);
