package io.taskagent.backup.gateway.audit;

import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.job.JobKind;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The gateway's audit trail ({@code gateway.audit_log}, written only here): who asked for which write, with which
 * parameters, and what came of it. A command the broker confirmed is recorded with outcome {@code ACCEPTED} and its
 * job id, which is also how a job is known as QUEUED before a worker picks it up.
 */
@Repository
public class AuditLog {

    private final JdbcClient jdbc;

    public AuditLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void record(Caller caller, String action, Map<String, ?> parameters, String outcome, UUID jobId,
                       String detail) {
        jdbc.sql("""
                        INSERT INTO audit_log (token_name, action, parameters, outcome, job_id, detail)
                        VALUES (:token, :action, CAST(:parameters AS jsonb), :outcome, :jobId, :detail)""")
                .param("token", caller.name()).param("action", action)
                .param("parameters", MessageJson.mapper().writeValueAsString(parameters))
                .param("outcome", outcome).param("jobId", jobId).param("detail", detail)
                .update();
    }

    /**
     * A command the broker confirmed, as the audit log recorded it.
     *
     * @param action    e.g. {@code backup.create}, {@code scheduler.configure}
     * @param command   the command's type, e.g. {@code ConfigureSchedule}
     * @param tokenName who asked
     * @param at        when it was accepted
     */
    public record AcceptedCommand(String action, String command, String tokenName, Instant at, String target) {

        /** The kind of job the action becomes: backup, restore, verify, cleanup, drill, or scheduler. */
        public String kind() {
            return switch (action) {
                case "backup.create" -> JobKind.BACKUP.label();
                case "backup.restore" -> JobKind.RESTORE.label();
                case "backup.verify" -> JobKind.VERIFY.label();
                case "backup.cleanup" -> JobKind.CLEANUP.label();
                case "backup.drill" -> JobKind.DRILL.label();
                default -> SCHEDULER_KIND;
            };
        }
    }

    /**
     * One entry of the audit log.
     *
     * @param parameters the request's parameters as recorded (JSON)
     * @param detail     the command published, or why the request was refused or failed
     */
    public record Entry(long id, Instant at, String tokenName, String action, String parameters, String outcome,
                        UUID jobId, String detail) {
    }

    /** The newest entries, from the {@code offset}-th on. */
    public List<Entry> recent(int limit, int offset) {
        return jdbc.sql("""
                        SELECT id, at, token_name, action, parameters::text AS parameters, outcome, job_id, detail
                        FROM audit_log ORDER BY at DESC, id DESC LIMIT :limit OFFSET :offset""")
                .param("limit", limit).param("offset", offset)
                .query((rs, n) -> new Entry(rs.getLong("id"), rs.getTimestamp("at").toInstant(),
                        rs.getString("token_name"), rs.getString("action"), rs.getString("parameters"),
                        rs.getString("outcome"), rs.getObject("job_id", UUID.class), rs.getString("detail")))
                .list();
    }

    /**
     * A job command the broker confirmed that no worker has recorded yet (it waits in the worker's queue).
     *
     * @param kind backup, restore, verify, cleanup or drill
     * @param type for a backup: its type
     */
    public record Pending(UUID jobId, String kind, String type, String target, String tokenName, Instant at) {
    }

    /**
     * The worker jobs accepted here since {@code since} that the worker's catalog ({@code worker.v1_jobs}) does not
     * hold yet, newest first: still in the broker's queue.
     */
    public List<Pending> pendingJobs(Instant since, int limit) {
        return jdbc.sql("""
                        SELECT a.job_id, a.action, a.parameters ->> 'backup_type' AS backup_type,
                               a.parameters ->> 'target' AS target, a.token_name, a.at
                        FROM audit_log a
                        WHERE a.outcome = 'ACCEPTED' AND a.job_id IS NOT NULL AND a.at >= :since
                          AND a.action IN ('backup.create', 'backup.restore', 'backup.verify', 'backup.drill')
                          AND NOT EXISTS (SELECT 1 FROM worker.v1_jobs j WHERE j.id = a.job_id)
                        ORDER BY a.at DESC LIMIT :limit""")
                .param("since", java.sql.Timestamp.from(since)).param("limit", limit)
                .query((rs, n) -> {
                    AcceptedCommand command = new AcceptedCommand(rs.getString("action"), null,
                            rs.getString("token_name"), rs.getTimestamp("at").toInstant(), rs.getString("target"));
                    return new Pending(rs.getObject("job_id", UUID.class), command.kind(), rs.getString("backup_type"),
                            command.target(), command.tokenName(), command.at());
                })
                .list();
    }

    /** The kind of a job made of settings commands (the scheduler's, the alert service's). */
    public static final String SCHEDULER_KIND = "scheduler";

    /** The commands the broker confirmed under {@code jobId}, oldest first (a configure may publish two). */
    public List<AcceptedCommand> acceptedCommands(UUID jobId) {
        return jdbc.sql("""
                        SELECT action, detail, token_name, at, parameters ->> 'target' AS target
                        FROM audit_log WHERE job_id = :jobId AND outcome = 'ACCEPTED'
                        ORDER BY at, id""")
                .param("jobId", jobId)
                .query((rs, n) -> new AcceptedCommand(rs.getString("action"), rs.getString("detail"),
                        rs.getString("token_name"), rs.getTimestamp("at").toInstant(), rs.getString("target")))
                .list();
    }
}
