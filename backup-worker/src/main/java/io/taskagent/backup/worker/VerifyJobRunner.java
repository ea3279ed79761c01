package io.taskagent.backup.worker;

import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestVerify;
import io.taskagent.backup.model.VerifyCompleted;
import io.taskagent.backup.model.VerifyFailed;
import io.taskagent.backup.model.messaging.Retry;
import io.taskagent.backup.worker.dump.BackupFileReader;
import io.taskagent.backup.worker.dump.BackupFormat;
import io.taskagent.backup.worker.job.EventOutbox;
import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.job.LeaseKeeper;
import io.taskagent.backup.worker.storage.StorageDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Verifies a stored backup: the file exists, its size and SHA-256 match the catalog and the manifest, it
 * decompresses and parses, and its row counts and table digests match. {@link VerifyCompleted} or
 * {@link VerifyFailed} names every difference found.
 */
@Service
class VerifyJobRunner {

    private static final Logger log = LoggerFactory.getLogger(VerifyJobRunner.class);

    private final JobStore jobs;
    private final BackupCatalog catalog;
    private final EventOutbox outbox;
    private final Retry retry;
    private final LeaseKeeper leases;
    private final BackupVerifier verifier;

    VerifyJobRunner(JobStore jobs, BackupCatalog catalog, BackupVerifier verifier, EventOutbox outbox,
                    Retry retry, LeaseKeeper leases) {
        this.jobs = jobs;
        this.catalog = catalog;
        this.verifier = verifier;
        this.outbox = outbox;
        this.retry = retry;
        this.leases = leases;
    }

    Optional<JobStore.Job> accept(RequestVerify request) {
        retry.run("recording job " + request.jobId(), () -> jobs.insertIfAbsent(request.jobId(), "verify", "verify",
                request.target(), request.requestedBy(), request.occurredAt(), request.backupId()));
        Optional<Integer> attempt = retry.get("claiming job " + request.jobId(),
                () -> jobs.claim(request.jobId(), leases.worker(), leases.lease()));
        return attempt.isEmpty() ? Optional.empty() : retry.get("reading job", () -> jobs.find(request.jobId()));
    }

    /** A verification whose lease expired too often: failed for good, and announced as VerifyFailed. */
    void giveUp(JobStore.Job job, String reason) {
        String fileName = retry.get("reading backup " + job.subjectId(), () -> catalog.find(job.subjectId()))
                .map(BackupCatalog.StoredBackup::fileName).orElse("unknown");
        VerifyFailed failed = VerifyFailed.of(job.id(), job.target(), job.subjectId(), fileName, List.of(reason));
        if (outbox.finish("abandoning job " + job.id(), () -> jobs.abandon(job.id(), reason), failed)) {
            log.warn("verify job {} failed: {}", job.id(), reason);
        }
    }

    void execute(JobStore.Job job) {
        UUID backupId = job.subjectId();
        List<String> problems;
        String fileName;
        Map<String, Long> counts = Map.of();
        Optional<BackupCatalog.StoredBackup> stored = retry.get("reading backup " + backupId,
                () -> catalog.find(backupId));
        if (stored.isEmpty()) {
            fileName = "unknown";
            problems = List.of("no backup " + backupId + " in the catalog");
        } else {
            fileName = stored.get().fileName();
            problems = new ArrayList<>();
            counts = verifier.check(stored.get(), problems);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("backup_id", backupId);
        result.put("file_name", fileName);
        result.put("problems", problems);
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
