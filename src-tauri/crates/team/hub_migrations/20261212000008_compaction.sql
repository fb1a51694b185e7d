-- Compaction: the hub keeps a snapshot of the church's current state, and the change log
-- before it can go once every active computer has fetched it.
--
-- A snapshot is itself a change log, the shortest one that merges to the same data on every
-- computer, whatever its campus: of each record's changes it keeps, per field, the latest
-- writer (by version, `hlc@device`, the order the app merges by), and one change that deleted
-- it. A change's field is dropped only when a later writer of it is seen by every campus that
-- sees the change (church-wide, or tagged with all of its campuses); a change left with no
-- field, and no deletion to carry, is dropped. The changes kept keep their ids, clocks,
-- devices and campuses, so a computer merges them as it would the log, and one that already
-- holds a change skips it. `ord` is the seq of the record's first change: a record's changes
-- come together, parents (made first) before their children.
--
-- Devices read snapshots within their campus, as they read the log, and cannot write them:
-- `cct_compact`, below, makes them and prunes the log, on the hub's own schedule
-- (`hub_compaction`, which only the owner changes), whichever computer calls it.

CREATE TABLE hub_compaction (
    singleton        BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    -- A new snapshot is made at most this often, and only when the log grew this much.
    min_interval     INTERVAL NOT NULL DEFAULT '1 hour',
    min_new_changes  BIGINT NOT NULL DEFAULT 10000,
    -- A computer silent for longer no longer holds the log back: it starts from the snapshot
    -- when it returns.
    inactive_after   INTERVAL NOT NULL DEFAULT '30 days',
    -- Changes up to here are gone from hub_change (every one of them is in the snapshot).
    pruned_through   BIGINT NOT NULL DEFAULT 0,
    pruned_changes   BIGINT NOT NULL DEFAULT 0
);
INSERT INTO hub_compaction DEFAULT VALUES;

CREATE TABLE hub_snapshot (
    id               BIGSERIAL PRIMARY KEY,
    made_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    made_by_device   TEXT NOT NULL REFERENCES hub_device(id),
    through_seq      BIGINT NOT NULL,
    -- The changes it stands for (the previous snapshot's and the log's since) and holds.
    changes_before   BIGINT NOT NULL,
    changes_kept     BIGINT NOT NULL,
    took_ms          BIGINT NOT NULL
);

CREATE TABLE hub_snapshot_change (
    snapshot_id  BIGINT NOT NULL REFERENCES hub_snapshot(id) ON DELETE CASCADE,
    ord          BIGINT NOT NULL,
    id           TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    table_name   TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    fields       JSONB NOT NULL,
    deleted      BOOLEAN NOT NULL,
    hlc          TEXT NOT NULL,
    campus_ids   TEXT[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (snapshot_id, id)
);
CREATE INDEX hub_snapshot_change_ord ON hub_snapshot_change (snapshot_id, ord);
CREATE INDEX hub_snapshot_change_person ON hub_snapshot_change ((fields->>'people_id')) WHERE fields ? 'people_id';
CREATE INDEX hub_snapshot_change_record ON hub_snapshot_change (table_name, record_id);

ALTER TABLE hub_compaction ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_read ON hub_compaction FOR SELECT USING ((SELECT cct_my_device()) IS NOT NULL);
ALTER TABLE hub_snapshot ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_read ON hub_snapshot FOR SELECT USING ((SELECT cct_my_device()) IS NOT NULL);
ALTER TABLE hub_snapshot_change ENABLE ROW LEVEL SECURITY;
CREATE POLICY a_device_reads_its_campus ON hub_snapshot_change FOR SELECT USING (
    (SELECT cct_my_device()) IS NOT NULL
    AND ((SELECT cct_my_campus_scope()) IS NULL
         OR cardinality(campus_ids) = 0
         OR (SELECT cct_my_campus_scope()) = ANY (campus_ids))
);

DO $$
BEGIN
    EXECUTE format('GRANT SELECT ON hub_compaction, hub_snapshot, hub_snapshot_change TO %I', cct_group('device'));
END
$$;

-- Makes a snapshot when the schedule says one is due, then prunes the log up to the latest
-- snapshot and to what every active computer has fetched. Returns the new snapshot's id (NULL
-- when none was due) and how many changes were pruned now.
CREATE FUNCTION cct_compact(OUT made_snapshot BIGINT, OUT pruned BIGINT)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me TEXT := cct_require_device();
    policy hub_compaction%ROWTYPE;
    previous hub_snapshot%ROWTYPE;
    base BIGINT;
    upto BIGINT;
    started TIMESTAMPTZ := clock_timestamp();
    before_count BIGINT;
    kept_count BIGINT;
    horizon BIGINT;
BEGIN
    -- One compaction at a time; a computer that finds one running leaves it be.
    IF NOT pg_try_advisory_xact_lock(hashtext('cct_compact')) THEN
        made_snapshot := NULL;
        pruned := 0;
        RETURN;
    END IF;
    SELECT * INTO policy FROM hub_compaction FOR UPDATE;
    SELECT * INTO previous FROM hub_snapshot ORDER BY id DESC LIMIT 1;
    base := COALESCE(previous.through_seq, 0);
    -- Pushes draw their seqs one push at a time (under the push lock) and commit before the
    -- next one draws, so a push still in flight holds seqs above every committed one: the
    -- snapshot, up to the highest committed seq, misses none.
    SELECT COALESCE(max(seq), 0) INTO upto FROM hub_change;

    IF upto - base >= policy.min_new_changes AND upto > base
       AND (previous.id IS NULL OR previous.made_at <= now() - policy.min_interval) THEN
        INSERT INTO hub_snapshot (made_by_device, through_seq, changes_before, changes_kept, took_ms)
        VALUES (me, upto, 0, 0, 0) RETURNING id INTO made_snapshot;
        WITH candidate AS (
            SELECT s.ord AS first_seq, s.id, s.device_id, s.table_name, s.record_id, s.fields, s.deleted, s.hlc, s.campus_ids
            FROM hub_snapshot_change s WHERE s.snapshot_id = previous.id
            UNION ALL
            -- A change sent again after it was pruned is in the snapshot already.
            SELECT c.seq, c.id, c.device_id, c.table_name, c.record_id, c.fields, c.deleted, c.hlc, c.campus_ids
            FROM hub_change c
            WHERE c.seq > base AND c.seq <= upto
              AND NOT EXISTS (SELECT 1 FROM hub_snapshot_change s WHERE s.snapshot_id = previous.id AND s.id = c.id)
        ),
        record AS (
            SELECT table_name, record_id, min(first_seq) AS ord, count(*) AS changes FROM candidate GROUP BY 1, 2
        ),
        -- The fields of records written more than once, and their deletions (key '').
        field AS (
            SELECT c.id, c.table_name, c.record_id, c.campus_ids, k.key,
                   (c.hlc || '@' || c.device_id) COLLATE "C" AS version
            FROM candidate c
            JOIN record r ON r.table_name = c.table_name AND r.record_id = c.record_id AND r.changes > 1
            CROSS JOIN LATERAL (SELECT jsonb_object_keys(c.fields) UNION ALL SELECT '' WHERE c.deleted) AS k(key)
        ),
        -- The latest writer of each field among the changes seen by the same campuses...
        top AS (
            SELECT DISTINCT ON (table_name, record_id, key, campus_ids) *
            FROM field ORDER BY table_name, record_id, key, campus_ids, version DESC
        ),
        -- ...unless a later writer is seen wherever it is.
        kept AS (
            SELECT y.id, y.key FROM top y
            WHERE NOT EXISTS (
                SELECT 1 FROM top z
                WHERE z.table_name = y.table_name AND z.record_id = y.record_id AND z.key = y.key
                  AND z.version > y.version AND z.campus_ids <> y.campus_ids
                  AND (cardinality(z.campus_ids) = 0 OR (cardinality(y.campus_ids) > 0 AND z.campus_ids @> y.campus_ids)))
        ),
        kept_change AS (
            SELECT k.id,
                   COALESCE(jsonb_object_agg(k.key, c.fields -> k.key) FILTER (WHERE k.key <> ''), '{}'::jsonb) AS fields,
                   bool_or(k.key = '') AS deleted
            FROM kept k JOIN candidate c ON c.id = k.id
            GROUP BY k.id
        )
        INSERT INTO hub_snapshot_change (snapshot_id, ord, id, device_id, table_name, record_id, fields, deleted, hlc, campus_ids)
        SELECT made_snapshot, r.ord, c.id, c.device_id, c.table_name, c.record_id,
               CASE WHEN r.changes = 1 THEN c.fields ELSE kc.fields END,
               CASE WHEN r.changes = 1 THEN c.deleted ELSE kc.deleted END,
               c.hlc, c.campus_ids
        FROM candidate c
        JOIN record r ON r.table_name = c.table_name AND r.record_id = c.record_id
        LEFT JOIN kept_change kc ON kc.id = c.id
        WHERE r.changes = 1 OR kc.id IS NOT NULL;
        GET DIAGNOSTICS kept_count = ROW_COUNT;
        SELECT (SELECT count(*) FROM hub_snapshot_change WHERE snapshot_id = previous.id)
             + (SELECT count(*) FROM hub_change WHERE seq > base AND seq <= upto)
        INTO before_count;
        UPDATE hub_snapshot
        SET changes_before = before_count, changes_kept = kept_count,
            took_ms = (extract(epoch FROM clock_timestamp() - started) * 1000)::bigint
        WHERE id = made_snapshot;
        -- A computer reading the previous snapshot keeps its view of it until it is done.
        DELETE FROM hub_snapshot WHERE id < made_snapshot;
        base := upto;
    END IF;

    -- The log goes up to the latest snapshot, and no further than every active computer fetched.
    SELECT LEAST(base, COALESCE(min(d.pulled_through), 0)) INTO horizon
    FROM hub_device d
    WHERE d.removed_at IS NULL AND COALESCE(d.last_contact_at, d.joined_at) > now() - policy.inactive_after;
    pruned := 0;
    IF horizon > policy.pruned_through THEN
        DELETE FROM hub_change WHERE seq <= horizon;
        GET DIAGNOSTICS pruned = ROW_COUNT;
        UPDATE hub_compaction SET pruned_through = horizon, pruned_changes = pruned_changes + pruned;
    END IF;
END
$$;

-- A person who joins a campus takes their history with them (changes and audit rows): now
-- in the snapshot as well.
CREATE OR REPLACE FUNCTION cct_tag_person_with_campus(p_person TEXT, p_campus TEXT, p_tables TEXT[]) RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me TEXT := cct_require_device();
BEGIN
    IF NOT EXISTS (SELECT 1 FROM hub_change WHERE fields ? 'people_id' AND fields->>'people_id' = p_person
                   AND table_name = 'people_campus' AND fields->>'campus_id' = p_campus AND device_id = me) THEN
        RAISE EXCEPTION 'cct: no such campus link from this device' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE hub_change SET campus_ids = campus_ids || p_campus
    WHERE NOT (p_campus = ANY (campus_ids))
      AND ((table_name = 'people' AND record_id = p_person)
           OR (fields ? 'people_id' AND fields->>'people_id' = p_person AND table_name = ANY (p_tables)));
    UPDATE hub_audit SET campus_ids = campus_ids || p_campus
    WHERE NOT (p_campus = ANY (campus_ids))
      AND ((table_name = 'people' AND record_id = p_person)
           OR (new_values ? 'people_id' AND new_values->>'people_id' = p_person AND table_name = ANY (p_tables)));
    UPDATE hub_snapshot_change SET campus_ids = campus_ids || p_campus
    WHERE NOT (p_campus = ANY (campus_ids))
      AND ((table_name = 'people' AND record_id = p_person)
           OR (fields ? 'people_id' AND fields->>'people_id' = p_person AND table_name = ANY (p_tables)));
END
$$;

REVOKE ALL ON FUNCTION cct_compact() FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION cct_compact() TO %I', cct_group('device'));
END
$$;
