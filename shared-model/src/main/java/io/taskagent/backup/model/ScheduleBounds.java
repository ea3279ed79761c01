package io.taskagent.backup.model;

import java.util.regex.Pattern;

/**
 * The bounds of every scheduler setting, part of the {@link ConfigureSchedule} contract: the scheduler enforces them
 * (start-up properties and commands) and the gateway checks them too, to answer 400 naming every invalid field.
 */
public final class ScheduleBounds {

    public static final int INTERVAL_HOURS_MAX = 168;
    public static final int KEEP_HOURLY_MAX = 168;
    public static final int KEEP_DAILY_MAX = 365;
    public static final int KEEP_WEEKLY_MAX = 52;
    public static final int KEEP_MONTHLY_MAX = 60;
    public static final int KEEP_MANUAL_MAX = 1000;
    public static final int KEEP_PRE_RESTORE_DAYS_MAX = 365;
    public static final int MAX_BACKUP_SIZE_MB_MAX = 10000;
    public static final int CRON_SCHEDULES_MAX = 20;

    /** {@code HH:MM}, 00:00 to 23:59. */
    public static final String TIME = "([01][0-9]|2[0-3]):[0-5][0-9]";
    public static final Pattern TIME_PATTERN = Pattern.compile(TIME);

    /** A schedule's name is the backup type it requests. */
    public static final Pattern SCHEDULE_NAME = MessageValidation.BACKUP_TYPE; // a schedule's name is its backup type

    private ScheduleBounds() {
    }
}
