-- Each attempt at a job, for its timeline (the dashboard's job page): which worker claimed it, when, whether it took
-- the job over from an earlier attempt (that attempt's lease expired, or its worker handed it back or deferred a
-- retry), and how the attempt ended. worker.jobs keeps only the current attempt (started_at and lease_owner are
-- overwritten by each claim, lease_owner is cleared at the end), so the history is recorded here, by a trigger on
-- jobs: every change JobStore makes is one UPDATE, and the attempt row changes in the same statement, never apart
-- from it. Jobs recorded before this migration have no attempts.
CREATE TABLE job_attempts (
    id          bigserial   PRIMARY KEY,
    job_id      uuid        NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    -- jobs.attempts once this attempt was claimed (an attempt handed back at shut-down is not counted: the next
    -- claim gets the same number)
    attempt     integer     NOT NULL,
    worker      text        NOT NULL,
    -- claimed while the job was RUNNING already: after an earlier attempt ended without finishing the job
    taken_over  boolean     NOT NULL,
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    -- SUCCEEDED / FAILED (the job finished in this attempt), LEASE_EXPIRED (another attempt took over after this
    -- one's lease ran out: its worker died or hung), HANDED_BACK (its worker shut down), RETRY (failed, to be tried
    -- again after a delay); null while it runs
    outcome     text        CHECK (outcome IN ('SUCCEEDED', 'FAILED', 'LEASE_EXPIRED', 'HANDED_BACK', 'RETRY')),
    error       text
);
CREATE INDEX job_attempts_job_idx ON job_attempts (job_id, started_at);

-- SET search_path FROM CURRENT: the function finds job_attempts in this schema whatever the updating session's
-- search path is
CREATE FUNCTION record_job_attempt() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NEW.status = 'RUNNING' AND NEW.lease_owner IS NOT NULL AND NEW.attempts = OLD.attempts + 1 THEN
        -- a claim (JobStore.claim): an attempt still open lost its lease
        UPDATE job_attempts SET ended_at = greatest(job_attempts.started_at,
                                            least(coalesce(OLD.lease_until, NEW.started_at), NEW.started_at)),
                                outcome = 'LEASE_EXPIRED', error = OLD.error
        WHERE job_id = NEW.id AND ended_at IS NULL;
        INSERT INTO job_attempts (job_id, attempt, worker, taken_over, started_at)
        VALUES (NEW.id, NEW.attempts, NEW.lease_owner, OLD.status = 'RUNNING', coalesce(NEW.started_at, now()));
    ELSIF NEW.status = 'RUNNING' AND OLD.status = 'RUNNING' AND NEW.attempts = OLD.attempts - 1
            AND NEW.lease_owner IS NOT DISTINCT FROM OLD.lease_owner THEN
        -- a claim undone before it ran (JobStore.releaseClaim)
        DELETE FROM job_attempts WHERE job_id = NEW.id AND ended_at IS NULL;
    ELSIF NEW.status = 'RUNNING' AND OLD.status = 'RUNNING' AND OLD.lease_owner IS NOT NULL
            AND NEW.lease_owner IS NULL THEN
        -- handed back at shut-down (attempt not counted) or deferred to a retry (JobStore.handBack, retryLater)
        UPDATE job_attempts SET ended_at = now(),
                                outcome = CASE WHEN NEW.attempts < OLD.attempts THEN 'HANDED_BACK' ELSE 'RETRY' END,
                                error = NEW.error
        WHERE job_id = NEW.id AND ended_at IS NULL;
    ELSIF NEW.status IN ('SUCCEEDED', 'FAILED') AND OLD.status = 'RUNNING' THEN
        -- finished by its worker; or given up (JobStore.abandon: FAILED once the last attempt's lease expired), when
        -- the attempt still open is that of a worker that died or hung
        UPDATE job_attempts SET ended_at = CASE WHEN abandoned THEN greatest(job_attempts.started_at, OLD.lease_until)
                                                ELSE coalesce(NEW.finished_at, now()) END,
                                outcome = CASE WHEN abandoned THEN 'LEASE_EXPIRED' ELSE NEW.status END,
                                error = NEW.error
        FROM (SELECT NEW.status = 'FAILED' AND OLD.lease_until < now() AS abandoned) AS finish
        WHERE job_id = NEW.id AND ended_at IS NULL;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_record_attempt AFTER UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION record_job_attempt();

-- In the read contract (version 1, the rules of V6 apply): the gateway shows a job's timeline from it.
CREATE VIEW v1_job_attempts AS
SELECT job_id, attempt, worker, taken_over, started_at, ended_at, outcome, error
FROM job_attempts;
