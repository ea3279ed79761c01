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
import java.util.Map;
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
            List<DeleteBackups.Deletion> deletions = new java.util.ArrayList<>();
            for (CleanupCompleted.Decision d : run.decisions()) {
                if (!d.keep()) {
                    deletions.add(new DeleteBackups.Deletion(d.backupId(), d.fileName(), d.reasons().get(0)));
                } else {
                    for (String destination : d.dropCopies()) {
                        deletions.add(new DeleteBackups.Deletion(d.backupId(), d.fileName(),
                                destination + ": kept by none of its rules " + rulesOf(destination), destination));
                    }
                }
            }
            publisher.publishCommand(new DeleteBackups(UUID.randomUUID(), jobId, run.target(), now,
                    BackupMessage.CURRENT_VERSION, deletions, kept, run.requestedBy()));
        }
        runs.markPublished(jobId, now);
        meters.counter("scheduler.cleanups", "dry_run", String.valueOf(run.dryRun())).increment();
        log.info("cleanup {} of '{}' ({}): keep {}, delete {}", jobId, run.target(), run.dryRun() ? "dry run" : "real",
                kept, run.decisions().size() - kept);
    }

    private String rulesOf(String destination) {
        SchedulerProperties.Retention r = properties.destinationRetention().get(destination);
        return r == null ? "(the stored retention)" : "(hourly " + r.keepHourly() + ", daily " + r.keepDaily()
                + ", weekly " + r.keepWeekly() + ", monthly " + r.keepMonthly() + ")";
    }

    private CleanupRuns.CleanupRun decide(UUID jobId, boolean dryRun, String requestedBy, Instant now) {
        StoredSettings stored = settings.current(now);
        RetentionPolicy policy = new RetentionPolicy(stored.settings().retention(), stored.settings().timeZone());
        String target = properties.target();
        List<StoredBackup> backups = catalog.availableBackups(target);
        Map<UUID, String> inUse = catalog.backupsInUse();
        List<RetentionDecision> global = policy.decide(backups, inUse, now);
        List<CleanupCompleted.Decision> decisions;
        if (properties.destinationRetention().isEmpty()) {
            decisions = global.stream().map(d -> decision(d, d.keep(), d.reasons(), List.of())).toList();
        } else {
            decisions = perDestination(global, backups, inUse, stored, now, catalog.availableCopies(target));
        }
        return new CleanupRuns.CleanupRun(jobId, target, dryRun, requestedBy, decisions);
    }

    private static CleanupCompleted.Decision decision(RetentionDecision d, boolean keep, List<String> reasons,
                                                      List<String> dropCopies) {
        return new CleanupCompleted.Decision(d.backup().id(), d.backup().fileName(), d.backup().backupType(),
                d.backup().createdAt(), d.backup().sizeBytes(), keep, reasons, dropCopies);
    }

    /**
     * Retention per destination: each destination with its own rules decides over the backups it holds a copy of;
     * the others follow the stored rules (the global decision). A backup no destination keeps goes entirely; one
     * kept somewhere loses its copies on the destinations that let it go, except that the last verified copy of a
     * kept backup is never dropped (a kept backup whose kept copies are not verified keeps its verified ones too).
     */
    private List<CleanupCompleted.Decision> perDestination(List<RetentionDecision> global, List<StoredBackup> backups,
                                                           Map<UUID, String> inUse, StoredSettings stored,
                                                           Instant now, Map<UUID, List<WorkerCatalog.Copy>> copies) {
        Map<String, Map<UUID, RetentionDecision>> byDestination = new java.util.HashMap<>();
        properties.destinationRetention().forEach((destination, rules) -> {
            List<StoredBackup> held = backups.stream().filter(b -> copies.getOrDefault(b.id(), List.of()).stream()
                    .anyMatch(c -> c.destination().equals(destination))).toList();
            Map<UUID, RetentionDecision> decided = new java.util.HashMap<>();
            new RetentionPolicy(SchedulerProperties.rules(rules), stored.settings().timeZone())
                    .decide(held, inUse, now).forEach(d -> decided.put(d.backup().id(), d));
            byDestination.put(destination, decided);
        });
        List<CleanupCompleted.Decision> decisions = new java.util.ArrayList<>();
        for (RetentionDecision g : global) {
            List<WorkerCatalog.Copy> held = copies.getOrDefault(g.backup().id(), List.of());
            List<String> reasons = new java.util.ArrayList<>();
            List<WorkerCatalog.Copy> kept = new java.util.ArrayList<>();
            List<WorkerCatalog.Copy> dropped = new java.util.ArrayList<>();
            for (WorkerCatalog.Copy copy : held) {
                RetentionDecision d = byDestination.getOrDefault(copy.destination(), Map.of()).get(g.backup().id());
                boolean keep = d == null ? g.keep() : d.keep();
                if (keep) {
                    kept.add(copy);
                    (d == null ? g.reasons() : d.reasons()).forEach(r -> reasons.add(copy.destination() + ": " + r));
                } else {
                    dropped.add(copy);
                }
            }
            if (held.isEmpty()) {
                decisions.add(decision(g, g.keep(), g.reasons(), List.of()));
            } else if (kept.isEmpty()) {
                decisions.add(decision(g, false, List.of("kept by no destination's rules: " + String.join("; ",
                        held.stream().map(c -> c.destination() + " " + rulesOf(c.destination())).toList())), List.of()));
            } else {
                if (kept.stream().noneMatch(WorkerCatalog.Copy::verified)) {
                    List<WorkerCatalog.Copy> verified = dropped.stream().filter(WorkerCatalog.Copy::verified).toList();
                    dropped.removeAll(verified);
                    verified.forEach(c -> reasons.add(c.destination() + ": the last verified copy of a kept backup"));
                }
                decisions.add(decision(g, true, reasons,
                        dropped.stream().map(WorkerCatalog.Copy::destination).toList()));
            }
        }
        return decisions;
    }
}
