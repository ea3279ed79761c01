package io.taskagent.backup.scheduler.settings;

import java.time.Instant;
import java.util.List;

/**
 * The settings as stored, with the schedules and the instant from which each may fire.
 *
 * @param settings  the configuration
 * @param version   increases with every change
 * @param createdAt the scheduler's first start
 * @param updatedBy who changed it last
 * @param schedules every schedule, in the order of {@link Settings#schedules()}
 */
public record StoredSettings(Settings settings, long version, Instant createdAt, String updatedBy,
                             List<StoredSchedule> schedules) {

    /**
     * A schedule and the instant it was created, changed or re-enabled (or the scheduler started): only fires after
     * {@code since} are due, so a new or changed schedule does not fire for a time that has already passed.
     *
     * @param definition the schedule
     * @param since      fires at or before this instant are never due
     */
    public record StoredSchedule(ScheduleDefinition definition, Instant since) {
    }

    public StoredSettings {
        schedules = List.copyOf(schedules);
    }
}
