package io.taskagent.backup.scheduler.watchdog;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * The last alert per target of each watchdog ({@code scheduler.stale_alerts} for BackupStale,
 * {@code scheduler.drill_alerts} for DrillOverdue; written only by this service).
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

    StaleAlerts(JdbcClient jdbc) {
        this.jdbc = jdbc;
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
