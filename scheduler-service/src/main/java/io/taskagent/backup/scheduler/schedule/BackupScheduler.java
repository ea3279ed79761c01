package io.taskagent.backup.scheduler.schedule;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestDrill;
import io.taskagent.backup.model.ScheduleBounds;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.PublishException;
import io.taskagent.backup.scheduler.retention.CleanupService;
import io.taskagent.backup.scheduler.retention.WorkerCatalog;
import io.taskagent.backup.scheduler.retention.WorkerCatalogException;
import io.taskagent.backup.scheduler.settings.ScheduleDefinition;
import io.taskagent.backup.scheduler.settings.SchedulerProperties;
import io.taskagent.backup.scheduler.settings.SettingsStore;
import io.taskagent.backup.scheduler.settings.StoredSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Fires the stored schedules. Each tick, for each enabled schedule, it takes the schedule's latest fire at or before
 * now; if that fire is after the schedule's {@code since} and not in the {@link FireLog}, it records it (once across
 * instances) and publishes it: {@link RequestBackup} of the schedule's type, or the retention cleanup. Publishing
 * waits for the broker's confirm; a fire left unconfirmed stays PENDING and is published again after a minute with
 * the same job id (the worker runs a job once).
 * <p>
 * Missed fires (every instance was down) are coalesced: only the latest one is considered, and fired if
 * {@code scheduler.catch-up} is on, recorded as skipped otherwise. Nothing fires while the scheduler is stopped.
 * <p>
 * Restore drills ({@code scheduler.drill.*}) fire the same way as {@link RequestDrill} of the newest backup: the
 * calendar drill (fire-log name {@value ScheduleBounds#DRILL_SCHEDULE}, its cron in the scheduler's zone, counted from
 * the scheduler's first start) and, when {@code every-backups} is N > 0, one after every N-th successful backup
 * ({@value ScheduleBounds#DRILL_AFTER_BACKUPS_SCHEDULE}, its fire instant the time that N-th backup was recorded, counted
 * from the previous such fire), read from the worker's {@code v1_backups}.
 */
@Component
public class BackupScheduler {

    /** A fire unconfirmed for this long is published again (longer than a publisher's confirm timeout). */
    static final Duration PENDING_GRACE = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(BackupScheduler.class);

    private final FireLog fires;
    private final SettingsStore settings;
    private final ConfirmingPublisher publisher;
    private final CleanupService cleanup;
    private final SchedulerProperties properties;
    private final MeterRegistry meters;
    private final WorkerCatalog catalog;

    BackupScheduler(FireLog fires, SettingsStore settings, ConfirmingPublisher publisher, CleanupService cleanup,
                    SchedulerProperties properties, MeterRegistry meters, WorkerCatalog catalog) {
        this.catalog = catalog;
        this.fires = fires;
        this.nextFireGauges = io.micrometer.core.instrument.MultiGauge.builder("scheduler.next.fire.seconds")
                .description("when each enabled schedule fires next (epoch seconds)").register(meters);
        io.micrometer.core.instrument.Gauge.builder("scheduler.running", runningGauge,
                java.util.concurrent.atomic.AtomicInteger::get).description("1 while the schedules fire")
                .register(meters);
        this.settings = settings;
        this.publisher = publisher;
        this.cleanup = cleanup;
        this.properties = properties;
        this.meters = meters;
    }

    /** One check at {@code now}: publish fires left pending, then every due fire nobody recorded yet. */
    public void tick(Instant now) {
        for (FireLog.PendingFire pending : fires.takeOverStalePending(PENDING_GRACE)) {
            log.info("schedule '{}': fire {} was not confirmed, publishing it again (job {})", pending.schedule(),
                    pending.fireAt(), pending.jobId());
            fire(pending.schedule(), pending.fireAt(), pending.jobId(), now);
        }
        StoredSettings stored = settings.current(now);
        if (stored.settings().running()) {
            for (StoredSettings.StoredSchedule schedule : stored.schedules()) {
                if (schedule.definition().enabled()) {
                    check(schedule, stored, now);
                }
            }
            checkDrills(stored, now);
        }
        settings.refreshNextFires(now, locked -> ScheduleCalendar.nextFires(locked, now));
        exportNextFires(stored, now);
    }

    private final io.micrometer.core.instrument.MultiGauge nextFireGauges;
    private final java.util.concurrent.atomic.AtomicInteger runningGauge = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Gauges {@code scheduler.next.fire.seconds{schedule}} (epoch seconds of each enabled schedule's next fire, the
     * drill's included; none while stopped) and {@code scheduler.running} (1 or 0), for dashboards.
     */
    private void exportNextFires(StoredSettings stored, Instant now) {
        runningGauge.set(stored.settings().running() ? 1 : 0);
        java.util.List<io.micrometer.core.instrument.MultiGauge.Row<?>> rows = new java.util.ArrayList<>();
        ScheduleCalendar.nextFires(stored, now).forEach((name, at) -> {
            if (at != null) {
                rows.add(io.micrometer.core.instrument.MultiGauge.Row.of(
                        io.micrometer.core.instrument.Tags.of("schedule", name), at.getEpochSecond()));
            }
        });
        SchedulerProperties.Drill drill = properties.drill();
        if (stored.settings().running() && drill.enabled()) {
            Instant next = drillSchedule(stored).nextAfter(now);
            if (next != null) {
                rows.add(io.micrometer.core.instrument.MultiGauge.Row.of(
                        io.micrometer.core.instrument.Tags.of("schedule", ScheduleBounds.DRILL_SCHEDULE),
                        next.getEpochSecond()));
            }
        }
        nextFireGauges.register(rows, true);
    }

    private void check(StoredSettings.StoredSchedule schedule, StoredSettings stored, Instant now) {
        String name = schedule.definition().name();
        Instant slot = Schedule.of(schedule.definition(), stored.settings().timeZone()).latestAtOrBefore(now);
        check(name, slot, schedule.since(), now);
    }

    private void checkDrills(StoredSettings stored, Instant now) {
        SchedulerProperties.Drill drill = properties.drill();
        if (!drill.enabled()) {
            return;
        }
        Instant slot = drillSchedule(stored).latestAtOrBefore(now);
        check(ScheduleBounds.DRILL_SCHEDULE, slot, stored.createdAt(), now);
        if (drill.everyBackups() > 0) {
            String name = ScheduleBounds.DRILL_AFTER_BACKUPS_SCHEDULE;
            Instant since = fires.latest(name).filter(f -> f.isAfter(stored.createdAt())).orElse(stored.createdAt());
            try {
                catalog.nthBackupAfter(properties.target(), since, drill.everyBackups())
                        .filter(at -> !at.isAfter(now))
                        .ifPresent(nth -> check(name, nth, since, now));
            } catch (WorkerCatalogException e) {
                log.warn("drill after every {} backups not checked: {}", drill.everyBackups(), e.getMessage());
            }
        }
    }

    /** The calendar drill's schedule: its cron in the scheduler's zone. */
    private Schedule drillSchedule(StoredSettings stored) {
        return new CronSchedule(CronExpression.parse(properties.drill().cron()), stored.settings().timeZone());
    }

    /** Fires {@code slot} of the schedule {@code name} once, when it is after {@code since} and not recorded yet. */
    private void check(String name, Instant slot, Instant since, Instant now) {
        if (slot == null || !slot.isAfter(since) || fires.exists(name, slot)) {
            return;
        }
        boolean missed = Duration.between(slot, now).compareTo(properties.misfireThreshold()) > 0;
        if (missed && !properties.catchUp()) {
            if (fires.skip(name, slot)) {
                log.info("schedule '{}' missed its fire at {} while no scheduler ran; catch-up is off: skipped",
                        name, slot);
                meters.counter("scheduler.fires", "kind", kindTag(name), "outcome", "skipped").increment();
            }
            return;
        }
        UUID jobId = UUID.randomUUID();
        if (fires.claim(name, slot, jobId)) {
            if (missed) {
                log.info("schedule '{}' missed fires while no scheduler ran: catching up once, for {}", name, slot);
            }
            fire(name, slot, jobId, now);
        }
    }

    private void fire(String schedule, Instant fireAt, UUID jobId, Instant now) {
        String kind = kindTag(schedule);
        try {
            if (ScheduleDefinition.CLEANUP.equals(schedule)) {
                cleanup.run(jobId, false, "scheduler:" + schedule, now);
            } else if (isDrill(schedule)) {
                publisher.publishCommand(new RequestDrill(UUID.randomUUID(), jobId, properties.target(), now,
                        BackupMessage.CURRENT_VERSION, null, "scheduler:" + schedule));
            } else {
                publisher.publishCommand(new RequestBackup(UUID.randomUUID(), jobId, properties.target(), now,
                        BackupMessage.CURRENT_VERSION, schedule, "scheduler:" + schedule));
            }
            fires.markPublished(schedule, fireAt);
            meters.counter("scheduler.fires", "kind", kind, "outcome", "published").increment();
            log.info("schedule '{}' fired for {}: job {}", schedule, fireAt, jobId);
        } catch (PublishException e) {
            meters.counter("scheduler.fires", "kind", kind, "outcome", "unconfirmed").increment();
            log.warn("schedule '{}' fire {} not confirmed by the broker, will retry: {}", schedule, fireAt,
                    e.getMessage());
        } catch (RuntimeException e) {
            meters.counter("scheduler.fires", "kind", kind, "outcome", "unconfirmed").increment();
            log.warn("schedule '{}' fire {} failed, will retry: {}", schedule, fireAt, e.toString());
        }
    }

    private static String kindTag(String schedule) {
        return ScheduleDefinition.CLEANUP.equals(schedule) ? "cleanup" : isDrill(schedule) ? "drill" : "backup";
    }

    private static boolean isDrill(String schedule) {
        return ScheduleBounds.DRILL_SCHEDULE.equals(schedule) || ScheduleBounds.DRILL_AFTER_BACKUPS_SCHEDULE.equals(schedule);
    }
}
