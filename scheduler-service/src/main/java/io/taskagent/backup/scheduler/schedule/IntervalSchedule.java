package io.taskagent.backup.scheduler.schedule;

import java.time.Duration;
import java.time.Instant;

/**
 * Every {@code interval} of elapsed time, at the multiples of the interval since the epoch (UTC): the fires stay
 * exactly one interval apart across daylight-saving changes, and every instance computes the same instants.
 */
record IntervalSchedule(Duration interval) implements Schedule {

    IntervalSchedule {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("interval must be positive");
        }
    }

    @Override
    public Instant latestAtOrBefore(Instant now) {
        long seconds = interval.toSeconds();
        return Instant.ofEpochSecond(Math.floorDiv(now.getEpochSecond(), seconds) * seconds);
    }

    @Override
    public Instant nextAfter(Instant t) {
        return latestAtOrBefore(t).plus(interval);
    }
}
