-- Every message a card, a relay or an answer was delivered as (an album is several, a long
-- text is several rows), so that a reply to any copy finds its appeal. Message ids only.
CREATE TABLE delivered_copies (
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    appeal_id INTEGER NOT NULL REFERENCES appeals (id),
    outbox_id INTEGER REFERENCES outbox (id),
    PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;
