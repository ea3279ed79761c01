package io.taskagent.backup.scheduler.settings;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The scheduler's configuration as stored in the catalog: running state, schedules, retention rules and the size
 * limit and compression. Checked (by {@link SettingsValidator} or the start-up properties) before it is built.
 *
 * @param running         whether schedules fire
 * @param timeZone        zone of the calendar schedules and the retention buckets
 * @param intervalHours   hours between interval backups
 * @param intervalEnabled whether the interval schedule fires
 * @param dailyTime       time of the daily, weekly and monthly backups
 * @param dailyEnabled    whether the daily schedule fires
 * @param weeklyDay       day of the weekly backup
 * @param weeklyEnabled   whether the weekly schedule fires
 * @param monthlyEnabled  whether the monthly schedule fires
 * @param cron            named cron schedules
 * @param cleanupTime     time of the daily cleanup
 * @param retention       retention rules
 * @param maxBackupSizeMb the size above which a backup is announced as oversized
 * @param compressionEnabled whether the worker compresses backups
 */
public record Settings(boolean running, ZoneId timeZone, int intervalHours, boolean intervalEnabled,
                       LocalTime dailyTime, boolean dailyEnabled, DayOfWeek weeklyDay, boolean weeklyEnabled,
                       boolean monthlyEnabled, Map<String, String> cron, LocalTime cleanupTime, Retention retention,
                       int maxBackupSizeMb, boolean compressionEnabled) {

    /**
     * Retention rules.
     *
     * @param keepHourly         newest backup of each of the last N hours that have one
     * @param keepDaily          ... days
     * @param keepWeekly         ... ISO weeks
     * @param keepMonthly        ... months
     * @param keepManual         newest N of each on-demand type (manual, urgent, pre_migration)
     * @param keepPreRestoreDays pre_restore backups of the last N days
     */
    public record Retention(int keepHourly, int keepDaily, int keepWeekly, int keepMonthly, int keepManual,
                            int keepPreRestoreDays) {
    }

    public Settings {
        SortedMap<String, String> sorted = new TreeMap<>(cron);
        cron = Collections.unmodifiableSortedMap(sorted);
    }

    public Settings withRunning(boolean value) {
        return new Settings(value, timeZone, intervalHours, intervalEnabled, dailyTime, dailyEnabled, weeklyDay,
                weeklyEnabled, monthlyEnabled, cron, cleanupTime, retention, maxBackupSizeMb, compressionEnabled);
    }

    /** Every schedule these settings define, disabled ones included, the cleanup last. */
    public List<ScheduleDefinition> schedules() {
        List<ScheduleDefinition> all = new ArrayList<>();
        all.add(ScheduleDefinition.interval(intervalHours, intervalEnabled));
        all.add(ScheduleDefinition.daily(dailyTime, dailyEnabled));
        all.add(ScheduleDefinition.weekly(weeklyDay, dailyTime, weeklyEnabled));
        all.add(ScheduleDefinition.monthly(dailyTime, monthlyEnabled));
        cron.forEach((name, expression) -> all.add(ScheduleDefinition.cron(name, expression)));
        all.add(ScheduleDefinition.cleanup(cleanupTime));
        return List.copyOf(all);
    }
}
