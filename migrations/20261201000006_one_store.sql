-- One store: a check-in that completes an enrollment now works out the person's
-- certifications in its own transaction, so the queue a check-in left for the store's writer
-- is no longer needed. What a previous release left queued in it is worked out by the store
-- as it opens, before this step drops it (see cct_store::office::progress).
DROP TABLE progress_pending;

-- Clashes with Planning Center are kept as a person reads the values ("Ann", not
-- `Some("Ann")`). Rows from the first releases held each value's Rust debug text: `None`,
-- `Some("…")`, `"…"`, `Some(1990-04-02)`, or a status such as `Active`.
UPDATE pco_sync_conflict SET
    local_value = CASE
        WHEN local_value = 'None' OR local_value = '""' OR local_value = 'Some("")' THEN NULL
        WHEN local_value LIKE 'Some("%")' THEN replace(substr(local_value, 7, length(local_value) - 8), '\"', '"')
        WHEN local_value LIKE 'Some(%)' THEN substr(local_value, 6, length(local_value) - 6)
        WHEN local_value LIKE '"%"' THEN replace(substr(local_value, 2, length(local_value) - 2), '\"', '"')
        WHEN local_value IN ('Active', 'Inactive') THEN lower(local_value)
        ELSE local_value
    END,
    remote_value = CASE
        WHEN remote_value = 'None' OR remote_value = '""' OR remote_value = 'Some("")' THEN NULL
        WHEN remote_value LIKE 'Some("%")' THEN replace(substr(remote_value, 7, length(remote_value) - 8), '\"', '"')
        WHEN remote_value LIKE 'Some(%)' THEN substr(remote_value, 6, length(remote_value) - 6)
        WHEN remote_value LIKE '"%"' THEN replace(substr(remote_value, 2, length(remote_value) - 2), '\"', '"')
        WHEN remote_value IN ('Active', 'Inactive') THEN lower(remote_value)
        ELSE remote_value
    END;
