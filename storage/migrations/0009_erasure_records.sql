-- The destruction record: one row per erasure (/forget or RETENTION_DAYS), with
-- no personal data: the appeals' numbers and the names of what was erased.
CREATE TABLE erasure_records (
    id INTEGER PRIMARY KEY,
    erased_at TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('request', 'retention')),
    appeals TEXT NOT NULL DEFAULT '[]',   -- JSON array of appeal numbers
    fields TEXT NOT NULL DEFAULT '[]'     -- JSON array of field names, sorted
);
CREATE INDEX ix_erasure_records_time ON erasure_records (erased_at);
