-- Records that two computers made separately for the same thing (the same person enrolled in
-- the same course, checked in to the same session, holding the same certification) are folded
-- into one on every computer: the earliest id is kept (see cct_store::team::fold). Each fold is
-- kept here, so that changes naming the folded record, or referring to it, go to the kept one,
-- and the Team screen lists the folds made. Changes that waited on such a clash before this
-- release are folded at the next sync, which retries every waiting change.
CREATE TABLE team_fold (
    table_name  TEXT NOT NULL,
    folded_id   TEXT NOT NULL,
    kept_id     TEXT NOT NULL,
    folded_at   TEXT NOT NULL,
    PRIMARY KEY (table_name, folded_id),
    CHECK (kept_id < folded_id)
) WITHOUT ROWID;
CREATE INDEX idx_team_fold_kept ON team_fold(table_name, kept_id);
