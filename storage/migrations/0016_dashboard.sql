-- The supervisors' dashboard (bot/dashboard): one-time sign-in links and the audit log.
-- A link's nonce is recorded when the link is used, and the primary key lets it be used
-- once. The audit log has a row for every sign-in and every CSV export: who, when, what
-- (the export's search criteria and how many appeals it held; never personal data).
-- Times are UTC text as in 0001.
CREATE TABLE dashboard_links_used (
    nonce TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    used_at TEXT NOT NULL
);

CREATE TABLE dashboard_audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor')),
    action TEXT NOT NULL CHECK (action IN ('sign_in', 'export')),
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ix_dashboard_audit_at ON dashboard_audit (at);
CREATE INDEX ix_appeals_created ON appeals (created_at);
