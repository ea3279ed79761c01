package io.taskagent.backup.scheduler.settings;

import io.taskagent.backup.model.Names;
import io.taskagent.backup.model.ScheduleBounds;
import io.taskagent.backup.model.ScheduleRules;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Map;

/**
 * Settings of the scheduler ({@code scheduler.*}). The schedules, retention rules and running state are stored in
 * the catalog on the very first start (from these values) and changed afterwards by commands on the broker; the
 * remaining settings are this instance's.
 *
 * @param enabled          running state on the first start ({@code SCHEDULER_ENABLED})
 * @param target           the database the schedules back up
 * @param timeZone         zone of the calendar schedules and the retention buckets ({@code SCHEDULER_TIME_ZONE})
 * @param intervalHours    hours between interval backups, 1 to 168 ({@code SCHEDULER_INTERVAL_HOURS})
 * @param intervalEnabled  whether the interval schedule fires
 * @param dailyTime        {@code HH:MM} of the daily backup, also of the weekly and monthly ones
 * @param dailyEnabled     whether the daily schedule fires
 * @param weeklyDay        day of the weekly backup, 0 = Monday ... 6 = Sunday
 * @param weeklyEnabled    whether the weekly schedule fires
 * @param monthlyEnabled   whether the monthly schedule (the 1st) fires
 * @param cron             named cron schedules ({@code scheduler.cron.<name>}, Spring's six-field syntax)
 * @param cleanupTime      {@code HH:MM} of the daily retention cleanup
 * @param retention        retention rules
 * @param maxBackupSizeMb  size above which a backup is announced as oversized, 1 to 10000
 * @param compressionEnabled whether the worker compresses backups ({@code BACKUP_COMPRESSION_ENABLED})
 * @param catchUp          fire once (coalesced) for each schedule that missed fires while every instance was down
 * @param misfireThreshold a fire noticed later than this after its time counts as missed
 * @param pollInterval     how often this instance checks for due fires (and runs the watchdog)
 * @param timerEnabled     whether this instance runs its timer at all (tests that drive the clock turn it off)
 * @param staleAfter       no successful backup for this long raises BackupStale (default: twice the shortest period
 *                         of the enabled backup schedules)
 * @param healthInterval   how often the scheduler checks the catalog and the broker
 * @param destinationRetention retention rules of one destination's copies
 *                         ({@code scheduler.destination-retention.<destination>.keep-monthly=12}, the others as the
 *                         defaults of {@code scheduler.retention}): a backup's copy there goes when these rules let it
 *                         go, while the backup is kept on the destinations whose rules keep it; destinations without
 *                         rules here follow the stored retention settings
 * @param drill            the restore drill schedule ({@code scheduler.drill.*})
 */
@Validated
@ConfigurationProperties("scheduler")
public record SchedulerProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @Pattern(regexp = Names.TARGET_REGEX) @DefaultValue("taskagent") String target,
        @NotNull @DefaultValue("UTC") String timeZone,
        @Min(1) @Max(ScheduleBounds.INTERVAL_HOURS_MAX) @DefaultValue("6") int intervalHours,
        @DefaultValue("true") boolean intervalEnabled,
        @NotNull @Pattern(regexp = ScheduleBounds.TIME, message = "must be HH:MM") @DefaultValue("02:00") String dailyTime,
        @DefaultValue("true") boolean dailyEnabled,
        @Min(0) @Max(6) @DefaultValue("0") int weeklyDay,
        @DefaultValue("true") boolean weeklyEnabled,
        @DefaultValue("true") boolean monthlyEnabled,
        @NotNull @DefaultValue Map<String, String> cron,
        @NotNull @Pattern(regexp = ScheduleBounds.TIME, message = "must be HH:MM") @DefaultValue("03:00") String cleanupTime,
        @Valid @NotNull @DefaultValue Retention retention,
        @Min(1) @Max(ScheduleBounds.MAX_BACKUP_SIZE_MB_MAX) @DefaultValue("500") int maxBackupSizeMb,
        @DefaultValue("true") boolean compressionEnabled,
        @DefaultValue("true") boolean catchUp,
        @NotNull @DefaultValue("5m") Duration misfireThreshold,
        @NotNull @DefaultValue("30s") Duration pollInterval,
        @DefaultValue("true") boolean timerEnabled,
        Duration staleAfter,
        @NotNull @DefaultValue("60m") Duration healthInterval,
        @NotNull @DefaultValue Map<String, @Valid Retention> destinationRetention,
        @Valid @NotNull @DefaultValue Drill drill) {

    public SchedulerProperties {
        String zoneProblem = ScheduleRules.timeZoneProblem(timeZone);
        if (zoneProblem != null) {
            throw new IllegalArgumentException("scheduler.time-zone " + zoneProblem);
        }
        if (cron != null) {
            Map<String, String> problems = ScheduleRules.cronProblems("scheduler.cron", cron);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems.entrySet().stream()
                        .map(e -> e.getKey() + ": " + e.getValue()).toList()));
            }
        }
        if (destinationRetention != null) {
            for (String destination : destinationRetention.keySet()) {
                if (!Names.isDestination(destination)) {
                    throw new IllegalArgumentException("scheduler.destination-retention." + destination
                            + ": not a destination name (" + Names.DESTINATION_REGEX + ")");
                }
            }
        }
        if (drill != null) {
            Map<String, String> problems = ScheduleRules.cronProblems("scheduler.drill",
                    Map.of("cron", drill.cron() == null ? "" : drill.cron()));
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems.entrySet().stream()
                        .map(e -> e.getKey() + ": " + e.getValue()).toList()));
            }
            if (drill.maxAge() == null || drill.maxAge().isNegative()) {
                throw new IllegalArgumentException("scheduler.drill.max-age must be zero (off) or positive");
            }
        }
        if (staleAfter != null && (staleAfter.isZero() || staleAfter.isNegative())) {
            throw new IllegalArgumentException("scheduler.stale-after must be positive");
        }
    }

    /**
     * Retention rules ({@code scheduler.retention.*}), GFS like restic's {@code forget}.
     *
     * @param keepHourly         newest backup of each of the last N hours that have one, 1 to 168
     * @param keepDaily          ... days, 1 to 365
     * @param keepWeekly         ... ISO weeks, 1 to 52
     * @param keepMonthly        ... months, 1 to 60
     * @param keepManual         on-demand backups (manual, urgent, pre_migration): newest N of each type
     * @param keepPreRestoreDays pre_restore safety backups of the last N days
     */
    public record Retention(@Min(1) @Max(ScheduleBounds.KEEP_HOURLY_MAX) @DefaultValue("24") int keepHourly,
                            @Min(1) @Max(ScheduleBounds.KEEP_DAILY_MAX) @DefaultValue("30") int keepDaily,
                            @Min(1) @Max(ScheduleBounds.KEEP_WEEKLY_MAX) @DefaultValue("12") int keepWeekly,
                            @Min(1) @Max(ScheduleBounds.KEEP_MONTHLY_MAX) @DefaultValue("12") int keepMonthly,
                            @Min(1) @Max(ScheduleBounds.KEEP_MANUAL_MAX) @DefaultValue("10") int keepManual,
                            @Min(1) @Max(ScheduleBounds.KEEP_PRE_RESTORE_DAYS_MAX) @DefaultValue("7") int keepPreRestoreDays) {
    }

    /**
     * Restore drills the scheduler fires ({@code scheduler.drill.*}); instance configuration like the destination
     * retention, so every replica must be given the same values. Each drill fire is recorded in the fire log, so it is
     * published once across replicas.
     *
     * @param enabled      whether drills fire at all ({@code SCHEDULER_DRILL_ENABLED}); off also silences the
     *                     overdue alert
     * @param cron         when the calendar drill fires, Spring's six-field cron in the scheduler's zone
     *                     ({@code SCHEDULER_DRILL_CRON}, default Sundays at 04:00)
     * @param everyBackups also drill after every N-th successful backup of the target, 0 = never
     *                     ({@code SCHEDULER_DRILL_EVERY_BACKUPS})
     * @param maxAge       no drill of the target passed for this long raises DrillOverdue, 0 = never
     *                     ({@code SCHEDULER_DRILL_MAX_AGE}, default 8 days: a weekly drill plus a day)
     */
    public record Drill(@DefaultValue("true") boolean enabled,
                        @NotNull @DefaultValue("0 0 4 * * SUN") String cron,
                        @Min(0) @Max(1000) @DefaultValue("0") int everyBackups,
                        @NotNull @DefaultValue("8d") Duration maxAge) {
    }

    /** The rules of one destination's copies, as the policy takes them. */
    public static Settings.Retention rules(Retention r) {
        return new Settings.Retention(r.keepHourly(), r.keepDaily(), r.keepWeekly(), r.keepMonthly(), r.keepManual(),
                r.keepPreRestoreDays());
    }

    /** The settings stored on the very first start. */
    public Settings initialSettings() {
        return new Settings(enabled, ZoneId.of(timeZone), intervalHours, intervalEnabled, LocalTime.parse(dailyTime),
                dailyEnabled, DayOfWeek.of(weeklyDay + 1), weeklyEnabled, monthlyEnabled, cron,
                LocalTime.parse(cleanupTime), new Settings.Retention(retention.keepHourly(), retention.keepDaily(),
                retention.keepWeekly(), retention.keepMonthly(), retention.keepManual(), retention.keepPreRestoreDays()),
                maxBackupSizeMb, compressionEnabled);
    }
}
