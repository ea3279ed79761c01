package io.taskagent.backup.worker.cleanup;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.CleanupCompleted;
import io.taskagent.backup.model.DeleteBackups;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.messaging.Retry;
import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.format.BackupFormat;
import io.taskagent.backup.worker.job.EventOutbox;
import io.taskagent.backup.worker.job.JobHandler;
import io.taskagent.backup.worker.job.JobIntake;
import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.job.LeaseKeeper;
import io.taskagent.backup.worker.backup.BackupCopies;
import io.taskagent.backup.worker.storage.BackupStorage;
import io.taskagent.backup.worker.storage.Destinations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Carries out retention cleanups the scheduler decided ({@link DeleteBackups}), as jobs of kind {@code cleanup}.
 * {@link #accept} records the job and its deletions and claims it under a lease (a redelivered command claims
 * nothing); {@link #execute} expires each backup in the catalog (checking again that it is not the target's newest
 * and that no running verify or restore uses it), then removes its file and manifest, removes leftovers of failed
 * jobs (backup files the catalog does not list, idle for {@code backup.cleanup.orphan-grace}), records the result
 * and publishes {@link CleanupCompleted}. The catalog row is marked before the file goes: a crash in between leaves
 * a leftover that the next cleanup removes, never a catalogued backup without its file.
 */
@Service
class CleanupExecutor implements JobHandler<DeleteBackups> {

    private static final Logger log = LoggerFactory.getLogger(CleanupExecutor.class);

    /** A backup file's name ({@code type_backup_yyyyMMdd_HHmmss_shortid.json[.gz|.zst]}), or its manifest's. */
    private static final Pattern BACKUP_FILE = Pattern.compile(
            "[a-z0-9][a-z0-9_-]{0,39}_backup_\\d{8}_\\d{6}_([0-9a-f]{8})\\.json(\\.gz|\\.zst)?(?:\\.enc)?("
                    + Pattern.quote(BackupFormat.MANIFEST_SUFFIX) + ")?");

    private final JobStore jobs;
    private final JobIntake intake;
    private final BackupExpiry catalog;
    private final Destinations destinations;
    private final BackupCopies copies;
    private final EventOutbox outbox;
    private final Retry retry;
    private final LeaseKeeper leases;
    private final CleanupProperties properties;
    private final MeterRegistry meters;
    private final String storedTarget;

    CleanupExecutor(JobStore jobs, JobIntake intake, BackupExpiry catalog, Destinations destinations,
                    BackupCopies copies,
                    EventOutbox outbox, Retry retry, LeaseKeeper leases, CleanupProperties properties,
                    MeterRegistry meters, WorkerProperties worker) {
        this.jobs = jobs;
        this.intake = intake;
        this.catalog = catalog;
        this.destinations = destinations;
        this.copies = copies;
        this.outbox = outbox;
        this.retry = retry;
        this.leases = leases;
        this.properties = properties;
        this.meters = meters;
        this.storedTarget = worker.source().target();
    }

    @Override
    public JobKind kind() {
        return JobKind.CLEANUP;
    }

    @Override
    public Class<DeleteBackups> commandType() {
        return DeleteBackups.class;
    }

    /** Records the cleanup job with its deletions, and claims it; its type is its kind. */
    @Override
    public Optional<JobStore.Job> accept(DeleteBackups command) {
        return intake.accept(new JobStore.NewJob(command.jobId(), JobKind.CLEANUP, JobKind.CLEANUP.label(),
                command.target(), command.requestedBy(), command.occurredAt(), null),
                () -> catalog.saveRequest(command.jobId(), command));
    }

    /**
     * A cleanup whose lease expired too often: failed for good. There is no failure event for a cleanup (the
     * scheduler's next cleanup decides again); the job record and the log say why.
     */
    @Override
    public void giveUp(JobStore.Job job, String reason) {
        if (retry.get("abandoning job " + job.id(), () -> jobs.abandon(job.id(), reason))) {
            meters.counter("backup.cleanup.failures").increment();
            log.warn("cleanup job {} failed: {}", job.id(), reason);
        }
    }

    /** Runs a claimed cleanup job (also one taken over after its lease expired: every step can be repeated). */
    @Override
    public void execute(JobStore.Job job) {
        if (!storedTarget.equals(job.target())) {
            String reason = "this worker stores backups of '" + storedTarget + "', not of '" + job.target() + "'";
            log.warn("cleanup job {} failed: {}", job.id(), reason);
            retry.get("recording failure of job " + job.id(), () -> jobs.fail(job.id(), leases.worker(), reason));
            return;
        }
        BackupExpiry.Request request = retry.get("reading cleanup job " + job.id(), () -> catalog.request(job.id()))
                .orElseThrow(() -> new IllegalStateException("cleanup job " + job.id() + " has no recorded deletions"));
        List<CleanupCompleted.Decision> decisions = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        long freed = 0;
        int refused = 0;
        for (DeleteBackups.Deletion deletion : request.deletions()) {
            if (deletion.destination() != null) {
                long[] copyFreed = {0};
                decisions.add(dropCopy(job, deletion, removed, copyFreed));
                freed += copyFreed[0]; // the backup stays: the scheduler counted it among the kept
                continue;
            }
            Optional<BackupExpiry.Catalogued> expired = retry.get("expiring backup " + deletion.backupId(),
                    () -> catalog.expire(deletion.backupId(), job.target(), job.id()));
            if (expired.isPresent()) {
                BackupExpiry.Catalogued b = expired.get();
                for (BackupCopies.Copy copy : retry.get("reading the copies of " + b.id(), () -> copies.of(b.id()))) {
                    if ("DELETED".equals(copy.status())) {
                        continue;
                    }
                    Optional<BackupStorage> storage = destinations.get(copy.destination());
                    if (storage.isEmpty()) {
                        if ("AVAILABLE".equals(copy.status())) {
                            log.warn("cleanup job {}: the copy of {} on '{}' stays: that destination is not configured "
                                    + "on this worker", job.id(), b.fileName(), copy.destination());
                        } else { // a pending, failed or damaged copy of an expired backup is not to be made or kept
                            retry.get("recording the deletion of a copy of " + b.id(),
                                    () -> copies.deleted(b.id(), copy.destination(), job.id()));
                        }
                        continue;
                    }
                    freed += remove(storage.get(), b.fileName(), removed)
                            + remove(storage.get(), b.fileName() + BackupFormat.MANIFEST_SUFFIX, removed);
                    retry.get("recording the deletion of a copy of " + b.id(),
                            () -> copies.deleted(b.id(), copy.destination(), job.id()));
                }
                decisions.add(decision(b, false, deletion.reason()));
                continue;
            }
            Optional<BackupExpiry.Catalogued> kept = retry.get("reading backup " + deletion.backupId(),
                    () -> catalog.find(deletion.backupId()));
            String why = retry.get("reading backup " + deletion.backupId(),
                    () -> catalog.whyKept(deletion.backupId(), job.target()));
            if (kept.isEmpty()) {
                log.warn("cleanup job {}: backup {} is not in the catalog", job.id(), deletion.backupId());
            } else {
                refused++;
                log.info("cleanup job {}: not deleting {}: {}", job.id(), kept.get().fileName(), why);
                decisions.add(decision(kept.get(), true, why));
            }
        }
        freed += removeLeftovers(removed);
        long bytesFreed = freed;
        int keptCount = request.keptCount() + refused;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("removed_files", removed);
        result.put("bytes_freed", bytesFreed);
        result.put("kept_count", keptCount);
        result.put("deleted_count", decisions.stream().filter(d -> !d.keep()).count());
        result.put("copies_deleted", decisions.stream().filter(d -> !d.dropCopies().isEmpty())
                .map(d -> Map.of("backup_id", d.backupId(), "destinations", d.dropCopies())).toList());
        result.put("refused", decisions.stream().filter(d -> d.keep() && d.dropCopies().isEmpty())
                .map(d -> Map.of("backup_id", d.backupId(), "reason", d.reasons().get(0))).toList());
        String resultJson = MessageJson.mapper().writeValueAsString(result);
        CleanupCompleted completed = new CleanupCompleted(UUID.randomUUID(), job.id(), job.target(), Instant.now(),
                BackupMessage.CURRENT_VERSION, false, decisions, removed, bytesFreed, keptCount);
        if (outbox.finish("recording cleanup job " + job.id(),
                () -> jobs.succeed(job.id(), leases.worker(), resultJson), completed)) {
            meters.counter("backup.cleanup.removed.files").increment(removed.size());
            meters.counter("backup.cleanup.freed.bytes").increment(bytesFreed);
            log.info("cleanup job {}: {} file(s) removed, {} bytes freed, {} backup(s) kept", job.id(), removed.size(),
                    bytesFreed, keptCount);
        } else {
            log.warn("cleanup job {} was taken over by another worker", job.id());
        }
    }

    /**
     * Removes one copy of a backup that stays (that destination's own rules let it go): refused when the backup is
     * not available, is in use by a verify or restore, has no other available copy (the last copy goes only with the
     * backup, through the checks of {@link BackupExpiry#expire}), or the destination is not configured here.
     */
    private CleanupCompleted.Decision dropCopy(JobStore.Job job, DeleteBackups.Deletion deletion, List<String> removed,
                                               long[] freed) {
        String destination = deletion.destination();
        BackupExpiry.Catalogued b = retry.get("reading backup " + deletion.backupId(),
                () -> catalog.find(deletion.backupId())).orElse(null);
        if (b == null) {
            return new CleanupCompleted.Decision(deletion.backupId(), deletion.fileName(), "manual", Instant.now(), 0,
                    true, List.of("not in the catalog"));
        }
        String refusal = null;
        if (b.expiredBy() != null) {
            refusal = "expired already";
        } else if (retry.get("reading jobs", () -> catalog.inUse(b.id()))) {
            refusal = "in use by a running verify or restore";
        } else if (destinations.get(destination).isEmpty()) {
            refusal = "destination '" + destination + "' is not configured on this worker";
        } else if (!retry.get("dropping the copy of " + b.id() + " on " + destination,
                () -> copies.dropIfAnotherRemains(b.id(), destination, job.id()))) {
            refusal = "the copy on '" + destination + "' is not available or is its last";
        }
        if (refusal != null) {
            log.info("cleanup job {}: not deleting the copy of {} on '{}': {}", job.id(), b.fileName(), destination,
                    refusal);
            return decision(b, true, "copy on '" + destination + "' kept: " + refusal);
        }
        // catalogued as deleted first: a removal that fails leaves a leftover the next cleanups sweep
        BackupStorage storage = destinations.get(destination).get();
        freed[0] = remove(storage, b.fileName(), removed)
                + remove(storage, b.fileName() + BackupFormat.MANIFEST_SUFFIX, removed);
        log.info("cleanup job {}: deleted the copy of {} on '{}': {}", job.id(), b.fileName(), destination,
                deletion.reason());
        return new CleanupCompleted.Decision(b.id(), b.fileName(), b.backupType(), b.createdAt(), b.sizeBytes(), true,
                List.of(deletion.reason()), List.of(destination));
    }

    private static CleanupCompleted.Decision decision(BackupExpiry.Catalogued b, boolean keep, String reason) {
        return new CleanupCompleted.Decision(b.id(), b.fileName(), b.backupType(), b.createdAt(), b.sizeBytes(), keep,
                List.of(reason));
    }

    /** Removes a stored file if it is there; returns the bytes freed and adds its name to {@code removed}. */
    private long remove(BackupStorage storage, String fileName, List<String> removed) {
        try {
            Optional<BackupStorage.StoredObject> stat = storage.stat(fileName);
            if (stat.isEmpty() || !storage.delete(fileName)) {
                return 0;
            }
            removed.add(fileName);
            return stat.get().sizeBytes();
        } catch (IOException | IllegalArgumentException e) {
            log.warn("could not remove {} from '{}': {}", fileName, storage.name(), e.getMessage());
            return 0;
        }
    }

    /**
     * Removes backup files and manifests that no available backup owns (a failed or taken-over job's, or an expired
     * backup's whose removal failed), on every destination this worker has, unless a queued or running job may still
     * be writing or recording them or they were written to within the grace period.
     */
    private long removeLeftovers(List<String> removed) {
        Set<String> active = retry.get("reading the catalog", catalog::activeJobPrefixes);
        java.time.Instant cutoff = java.time.Instant.now().minus(properties.orphanGrace());
        long freed = 0;
        for (BackupStorage storage : destinations.all()) {
            // what this destination should hold: its available and pending copies (a deleted copy's file is a leftover)
            Set<String> available = retry.get("reading the catalog", () -> copies.heldFileNames(storage.name()));
            List<String> leftovers = new ArrayList<>();
            try {
                for (BackupStorage.StoredObject entry : storage.list()) {
                    String name = entry.fileName();
                    Matcher m = BACKUP_FILE.matcher(name);
                    if (!m.matches()) {
                        continue;
                    }
                    String backupFile = m.group(3) == null ? name
                            : name.substring(0, name.length() - BackupFormat.MANIFEST_SUFFIX.length());
                    if (available.contains(backupFile) || active.contains(m.group(1))
                            || entry.modifiedAt().isAfter(cutoff)) {
                        continue;
                    }
                    leftovers.add(name);
                }
            } catch (IOException e) {
                log.warn("cannot list '{}' for leftovers: {}", storage.name(), e.getMessage());
            }
            for (String name : leftovers) {
                long size = remove(storage, name, removed);
                if (size > 0) {
                    log.info("removed leftover {} ({} bytes) from '{}': no available backup owns it", name, size,
                            storage.name());
                }
                freed += size;
            }
        }
        return freed;
    }
}
