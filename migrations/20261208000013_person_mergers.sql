-- Planning Center merges two people into one (person_mergers). Each merge read from it is
-- applied here once: everything that belonged to the person removed moves to the person kept.
-- This computer's own bookkeeping, like the sync cursors: a merge is found again by every
-- computer that syncs, and applying it where it was already applied (or where the team
-- already moved the rows) changes nothing.
CREATE TABLE pco_person_merger (
    planning_center_id          TEXT PRIMARY KEY NOT NULL,
    person_to_keep_id           TEXT NOT NULL,
    person_to_remove_id         TEXT NOT NULL,
    merged_at                   TEXT,
    applied_at                  TEXT NOT NULL,
    -- What it did here: 'merged' (both were here), 'relinked' (only the one removed was, and
    -- it now stands for the one kept), or 'nothing_here'.
    outcome                     TEXT NOT NULL CHECK (outcome IN ('merged', 'relinked', 'nothing_here')),
    kept_people_id              TEXT REFERENCES people(id),
    removed_people_id           TEXT REFERENCES people(id),
    moved                       INTEGER NOT NULL DEFAULT 0,
    folded                      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX idx_pco_person_merger_removed ON pco_person_merger(removed_people_id);
