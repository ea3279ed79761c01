package io.taskagent.backup.alert.throttle;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The same alert (event kind and target) at most once per window ({@code alerts.throttle}). An alert opens a
 * window; later events of the same kind and target within it are counted instead of sent, and the next alert after
 * the window reports how many were. A window whose alert reached nobody (every channel failed) suppresses nothing:
 * the next event goes out and opens a new window.
 */
@Repository
public class Throttle {

    /**
     * @param suppressed      whether this event is suppressed
     * @param suppressedCount suppressed: events suppressed in this window so far, this one included; admitted:
     *                        events suppressed since the previous alert, to be reported in this one
     * @param since           when the previous alert (the current window) started; null for the first alert
     */
    public record Verdict(boolean suppressed, int suppressedCount, Instant since) {
    }

    private final JdbcClient jdbc;

    public Throttle(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Decides about one new event and updates the window; runs inside the caller's transaction, which it holds a
     * row lock in until commit.
     *
     * @param window {@link Duration#ZERO} admits everything
     */
    public Verdict admit(String kind, String target, UUID messageId, Instant now, Duration window) {
        int opened = jdbc.sql("""
                        INSERT INTO throttle (kind, target, window_start, alert_message_id, suppressed)
                        VALUES (:kind, :target, :now, :id, 0)
                        ON CONFLICT (kind, target) DO NOTHING""")
                .param("kind", kind).param("target", target).param("now", Timestamp.from(now)).param("id", messageId)
                .update();
        if (opened == 1) {
            return new Verdict(false, 0, null);
        }
        Window current = jdbc.sql("""
                        SELECT t.window_start, t.suppressed,
                               EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = t.alert_message_id) AS reached
                        FROM throttle t WHERE t.kind = :kind AND t.target = :target
                        FOR UPDATE OF t""")
                .param("kind", kind).param("target", target)
                .query((rs, n) -> new Window(rs.getTimestamp("window_start").toInstant(), rs.getInt("suppressed"),
                        rs.getBoolean("reached")))
                .single();
        boolean open = !window.isZero() && now.isBefore(current.start().plus(window));
        if (open && current.reached()) {
            jdbc.sql("UPDATE throttle SET suppressed = suppressed + 1 WHERE kind = :kind AND target = :target")
                    .param("kind", kind).param("target", target).update();
            return new Verdict(true, current.suppressed() + 1, current.start());
        }
        jdbc.sql("""
                        UPDATE throttle SET window_start = :now, alert_message_id = :id, suppressed = 0
                        WHERE kind = :kind AND target = :target""")
                .param("now", Timestamp.from(now)).param("id", messageId).param("kind", kind).param("target", target)
                .update();
        return new Verdict(false, current.suppressed(), current.start());
    }

    private record Window(Instant start, int suppressed, boolean reached) {
    }
}
