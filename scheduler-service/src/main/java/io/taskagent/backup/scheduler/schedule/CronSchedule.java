package io.taskagent.backup.scheduler.schedule;

import org.springframework.scheduling.support.CronExpression;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * A Spring cron expression in a zone, with Spring's daylight-saving behaviour: a time the clocks jump over does not
 * fire that day, a time that exists twice fires twice.
 *
 * @param expression the expression
 * @param zone       its zone
 */
record CronSchedule(CronExpression expression, ZoneId zone) implements Schedule {

    /** How far back a previous fire is looked for; a schedule that fired before that never fired, as far as we care. */
    private static final Duration HORIZON = Duration.ofDays(4 * 366 + 31);

    @Override
    public Instant nextAfter(Instant t) {
        ZonedDateTime next = expression.next(t.atZone(zone));
        return next == null ? null : next.toInstant();
    }

    /**
     * CronExpression only looks forward. The last fire at or before {@code now} is {@code next(t)} for the latest
     * whole second {@code t} whose next fire is not after {@code now}: found by widening a window backwards until a
     * fire is in it, then bisecting (next is monotonic in t).
     */
    @Override
    public Instant latestAtOrBefore(Instant now) {
        long hi = now.getEpochSecond();
        long width = 60;
        long lo = hi - width;
        while (!firesBy(lo, now)) {
            if (width >= HORIZON.toSeconds()) {
                return null;
            }
            width = Math.min(width * 2, HORIZON.toSeconds());
            hi = lo;
            lo = now.getEpochSecond() - width;
        }
        // next(lo) <= now < next(hi)
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (firesBy(mid, now)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return nextAfter(Instant.ofEpochSecond(lo));
    }

    private boolean firesBy(long epochSecond, Instant now) {
        Instant next = nextAfter(Instant.ofEpochSecond(epochSecond));
        return next != null && !next.isAfter(now);
    }
}
