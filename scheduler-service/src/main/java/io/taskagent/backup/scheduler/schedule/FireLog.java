package io.taskagent.backup.scheduler.schedule;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The fire log ({@code scheduler.fires}, written only by this service). Its primary key (schedule, fire instant)
 * makes each fire happen once across any number of scheduler instances: only the instance whose insert succeeds
 * publishes it.
 */
@Repository
class FireLog {

    record PendingFire(String schedule, Instant fireAt, UUID jobId) {
    }

    private final JdbcClient jdbc;

    FireLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Whether the fire is recorded already (published, pending or skipped). */
    boolean exists(String schedule, Instant fireAt) {
        return jdbc.sql("SELECT count(*) FROM fires WHERE schedule = :s AND fire_at = :at")
                .param("s", schedule).param("at", Timestamp.from(fireAt))
                .query(Integer.class).single() > 0;
    }

    /** The newest fire recorded for the schedule (published, pending or skipped), empty when none. */
    java.util.Optional<Instant> latest(String schedule) {
        return jdbc.sql("SELECT max(fire_at) FROM fires WHERE schedule = :s").param("s", schedule)
                .query((rs, n) -> java.util.Optional.ofNullable(rs.getTimestamp(1)).map(Timestamp::toInstant))
                .single();
    }

    /** Claims a fire; true only for the one caller that recorded it. */
    boolean claim(String schedule, Instant fireAt, UUID jobId) {
        return jdbc.sql("""
                        INSERT INTO fires (schedule, fire_at, job_id, status) VALUES (:s, :at, :job, 'PENDING')
                        ON CONFLICT DO NOTHING""")
                .param("s", schedule).param("at", Timestamp.from(fireAt)).param("job", jobId).update() == 1;
    }

    /** Records a missed fire that is not caught up; true for the one caller that recorded it. */
    boolean skip(String schedule, Instant fireAt) {
        return jdbc.sql("""
                        INSERT INTO fires (schedule, fire_at, job_id, status) VALUES (:s, :at, NULL, 'SKIPPED')
                        ON CONFLICT DO NOTHING""")
                .param("s", schedule).param("at", Timestamp.from(fireAt)).update() == 1;
    }

    void markPublished(String schedule, Instant fireAt) {
        jdbc.sql("UPDATE fires SET status = 'PUBLISHED', published_at = now() WHERE schedule = :s AND fire_at = :at")
                .param("s", schedule).param("at", Timestamp.from(fireAt)).update();
    }

    /**
     * Takes over fires that were recorded but not confirmed by the broker within {@code grace} (the broker was down,
     * or the instance died between recording and publishing), to publish them again with the same job id. The update
     * is atomic, so one instance takes each; a fire still being published by its instance is left alone.
     */
    List<PendingFire> takeOverStalePending(Duration grace) {
        return jdbc.sql("""
                        UPDATE fires SET recorded_at = now()
                        WHERE status = 'PENDING' AND recorded_at < now() - make_interval(secs => :grace)
                        RETURNING schedule, fire_at, job_id""")
                .param("grace", (double) grace.toSeconds())
                .query((rs, n) -> new PendingFire(rs.getString(1), rs.getTimestamp(2).toInstant(),
                        rs.getObject(3, UUID.class)))
                .list();
    }

    /** Fires recorded but not yet confirmed by the broker. */
    List<PendingFire> pending() {
        return jdbc.sql("SELECT schedule, fire_at, job_id FROM fires WHERE status = 'PENDING' ORDER BY fire_at")
                .query((rs, n) -> new PendingFire(rs.getString(1), rs.getTimestamp(2).toInstant(),
                        rs.getObject(3, UUID.class)))
                .list();
    }
}
