package io.taskagent.backup.worker.verify;

import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestVerify;
import io.taskagent.backup.model.VerifyCompleted;
import io.taskagent.backup.model.VerifyFailed;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.messaging.Retry;
import io.taskagent.backup.worker.backup.BackupCatalog;
import io.taskagent.backup.worker.job.EventOutbox;
import io.taskagent.backup.worker.job.JobHandler;
import io.taskagent.backup.worker.job.JobIntake;
import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.job.LeaseKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Verifies a stored backup: the file exists, its size and SHA-256 match the catalog and the manifest, it
 * decompresses and parses, and its row counts and table digests match. {@link VerifyCompleted} or
 * {@link VerifyFailed} names every difference found.
 */
@Service
class VerifyJobRunner implements JobHandler<RequestVerify> {

    private static final Logger log = LoggerFactory.getLogger(VerifyJobRunner.class);

    private final JobStore jobs;
    private final JobIntake intake;
    private final BackupCatalog catalog;
    private final EventOutbox outbox;
    private final Retry retry;
    private final LeaseKeeper leases;
    private final BackupVerifier verifier;
    private final io.taskagent.backup.worker.backup.BackupCopies copies;
    private final io.taskagent.backup.worker.storage.Destinations destinations;

    private final io.taskagent.backup.worker.job.JobProgress.Factory progresses;

    VerifyJobRunner(JobStore jobs, JobIntake intake, BackupCatalog catalog, BackupVerifier verifier,
                    EventOutbox outbox, Retry retry, LeaseKeeper leases,
                    io.taskagent.backup.worker.backup.BackupCopies copies,
                    io.taskagent.backup.worker.storage.Destinations destinations,
                    io.taskagent.backup.worker.job.JobProgress.Factory progresses) {
        this.progresses = progresses;
        this.copies = copies;
        this.destinations = destinations;
        this.jobs = jobs;
        this.intake = intake;
        this.catalog = catalog;
        this.verifier = verifier;
        this.outbox = outbox;
        this.retry = retry;
        this.leases = leases;
    }

    @Override
    public JobKind kind() {
        return JobKind.VERIFY;
    }

    @Override
    public Class<RequestVerify> commandType() {
        return RequestVerify.class;
    }

    /** Records and claims the verification of {@code backupId} (the job's subject); its type is its kind. */
    @Override
    public Optional<JobStore.Job> accept(RequestVerify request) {
        return intake.accept(new JobStore.NewJob(request.jobId(), JobKind.VERIFY, JobKind.VERIFY.label(),
                request.target(), request.requestedBy(), request.occurredAt(), request.backupId()));
    }

    /** A verification whose lease expired too often: failed for good, and announced as VerifyFailed. */
    @Override
    public void giveUp(JobStore.Job job, String reason) {
        String fileName = retry.get("reading backup " + job.subjectId(), () -> catalog.find(job.subjectId()))
                .map(BackupCatalog.StoredBackup::fileName).orElse("unknown");
        VerifyFailed failed = VerifyFailed.of(job.id(), job.target(), job.subjectId(), fileName, List.of(reason));
        if (outbox.finish("abandoning job " + job.id(), () -> jobs.abandon(job.id(), reason), failed)) {
            log.warn("verify job {} failed: {}", job.id(), reason);
        }
    }

    @Override
    public void execute(JobStore.Job job) {
        UUID backupId = job.subjectId();
        List<String> problems = new ArrayList<>();
        String fileName = "unknown";
        Map<String, Long> counts = Map.of();
        Optional<BackupCatalog.StoredBackup> stored = retry.get("reading backup " + backupId,
                () -> catalog.find(backupId));
        if (stored.isEmpty()) {
            problems.add("no backup " + backupId + " in the catalog");
        }
        Map<String, Object> perCopy = new LinkedHashMap<>();
        if (stored.isPresent()) {
            fileName = stored.get().fileName();
            List<io.taskagent.backup.worker.backup.BackupCopies.Copy> held = retry.get("reading the copies of "
                    + backupId, () -> copies.of(backupId)).stream().filter(c -> c.available()).toList();
            if (held.isEmpty()) {
                problems.add("no copy of the backup is available");
            }
            // progress: every row of every copy read back (rows of the backup times the copies)
            io.taskagent.backup.worker.job.JobProgress progress = progresses.start(job);
            long rows = stored.get().rowCounts().values().stream().mapToLong(Long::longValue).sum();
            progress.begin("reading", rows * held.size(), stored.get().rowCounts().size() * held.size());
            io.taskagent.backup.worker.format.BackupFileReader.RowListener listener =
                    new io.taskagent.backup.worker.format.BackupFileReader.RowListener() {
                        @Override
                        public void rows(long n) {
                            if (n > 0) {
                                progress.addRows(n);
                            }
                        }

                        @Override
                        public void tableDone() {
                            progress.tableDone();
                        }
                    };
            for (var copy : held) {
                var storage = destinations.get(copy.destination());
                if (storage.isEmpty()) {
                    perCopy.put(copy.destination(), Map.of("checked", false,
                            "why", "the destination is not configured on worker " + leases.worker()));
                    continue;
                }
                List<String> found = new ArrayList<>();
                Map<String, Long> read = verifier.check(stored.get(), storage.get(), found, true, listener);
                perCopy.put(copy.destination(), Map.of("checked", true, "problems", found));
                if (found.isEmpty()) {
                    counts = read;
                    retry.run("recording the verification of the copy on " + copy.destination(),
                            () -> copies.verified(backupId, copy.destination()));
                } else {
                    found.forEach(p -> problems.add(held.size() > 1 ? "copy on '" + copy.destination() + "': " + p : p));
                    if (BackupVerifier.damaged(found)) {
                        retry.run("recording the damaged copy on " + copy.destination(),
                                () -> copies.damaged(backupId, copy.destination(), String.join("; ", found)));
                        log.warn("the copy of backup {} on '{}' is damaged: {}", backupId, copy.destination(), found);
                    }
                }
            }
            if (problems.isEmpty() && perCopy.values().stream().noneMatch(v -> Boolean.TRUE.equals(((Map<?, ?>) v).get("checked")))) {
                problems.add("no copy of the backup is on a destination this worker has (" + perCopy.keySet() + ")");
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("backup_id", backupId);
        result.put("file_name", fileName);
        result.put("problems", problems);
        result.put("copies", perCopy);
        String resultJson = MessageJson.mapper().writeValueAsString(result);
        String name = fileName;
        if (problems.isEmpty()) {
            VerifyCompleted completed = VerifyCompleted.of(job.id(), job.target(), backupId, name, counts);
            if (outbox.finish("recording verification",
                    () -> jobs.succeed(job.id(), leases.worker(), resultJson), completed)) {
                log.info("backup {} verified: {}", backupId, name);
            }
        } else {
            String reason = String.join("; ", problems);
            VerifyFailed failed = VerifyFailed.of(job.id(), job.target(), backupId, name, problems);
            if (outbox.finish("recording verification",
                    () -> jobs.fail(job.id(), leases.worker(), reason, resultJson), failed)) {
                log.warn("backup {} failed verification: {}", backupId, reason);
            }
        }
    }
}
