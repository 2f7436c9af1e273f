-- Which update filed which appeal. An update is handled at least once: a process that
-- dies after the filing's commit, before the citizen is told the number, leaves the
-- update to be handled again. Filing again from the same update then gives the appeal
-- filed the first time (its number shown), not a second one. The row is written in the
-- filing's transaction. Ids only, nothing personal; pruned with processed_updates, after
-- which an update is never handled again. Times are UTC text as in 0001.
CREATE TABLE appeal_filings (
    bot_id INTEGER NOT NULL,
    update_id INTEGER NOT NULL,
    appeal_id INTEGER NOT NULL REFERENCES appeals (id),
    filed_at TEXT NOT NULL,
    PRIMARY KEY (bot_id, update_id)
) WITHOUT ROWID;
CREATE INDEX ix_appeal_filings_filed ON appeal_filings (filed_at);
