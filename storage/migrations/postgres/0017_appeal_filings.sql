-- Which update filed which appeal. An update is handled at least once: a process that
-- dies after the filing's commit, before the citizen is told the number, leaves the
-- update to another process. Filing again from the same update then gives the appeal
-- filed the first time (its number shown), not a second one. The row is written in the
-- filing's transaction; the primary key lets two processes handling one update at once
-- file once. Ids only, nothing personal; pruned with processed_updates, after which an
-- update is never handled again.
CREATE TABLE appeal_filings (
    bot_id bigint NOT NULL,
    update_id bigint NOT NULL,
    appeal_id bigint NOT NULL REFERENCES appeals (id),
    filed_at timestamptz NOT NULL,
    PRIMARY KEY (bot_id, update_id)
);
CREATE INDEX ix_appeal_filings_filed ON appeal_filings (filed_at);
