package io.taskagent.backup.model;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.OptBoolean;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Event: the scheduler was started, stopped or configured. {@code jobId} is the command's job.
 *
 * @param running         whether schedules fire
 * @param timeZone        zone of the calendar schedules and of the retention buckets
 * @param schedules       every schedule with its next fire time
 * @param retention       the retention rules now in force
 * @param maxBackupSizeMb the size above which a backup is announced as oversized
 * @param compressionEnabled whether backups are compressed; null in an event of a scheduler older than this field
 * @param settingsVersion increases with every change of the stored settings
 * @param changedBy       who asked for the change
 */
public record SchedulerStateChanged(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        boolean running, String timeZone, List<Schedule> schedules, Retention retention, int maxBackupSizeMb,
        // absent from the JSON of older schedulers: read as null instead of refusing the event
        @JacksonInject(optional = OptBoolean.TRUE, useInput = OptBoolean.TRUE) Boolean compressionEnabled,
        long settingsVersion, String changedBy) implements BackupMessage {

    /**
     * One schedule.
     *
     * @param name       its name, also the backup type it requests ({@code cleanup} runs the retention cleanup)
     * @param kind       interval, daily, weekly, monthly, cron or cleanup
     * @param spec       when it fires, for a person (e.g. {@code every 6 h}, {@code 0 0 0/4 * * *})
     * @param enabled    whether it fires
     * @param nextFireAt its next fire; null while it is disabled or the scheduler is stopped
     */
    public record Schedule(String name, String kind, String spec, boolean enabled, Instant nextFireAt) {

        public Schedule {
            MessageValidation.backupType(name);
            MessageValidation.require(kind != null && !kind.isBlank(), "schedule kind is missing");
            MessageValidation.require(spec != null && !spec.isBlank(), "schedule spec is missing");
        }
    }

    /**
     * Retention rules.
     *
     * @param keepHourly         newest backup of each of the last N hours that have one
     * @param keepDaily          ... days
     * @param keepWeekly         ... ISO weeks
     * @param keepMonthly        ... months
     * @param keepManual         newest N of each on-demand type
     * @param keepPreRestoreDays pre_restore backups of the last N days
     */
    public record Retention(int keepHourly, int keepDaily, int keepWeekly, int keepMonthly, int keepManual,
                            int keepPreRestoreDays) {

        public Retention {
            MessageValidation.require(keepHourly > 0 && keepDaily > 0 && keepWeekly > 0 && keepMonthly > 0
                    && keepManual > 0 && keepPreRestoreDays > 0, "retention counts must be positive");
        }
    }

    public SchedulerStateChanged {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(timeZone != null && !timeZone.isBlank(), "timeZone is missing");
        MessageValidation.require(schedules != null, "schedules is missing");
        MessageValidation.require(retention != null, "retention is missing");
        MessageValidation.require(maxBackupSizeMb > 0, "maxBackupSizeMb must be positive");
        MessageValidation.require(settingsVersion > 0, "settingsVersion must be positive");
        MessageValidation.require(changedBy != null && !changedBy.isBlank(), "changedBy is missing");
        schedules = List.copyOf(schedules);
    }

    public static SchedulerStateChanged of(UUID jobId, String target, boolean running, String timeZone,
                                           List<Schedule> schedules, Retention retention, int maxBackupSizeMb,
                                           Boolean compressionEnabled, long settingsVersion, String changedBy) {
        return new SchedulerStateChanged(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, running,
                timeZone, schedules, retention, maxBackupSizeMb, compressionEnabled, settingsVersion, changedBy);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_SCHEDULER_STATE_CHANGED;
    }
}
