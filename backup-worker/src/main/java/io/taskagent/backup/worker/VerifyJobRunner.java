package io.taskagent.backup.worker;

import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestVerify;
import io.taskagent.backup.model.VerifyCompleted;
import io.taskagent.backup.model.VerifyFailed;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.Retry;
import io.taskagent.backup.worker.dump.BackupFileReader;
import io.taskagent.backup.worker.dump.BackupFormat;
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
    private final StorageDirectory storage;
    private final ConfirmingPublisher publisher;
    private final Retry retry;
    private final LeaseKeeper leases;

    VerifyJobRunner(JobStore jobs, BackupCatalog catalog, StorageDirectory storage, ConfirmingPublisher publisher,
                    Retry retry, LeaseKeeper leases) {
        this.jobs = jobs;
        this.catalog = catalog;
        this.storage = storage;
        this.publisher = publisher;
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

    void execute(JobStore.Job job) {
        UUID backupId = job.subjectId();
        List<String> problems;
        String fileName;
        Map<String, Long> counts = Map.of();
        try (LeaseKeeper.Heartbeat ignored = leases.keep(job.id())) {
            Optional<BackupCatalog.StoredBackup> stored = retry.get("reading backup " + backupId,
                    () -> catalog.find(backupId));
            if (stored.isEmpty()) {
                fileName = "unknown";
                problems = List.of("no backup " + backupId + " in the catalog");
            } else {
                fileName = stored.get().fileName();
                problems = new ArrayList<>();
                counts = check(stored.get(), problems);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("backup_id", backupId);
        result.put("file_name", fileName);
        result.put("problems", problems);
        String resultJson = MessageJson.mapper().writeValueAsString(result);
        String name = fileName;
        if (problems.isEmpty()) {
            if (retry.get("recording verification", () -> jobs.succeed(job.id(), leases.worker()))) {
                retry.run("recording result", () -> jobs.result(job.id(), resultJson));
                Map<String, Long> rows = counts;
                retry.run("publishing VerifyCompleted", () -> publisher.publishEvent(
                        VerifyCompleted.of(job.id(), job.target(), backupId, name, rows)));
                log.info("backup {} verified: {}", backupId, name);
            }
        } else {
            String reason = String.join("; ", problems);
            if (retry.get("recording verification", () -> jobs.fail(job.id(), leases.worker(), reason))) {
                retry.run("recording result", () -> jobs.result(job.id(), resultJson));
                List<String> found = problems;
                retry.run("publishing VerifyFailed", () -> publisher.publishEvent(
                        VerifyFailed.of(job.id(), job.target(), backupId, name, found)));
                log.warn("backup {} failed verification: {}", backupId, reason);
            }
        }
    }

    /** Adds every problem found to {@code problems}; returns the row counts read back. */
    private Map<String, Long> check(BackupCatalog.StoredBackup backup, List<String> problems) {
        Path file;
        try {
            file = storage.resolve(backup.fileName());
        } catch (IllegalArgumentException e) {
            problems.add("the catalogued file name is not a plain file name: " + backup.fileName());
            return Map.of();
        }
        if (!Files.isRegularFile(file)) {
            problems.add("file " + backup.fileName() + " is missing from " + storage.root());
            return Map.of();
        }
        try {
            long size = Files.size(file);
            if (size != backup.sizeBytes()) {
                problems.add("size is " + size + " bytes but the catalog says " + backup.sizeBytes());
            }
            String sha = sha256(file);
            if (!sha.equals(backup.sha256())) {
                problems.add("sha256 is " + sha + " but the catalog says " + backup.sha256());
            }
        } catch (IOException e) {
            problems.add("cannot read " + backup.fileName() + ": " + e.getMessage());
            return Map.of();
        }
        Path manifestFile = file.resolveSibling(backup.fileName() + BackupFormat.MANIFEST_SUFFIX);
        JsonNode manifest = null;
        try {
            manifest = MessageJson.mapper().readTree(Files.readString(manifestFile));
            if (!backup.sha256().equals(manifest.path("sha256").asString())) {
                problems.add("the manifest's sha256 " + manifest.path("sha256").asString() + " differs from the catalog's");
            }
            if (manifest.path("size_bytes").asLong() != backup.sizeBytes()) {
                problems.add("the manifest's size " + manifest.path("size_bytes").asLong() + " differs from the catalog's");
            }
        } catch (IOException | RuntimeException e) {
            problems.add("manifest " + manifestFile.getFileName() + " is missing or unreadable: " + e.getMessage());
        }
        BackupFileReader content;
        try {
            content = BackupFileReader.read(file);
        } catch (IOException e) {
            problems.add("content unreadable: " + e.getMessage());
            return Map.of();
        }
        for (String table : new TreeSet<>(union(backup.rowCounts().keySet(), content.rowCounts().keySet()))) {
            Long expected = backup.rowCounts().get(table);
            Long found = content.rowCounts().get(table);
            if (!java.util.Objects.equals(expected, found)) {
                problems.add(table + ": " + (found == null ? "missing" : found + " rows") + " in the file, the catalog says "
                        + (expected == null ? "no such table" : expected + " rows"));
            }
        }
        JsonNode digests = manifest == null ? content.summary().path("table_sha256") : manifest.path("table_sha256");
        content.tableSha256().forEach((table, digest) -> {
            String expected = digests.path(table).asString();
            if (!digest.equals(expected)) {
                problems.add(table + ": rows digest " + digest + " differs from the recorded " + expected);
            }
        });
        return content.rowCounts();
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
