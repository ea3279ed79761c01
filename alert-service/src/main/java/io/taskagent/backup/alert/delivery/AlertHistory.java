package io.taskagent.backup.alert.delivery;

import io.taskagent.backup.alert.channel.Severity;
import io.taskagent.backup.model.BackupMessage;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Every alertable event received and what was decided about it ({@code alerts.alert_events}), once per message id:
 * a redelivered event keeps its first decision.
 */
@Repository
class AlertHistory {

    /**
     * @param suppressed      throttled: nothing is sent
     * @param suppressedCount for an alert: similar alerts suppressed before it
     * @param suppressedSince for an alert: since when
     */
    record Decision(boolean suppressed, int suppressedCount, Instant suppressedSince) {
    }

    private final JdbcClient jdbc;

    AlertHistory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Decision> find(UUID messageId) {
        return jdbc.sql("SELECT outcome, suppressed_count, suppressed_since FROM alert_events WHERE message_id = :id")
                .param("id", messageId)
                .query((rs, n) -> {
                    Timestamp since = rs.getTimestamp("suppressed_since");
                    return new Decision("SUPPRESSED".equals(rs.getString("outcome")), rs.getInt("suppressed_count"),
                            since == null ? null : since.toInstant());
                })
                .optional();
    }

    void record(BackupMessage event, Severity severity, Decision decision, String subject) {
        jdbc.sql("""
                        INSERT INTO alert_events (message_id, kind, severity, target, job_id, occurred_at, outcome,
                                                  suppressed_count, suppressed_since, subject)
                        VALUES (:id, :kind, :severity, :target, :jobId, :occurredAt, :outcome,
                                :suppressedCount, :suppressedSince, :subject)""")
                .param("id", event.messageId()).param("kind", event.getClass().getSimpleName())
                .param("severity", severity.label()).param("target", event.target()).param("jobId", event.jobId())
                .param("occurredAt", Timestamp.from(event.occurredAt()))
                .param("outcome", decision.suppressed() ? "SUPPRESSED" : "ALERT")
                .param("suppressedCount", decision.suppressed() ? 0 : decision.suppressedCount())
                .param("suppressedSince", decision.suppressedSince() == null || decision.suppressed()
                        ? null : Timestamp.from(decision.suppressedSince()), Types.TIMESTAMP)
                .param("subject", subject)
                .update();
    }
}
