package io.taskagent.backup.worker.health;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Settings of the worker's periodic health check ({@code backup.health.*}).
 *
 * @param interval    time between two checks, the first one interval after start-up
 *                    ({@code BACKUP_HEALTH_CHECK_INTERVAL_MINUTES}, default 60)
 * @param minFreeDisk free space of the backup storage below which DiskSpaceLow is raised
 *                    ({@code BACKUP_MIN_FREE_DISK_MB}, default 1024)
 */
@Validated
@ConfigurationProperties("backup.health")
public record HealthProperties(@NotNull @DefaultValue("60m") Duration interval,
                               @NotNull @DefaultValue("1GB") DataSize minFreeDisk) {

    public HealthProperties {
        if (interval != null && (interval.isZero() || interval.isNegative())) {
            throw new IllegalArgumentException("backup.health.interval must be positive");
        }
        if (minFreeDisk != null && minFreeDisk.isNegative()) {
            throw new IllegalArgumentException("backup.health.min-free-disk must not be negative");
        }
    }
}
