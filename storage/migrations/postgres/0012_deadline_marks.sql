-- Deadlines of appeals (first response, legal term): the marks the periodic check left.
-- One row per appeal, deadline and mark: the primary key makes «at risk» and «breached»
-- happen once, even when several bot processes check at the same moment (the one whose
-- INSERT adds the row also queues the card update and the supervisors' message).
CREATE TABLE deadline_marks (
    appeal_id bigint NOT NULL REFERENCES appeals (id),
    deadline text NOT NULL CHECK (deadline IN ('first_response', 'legal')),
    mark text NOT NULL CHECK (mark IN ('at_risk', 'breached')),
    marked_at timestamptz NOT NULL,
    PRIMARY KEY (appeal_id, deadline, mark)
);
