-- When an appeal's personal data was erased (/forget or RETENTION_DAYS).
ALTER TABLE appeals ADD COLUMN erased_at timestamptz;
CREATE INDEX ix_appeals_closed ON appeals (closed_at) WHERE closed_at IS NOT NULL;
