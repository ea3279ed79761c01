package io.taskagent.backup.model.command;

import io.taskagent.backup.model.MessageJson;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.type.TypeReference;

import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Settings commands a service handled, by message id, in its own {@code commands} table (scheduler: StartScheduler,
 * StopScheduler, ConfigureSchedule, RequestCleanup; alert service: ConfigureAlerts): what makes a redelivered
 * command a no-op that only re-announces its outcome, and what the service publishes in its {@code v1_commands}
 * view. Each service declares it as a bean on its own catalog connection (its schema is its search path); the
 * table's columns are {@code message_id, job_id, command, requested_by, received_at, outcome, problems}.
 */
public class CommandLog {

    /**
     * What a handled command did.
     *
     * @param applied  applied (true) or rejected
     * @param problems why it was rejected, by field
     */
    public record Outcome(boolean applied, Map<String, String> problems) {
    }

    private static final TypeReference<Map<String, String>> PROBLEMS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;

    public CommandLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The outcome of a command handled before (it is redelivered), if it was. */
    public Optional<Outcome> outcome(UUID messageId) {
        return jdbc.sql("SELECT outcome, problems::text FROM commands WHERE message_id = :id").param("id", messageId)
                .query((rs, n) -> new Outcome("APPLIED".equals(rs.getString(1)),
                        rs.getString(2) == null ? Map.of() : MessageJson.mapper().readValue(rs.getString(2), PROBLEMS)))
                .optional();
    }

    public void record(UUID messageId, UUID jobId, String command, String requestedBy, Instant at, Outcome outcome) {
        jdbc.sql("""
                        INSERT INTO commands (message_id, job_id, command, requested_by, received_at, outcome, problems)
                        VALUES (:id, :job, :command, :by, :at, :outcome, CAST(:problems AS jsonb))""")
                .param("id", messageId).param("job", jobId).param("command", command).param("by", requestedBy)
                .param("at", Timestamp.from(at)).param("outcome", outcome.applied() ? "APPLIED" : "REJECTED")
                .param("problems", outcome.problems().isEmpty() ? null
                        : MessageJson.mapper().writeValueAsString(outcome.problems()), Types.VARCHAR)
                .update();
    }
}
