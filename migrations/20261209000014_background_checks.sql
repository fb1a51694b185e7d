-- Background checks come from Planning Center, which holds them (status, expiry); churches
-- gate children's ministry on them. Each one read becomes a certification held here under one
-- certification that Planning Center owns: the office cannot edit it, give it courses, or
-- change a person's standing in it, because the next sync would say otherwise. Check-in rules
-- that ask those who serve for a certification can ask for this one.
ALTER TABLE certification ADD COLUMN source TEXT NOT NULL DEFAULT 'office'
    CHECK (source IN ('office', 'planning_center'));

-- The Planning Center background check a person's standing was read from, and its status
-- there (for the office to see why someone is not cleared).
ALTER TABLE certification_progress ADD COLUMN planning_center_id TEXT;
ALTER TABLE certification_progress ADD COLUMN planning_center_status TEXT;
