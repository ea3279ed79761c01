package io.taskagent.backup.scheduler.retention;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.CleanupCompleted;
import io.taskagent.backup.model.DeleteBackups;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.scheduler.settings.SchedulerProperties;
import io.taskagent.backup.scheduler.settings.SettingsStore;
import io.taskagent.backup.scheduler.settings.StoredSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Retention cleanups: decides with the {@link RetentionPolicy} over the worker's catalog, stores the decisions
 * ({@link CleanupRuns}) and publishes them: a dry run as {@link CleanupCompleted} (nothing deleted), a real one as
 * {@link DeleteBackups} for the worker, which owns the files and carries it out. Deciding is idempotent by job id.
 */
@Service
public class CleanupService {

    private static final Logger log = LoggerFactory.getLogger(CleanupService.class);

    private final WorkerCatalog catalog;
    private final CleanupRuns runs;
    private final SettingsStore settings;
    private final ConfirmingPublisher publisher;
    private final SchedulerProperties properties;
    private final MeterRegistry meters;

    CleanupService(WorkerCatalog catalog, CleanupRuns runs, SettingsStore settings, ConfirmingPublisher publisher,
                   SchedulerProperties properties, MeterRegistry meters) {
        this.catalog = catalog;
        this.runs = runs;
        this.settings = settings;
        this.publisher = publisher;
        this.properties = properties;
        this.meters = meters;
    }

    /**
     * Decides (once per job id) and publishes a cleanup of this scheduler's target; returns once the broker
     * confirmed it.
     *
     * @throws io.taskagent.backup.model.messaging.PublishException when the broker did not confirm it
     */
    public void run(UUID jobId, boolean dryRun, String requestedBy, Instant now) {
        CleanupRuns.CleanupRun run = runs.find(jobId).orElseGet(() -> {
            runs.insertIfAbsent(decide(jobId, dryRun, requestedBy, now), now);
            return runs.find(jobId).orElseThrow();
        });
        int kept = run.keptCount();
        if (run.dryRun()) {
            publisher.publishEvent(new CleanupCompleted(UUID.randomUUID(), jobId, run.target(), now,
                    BackupMessage.CURRENT_VERSION, true, run.decisions(), List.of(), 0, kept));
        } else {
            List<DeleteBackups.Deletion> deletions = run.decisions().stream().filter(d -> !d.keep())
                    .map(d -> new DeleteBackups.Deletion(d.backupId(), d.fileName(), d.reasons().get(0)))
                    .toList();
            publisher.publishCommand(new DeleteBackups(UUID.randomUUID(), jobId, run.target(), now,
                    BackupMessage.CURRENT_VERSION, deletions, kept, run.requestedBy()));
        }
        runs.markPublished(jobId, now);
        meters.counter("scheduler.cleanups", "dry_run", String.valueOf(run.dryRun())).increment();
        log.info("cleanup {} of '{}' ({}): keep {}, delete {}", jobId, run.target(), run.dryRun() ? "dry run" : "real",
                kept, run.decisions().size() - kept);
    }

    private CleanupRuns.CleanupRun decide(UUID jobId, boolean dryRun, String requestedBy, Instant now) {
        StoredSettings stored = settings.current(now);
        RetentionPolicy policy = new RetentionPolicy(stored.settings().retention(), stored.settings().timeZone());
        String target = properties.target();
        List<CleanupCompleted.Decision> decisions = policy
                .decide(catalog.availableBackups(target), catalog.backupsInUse(), now).stream()
                .map(d -> new CleanupCompleted.Decision(d.backup().id(), d.backup().fileName(),
                        d.backup().backupType(), d.backup().createdAt(), d.backup().sizeBytes(), d.keep(),
                        d.reasons()))
                .toList();
        return new CleanupRuns.CleanupRun(jobId, target, dryRun, requestedBy, decisions);
    }
}
