-- Planning Center's webhook deliveries, as the receiver beside the hub (`cct-webhooks`) stores
-- them: each event once, keyed by its event id, however often Planning Center retries it. The
-- church's computers read them in order (by seq) and pull the records they name at once.
--
-- The receiver logs in as a role of its own, in this hub's `_webhooks` group: it may only
-- store deliveries, through cct_receive_webhook. Computers may only read them. Nobody but the
-- owner changes or removes one.

CREATE TABLE planning_center_webhook_events (
    seq               BIGSERIAL PRIMARY KEY,
    event_id          TEXT NOT NULL UNIQUE CHECK (length(event_id) BETWEEN 1 AND 200),
    event_name        TEXT NOT NULL CHECK (length(event_name) BETWEEN 1 AND 200),
    -- The Planning Center id of the record the event names (the payload's data.id), when it has one.
    planning_center_id TEXT,
    payload           JSONB NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 1,
    received_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_received_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Inserting takes this lock first, so a delivery with a lower seq is always committed before
-- one with a higher seq, and a computer reading by seq never skips one (as for hub_change).
CREATE FUNCTION cct_receive_webhook(p_event_id TEXT, p_event_name TEXT, p_planning_center_id TEXT, p_payload JSONB)
RETURNS BOOLEAN LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('cct_receive_webhook'));
    INSERT INTO planning_center_webhook_events (event_id, event_name, planning_center_id, payload)
    VALUES (p_event_id, p_event_name, p_planning_center_id, p_payload)
    ON CONFLICT (event_id) DO UPDATE SET attempts = planning_center_webhook_events.attempts + 1,
        last_received_at = now();
    -- True for an event stored now, false for one stored before (a retry or a replay).
    RETURN (SELECT attempts = 1 FROM planning_center_webhook_events WHERE event_id = p_event_id);
END
$$;
REVOKE ALL ON FUNCTION cct_receive_webhook(TEXT, TEXT, TEXT, JSONB) FROM PUBLIC;

ALTER TABLE planning_center_webhook_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_read ON planning_center_webhook_events FOR SELECT USING ((SELECT cct_my_device()) IS NOT NULL);

DO $$
DECLARE
    receiver_group TEXT := cct_group('webhooks');
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = receiver_group) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', receiver_group);
    END IF;
    BEGIN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), receiver_group);
    EXCEPTION WHEN insufficient_privilege THEN
        NULL;
    END;
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', receiver_group);
    EXECUTE format('GRANT EXECUTE ON FUNCTION cct_receive_webhook(TEXT, TEXT, TEXT, JSONB) TO %I', receiver_group);
    EXECUTE format('GRANT SELECT ON planning_center_webhook_events TO %I', cct_group('device'));
END
$$;

-- The owner names the receiver's login role (see the README): this makes it, or gives an
-- existing role the receiver's rights, and nothing more.
CREATE FUNCTION cct_webhooks_receiver_role(p_role TEXT, p_password TEXT) RETURNS VOID
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF p_role !~ '^[a-z_][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'cct: role name unreadable' USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role) THEN
        EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', p_role, p_password);
    ELSE
        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_role, p_password);
    END IF;
    EXECUTE format('GRANT %I TO %I', cct_group('webhooks'), p_role);
END
$$;
REVOKE ALL ON FUNCTION cct_webhooks_receiver_role(TEXT, TEXT) FROM PUBLIC;
