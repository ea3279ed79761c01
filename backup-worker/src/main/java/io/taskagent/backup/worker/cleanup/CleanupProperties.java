package io.taskagent.backup.worker.cleanup;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Settings of retention cleanups on this worker ({@code backup.cleanup.*}).
 *
 * @param orphanGrace a backup file (or manifest) the catalog does not list as available is a leftover of a failed
 *                    job, removed by a cleanup, once it has not been written to for this long
 *                    ({@code BACKUP_CLEANUP_ORPHAN_GRACE})
 */
@Validated
@ConfigurationProperties("backup.cleanup")
public record CleanupProperties(@NotNull @DefaultValue("1h") Duration orphanGrace) {

    public CleanupProperties {
        if (orphanGrace != null && orphanGrace.isNegative()) {
            throw new IllegalArgumentException("backup.cleanup.orphan-grace must not be negative");
        }
    }
}
