package io.taskagent.backup.scheduler.watchdog;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.BackupStale;
import io.taskagent.backup.scheduler.retention.WorkerCatalog;
import io.taskagent.backup.scheduler.schedule.ScheduleCalendar;
import io.taskagent.backup.scheduler.settings.SchedulerProperties;
import io.taskagent.backup.scheduler.settings.SettingsStore;
import io.taskagent.backup.scheduler.settings.StoredSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Raises {@link BackupStale} when the target has had no successful backup for the staleness window
 * ({@code scheduler.stale-after}, default twice the shortest period of the enabled backup schedules), counted from
 * the last success or, before the first one, from the scheduler's first start. One alert per stale period across
 * instances: again only after another window without success. It keeps watching while the scheduler is stopped:
 * that is when backups stop.
 */
@Component
public class StalenessWatchdog {

    private static final Logger log = LoggerFactory.getLogger(StalenessWatchdog.class);

    private final SettingsStore settings;
    private final WorkerCatalog catalog;
    private final StaleAlerts alerts;
    private final SchedulerProperties properties;
    private final MeterRegistry meters;

    StalenessWatchdog(SettingsStore settings, WorkerCatalog catalog, StaleAlerts alerts,
                      SchedulerProperties properties, MeterRegistry meters) {
        this.settings = settings;
        this.catalog = catalog;
        this.alerts = alerts;
        this.properties = properties;
        this.meters = meters;
    }

    /** One check at {@code now}; true when this call raised BackupStale. */
    public boolean check(Instant now) {
        StoredSettings stored = settings.current(now);
        Optional<Duration> window = Optional.ofNullable(properties.staleAfter())
                .or(() -> ScheduleCalendar.shortestBackupPeriod(stored, now).map(p -> p.multipliedBy(2)));
        if (window.isEmpty()) {
            return false;
        }
        String target = properties.target();
        Instant lastSuccess = catalog.lastSuccess(target).orElse(null);
        Instant since = lastSuccess == null || lastSuccess.isBefore(stored.createdAt()) ? stored.createdAt() : lastSuccess;
        if (Duration.between(since, now).compareTo(window.get()) <= 0) {
            return false;
        }
        boolean raised = alerts.raise(StaleAlerts.Kind.BACKUP, target, lastSuccess, now, window.get(),
                new BackupStale(UUID.randomUUID(), UUID.randomUUID(), target, now, BackupMessage.CURRENT_VERSION,
                        lastSuccess, window.get().toSeconds()));
        if (raised) {
            meters.counter("scheduler.stale.alerts").increment();
            log.warn("no successful backup of '{}' since {} (window {}): BackupStale raised", target,
                    lastSuccess == null ? "ever" : lastSuccess, window.get());
            return true;
        }
        return false;
    }
}
