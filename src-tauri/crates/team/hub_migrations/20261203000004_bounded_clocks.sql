-- The hub decides whether a change's clock is honest, not the pushing computer: a clock more
-- than ten minutes ahead of the hub's own (a laptop set years ahead, or a forged change such
-- as 9999999999999.999999) would win every later edit on every device. Clocks are fixed-width
-- text (13 digits of milliseconds, 6 of counter), so text order is time order; anything else
-- is refused too.
CREATE FUNCTION hub_change_clock_is_honest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.hlc !~ '^[0-9]{13}\.[0-9]{6}$' THEN
        RAISE EXCEPTION 'cct: clock unreadable' USING ERRCODE = 'check_violation';
    END IF;
    IF split_part(NEW.hlc, '.', 1)::bigint > (extract(epoch FROM clock_timestamp()) * 1000)::bigint + 600000 THEN
        RAISE EXCEPTION 'cct: clock ahead' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER hub_change_clock_is_honest BEFORE INSERT ON hub_change
    FOR EACH ROW EXECUTE FUNCTION hub_change_clock_is_honest();
