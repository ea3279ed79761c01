package io.taskagent.backup.scheduler.schedule;

import io.taskagent.backup.scheduler.settings.ScheduleDefinition;
import org.springframework.scheduling.support.CronExpression;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * When a schedule fires. Every instance computes the same fire instants from the same settings without talking to
 * the others; the fire log then lets one of them publish each fire.
 */
sealed interface Schedule permits IntervalSchedule, CalendarSchedule, CronSchedule {

    /** The first fire strictly after {@code t}, or null when there is none. */
    Instant nextAfter(Instant t);

    /** The last fire at or before {@code now}, or null when there is none. */
    Instant latestAtOrBefore(Instant now);

    /** The schedule a definition describes, in {@code zone} (the interval schedule ignores it). */
    static Schedule of(ScheduleDefinition definition, ZoneId zone) {
        return switch (definition.kind()) {
            case INTERVAL -> new IntervalSchedule(Duration.ofHours(definition.intervalHours()));
            case DAILY, CLEANUP -> CalendarSchedule.daily(definition.time(), zone);
            case WEEKLY -> CalendarSchedule.weekly(definition.day(), definition.time(), zone);
            case MONTHLY -> CalendarSchedule.monthly(definition.time(), zone);
            case CRON -> new CronSchedule(CronExpression.parse(definition.cron()), zone);
        };
    }
}
