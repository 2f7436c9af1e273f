-- Consent to the processing of personal data (152-FZ: a separate, specific
-- document since 1 September 2025): which version of the consent text a citizen
-- agreed to, and when (UTC text as in 0001). A new version of the text is asked
-- for again and adds a row; /forget withdraws the consent by deleting the rows.
CREATE TABLE consents (
    user_id INTEGER NOT NULL,             -- Telegram user id
    version TEXT NOT NULL,                -- `version` of bot/content/consent.md
    given_at TEXT NOT NULL,
    PRIMARY KEY (user_id, version)
) WITHOUT ROWID;
