package io.taskagent.backup.model;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The bounds of every scheduler setting, part of the {@link ConfigureSchedule} contract. {@link ScheduleRules} is the
 * one implementation of the checks (the scheduler applies it to start-up properties and commands, the gateway to the
 * command it builds, to answer 400 naming every invalid field). Every count and hour setting is at least 1.
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
    /** The lower bound of every count and hour setting above. */
    public static final int MIN = 1;

    /** {@code HH:MM}, 00:00 to 23:59. */
    public static final String TIME = "([01][0-9]|2[0-3]):[0-5][0-9]";
    public static final Pattern TIME_PATTERN = Pattern.compile(TIME);

    /** A schedule's name is the backup type it requests. */
    public static final Pattern SCHEDULE_NAME = MessageValidation.BACKUP_TYPE;

    /**
     * Names a cron schedule cannot take, sorted: the built-in schedules ({@code interval}, {@code daily},
     * {@code weekly}, {@code monthly}, {@code cleanup}), the drill schedules ({@code drill},
     * {@code drill_after_backups}) and the on-demand backup types ({@code manual}, {@code urgent},
     * {@code pre_migration}, {@code pre_restore}).
     */
    public static final Set<String> RESERVED_SCHEDULE_NAMES;

    /** The backup types a client may request on demand (kept by the "newest N per type" rule). */
    public static final Set<String> ON_DEMAND_TYPES = Collections.unmodifiableSortedSet(new TreeSet<>(Set.of(
            "manual", "urgent", "pre_migration")));

    /** The scheduler's fire-log name of its drill schedule (the calendar one). */
    public static final String DRILL_SCHEDULE = "drill";

    /** The scheduler's fire-log name of the drills it fires after every N-th backup. */
    public static final String DRILL_AFTER_BACKUPS_SCHEDULE = "drill_after_backups";

    /** The type of the safety backup a restore takes of its target first. */
    public static final String PRE_RESTORE_TYPE = "pre_restore";

    static {
        TreeSet<String> reserved = new TreeSet<>(Set.of("interval", "daily", "weekly", "monthly", "cleanup",
                DRILL_SCHEDULE, DRILL_AFTER_BACKUPS_SCHEDULE, PRE_RESTORE_TYPE));
        reserved.addAll(ON_DEMAND_TYPES);
        RESERVED_SCHEDULE_NAMES = Collections.unmodifiableSortedSet(reserved);
    }

    private ScheduleBounds() {
    }
}
