package io.taskagent.backup.scheduler.watchdog;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * The last alert per target of each watchdog ({@code scheduler.stale_alerts} for BackupStale,
 * {@code scheduler.drill_alerts} for DrillOverdue; written only by this service), and the one way a watchdog raises
 * its alert: claimed and published together ({@link #raise}).
 */
@Repository
class StaleAlerts {

    /** What a watchdog alerts on: its table and the column of the last good instant. */
    enum Kind {
        BACKUP("stale_alerts", "last_success_at"), DRILL("drill_alerts", "last_passed_at");

        private final String table;
        private final String column;

        Kind(String table, String column) {
            this.table = table;
            this.column = column;
        }
    }

    private final JdbcClient jdbc;
    private final ConfirmingPublisher publisher;
    private final TransactionTemplate tx;

    StaleAlerts(JdbcClient jdbc, ConfirmingPublisher publisher, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.publisher = publisher;
        this.tx = tx;
    }

    /**
     * Raises {@code event} for a stale target once per stale period across instances: the claim ({@link #claim}) and
     * the publication in one transaction, so that when the broker does not confirm, the claim is rolled back and the
     * next check tries again. True when this call raised it.
     */
    boolean raise(Kind kind, String target, Instant lastGood, Instant now, Duration window, BackupMessage event) {
        return Boolean.TRUE.equals(tx.execute(status -> {
            if (!claim(kind, target, lastGood, now, window)) {
                return false;
            }
            publisher.publishEvent(event);
            return true;
        }));
    }

    /**
     * Claims the alert for a stale target: true for one caller only, and only when no alert was sent for this last
     * good instant within {@code window} (so one alert per stale period, whatever the number of instances).
     */
    boolean claim(Kind kind, String target, Instant lastGood, Instant now, Duration window) {
        String t = kind.table;
        String c = kind.column;
        return jdbc.sql("INSERT INTO " + t + " (target, " + c + ", alerted_at) VALUES (:target, :last, :now)"
                        + " ON CONFLICT (target) DO UPDATE SET " + c + " = EXCLUDED." + c + ", alerted_at = EXCLUDED.alerted_at"
                        + " WHERE " + t + "." + c + " IS DISTINCT FROM EXCLUDED." + c
                        + " OR " + t + ".alerted_at <= EXCLUDED.alerted_at - make_interval(secs => :window)")
                .param("target", target).param("last", lastGood == null ? null : Timestamp.from(lastGood))
                .param("now", Timestamp.from(now)).param("window", (double) window.toSeconds())
                .update() == 1;
    }
}
