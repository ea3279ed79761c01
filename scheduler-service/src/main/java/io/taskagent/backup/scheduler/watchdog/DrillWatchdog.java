package io.taskagent.backup.scheduler.watchdog;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.DrillOverdue;
import io.taskagent.backup.scheduler.retention.WorkerCatalog;
import io.taskagent.backup.scheduler.settings.SchedulerProperties;
import io.taskagent.backup.scheduler.settings.SettingsStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Raises {@link DrillOverdue} when no restore drill of the target passed within {@code scheduler.drill.max-age},
 * counted from the last passed drill (the worker's {@code v1_jobs}) or, before the first one, from the scheduler's
 * first start. One alert per overdue period across instances, again only after another window without a passed
 * drill. Off when drills are off or the window is zero. Like the staleness watchdog it keeps watching while the
 * scheduler is stopped.
 */
@Component
public class DrillWatchdog {

    private static final Logger log = LoggerFactory.getLogger(DrillWatchdog.class);

    private final SettingsStore settings;
    private final WorkerCatalog catalog;
    private final StaleAlerts alerts;
    private final SchedulerProperties properties;
    private final MeterRegistry meters;

    DrillWatchdog(SettingsStore settings, WorkerCatalog catalog, StaleAlerts alerts, SchedulerProperties properties,
                  MeterRegistry meters) {
        this.settings = settings;
        this.catalog = catalog;
        this.alerts = alerts;
        this.properties = properties;
        this.meters = meters;
    }

    /** One check at {@code now}; true when this call raised DrillOverdue. */
    public boolean check(Instant now) {
        Duration window = properties.drill().maxAge();
        if (!properties.drill().enabled() || window.isZero()) {
            return false;
        }
        Instant createdAt = settings.current(now).createdAt();
        String target = properties.target();
        Instant lastPassed = catalog.lastPassedDrill(target).orElse(null);
        Instant since = lastPassed == null || lastPassed.isBefore(createdAt) ? createdAt : lastPassed;
        if (Duration.between(since, now).compareTo(window) <= 0) {
            return false;
        }
        boolean raised = alerts.raise(StaleAlerts.Kind.DRILL, target, lastPassed, now, window,
                new DrillOverdue(UUID.randomUUID(), UUID.randomUUID(), target, now, BackupMessage.CURRENT_VERSION,
                        lastPassed, window.toSeconds()));
        if (raised) {
            meters.counter("scheduler.drill.overdue.alerts").increment();
            log.warn("no restore drill of '{}' passed since {} (window {}): DrillOverdue raised", target,
                    lastPassed == null ? "ever" : lastPassed, window);
            return true;
        }
        return false;
    }
}
