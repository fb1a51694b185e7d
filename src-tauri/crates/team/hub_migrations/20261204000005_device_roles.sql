-- Each computer of the team logs in to the hub as a PostgreSQL role of its own, and the hub,
-- not the app, decides what that role may do:
--   * it reads the changes its campus scope allows, and inserts changes under its own id only;
--   * it never updates, deletes or truncates a change;
--   * everything else it writes (last contact, leases, station letters, passwords' hashes, join
--     codes, removals) goes through the SECURITY DEFINER functions below, which check the caller
--     (`session_user`) against `hub_device`.
-- The hub's owner (the role in the address the team was created with) keeps its tables; it is
-- used to create the team and to bring the tables up to a new release, never for daily sync.
--
-- Roles belong to the PostgreSQL server, not to one database. This hub's group roles carry a
-- prefix of their own, so two hubs on one server never share a privilege. A computer's own
-- role is named after its device id (`cct_d_<id>`), which it knows before it connects.

CREATE TABLE hub_roles (
    singleton   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    prefix      TEXT NOT NULL,
    -- A hub of the release before, whose computers all logged in as the owner with one shared
    -- password: that password is retired once every computer has its own role. A new team's
    -- owner password is left as the server's administrator set it.
    shared_password_in_use BOOLEAN NOT NULL
);
INSERT INTO hub_roles (prefix, shared_password_in_use)
VALUES ('cct_' || substr(md5(random()::text || clock_timestamp()::text), 1, 10), EXISTS (SELECT 1 FROM hub_device));

ALTER TABLE hub_device
    ADD COLUMN role_name TEXT UNIQUE,
    -- An administrators' computer: it may make join codes and remove devices.
    ADD COLUMN may_add_devices BOOLEAN NOT NULL DEFAULT FALSE,
    -- Only devices from the release before still have one: it is cleared when they take their role.
    ALTER COLUMN secret_hash DROP NOT NULL;
ALTER TABLE hub_join_code
    -- The role a new computer logs in as, once, with the join code as its password.
    ADD COLUMN role_name TEXT UNIQUE,
    ADD COLUMN may_add_devices BOOLEAN NOT NULL DEFAULT FALSE;

-- A team made by the release before: the computer that created it, and any that made join
-- codes, were the administrators' computers.
UPDATE hub_device SET may_add_devices = TRUE
WHERE id IN (SELECT made_by_device FROM hub_join_code)
   OR joined_at = (SELECT min(joined_at) FROM hub_device);

CREATE FUNCTION cct_group(kind TEXT) RETURNS TEXT LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT prefix || '_' || kind FROM hub_roles
$$;

DO $$
DECLARE
    device_group TEXT := cct_group('device');
    admin_group TEXT := cct_group('admin');
    joiner_group TEXT := cct_group('joiner');
BEGIN
    EXECUTE format('CREATE ROLE %I NOLOGIN', device_group);
    EXECUTE format('CREATE ROLE %I NOLOGIN IN ROLE %I', admin_group, device_group);
    EXECUTE format('CREATE ROLE %I NOLOGIN', joiner_group);
    BEGIN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I, %I', current_database(), device_group, joiner_group);
    EXCEPTION WHEN insufficient_privilege THEN
        NULL; -- an owner of the tables but not of the database: PUBLIC's CONNECT serves
    END;
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I, %I', device_group, joiner_group);
    EXECUTE format('GRANT SELECT ON hub_church, hub_change, hub_station_letter, hub_sign_in, hub_outbox_lease TO %I', device_group);
    -- Not secret_hash, nor who removed whom.
    EXECUTE format('GRANT SELECT (id, name, campus_scope, joined_at, last_contact_at, unsent_changes, pulled_through, removed_at, role_name, may_add_devices) ON hub_device TO %I', device_group);
    EXECUTE format('GRANT INSERT ON hub_change TO %I', device_group);
    EXECUTE format('GRANT USAGE ON SEQUENCE hub_change_seq_seq TO %I', device_group);
END
$$;

-- The calling computer, for the policies: its id while it is a member, else NULL.
CREATE FUNCTION cct_my_device() RETURNS TEXT LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT id FROM hub_device WHERE role_name = session_user AND removed_at IS NULL
$$;

CREATE FUNCTION cct_my_campus_scope() RETURNS TEXT LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT campus_scope FROM hub_device WHERE role_name = session_user
$$;

-- The calling computer, for the functions: refused unless it is a member, and its row held
-- until the transaction ends, so a removal waits for a push in flight and no push starts after.
CREATE FUNCTION cct_require_device() RETURNS TEXT LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me hub_device%ROWTYPE;
BEGIN
    SELECT * INTO me FROM hub_device WHERE role_name = session_user FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'cct: not a member' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF me.removed_at IS NOT NULL THEN
        RAISE EXCEPTION 'cct: device removed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN me.id;
END
$$;

-- Row-level security on every hub table. The owner is not subject to it (it keeps the tables);
-- a device sees rows only while it is a member, and of the changes only its campus's.
ALTER TABLE hub_change ENABLE ROW LEVEL SECURITY;
CREATE POLICY a_device_reads_its_campus ON hub_change FOR SELECT USING (
    (SELECT cct_my_device()) IS NOT NULL
    AND ((SELECT cct_my_campus_scope()) IS NULL
         OR cardinality(campus_ids) = 0
         OR (SELECT cct_my_campus_scope()) = ANY (campus_ids))
);
CREATE POLICY a_device_writes_as_itself ON hub_change FOR INSERT WITH CHECK (device_id = (SELECT cct_my_device()));

ALTER TABLE hub_church ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_read ON hub_church FOR SELECT USING ((SELECT cct_my_device()) IS NOT NULL);
ALTER TABLE hub_device ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_read ON hub_device FOR SELECT USING ((SELECT cct_my_device()) IS NOT NULL);
ALTER TABLE hub_station_letter ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_read ON hub_station_letter FOR SELECT USING ((SELECT cct_my_device()) IS NOT NULL);
ALTER TABLE hub_sign_in ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_read ON hub_sign_in FOR SELECT USING ((SELECT cct_my_device()) IS NOT NULL);
ALTER TABLE hub_outbox_lease ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_read ON hub_outbox_lease FOR SELECT USING ((SELECT cct_my_device()) IS NOT NULL);
-- No policy: no device reads join codes; the functions below do.
ALTER TABLE hub_join_code ENABLE ROW LEVEL SECURITY;

-- A computer's own role: made (or, for a removed one that joins again, let in again) with the
-- SCRAM verifier the computer computed, so its password never reaches the hub.
CREATE FUNCTION cct_device_role(p_device_id TEXT, p_verifier TEXT, p_may_add_devices BOOLEAN) RETURNS TEXT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    role TEXT := 'cct_d_' || replace(p_device_id, '-', '');
BEGIN
    -- A device id is 16 random bytes in hex (a store's team_device), dashes allowed.
    IF replace(p_device_id, '-', '') !~ '^[0-9a-f]{32}$' THEN
        RAISE EXCEPTION 'cct: device id unreadable' USING ERRCODE = 'check_violation';
    END IF;
    IF p_verifier !~ '^SCRAM-SHA-256\$4096:' THEN
        RAISE EXCEPTION 'cct: password verifier unreadable' USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role) THEN
        EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', role, p_verifier);
    ELSE
        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', role, p_verifier);
    END IF;
    EXECUTE format('GRANT %I TO %I', cct_group('device'), role);
    IF p_may_add_devices THEN
        EXECUTE format('GRANT %I TO %I', cct_group('admin'), role);
    ELSE
        EXECUTE format('REVOKE %I FROM %I', cct_group('admin'), role);
    END IF;
    -- pg_terminate_backend, at a removal, needs the owner to hold the device's role (short of
    -- being a superuser, which holds every role already).
    BEGIN
        EXECUTE format('GRANT %I TO %I', role, current_user);
    EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
        NULL;
    END;
    RETURN role;
END
$$;

CREATE FUNCTION cct_enrol_device(p_device_id TEXT, p_name TEXT, p_campus_scope TEXT, p_may_add_devices BOOLEAN, p_verifier TEXT)
RETURNS VOID LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    role TEXT := cct_device_role(p_device_id, p_verifier, p_may_add_devices);
BEGIN
    INSERT INTO hub_device (id, name, campus_scope, secret_hash, role_name, may_add_devices)
    VALUES (p_device_id, trim(p_name), p_campus_scope, NULL, role, p_may_add_devices)
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, campus_scope = EXCLUDED.campus_scope, secret_hash = NULL,
        role_name = EXCLUDED.role_name, may_add_devices = EXCLUDED.may_add_devices,
        removed_at = NULL, removed_by = NULL, joined_at = now();
END
$$;

-- A computer of the release before takes a role of its own: it proves it holds its device
-- secret, and the secret's hash, no longer needed, is cleared.
CREATE FUNCTION cct_adopt_role(p_device_id TEXT, p_secret_hash TEXT, p_verifier TEXT) RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me hub_device%ROWTYPE;
BEGIN
    SELECT * INTO me FROM hub_device WHERE id = p_device_id FOR UPDATE;
    IF NOT FOUND OR me.secret_hash IS DISTINCT FROM p_secret_hash THEN
        RAISE EXCEPTION 'cct: not a member' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF me.removed_at IS NOT NULL THEN
        RAISE EXCEPTION 'cct: device removed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE hub_device SET role_name = cct_device_role(p_device_id, p_verifier, me.may_add_devices), secret_hash = NULL
    WHERE id = p_device_id;
END
$$;

CREATE FUNCTION cct_note_contact(p_unsent BIGINT, p_pulled_through BIGINT) RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me TEXT := cct_require_device();
BEGIN
    UPDATE hub_device SET last_contact_at = now(),
        unsent_changes = COALESCE(p_unsent, unsent_changes),
        pulled_through = COALESCE(p_pulled_through, pulled_through)
    WHERE id = me;
END
$$;

-- A person who joins a campus takes their history with them (see the push). Only the device
-- that sent the link may tag, and only with the link's campus.
CREATE FUNCTION cct_tag_person_with_campus(p_person TEXT, p_campus TEXT, p_tables TEXT[]) RETURNS VOID
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
END
$$;

CREATE FUNCTION cct_claim_lease(p_outbox_id TEXT, p_seconds FLOAT8, OUT granted BOOLEAN, OUT already_sent BOOLEAN, OUT held_by TEXT)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me TEXT := cct_require_device();
BEGIN
    INSERT INTO hub_outbox_lease AS l (outbox_id, device_id, leased_until)
    VALUES (p_outbox_id, me, now() + make_interval(secs => p_seconds))
    ON CONFLICT (outbox_id) DO UPDATE SET device_id = EXCLUDED.device_id, leased_until = EXCLUDED.leased_until
    WHERE l.completed_at IS NULL AND (l.leased_until < now() OR l.device_id = EXCLUDED.device_id);
    granted := FOUND;
    SELECT l.completed_at IS NOT NULL, l.device_id INTO already_sent, held_by FROM hub_outbox_lease l WHERE l.outbox_id = p_outbox_id;
END
$$;

CREATE FUNCTION cct_complete_leases(p_outbox_ids TEXT[]) RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me TEXT := cct_require_device();
BEGIN
    UPDATE hub_outbox_lease SET completed_at = now() WHERE outbox_id = ANY (p_outbox_ids) AND device_id = me;
END
$$;

-- Returns NULL when the letter is the caller's now, else the name of the computer holding it.
CREATE FUNCTION cct_claim_letter(p_letter TEXT) RETURNS TEXT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me TEXT := cct_require_device();
    holder TEXT;
BEGIN
    INSERT INTO hub_station_letter AS l (letter, device_id) VALUES (p_letter, me)
    ON CONFLICT (letter) DO UPDATE SET device_id = EXCLUDED.device_id, claimed_at = now()
    WHERE l.device_id = EXCLUDED.device_id
       OR EXISTS (SELECT 1 FROM hub_device d WHERE d.id = l.device_id AND d.removed_at IS NOT NULL);
    IF FOUND THEN
        RETURN NULL;
    END IF;
    SELECT d.name INTO holder FROM hub_station_letter l JOIN hub_device d ON d.id = l.device_id WHERE l.letter = p_letter;
    RETURN holder;
END
$$;

CREATE FUNCTION cct_put_sign_in(p_people_id TEXT, p_password_hash TEXT, p_set_at TEXT, p_set_on_device TEXT) RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me TEXT := cct_require_device();
BEGIN
    INSERT INTO hub_sign_in AS s (people_id, password_hash, set_at, set_on_device, sent_by_device)
    VALUES (p_people_id, p_password_hash, p_set_at, p_set_on_device, me)
    ON CONFLICT (people_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, set_at = EXCLUDED.set_at,
        set_on_device = EXCLUDED.set_on_device, sent_by_device = EXCLUDED.sent_by_device, received_at = now()
    WHERE EXCLUDED.set_at > s.set_at;
END
$$;

-- An administrators' computer makes a join code: a role `cct_j_<suffix>` that can log in once,
-- with the code as its password (the hub receives only its SCRAM verifier), and do nothing but
-- call cct_join. A campus computer makes codes for its own campus only.
CREATE FUNCTION cct_make_join_code(p_code_hash TEXT, p_role_suffix TEXT, p_verifier TEXT, p_campus_scope TEXT,
                                   p_may_add_devices BOOLEAN, p_made_by_person TEXT, p_expires_at TIMESTAMPTZ) RETURNS VOID
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me hub_device%ROWTYPE;
    spent TEXT;
    join_role TEXT := 'cct_j_' || p_role_suffix;
BEGIN
    SELECT * INTO me FROM hub_device WHERE id = cct_require_device();
    IF NOT me.may_add_devices THEN
        RAISE EXCEPTION 'cct: only an administrators'' computer adds devices' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF me.campus_scope IS NOT NULL AND p_campus_scope IS DISTINCT FROM me.campus_scope THEN
        RAISE EXCEPTION 'cct: a campus computer adds devices for its own campus only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_role_suffix !~ '^[0-9a-f]{16}$' OR p_verifier !~ '^SCRAM-SHA-256\$4096:' THEN
        RAISE EXCEPTION 'cct: join code unreadable' USING ERRCODE = 'check_violation';
    END IF;
    -- Roles of codes used, or expired a week ago, are dropped: they can do nothing, but should
    -- not pile up on the server.
    FOR spent IN SELECT role_name FROM hub_join_code
                 WHERE role_name IS NOT NULL AND (used_at IS NOT NULL OR expires_at < now() - interval '7 days') LOOP
        EXECUTE format('DROP ROLE IF EXISTS %I', spent);
        UPDATE hub_join_code SET role_name = NULL WHERE role_name = spent;
    END LOOP;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', join_role, p_verifier, cct_group('joiner'));
    INSERT INTO hub_join_code (code_hash, campus_scope, made_by_device, made_by_person, expires_at, role_name, may_add_devices)
    VALUES (p_code_hash, p_campus_scope, me.id, p_made_by_person, p_expires_at, join_role, p_may_add_devices);
END
$$;

-- A new computer, logged in as its join code's role, becomes a member. A device id already in
-- use is refused: a join code never takes over another computer.
CREATE FUNCTION cct_join(p_device_id TEXT, p_name TEXT, p_verifier TEXT, OUT church_id TEXT, OUT campus_scope TEXT)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    code hub_join_code%ROWTYPE;
BEGIN
    SELECT * INTO code FROM hub_join_code WHERE role_name = session_user FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'cct: join code unknown' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF code.used_at IS NOT NULL THEN
        RAISE EXCEPTION 'cct: join code used' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF code.expires_at < now() THEN
        RAISE EXCEPTION 'cct: join code expired' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT h.church_id INTO church_id FROM hub_church h;
    IF church_id IS NULL THEN
        RAISE EXCEPTION 'cct: no team yet' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT 1 FROM hub_device d WHERE d.id = p_device_id AND d.removed_at IS NULL) THEN
        RAISE EXCEPTION 'cct: device id in use' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM cct_enrol_device(p_device_id, p_name, code.campus_scope, code.may_add_devices, p_verifier);
    UPDATE hub_join_code SET used_by_device = p_device_id, used_at = now() WHERE code_hash = code.code_hash;
    EXECUTE format('ALTER ROLE %I NOLOGIN', session_user);
    campus_scope := code.campus_scope;
END
$$;

-- Real removal: the computer's role can no longer log in, and its open connections end.
CREATE FUNCTION cct_remove_device(p_device_id TEXT) RETURNS BOOLEAN
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me hub_device%ROWTYPE;
    target hub_device%ROWTYPE;
BEGIN
    SELECT * INTO me FROM hub_device WHERE id = cct_require_device();
    IF NOT me.may_add_devices THEN
        RAISE EXCEPTION 'cct: only an administrators'' computer removes devices' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE hub_device SET removed_at = now(), removed_by = me.id
    WHERE id = p_device_id AND removed_at IS NULL
    RETURNING * INTO target;
    IF NOT FOUND THEN
        RETURN FALSE;
    END IF;
    IF target.role_name IS NOT NULL THEN
        EXECUTE format('ALTER ROLE %I NOLOGIN', target.role_name);
        PERFORM pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE usename = target.role_name AND pid <> pg_backend_pid();
    END IF;
    RETURN TRUE;
END
$$;

-- Functions are PUBLIC's to call unless revoked: each is granted to the roles that need it.
REVOKE ALL ON FUNCTION cct_group(TEXT), cct_my_device(), cct_my_campus_scope(), cct_require_device(),
    cct_device_role(TEXT, TEXT, BOOLEAN), cct_enrol_device(TEXT, TEXT, TEXT, BOOLEAN, TEXT), cct_adopt_role(TEXT, TEXT, TEXT),
    cct_note_contact(BIGINT, BIGINT), cct_tag_person_with_campus(TEXT, TEXT, TEXT[]), cct_claim_lease(TEXT, FLOAT8),
    cct_complete_leases(TEXT[]), cct_claim_letter(TEXT), cct_put_sign_in(TEXT, TEXT, TEXT, TEXT),
    cct_make_join_code(TEXT, TEXT, TEXT, TEXT, BOOLEAN, TEXT, TIMESTAMPTZ), cct_join(TEXT, TEXT, TEXT),
    cct_remove_device(TEXT) FROM PUBLIC;

DO $$
DECLARE
    device_group TEXT := cct_group('device');
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION cct_my_device(), cct_my_campus_scope(), cct_require_device(),
        cct_note_contact(BIGINT, BIGINT), cct_tag_person_with_campus(TEXT, TEXT, TEXT[]), cct_claim_lease(TEXT, FLOAT8),
        cct_complete_leases(TEXT[]), cct_claim_letter(TEXT), cct_put_sign_in(TEXT, TEXT, TEXT, TEXT) TO %I', device_group);
    EXECUTE format('GRANT EXECUTE ON FUNCTION cct_make_join_code(TEXT, TEXT, TEXT, TEXT, BOOLEAN, TEXT, TIMESTAMPTZ),
        cct_remove_device(TEXT) TO %I', cct_group('admin'));
    EXECUTE format('GRANT EXECUTE ON FUNCTION cct_join(TEXT, TEXT, TEXT) TO %I', cct_group('joiner'));
END
$$;
