-- Consent to the processing of personal data (152-FZ: a separate, specific
-- document since 1 September 2025): which version of the consent text a citizen
-- agreed to, and when. A new version of the text is asked for again and adds a
-- row; /forget withdraws the consent by deleting the rows.
CREATE TABLE consents (
    user_id bigint NOT NULL,              -- Telegram user id
    version text NOT NULL,                -- `version` of bot/content/consent.md
    given_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, version)
);
