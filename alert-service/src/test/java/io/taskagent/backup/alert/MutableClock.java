package io.taskagent.backup.alert;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** The system clock plus an offset a test can move forward. */
final class MutableClock extends Clock {

    private final AtomicReference<Duration> offset;
    private final ZoneId zone;

    MutableClock() {
        this(new AtomicReference<>(Duration.ZERO), ZoneOffset.UTC);
    }

    private MutableClock(AtomicReference<Duration> offset, ZoneId zone) {
        this.offset = offset;
        this.zone = zone;
    }

    void advance(Duration by) {
        offset.accumulateAndGet(by, Duration::plus);
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** The same moving clock seen in another zone (it shares the offset). */
    @Override
    public Clock withZone(ZoneId other) {
        return new MutableClock(offset, other);
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset.get());
    }
}
