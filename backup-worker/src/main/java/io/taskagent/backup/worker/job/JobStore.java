package io.taskagent.backup.worker.job;

import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.job.JobStatus;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The worker's job execution records ({@code worker.jobs}); this service is their only writer.
 * Every state change is one conditional update, {@code UPDATE ... WHERE status IN (:allowed)} with the sources that
 * {@link JobStatus#allowedFrom()} lists for the target state, and, for a running job, a check of the lease (its
 * owner, or its expiry): a transition the table does not list cannot happen, and two workers can never both finish
 * one job.
 */
@Repository
public class JobStore {

    private static final String COLUMNS = "id, kind, type, target, requested_by, subject_id, attempts";
    private static final RowMapper<Job> JOB = (rs, n) -> new Job(rs.getObject(1, UUID.class),
            JobKind.ofLabel(rs.getString(2)), rs.getString(3), rs.getString(4), rs.getString(5),
            rs.getObject(6, UUID.class), rs.getInt(7));

    private final JdbcClient jdbc;

    public JobStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A job as stored: what a worker needs to run it, or to take it over. */
    public record Job(UUID id, JobKind kind, String type, String target, String requestedBy, UUID subjectId,
                      int attempts) {
    }

    /**
     * A job to record.
     *
     * @param subjectId the job this one is about (the backup a verify or restore job uses), or null
     */
    public record NewJob(UUID id, JobKind kind, String type, String target, String requestedBy, Instant requestedAt,
                         UUID subjectId) {

        public NewJob {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(requestedAt, "requestedAt");
        }
    }

    /** Records a requested job, {@code QUEUED}, unless it is known already (a redelivered command changes nothing). */
    public void insertIfAbsent(NewJob job) {
        jdbc.sql("""
                        INSERT INTO jobs (id, kind, type, target, status, requested_by, requested_at, subject_id)
                        VALUES (:id, :kind, :type, :target, :status, :requestedBy, :requestedAt, :subject)
                        ON CONFLICT (id) DO NOTHING""")
                .param("id", job.id()).param("kind", job.kind().label()).param("type", job.type())
                .param("target", job.target()).param("status", JobStatus.QUEUED.name())
                .param("requestedBy", job.requestedBy()).param("requestedAt", Timestamp.from(job.requestedAt()))
                .param("subject", job.subjectId())
                .update();
    }

    /** Running jobs whose lease expired: their worker died or hangs. */
    public List<UUID> expiredLeases() {
        return jdbc.sql("SELECT id FROM jobs WHERE status = :running AND lease_until < now() ORDER BY requested_at")
                .param("running", JobStatus.RUNNING.name()).query(UUID.class).list();
    }

    public Optional<Job> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE id = :id").param("id", id).query(JOB).optional();
    }

    /**
     * Claims a job for {@code worker} ({@code -> RUNNING}): a queued job, or a running one whose lease expired
     * (taken over); the attempt count goes up by one.
     *
     * @return the claimed job, or empty when it is finished, unknown, or another worker holds a live lease
     */
    public Optional<Job> claim(UUID id, String worker, Duration lease) {
        return transition(id, JobStatus.RUNNING, """
                        attempts = attempts + 1, started_at = now(), lease_owner = :worker,
                        lease_until = now() + make_interval(secs => :leaseSeconds)""",
                "(lease_until IS NULL OR lease_until < now())",
                s -> s.param("worker", worker).param("leaseSeconds", (double) lease.toSeconds()));
    }

    /**
     * Hands a running job back at shutdown: no longer this worker's (owner cleared, so its late finish, renewal or
     * failure changes nothing and announces nothing), the lease ended now so that any worker's reaper takes it over
     * at once, the attempt not counted, the reason kept as the job's error. Not a transition: the job stays
     * {@code RUNNING}. True when it was still this worker's.
     */
    public boolean handBack(UUID id, String worker, String reason) {
        return jdbc.sql("""
                        UPDATE jobs SET attempts = greatest(attempts - 1, 0), lease_owner = NULL,
                               lease_until = now() - interval '1 second', error = :reason, updated_at = now()
                        WHERE id = :id AND status = :running AND lease_owner = :worker""")
                .param("id", id).param("running", JobStatus.RUNNING.name()).param("worker", worker)
                .param("reason", reason).update() == 1;
    }

    /**
     * Undoes this worker's claim of a job it will not run after all (its take-over could not be started): the
     * attempt is not counted and the lease ends now, so that any worker takes the job over at once. Not a transition:
     * the job stays {@code RUNNING}.
     */
    public boolean releaseClaim(UUID id, String worker) {
        return jdbc.sql("""
                        UPDATE jobs SET attempts = attempts - 1, lease_until = now() - interval '1 second', updated_at = now()
                        WHERE id = :id AND status = :running AND lease_owner = :worker""")
                .param("id", id).param("running", JobStatus.RUNNING.name()).param("worker", worker)
                .update() == 1;
    }

    /**
     * Ends this worker's attempt at a job that is to be tried again after {@code delay}: the job stays
     * {@code RUNNING}, its lease ends then (no longer this worker's to renew) with the reason kept as its error, and
     * a worker takes it over as a new attempt ({@code LeaseReaper}), or gives up when the attempts are used up.
     */
    public boolean retryLater(UUID id, String worker, Duration delay, String error) {
        return jdbc.sql("""
                        UPDATE jobs SET lease_until = now() + make_interval(secs => :delay), lease_owner = NULL,
                               error = :error, updated_at = now()
                        WHERE id = :id AND status = :running AND lease_owner = :worker""")
                .param("delay", delay.toMillis() / 1000.0).param("error", error).param("id", id)
                .param("running", JobStatus.RUNNING.name()).param("worker", worker)
                .update() == 1;
    }

    /** {@code RUNNING -> FAILED} for a job whose lease expired, when it used up its attempts. */
    public boolean abandon(UUID id, String error) {
        return transition(id, JobStatus.FAILED, FINISHED, "lease_until < now()",
                s -> s.param("error", error).param("result", null)).isPresent();
    }

    /** Progress of a running job (rows only). */
    public void progress(UUID id, String worker, Long rowsDone, Long rowsEstimated) {
        progress(id, worker, rowsDone, rowsEstimated, null, null, null);
    }

    /** Progress of a running job; a null figure keeps the one recorded. */
    public void progress(UUID id, String worker, Long rowsDone, Long rowsEstimated, Integer tablesDone,
                         Integer tableCount, String phase) {
        jdbc.sql("""
                        UPDATE jobs SET rows_done = coalesce(:done, rows_done),
                               rows_estimated = coalesce(:estimated, rows_estimated),
                               tables_done = coalesce(:tablesDone, tables_done),
                               table_count = coalesce(:tableCount, table_count),
                               phase = coalesce(:phase, phase), updated_at = now()
                        WHERE id = :id AND status = :running AND lease_owner = :worker""")
                .param("done", rowsDone).param("estimated", rowsEstimated).param("tablesDone", tablesDone)
                .param("tableCount", tableCount).param("phase", phase).param("id", id)
                .param("running", JobStatus.RUNNING.name()).param("worker", worker)
                .update();
    }

    /** The job's result document, if any. */
    public Optional<String> resultOf(UUID id) {
        return jdbc.sql("SELECT result::text FROM jobs WHERE id = :id").param("id", id).query(String.class).optional()
                .filter(Objects::nonNull);
    }

    /**
     * Keeps a queued job's request parameters in its result document, for a worker taking the job over; a
     * redelivered command for a job already running or finished changes nothing.
     */
    public void requestOf(UUID id, String json) {
        jdbc.sql("UPDATE jobs SET result = CAST(:json AS jsonb) WHERE id = :id AND status = :queued")
                .param("json", json).param("id", id).param("queued", JobStatus.QUEUED.name()).update();
    }

    /** Extends the lease of a job this worker runs; false when it lost the lease. */
    public boolean renewLease(UUID id, String worker, Duration lease) {
        return jdbc.sql("""
                        UPDATE jobs SET lease_until = now() + make_interval(secs => :leaseSeconds), updated_at = now()
                        WHERE id = :id AND status = :running AND lease_owner = :worker""")
                .param("leaseSeconds", (double) lease.toSeconds()).param("id", id)
                .param("running", JobStatus.RUNNING.name()).param("worker", worker)
                .update() == 1;
    }

    /** {@code RUNNING -> SUCCEEDED}, by the lease owner only. */
    public boolean succeed(UUID id, String worker) {
        return finish(id, worker, JobStatus.SUCCEEDED, null, null);
    }

    /**
     * {@code RUNNING -> SUCCEEDED} with the job's result document, in one statement: a reader never sees the job
     * finished without its result.
     */
    public boolean succeed(UUID id, String worker, String resultJson) {
        return finish(id, worker, JobStatus.SUCCEEDED, null, resultJson);
    }

    /** {@code RUNNING -> FAILED} with a reason, by the lease owner only. */
    public boolean fail(UUID id, String worker, String error) {
        return finish(id, worker, JobStatus.FAILED, error, null);
    }

    /** {@code RUNNING -> FAILED} with a reason and a result document (e.g. the problems found), in one statement. */
    public boolean fail(UUID id, String worker, String error, String resultJson) {
        return finish(id, worker, JobStatus.FAILED, error, resultJson);
    }

    public Optional<JobStatus> status(UUID id) {
        return jdbc.sql("SELECT status FROM jobs WHERE id = :id").param("id", id)
                .query(String.class).optional().map(JobStatus::valueOf);
    }

    /** What finishing sets, besides the status: a stored result document is kept unless a new one is given. */
    private static final String FINISHED = """
            finished_at = now(), error = :error, result = coalesce(CAST(:result AS jsonb), result),
            lease_owner = NULL, lease_until = NULL""";
    private boolean finish(UUID id, String worker, JobStatus to, String error, String resultJson) {
        return transition(id, to, FINISHED, "lease_owner = :worker",
                s -> s.param("worker", worker).param("error", error).param("result", resultJson)).isPresent();
    }

    /**
     * The one shape of every transition: {@code UPDATE jobs SET status = :to, <set>, updated_at = now() WHERE id = :id
     * AND status IN (<to.allowedFrom()>) AND <condition>}; returns the job as changed, empty when it did not change.
     */
    private Optional<Job> transition(UUID id, JobStatus to, String set, String condition,
                                     UnaryOperator<JdbcClient.StatementSpec> params) {
        List<String> from = to.allowedFrom().stream().map(JobStatus::name).toList();
        if (from.isEmpty()) {
            throw new IllegalArgumentException("no transition leads to " + to + ": a job is created " + to);
        }
        JdbcClient.StatementSpec statement = jdbc.sql("UPDATE jobs SET status = :to, " + set + ", updated_at = now()"
                        + " WHERE id = :id AND status IN (:from) AND " + condition + " RETURNING " + COLUMNS)
                .param("to", to.name()).param("id", id).param("from", from);
        return params.apply(statement).query(JOB).optional();
    }
}
