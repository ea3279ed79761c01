package io.taskagent.backup.gateway.audit;

import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.model.MessageJson;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

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

    /** An accepted command for {@code jobId}: action, parameters and time. */
    public Optional<Map<String, Object>> acceptedCommand(UUID jobId) {
        return jdbc.sql("""
                        SELECT action, parameters::text AS parameters, at
                        FROM audit_log WHERE job_id = :jobId AND outcome = 'ACCEPTED'
                        ORDER BY at LIMIT 1""")
                .param("jobId", jobId)
                .query((rs, n) -> Map.<String, Object>of("action", rs.getString("action"),
                        "parameters", rs.getString("parameters"), "at", rs.getTimestamp("at").toInstant()))
                .optional();
    }
}
