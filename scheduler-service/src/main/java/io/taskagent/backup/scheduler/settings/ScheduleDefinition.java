package io.taskagent.backup.scheduler.settings;

import java.time.DayOfWeek;
import java.time.LocalTime;

/**
 * One schedule: its name (which is also the type of the backups it requests), its kind and when it fires.
 *
 * @param name          unique name
 * @param kind          what fires it
 * @param enabled       whether it fires
 * @param intervalHours hours between fires (interval)
 * @param time          local time of the fire (daily, weekly, monthly, cleanup)
 * @param day           day of the week (weekly)
 * @param cron          Spring cron expression (cron)
 */
public record ScheduleDefinition(String name, Kind kind, boolean enabled, Integer intervalHours, LocalTime time,
                                 DayOfWeek day, String cron) {

    public static final String INTERVAL = "interval";
    public static final String DAILY = "daily";
    public static final String WEEKLY = "weekly";
    public static final String MONTHLY = "monthly";
    public static final String CLEANUP = "cleanup";

    // the names a cron schedule cannot take (these and the on-demand backup types): ScheduleBounds.RESERVED_SCHEDULE_NAMES

    /** What fires a schedule. */
    public enum Kind {
        INTERVAL, DAILY, WEEKLY, MONTHLY, CRON, CLEANUP;

        /** Its name in the catalog and in messages. */
        public String label() {
            return name().toLowerCase();
        }
    }

    static ScheduleDefinition interval(int hours, boolean enabled) {
        return new ScheduleDefinition(INTERVAL, Kind.INTERVAL, enabled, hours, null, null, null);
    }

    static ScheduleDefinition daily(LocalTime time, boolean enabled) {
        return new ScheduleDefinition(DAILY, Kind.DAILY, enabled, null, time, null, null);
    }

    static ScheduleDefinition weekly(DayOfWeek day, LocalTime time, boolean enabled) {
        return new ScheduleDefinition(WEEKLY, Kind.WEEKLY, enabled, null, time, day, null);
    }

    static ScheduleDefinition monthly(LocalTime time, boolean enabled) {
        return new ScheduleDefinition(MONTHLY, Kind.MONTHLY, enabled, null, time, null, null);
    }

    static ScheduleDefinition cron(String name, String expression) {
        return new ScheduleDefinition(name, Kind.CRON, true, null, null, null, expression);
    }

    static ScheduleDefinition cleanup(LocalTime time) {
        return new ScheduleDefinition(CLEANUP, Kind.CLEANUP, true, null, time, null, null);
    }

    /** Whether its fires request backups (all but the cleanup). */
    public boolean requestsBackups() {
        return kind != Kind.CLEANUP;
    }

    /** When it fires, for a person. */
    public String spec() {
        return switch (kind) {
            case INTERVAL -> "every " + intervalHours + " h";
            case DAILY, CLEANUP -> "daily at " + time;
            case WEEKLY -> "weekly on " + day + " at " + time;
            case MONTHLY -> "monthly on the 1st at " + time;
            case CRON -> cron;
        };
    }
}
