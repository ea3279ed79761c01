package io.taskagent.backup.scheduler.watchdog;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/** The last BackupStale per target ({@code scheduler.stale_alerts}, written only by this service). */
@Repository
class StaleAlerts {

    private final JdbcClient jdbc;

    StaleAlerts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Claims the alert for a stale target: true for one caller only, and only when no alert was sent for this last
     * success within {@code window} (so one alert per stale period, whatever the number of instances).
     */
    boolean claim(String target, Instant lastSuccess, Instant now, Duration window) {
        return jdbc.sql("""
                        INSERT INTO stale_alerts (target, last_success_at, alerted_at) VALUES (:target, :last, :now)
                        ON CONFLICT (target) DO UPDATE
                            SET last_success_at = EXCLUDED.last_success_at, alerted_at = EXCLUDED.alerted_at
                            WHERE stale_alerts.last_success_at IS DISTINCT FROM EXCLUDED.last_success_at
                               OR stale_alerts.alerted_at <= EXCLUDED.alerted_at - make_interval(secs => :window)""")
                .param("target", target).param("last", lastSuccess == null ? null : Timestamp.from(lastSuccess))
                .param("now", Timestamp.from(now)).param("window", (double) window.toSeconds())
                .update() == 1;
    }
}
