package io.taskagent.backup.gateway.alerts;

import io.taskagent.backup.gateway.web.CatalogUnavailableException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The alert service's history, read through its read contract ({@code alerts.v1_alert_events},
 * {@code alerts.v1_deliveries}): every alertable event it received, whether it alerted or was suppressed (and why),
 * how many similar ones an alert reported as suppressed, and the channels it reached. Shown by
 * {@code GET /api/backup/alerts} and the dashboard's alerts page.
 */
@Component
public class AlertHistory {

    static final String EVENTS = "alerts.v1_alert_events";

    private final JdbcClient jdbc;

    AlertHistory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * One event the alert service decided about.
     *
     * @param outcome          {@code ALERT} or {@code SUPPRESSED}
     * @param suppressedReason why a suppressed one was not sent ({@code throttled}, {@code alert_on_failure is off})
     * @param suppressedCount  for an alert: similar events suppressed since the previous one, which it reported
     * @param channels         the channels an alert was delivered on; none for an alert still being retried or
     *                         dead-lettered after its last retry
     */
    public record Entry(UUID messageId, String kind, String severity, String target, UUID jobId, Instant occurredAt,
                        Instant decidedAt, String outcome, String suppressedReason, int suppressedCount,
                        Instant suppressedSince, String subject, List<String> channels) {

        /** An alert that reached no channel (yet). */
        public boolean undelivered() {
            return "ALERT".equals(outcome) && channels.isEmpty();
        }
    }

    /** Counts over a period: alerts sent (delivered on some channel), alerts not delivered, events suppressed. */
    public record Counts(long delivered, long undelivered, long suppressed) {
    }

    /**
     * The newest entries first, optionally of one target or outcome.
     *
     * @param limit  at most this many (1..500)
     * @param offset skipped first (paging)
     */
    public List<Entry> recent(String target, String outcome, int limit, int offset) {
        return CatalogUnavailableException.reading(EVENTS, () -> jdbc.sql("""
                        SELECT e.message_id, e.kind, e.severity, e.target, e.job_id, e.occurred_at, e.decided_at,
                               e.outcome, e.suppressed_reason, e.suppressed_count, e.suppressed_since, e.subject,
                               array_to_string(ARRAY(SELECT d.channel FROM alerts.v1_deliveries d
                                                     WHERE d.message_id = e.message_id ORDER BY d.channel), ',')
                                   AS channels
                        FROM alerts.v1_alert_events e
                        WHERE (CAST(:target AS text) IS NULL OR e.target = :target)
                          AND (CAST(:outcome AS text) IS NULL OR e.outcome = :outcome)
                        ORDER BY e.decided_at DESC, e.message_id
                        LIMIT :limit OFFSET :offset""")
                .param("target", target).param("outcome", outcome)
                .param("limit", Math.max(1, Math.min(limit, 500))).param("offset", Math.max(0, offset))
                .query((rs, n) -> new Entry(rs.getObject("message_id", UUID.class), rs.getString("kind"),
                        rs.getString("severity"), rs.getString("target"), rs.getObject("job_id", UUID.class),
                        instant(rs.getTimestamp("occurred_at")), instant(rs.getTimestamp("decided_at")),
                        rs.getString("outcome"), rs.getString("suppressed_reason"), rs.getInt("suppressed_count"),
                        instant(rs.getTimestamp("suppressed_since")), rs.getString("subject"),
                        channels(rs.getString("channels"))))
                .list());
    }

    /** What the alert service decided since {@code since} about {@code target} (every target when null). */
    public Counts since(String target, Instant since) {
        return CatalogUnavailableException.reading(EVENTS, () -> jdbc.sql("""
                        SELECT count(*) FILTER (WHERE e.outcome = 'ALERT' AND delivered) AS delivered,
                               count(*) FILTER (WHERE e.outcome = 'ALERT' AND NOT delivered) AS undelivered,
                               count(*) FILTER (WHERE e.outcome = 'SUPPRESSED') AS suppressed
                        FROM (SELECT e.outcome, EXISTS (SELECT 1 FROM alerts.v1_deliveries d
                                                        WHERE d.message_id = e.message_id) AS delivered
                              FROM alerts.v1_alert_events e
                              WHERE e.decided_at >= :since
                                AND (CAST(:target AS text) IS NULL OR e.target = :target)) e""")
                .param("since", Timestamp.from(since)).param("target", target)
                .query((rs, n) -> new Counts(rs.getLong("delivered"), rs.getLong("undelivered"),
                        rs.getLong("suppressed")))
                .single());
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static List<String> channels(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(joined.split(",")));
    }
}
