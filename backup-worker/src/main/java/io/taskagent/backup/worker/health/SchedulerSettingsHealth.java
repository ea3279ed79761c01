package io.taskagent.backup.worker.health;

import io.taskagent.backup.worker.backup.SchedulerSettings;
import io.taskagent.backup.model.health.TimeBoundHealth;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health component {@code settings}: where the worker's backup settings come from (detail {@code schedulerSettings}:
 * {@code scheduler.v1_settings}, or that the scheduler does not publish them on this catalog and the worker's own
 * apply), and the values in force. Down when the view exists but cannot be read (every backup fails then), and when
 * it does not exist (no scheduler has migrated this catalog: backups use the worker's own settings).
 */
@Component("settingsHealthIndicator")
class SchedulerSettingsHealth implements HealthIndicator {

    private final SchedulerSettings settings;
    /** Read within the catalog database's health time-out: during an outage, DOWN at once rather than after 10 s. */
    private final TimeBoundHealth bounded;

    SchedulerSettingsHealth(SchedulerSettings settings,
                            @Value("${backup.health.db-timeout:1s}") java.time.Duration timeout) {
        this.settings = settings;
        this.bounded = new TimeBoundHealth("the catalog (" + SchedulerSettings.VIEW + ")", this::read, timeout);
    }

    @Override
    public Health health() {
        return bounded.health();
    }

    private Health read() {
        try {
            SchedulerSettings.Effective effective = settings.current();
            return (SchedulerSettings.unpublished(effective) ? Health.down() : Health.up())
                    .withDetail("schedulerSettings", effective.source())
                    .withDetail("maxBackupSizeMb", effective.maxBackupSizeMb())
                    .withDetail("compression", effective.compression().name().toLowerCase())
                    .build();
        } catch (SchedulerSettings.Unreadable e) {
            return Health.down().withDetail("schedulerSettings", e.getMessage()).build();
        }
    }
}
