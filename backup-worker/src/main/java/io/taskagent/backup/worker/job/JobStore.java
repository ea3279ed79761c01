package io.taskagent.backup.worker.job;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The worker's job execution records ({@code worker.jobs}); this service is their only writer.
 * Every state change is a conditional update that checks the expected state and, for a running job, the lease
 * owner: two workers can never both finish one job.
 */
@Repository
public class JobStore {

    private final JdbcClient jdbc;

    public JobStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A job as stored: what a worker needs to run it, or to take it over. */
    public record Job(UUID id, String kind, String type, String target, String requestedBy, UUID subjectId,
                      int attempts) {
    }

    /** Records a requested job unless it is known already (a redelivered command changes nothing). */
    public void insertIfAbsent(UUID id, String kind, String type, String target, String requestedBy,
                               Instant requestedAt) {
        insertIfAbsent(id, kind, type, target, requestedBy, requestedAt, null);
    }

    /** The same, for a job about another one ({@code subjectId}: the backup a verify job checks). */
    public void insertIfAbsent(UUID id, String kind, String type, String target, String requestedBy,
                               Instant requestedAt, UUID subjectId) {
        jdbc.sql("""
                        INSERT INTO jobs (id, kind, type, target, status, requested_by, requested_at, subject_id)
                        VALUES (:id, :kind, :type, :target, 'QUEUED', :requestedBy, :requestedAt, :subject)
                        ON CONFLICT (id) DO NOTHING""")
                .param("id", id).param("kind", kind).param("type", type).param("target", target)
                .param("requestedBy", requestedBy).param("requestedAt", Timestamp.from(requestedAt))
                .param("subject", subjectId)
                .update();
    }

    /** Running jobs whose lease expired: their worker died or hangs. */
    public List<UUID> expiredLeases() {
        return jdbc.sql("SELECT id FROM jobs WHERE status = 'RUNNING' AND lease_until < now() ORDER BY requested_at")
                .query(UUID.class).list();
    }

    public Optional<Job> find(UUID id) {
        return jdbc.sql("SELECT id, kind, type, target, requested_by, subject_id, attempts FROM jobs WHERE id = :id")
                .param("id", id)
                .query((rs, n) -> new Job(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getObject(6, UUID.class), rs.getInt(7)))
                .optional();
    }

    /** RUNNING (lease expired) -> FAILED, when a job used up its attempts. */
    public boolean abandon(UUID id, String error) {
        return jdbc.sql("""
                        UPDATE jobs SET status = 'FAILED', finished_at = now(), error = :error,
                               lease_owner = NULL, lease_until = NULL, updated_at = now()
                        WHERE id = :id AND status = 'RUNNING' AND lease_until < now()""")
                .param("error", error).param("id", id).update() == 1;
    }

    /** Progress of a running job. */
    public void progress(UUID id, String worker, Long rowsDone, Long rowsEstimated) {
        jdbc.sql("""
                        UPDATE jobs SET rows_done = coalesce(:done, rows_done),
                               rows_estimated = coalesce(:estimated, rows_estimated), updated_at = now()
                        WHERE id = :id AND status = 'RUNNING' AND lease_owner = :worker""")
                .param("done", rowsDone).param("estimated", rowsEstimated).param("id", id).param("worker", worker)
                .update();
    }

    /** The job's result document, if any. */
    public Optional<String> resultOf(UUID id) {
        return jdbc.sql("SELECT result::text FROM jobs WHERE id = :id").param("id", id).query(String.class).optional()
                .filter(java.util.Objects::nonNull);
    }

    /**
     * Keeps a queued job's request parameters in its result document, for a worker taking the job over; a
     * redelivered command for a job already running or finished changes nothing.
     */
    public void requestOf(UUID id, String json) {
        jdbc.sql("UPDATE jobs SET result = CAST(:json AS jsonb) WHERE id = :id AND status = 'QUEUED'")
                .param("json", json).param("id", id).update();
    }

    /**
     * Claims a queued job, or a running one whose lease expired, for {@code worker}.
     *
     * @return the attempt number, or empty when the job is finished or another worker holds a live lease
     */
    public Optional<Integer> claim(UUID id, String worker, Duration lease) {
        return jdbc.sql("""
                        UPDATE jobs SET status = 'RUNNING', attempts = attempts + 1,
                               started_at = now(), lease_owner = :worker,
                               lease_until = now() + make_interval(secs => :leaseSeconds), updated_at = now()
                        WHERE id = :id AND (status = 'QUEUED' OR (status = 'RUNNING' AND lease_until < now()))
                        RETURNING attempts""")
                .param("worker", worker).param("leaseSeconds", (double) lease.toSeconds()).param("id", id)
                .query(Integer.class).optional();
    }

    /** Extends the lease of a job this worker runs; false when it lost the lease. */
    public boolean renewLease(UUID id, String worker, Duration lease) {
        return jdbc.sql("""
                        UPDATE jobs SET lease_until = now() + make_interval(secs => :leaseSeconds), updated_at = now()
                        WHERE id = :id AND status = 'RUNNING' AND lease_owner = :worker""")
                .param("leaseSeconds", (double) lease.toSeconds()).param("id", id).param("worker", worker)
                .update() == 1;
    }

    /** RUNNING -> SUCCEEDED, by the lease owner only. */
    public boolean succeed(UUID id, String worker) {
        return finish(id, worker, JobStatus.SUCCEEDED, null, null);
    }

    /**
     * RUNNING -> SUCCEEDED with the job's result document, in one statement: a reader never sees the job finished
     * without its result.
     */
    public boolean succeed(UUID id, String worker, String resultJson) {
        return finish(id, worker, JobStatus.SUCCEEDED, null, resultJson);
    }

    /** RUNNING -> FAILED with a reason, by the lease owner only. */
    public boolean fail(UUID id, String worker, String error) {
        return finish(id, worker, JobStatus.FAILED, error, null);
    }

    /** RUNNING -> FAILED with a reason and a result document (e.g. the problems found), in one statement. */
    public boolean fail(UUID id, String worker, String error, String resultJson) {
        return finish(id, worker, JobStatus.FAILED, error, resultJson);
    }

    private boolean finish(UUID id, String worker, JobStatus to, String error, String resultJson) {
        String from = to.allowedFrom().iterator().next().name();
        return jdbc.sql("""
                        UPDATE jobs SET status = :to, finished_at = now(), error = :error,
                               result = coalesce(CAST(:result AS jsonb), result),
                               lease_owner = NULL, lease_until = NULL, updated_at = now()
                        WHERE id = :id AND status = :from AND lease_owner = :worker""")
                .param("to", to.name()).param("error", error).param("result", resultJson).param("id", id)
                .param("from", from).param("worker", worker)
                .update() == 1;
    }

    public Optional<JobStatus> status(UUID id) {
        return jdbc.sql("SELECT status FROM jobs WHERE id = :id").param("id", id)
                .query(String.class).optional().map(JobStatus::valueOf);
    }
}
