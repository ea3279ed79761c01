package io.taskagent.backup.scheduler.settings;

import java.util.regex.Pattern;

/** The bounds of every setting, shared by the start-up properties and {@code ConfigureSchedule}. */
final class Bounds {

    static final int INTERVAL_HOURS_MAX = 168;
    static final int KEEP_HOURLY_MAX = 168;
    static final int KEEP_DAILY_MAX = 365;
    static final int KEEP_WEEKLY_MAX = 52;
    static final int KEEP_MONTHLY_MAX = 60;
    static final int KEEP_MANUAL_MAX = 1000;
    static final int KEEP_PRE_RESTORE_DAYS_MAX = 365;
    static final int MAX_BACKUP_SIZE_MB_MAX = 10000;
    static final int CRON_SCHEDULES_MAX = 20;

    /** {@code HH:MM}, 00:00 to 23:59. */
    static final String TIME = "([01][0-9]|2[0-3]):[0-5][0-9]";
    static final Pattern TIME_PATTERN = Pattern.compile(TIME);

    /** A schedule's name is the backup type it requests. */
    static final Pattern SCHEDULE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

    private Bounds() {
    }
}
