package io.taskagent.backup.model;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.OptBoolean;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Command: change the scheduler's configuration. Every field is present in the JSON (a message without
 * {@code compressionEnabled}, from a producer older than that field, reads it as {@code null}); {@code null} keeps
 * the current value. The rules of every field are {@link ScheduleRules#problems(ConfigureSchedule)}, not this
 * record's constructor, so that an out-of-bound value is answered, not dead-lettered: the gateway answers 400 with
 * those problems before publishing, and the scheduler applies the same rules and refuses an invalid configuration
 * as a whole with {@link ScheduleRejected} naming each field, the old one staying in force; an accepted one is
 * answered by {@link SchedulerStateChanged}.
 *
 * @param timeZone           zone of the daily, weekly, monthly, cron and cleanup times and of the retention
 *                           buckets, e.g. {@code Europe/Berlin}
 * @param intervalHours      hours between interval backups, 1 to 168
 * @param intervalEnabled    whether the interval schedule fires
 * @param dailyTime          {@code HH:MM} of the daily backup; also the time of the weekly and monthly ones
 * @param dailyEnabled       whether the daily schedule fires
 * @param weeklyDay          day of the weekly backup, 0 = Monday ... 6 = Sunday
 * @param weeklyEnabled      whether the weekly schedule fires
 * @param monthlyEnabled     whether the monthly schedule (the 1st of each month) fires
 * @param cronSchedules      named cron schedules (Spring's six-field {@code CronExpression}); replaces all of them;
 *                           the name is the backup type
 * @param cleanupTime        {@code HH:MM} of the daily retention cleanup
 * @param keepHourly         GFS: newest backup of each of the last N hours that have one, 1 to 168
 * @param keepDaily          ... of the last N days, 1 to 365
 * @param keepWeekly         ... of the last N ISO weeks, 1 to 52
 * @param keepMonthly        ... of the last N months, 1 to 60
 * @param keepManual         on-demand backups (manual, urgent, pre_migration): the newest N of each type, 1 to 1000
 * @param keepPreRestoreDays pre_restore safety backups: those of the last N days, 1 to 365
 * @param maxBackupSizeMb    a larger backup is announced with BackupOversized, 1 to 10000
 * @param compressionEnabled whether the worker compresses backups (the scheduler stores it, the worker reads it)
 * @param requestedBy        who asked
 */
public record ConfigureSchedule(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        String timeZone, Integer intervalHours, Boolean intervalEnabled, String dailyTime, Boolean dailyEnabled,
        Integer weeklyDay, Boolean weeklyEnabled, Boolean monthlyEnabled, Map<String, String> cronSchedules,
        String cleanupTime, Integer keepHourly, Integer keepDaily, Integer keepWeekly, Integer keepMonthly,
        Integer keepManual, Integer keepPreRestoreDays, Integer maxBackupSizeMb,
        // absent from the JSON of older producers: read as null (keeps the value) instead of refusing the message
        @JacksonInject(optional = OptBoolean.TRUE, useInput = OptBoolean.TRUE) Boolean compressionEnabled,
        String requestedBy)
        implements BackupMessage {

    public ConfigureSchedule {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(requestedBy != null && !requestedBy.isBlank(), "requestedBy is missing");
        if (cronSchedules != null) {
            MessageValidation.require(cronSchedules.keySet().stream().noneMatch(java.util.Objects::isNull),
                    "cronSchedules has a schedule without a name");
            cronSchedules = Collections.unmodifiableMap(new TreeMap<>(cronSchedules));
        }
    }

    public static ConfigureSchedule of(UUID jobId, String target, String timeZone, Integer intervalHours,
                                       Boolean intervalEnabled, String dailyTime, Boolean dailyEnabled,
                                       Integer weeklyDay, Boolean weeklyEnabled, Boolean monthlyEnabled,
                                       Map<String, String> cronSchedules, String cleanupTime, Integer keepHourly,
                                       Integer keepDaily, Integer keepWeekly, Integer keepMonthly, Integer keepManual,
                                       Integer keepPreRestoreDays, Integer maxBackupSizeMb,
                                       Boolean compressionEnabled, String requestedBy) {
        return new ConfigureSchedule(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, timeZone,
                intervalHours, intervalEnabled, dailyTime, dailyEnabled, weeklyDay, weeklyEnabled, monthlyEnabled,
                cronSchedules, cleanupTime, keepHourly, keepDaily, keepWeekly, keepMonthly, keepManual,
                keepPreRestoreDays, maxBackupSizeMb, compressionEnabled, requestedBy);
    }

    @Override
    public String exchange() {
        return Topology.COMMANDS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_SCHEDULER_CONFIGURE;
    }
}
