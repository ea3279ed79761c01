package io.taskagent.backup.worker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupStarted;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.Retry;
import io.taskagent.backup.worker.dump.BackupDumper;
import io.taskagent.backup.worker.dump.DumpException;
import io.taskagent.backup.worker.dump.DumpResult;
import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.storage.StorageDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one backup job: records it, claims it under a lease (so a redelivered or duplicate request does nothing),
 * announces it, dumps, records the outcome in the catalog and publishes {@link BackupCompleted} or
 * {@link BackupFailed}. The lease is renewed while the dump runs.
 */
@Service
class BackupJobRunner {

    private static final Logger log = LoggerFactory.getLogger(BackupJobRunner.class);

    private final JobStore jobs;
    private final BackupCatalog catalog;
    private final BackupDumper dumper;
    private final StorageDirectory storage;
    private final ConfirmingPublisher publisher;
    private final Retry retry;
    private final String worker;
    private final Duration lease;
    private final MeterRegistry meters;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lease-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();

    BackupJobRunner(JobStore jobs, BackupCatalog catalog, BackupDumper dumper, StorageDirectory storage,
                    ConfirmingPublisher publisher, Retry retry, WorkerConfiguration.WorkerIdentity identity,
                    WorkerProperties properties, MeterRegistry meters) {
        this.jobs = jobs;
        this.catalog = catalog;
        this.dumper = dumper;
        this.storage = storage;
        this.publisher = publisher;
        this.retry = retry;
        this.worker = identity.id();
        this.lease = properties.worker().leaseDuration();
        this.meters = meters;
    }

    void run(RequestBackup request) {
        retry.run("recording job " + request.jobId(), () -> jobs.insertIfAbsent(request.jobId(), "backup",
                request.backupType(), request.target(), request.requestedBy(), request.occurredAt()));
        Optional<Integer> claimed = retry.get("claiming job " + request.jobId(),
                () -> jobs.claim(request.jobId(), worker, lease));
        if (claimed.isEmpty()) {
            log.info("job {} is finished or running on another worker: nothing to do", request.jobId());
            return;
        }
        int attempt = claimed.get();
        retry.run("publishing BackupStarted", () -> publisher.publishEvent(BackupStarted.of(request.jobId(),
                request.target(), request.backupType(), worker, attempt)));
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(() -> renew(request),
                lease.toMillis() / 3, lease.toMillis() / 3, TimeUnit.MILLISECONDS);
        Timer.Sample sample = Timer.start(meters);
        try {
            DumpResult result = dump(request);
            heartbeat.cancel(false);
            boolean recorded = retry.get("recording backup " + result.fileName(),
                    () -> catalog.recordSuccess(request.jobId(), worker, request.target(), request.backupType(), result));
            if (!recorded) {
                log.warn("job {} was taken over by another worker: discarding {}", request.jobId(), result.fileName());
                storage.delete(result.fileName());
                storage.delete(result.fileName() + ".manifest.json");
                return;
            }
            sample.stop(meters.timer("backup.duration", "target", request.target(), "outcome", "success"));
            meters.summary("backup.size.bytes", "target", request.target()).record(result.sizeBytes());
            meters.summary("backup.rows", "target", request.target())
                    .record(result.rowCounts().values().stream().mapToLong(Long::longValue).sum());
            lastSuccessGauge(request.target()).set(System.currentTimeMillis() / 1000);
            retry.run("publishing BackupCompleted", () -> publisher.publishEvent(BackupCompleted.of(
                    request.jobId(), request.target(), request.backupType(), result.fileName(),
                    result.sizeBytes(), result.sha256(), result.rowCounts(), result.durationMillis())));
        } catch (DumpException e) {
            heartbeat.cancel(false);
            sample.stop(meters.timer("backup.duration", "target", request.target(), "outcome", "failure"));
            meters.counter("backup.failures", "target", request.target()).increment();
            log.warn("backup job {} failed: {}", request.jobId(), e.getMessage());
            boolean recorded = retry.get("recording failure of job " + request.jobId(),
                    () -> jobs.fail(request.jobId(), worker, e.getMessage()));
            if (recorded) {
                retry.run("publishing BackupFailed", () -> publisher.publishEvent(BackupFailed.of(
                        request.jobId(), request.target(), request.backupType(), e.getMessage(), attempt)));
            }
        } finally {
            heartbeat.cancel(false);
        }
    }

    private DumpResult dump(RequestBackup request) throws DumpException {
        if (!request.target().equals(dumper.target())) {
            throw new DumpException("unknown target '" + request.target() + "': this worker backs up '"
                    + dumper.target() + "'");
        }
        try {
            return dumper.dump(request.jobId(), request.backupType(), request.target());
        } catch (RuntimeException e) {
            log.error("unexpected error in backup job {}", request.jobId(), e);
            throw new DumpException("unexpected error: " + e, e);
        }
    }

    private void renew(RequestBackup request) {
        try {
            if (!jobs.renewLease(request.jobId(), worker, lease)) {
                log.warn("lost the lease of job {}", request.jobId());
            }
        } catch (RuntimeException e) {
            log.warn("could not renew the lease of job {}: {}", request.jobId(), e.toString());
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
}
