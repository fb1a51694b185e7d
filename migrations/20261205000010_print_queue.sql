-- The station's print queue: each label a job, written in the check-in's own transaction and
-- printed after it commits, so a printer that jams or is off never holds up check-in and never
-- loses a label. Local to this computer (never in the audit log, the change log or the outbox):
-- a child's label holds the guardian tag's code, so a job's content is cleared once printed.
CREATE TABLE print_job (
    id              TEXT PRIMARY KEY,
    station         TEXT NOT NULL,
    made_at         TEXT NOT NULL,
    -- What the queue shows of the job ("Child label: Emma Johnson"): never the code.
    description     TEXT NOT NULL,
    -- The printer and label size, and the label, as JSON (cct-labels' PrinterChoice and
    -- LabelContent). The content is NULL once printed or cancelled.
    printer         TEXT NOT NULL,
    content         TEXT,
    state           TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'printed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    printed_at      TEXT,
    -- What the printer or queue answered when it took the job.
    answer          TEXT
);
CREATE INDEX print_job_due ON print_job (state, next_attempt_at);
CREATE INDEX print_job_made ON print_job (made_at);
