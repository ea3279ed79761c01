package io.taskagent.backup.scheduler;

import java.time.Duration;
import java.time.Instant;

/**
 * An interval schedule: fires at every multiple of the interval since the epoch (UTC), so every replica computes
 * the same fire instants without talking to the others.
 */
record IntervalSchedule(String name, Duration interval) {

    IntervalSchedule {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("interval must be positive");
        }
    }

    /** The latest fire instant at or before {@code now}. */
    Instant latestFireAtOrBefore(Instant now) {
        long seconds = interval.toSeconds();
        return Instant.ofEpochSecond(Math.floorDiv(now.getEpochSecond(), seconds) * seconds);
    }

    /** The first fire instant after {@code now}. */
    Instant nextFireAfter(Instant now) {
        return latestFireAtOrBefore(now).plus(interval);
    }
}
