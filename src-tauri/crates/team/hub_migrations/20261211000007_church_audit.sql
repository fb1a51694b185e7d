-- The church's one audit trail: every computer's audit rows, append-only. A computer adds its
-- own rows through cct_add_audit_rows, which names the caller as their computer whatever the
-- rows say; it reads the rows its campus scope allows; no computer changes or removes a row
-- (there is no grant for it, and no function that does).

CREATE TABLE hub_audit (
    seq          BIGSERIAL UNIQUE,
    id           TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
    device_id    TEXT NOT NULL REFERENCES hub_device(id),
    table_name   TEXT NOT NULL CHECK (length(table_name) BETWEEN 1 AND 100),
    record_id    TEXT NOT NULL CHECK (length(record_id) BETWEEN 1 AND 200),
    action       TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    old_values   JSONB,
    new_values   JSONB,
    reason       TEXT,
    changed_by   TEXT,
    changed_at   TEXT NOT NULL,
    user_agent   TEXT,
    campus_ids   TEXT[] NOT NULL DEFAULT '{}',
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX hub_audit_campus ON hub_audit USING GIN (campus_ids);
CREATE INDEX hub_audit_person ON hub_audit ((new_values->>'people_id')) WHERE new_values ? 'people_id';
CREATE INDEX hub_audit_record ON hub_audit (table_name, record_id);

ALTER TABLE hub_audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY a_device_reads_its_campus ON hub_audit FOR SELECT USING (
    (SELECT cct_my_device()) IS NOT NULL
    AND ((SELECT cct_my_campus_scope()) IS NULL
         OR cardinality(campus_ids) = 0
         OR (SELECT cct_my_campus_scope()) = ANY (campus_ids))
);

DO $$
BEGIN
    EXECUTE format('GRANT SELECT ON hub_audit TO %I', cct_group('device'));
END
$$;

-- Adds the caller's rows (a JSON array of objects with the audit columns), keeping one copy
-- of a row sent twice. The lock makes a row with a lower seq always commit before one with a
-- higher seq, so a computer reading by seq never skips one. Returns how many were new.
CREATE FUNCTION cct_add_audit_rows(p_rows JSONB) RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me TEXT := cct_require_device();
    added BIGINT;
BEGIN
    IF jsonb_typeof(p_rows) IS DISTINCT FROM 'array' OR jsonb_array_length(p_rows) > 1000 THEN
        RAISE EXCEPTION 'cct: audit rows come as an array of at most 1000' USING ERRCODE = 'check_violation';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('cct_add_audit_rows'));
    INSERT INTO hub_audit (id, device_id, table_name, record_id, action, old_values, new_values, reason,
                           changed_by, changed_at, user_agent, campus_ids)
    SELECT r->>'id', me, r->>'table_name', r->>'record_id', r->>'action',
           NULLIF(r->'old_values', 'null'::jsonb), NULLIF(r->'new_values', 'null'::jsonb), r->>'reason',
           r->>'changed_by', r->>'changed_at', r->>'user_agent',
           COALESCE(ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(r->'campus_ids') = 'array'
                                                                THEN r->'campus_ids' ELSE '[]'::jsonb END)), '{}')
    FROM jsonb_array_elements(p_rows) AS r
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    RETURN added;
END
$$;

-- A person who joins a campus takes their history with them: their changes (as before) and
-- now the audit rows about them, so the campus's laptops see who did what to their records.
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
END
$$;
