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

    /** Why an event was suppressed: the same alert went out within the throttling window. */
    static final String THROTTLED = "throttled";
    /** Why an event was suppressed: it is a failure event and alerting on failures is switched off. */
    static final String ALERT_ON_FAILURE_OFF = "alert_on_failure is off";

    /**
     * @param suppressed      nothing is sent: throttled, or a failure event while alert_on_failure is off
     * @param suppressedCount for an alert: similar alerts suppressed before it
     * @param suppressedSince for an alert: since when
     * @param reason          for a suppressed event: {@link #THROTTLED} or {@link #ALERT_ON_FAILURE_OFF}
     */
    record Decision(boolean suppressed, int suppressedCount, Instant suppressedSince, String reason) {

        static Decision suppressedBecause(String reason) {
            return new Decision(true, 0, null, reason);
        }
    }

    private final JdbcClient jdbc;

    AlertHistory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Decision> find(UUID messageId) {
        return jdbc.sql("""
                        SELECT outcome, suppressed_count, suppressed_since, suppressed_reason
                        FROM alert_events WHERE message_id = :id""")
                .param("id", messageId)
                .query((rs, n) -> {
                    Timestamp since = rs.getTimestamp("suppressed_since");
                    return new Decision("SUPPRESSED".equals(rs.getString("outcome")), rs.getInt("suppressed_count"),
                            since == null ? null : since.toInstant(), rs.getString("suppressed_reason"));
                })
                .optional();
    }

    void record(BackupMessage event, Severity severity, Decision decision, String subject) {
        jdbc.sql("""
                        INSERT INTO alert_events (message_id, kind, severity, target, job_id, occurred_at, outcome,
                                                  suppressed_count, suppressed_since, suppressed_reason, subject)
                        VALUES (:id, :kind, :severity, :target, :jobId, :occurredAt, :outcome,
                                :suppressedCount, :suppressedSince, :reason, :subject)""")
                .param("id", event.messageId()).param("kind", event.getClass().getSimpleName())
                .param("severity", severity.label()).param("target", event.target()).param("jobId", event.jobId())
                .param("occurredAt", Timestamp.from(event.occurredAt()))
                .param("outcome", decision.suppressed() ? "SUPPRESSED" : "ALERT")
                .param("suppressedCount", decision.suppressed() ? 0 : decision.suppressedCount())
                .param("suppressedSince", decision.suppressedSince() == null || decision.suppressed()
                        ? null : Timestamp.from(decision.suppressedSince()), Types.TIMESTAMP)
                .param("reason", decision.suppressed() ? decision.reason() : null, Types.VARCHAR)
                .param("subject", subject)
                .update();
    }
}
