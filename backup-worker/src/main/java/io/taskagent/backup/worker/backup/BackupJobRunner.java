package io.taskagent.backup.worker.backup;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.taskagent.backup.model.ScheduleBounds;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.BackupOversized;
import io.taskagent.backup.model.BackupProgress;
import io.taskagent.backup.model.BackupStarted;
import io.taskagent.backup.model.DiskSpaceLow;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.Retry;
import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.format.BackupFormat;
import io.taskagent.backup.worker.job.EventOutbox;
import io.taskagent.backup.worker.job.JobHandler;
import io.taskagent.backup.worker.job.JobIntake;
import io.taskagent.backup.worker.job.JobProgress;
import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.job.LeaseKeeper;
import io.taskagent.backup.worker.storage.BackupStorage;
import io.taskagent.backup.worker.storage.Destinations;
import io.taskagent.backup.worker.storage.StorageFullException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs backup jobs. {@link #accept} records a requested job and claims it under a lease (a redelivered or
 * duplicate request claims nothing); {@link #execute} announces it, reads the settings the scheduler publishes
 * ({@link SchedulerSettings}: the size limit, whether to compress), dumps, records the outcome and publishes
 * {@link BackupCompleted} (and {@link BackupOversized} above the size limit) or {@link BackupFailed}, with
 * {@link BackupProgress} on the way. A failure because the destination is full (no space, or its quota reached) is
 * announced with {@link DiskSpaceLow} beside the {@link BackupFailed}, at once rather than at the next health check.
 */
@Service
public class BackupJobRunner implements JobHandler<RequestBackup> {

    private static final Logger log = LoggerFactory.getLogger(BackupJobRunner.class);

    private final JobStore jobs;
    private final JobIntake intake;
    private final BackupCatalog catalog;
    private final SchedulerSettings settings;
    private final BackupDumper dumper;
    private final Destinations destinations;
    private final org.springframework.context.ApplicationEventPublisher applicationEvents;
    private final ConfirmingPublisher publisher;
    private final EventOutbox outbox;
    private final Retry retry;
    private final LeaseKeeper leases;
    private final WorkerProperties properties;
    private final MeterRegistry meters;
    /** Free space below which DiskSpaceLow is raised ({@code backup.health.min-free-disk}), as health checks use. */
    private final long minFreeDisk;
    private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();

    private final JobProgress.Factory progresses;

    BackupJobRunner(JobStore jobs, JobIntake intake, BackupCatalog catalog, SchedulerSettings settings,
                    BackupDumper dumper, Destinations destinations, ConfirmingPublisher publisher, EventOutbox outbox,
                    Retry retry, LeaseKeeper leases, WorkerProperties properties, MeterRegistry meters,
                    org.springframework.context.ApplicationEventPublisher applicationEvents,
                    JobProgress.Factory progresses,
                    @org.springframework.beans.factory.annotation.Value("${backup.health.min-free-disk:1GB}")
                    org.springframework.util.unit.DataSize minFreeDisk) {
        this.progresses = progresses;
        this.minFreeDisk = minFreeDisk.toBytes();
        this.jobs = jobs;
        this.intake = intake;
        this.catalog = catalog;
        this.settings = settings;
        this.dumper = dumper;
        this.destinations = destinations;
        this.applicationEvents = applicationEvents;
        this.publisher = publisher;
        this.outbox = outbox;
        this.retry = retry;
        this.leases = leases;
        this.properties = properties;
        this.meters = meters;
    }

    @Override
    public JobKind kind() {
        return JobKind.BACKUP;
    }

    @Override
    public Class<RequestBackup> commandType() {
        return RequestBackup.class;
    }

    @Override
    public Optional<JobStore.Job> accept(RequestBackup request) {
        return intake.accept(new JobStore.NewJob(request.jobId(), JobKind.BACKUP, request.backupType(),
                request.target(), request.requestedBy(), request.occurredAt(), null));
    }

    @Override
    public void execute(JobStore.Job job) {
        execute(job, properties.source(), false);
    }

    /**
     * Takes a {@code pre_restore} backup of a restore target, as its own catalogued backup job, while the restore
     * holds the target's lock; returns the file name.
     */
    public String safetyBackup(String databaseName, WorkerProperties.Source database) throws DumpException {
        UUID id = UUID.randomUUID();
        JobStore.Job job = intake.accept(new JobStore.NewJob(id, JobKind.BACKUP, ScheduleBounds.PRE_RESTORE_TYPE, databaseName,
                        "restore", Instant.now(), null))
                .orElseThrow(() -> new DumpException("the safety backup job could not be claimed"));
        try (LeaseKeeper.Heartbeat ignored = leases.keep(job.id())) {
            return execute(job, database, true).map(DumpResult::fileName)
                    .orElseThrow(() -> new DumpException("the pre-restore safety backup of '" + databaseName
                            + "' failed: " + jobs.find(id).map(j -> "see job " + j.id()).orElse("")));
        }
    }

    private Optional<DumpResult> execute(JobStore.Job job, WorkerProperties.Source database, boolean heldLock) {
        String worker = leases.worker();
        try {
            retry.run("publishing BackupStarted", () -> publisher.publishEvent(BackupStarted.of(job.id(),
                    job.target(), job.type(), worker, job.attempts())));
        } catch (RuntimeException e) {
            // a notice only (not in the outbox): a broker that is down must not stop the backup, whose outcome is
            // stored and announced through the outbox once the broker is back
            log.warn("BackupStarted of job {} not published, the backup goes on: {}", job.id(), e.getMessage());
        }
        Timer.Sample sample = Timer.start(meters);
        SchedulerSettings.Effective effective;
        try {
            effective = retry.get("reading " + SchedulerSettings.VIEW, settings::current);
        } catch (SchedulerSettings.Unreadable e) {
            sample.stop(meters.timer("backup.duration", "target", job.target(), "outcome", "failure"));
            fail(job, e.getMessage());
            return Optional.empty();
        }
        DumpResult result;
        try { // the caller keeps the job's lease until it is recorded
            result = dump(job, database, effective, heldLock);
        } catch (DumpException e) {
            sample.stop(meters.timer("backup.duration", "target", job.target(), "outcome", "failure"));
            BackupMessage[] full = diskSpaceLow(job, e.storageFull());
            if (e.retryable() && !heldLock && job.attempts() < properties.worker().maxAttempts()) {
                retryLater(job, e.getMessage(), full);
            } else {
                fail(job, e.getMessage(), full);
            }
            return Optional.empty();
        }
        long limitMb = effective.maxBackupSizeMb();
        long limit = limitMb * 1024L * 1024L;
        List<BackupMessage> announce = new ArrayList<>();
        announce.add(BackupCompleted.of(job.id(), job.target(), job.type(), result.fileName(), result.sizeBytes(),
                result.sha256(), result.rowCounts(), result.durationMillis()));
        if (result.sizeBytes() > limit) {
            announce.add(BackupOversized.of(job.id(), job.target(), job.type(), result.fileName(), result.sizeBytes(),
                    limit));
        }
        BackupMessage[] events = announce.toArray(BackupMessage[]::new);
        // tried again while the catalog is away for as long as the job's lease is surely ours (else as retries go)
        java.util.function.Supplier<Boolean> record = () -> catalog.recordSuccess(job.id(), worker, job.target(),
                job.type(), result, destinations.copies().stream().map(BackupStorage::name).toList(), events);
        String recording = "recording backup " + result.fileName();
        boolean recorded = leases.holds(job.id()) ? leases.whileHeld(job.id(), recording, record)
                : retry.get(recording, record);
        if (!recorded) {
            log.warn("job {} was taken over by another worker: discarding {}", job.id(), result.fileName());
            BackupStorage primary = destinations.get(result.destination()).orElseThrow();
            BackupDumper.deleteQuietly(primary, result.fileName());
            BackupDumper.deleteQuietly(primary, result.fileName() + BackupFormat.MANIFEST_SUFFIX);
            return Optional.empty();
        }
        sample.stop(meters.timer("backup.duration", "target", job.target(), "outcome", "success"));
        meters.summary("backup.size.bytes", "target", job.target()).record(result.sizeBytes());
        meters.summary("backup.rows", "target", job.target())
                .record(result.rowCounts().values().stream().mapToLong(Long::longValue).sum());
        lastSuccessGauge(job.target()).set(System.currentTimeMillis() / 1000);
        outbox.send(events);
        if (!destinations.copies().isEmpty()) {
            applicationEvents.publishEvent(new BackupRecorded(job.id())); // its copies start now, not at the next poll
        }
        if (result.sizeBytes() > limit) {
            log.warn("backup {} is {} bytes, above the limit of {} MB", result.fileName(), result.sizeBytes(), limitMb);
        }
        return Optional.of(result);
    }

    /** {@link DiskSpaceLow} for a write refused by a full destination (none otherwise), announced with the failure. */
    private BackupMessage[] diskSpaceLow(JobStore.Job job, StorageFullException full) {
        if (full == null) {
            return new BackupMessage[0];
        }
        long threshold = minFreeDisk;
        log.warn("backup job {}: destination {} is full ({} bytes free, threshold {}): raising DiskSpaceLow",
                job.id(), full.location(), full.freeBytes(), threshold);
        return new BackupMessage[]{DiskSpaceLow.of(job.id(), job.target(), full.location(), full.freeBytes(),
                threshold)};
    }

    /** A backup was catalogued: its copies may be made. */
    public record BackupRecorded(UUID backupId) {
    }

    /**
     * A failure of the destination with attempts left: announced (BackupFailed names the attempt and when the next
     * one runs), and the job is taken over again after the retry delay, doubled per attempt made.
     */
    private void retryLater(JobStore.Job job, String reason, BackupMessage... also) {
        java.time.Duration delay = properties.worker().retryDelay().multipliedBy(1L << Math.min(10, job.attempts() - 1));
        String why = reason + " (attempt " + job.attempts() + " of " + properties.worker().maxAttempts()
                + ", tried again in " + delay.toSeconds() + " s)";
        meters.counter("backup.failures", "target", job.target()).increment();
        log.warn("backup job {} failed, will be retried: {}", job.id(), why);
        BackupFailed failed = BackupFailed.of(job.id(), job.target(), job.type(), why, job.attempts());
        outbox.finish(job.id(), "recording the failed attempt of job " + job.id(),
                () -> jobs.retryLater(job.id(), leases.worker(), delay, why), with(failed, also));
    }

    /**
     * Records a failure (by the lease owner) and announces it; while the catalog is away, tried again for as long as
     * the job's lease is ours ({@link EventOutbox#finish(UUID, String, java.util.function.BooleanSupplier,
     * BackupMessage...)}).
     */
    private void fail(JobStore.Job job, String reason, BackupMessage... also) {
        meters.counter("backup.failures", "target", job.target()).increment();
        log.warn("backup job {} failed: {}", job.id(), reason);
        BackupFailed failed = BackupFailed.of(job.id(), job.target(), job.type(), reason, job.attempts());
        outbox.finish(job.id(), "recording failure of job " + job.id(),
                () -> jobs.fail(job.id(), leases.worker(), reason), with(failed, also));
    }

    private static BackupMessage[] with(BackupMessage first, BackupMessage... more) {
        BackupMessage[] all = new BackupMessage[more.length + 1];
        all[0] = first;
        System.arraycopy(more, 0, all, 1, more.length);
        return all;
    }

    /** A job whose lease expired too often: failed for good, and announced. */
    @Override
    public void giveUp(JobStore.Job job, String reason) {
        BackupFailed failed = BackupFailed.of(job.id(), job.target(), job.type(), reason, job.attempts());
        if (outbox.finish("abandoning job " + job.id(), () -> jobs.abandon(job.id(), reason), failed)) {
            meters.counter("backup.failures", "target", job.target()).increment();
            log.warn("backup job {} failed: {}", job.id(), reason);
        }
    }

    private DumpResult dump(JobStore.Job job, WorkerProperties.Source database, SchedulerSettings.Effective effective,
                            boolean heldLock) throws DumpException {
        if (database == properties.source() && !job.target().equals(dumper.target())) {
            throw new DumpException("unknown target '" + job.target() + "': this worker backs up '"
                    + dumper.target() + "'");
        }
        try {
            return dumper.dump(job.id(), job.type(), job.target(), new ProgressReporter(job), database,
                    effective.compression(), heldLock);
        } catch (RuntimeException e) {
            log.error("unexpected error in backup job {}", job.id(), e);
            throw new DumpException("unexpected error: " + e, e);
        }
    }

    /** The dump's progress as the job's: rows and tables written of the estimate, phase {@code dumping}. */
    private final class ProgressReporter implements BackupDumper.Progress {
        private final JobProgress progress;

        ProgressReporter(JobStore.Job job) {
            this.progress = progresses.start(job);
        }

        @Override
        public void estimate(long rows, int tableCount) {
            progress.begin("dumping", rows, tableCount);
        }

        @Override
        public void rowsDone(long rows, int tablesDone) {
            progress.done(rows, tablesDone);
        }

        @Override
        public void finished(long rows, int tablesDone) {
            progress.finish(rows, tablesDone);
        }
    }

    private AtomicLong lastSuccessGauge(String target) {
        return lastSuccess.computeIfAbsent(target, t -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("backup.last.success.seconds", value, AtomicLong::get)
                    .description("epoch seconds of the last successful backup")
                    .tag("target", t).register(meters);
            return value;
        });
    }

    /** After a restart the last-success gauge starts from the catalog, not from zero. */
    @EventListener(ApplicationReadyEvent.class)
    void initialiseLastSuccess() {
        try {
            catalog.lastSuccessEpochSeconds(dumper.target())
                    .ifPresent(seconds -> lastSuccessGauge(dumper.target()).set(seconds));
        } catch (RuntimeException e) {
            log.warn("last successful backup not read, backup.last.success.seconds starts from zero: {}", e.toString());
        }
    }
}
