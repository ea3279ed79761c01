package io.taskagent.backup.worker.replication;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupReplicated;
import io.taskagent.backup.model.ReplicationFailed;
import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.backup.BackupCopies;
import io.taskagent.backup.worker.backup.BackupJobRunner;
import io.taskagent.backup.worker.format.BackupFormat;
import io.taskagent.backup.worker.storage.BackupStorage;
import io.taskagent.backup.worker.storage.Destinations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Copies finished backups to the copy destinations ({@code backup.storage.copies}). A copy is claimed from the
 * catalog when due ({@link BackupCopies#claimDue}: any worker configured with the destination may take it, one at a
 * time), streamed from a copy this worker can read (the primary first) to the destination as one atomic upload, its
 * manifest beside it, and then read back from the destination: only when that SHA-256 is the one written is the copy
 * AVAILABLE and {@link BackupReplicated} announced. A failed attempt is announced with {@link ReplicationFailed} and
 * tried again after a back-off that doubles ({@code backup.storage.copy-backoff}, at most an hour), up to
 * {@code backup.storage.copy-attempts}; the backup itself stays good where it is.
 */
@Component
public class Replicator {

    private static final Logger log = LoggerFactory.getLogger(Replicator.class);
    /** How long a claimed copy stays this worker's before another may take it (a worker that died mid-copy). */
    static final Duration CLAIM = Duration.ofMinutes(15);
    private static final Duration MAX_BACKOFF = Duration.ofHours(1);

    private final BackupCopies copies;
    private final Destinations destinations;
    private final WorkerProperties.Storage settings;
    private final MeterRegistry meters;
    private final java.util.concurrent.atomic.AtomicBoolean queued = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean stopping;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "replicator");
        t.setDaemon(true);
        return t;
    });

    Replicator(BackupCopies copies, Destinations destinations, WorkerProperties properties, MeterRegistry meters) {
        this.copies = copies;
        this.destinations = destinations;
        this.settings = properties.storage();
        this.meters = meters;
    }

    /** A backup was just catalogued: its copies are made now rather than at the next poll. */
    @EventListener
    void onBackup(BackupJobRunner.BackupRecorded recorded) {
        schedule();
    }

    @Scheduled(fixedDelayString = "${backup.storage.copy-poll-ms:5000}", initialDelay = 3000)
    void poll() {
        schedule();
    }

    /** Queues one run, unless one is queued already (a long copy does not pile polls up behind it). */
    private void schedule() {
        if (queued.compareAndSet(false, true) && !stopping) {
            try {
                runner.execute(() -> {
                    queued.set(false);
                    runDue();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                queued.set(false);
            }
        }
    }

    /**
     * At shutdown: no new copy starts, and one in progress is interrupted; its claim runs out and it is attempted
     * again by any worker, without a failure being recorded or announced for it.
     */
    @jakarta.annotation.PreDestroy
    void stop() {
        stopping = true;
        runner.shutdownNow();
    }

    /** Makes every copy due now on the destinations this worker has; returns how many were attempted. */
    public synchronized int runDue() {
        List<String> names = destinations.all().stream().map(BackupStorage::name).toList();
        int attempted = 0;
        Optional<BackupCopies.Claimed> claimed;
        try {
            while (!stopping && (claimed = copies.claimDue(names, CLAIM)).isPresent()) {
                attempt(claimed.get());
                attempted++;
            }
        } catch (RuntimeException e) {
            log.warn("replication stopped for now: {}", e.getMessage());
        }
        return attempted;
    }

    /** {@code backup.copy.duration{target, destination, outcome}}: each attempt of a copy, with its outcome. */
    private io.micrometer.core.instrument.Timer copyTimer(BackupCopies.Claimed copy, String outcome) {
        return meters.timer("backup.copy.duration", "target", copy.target(), "destination", copy.destination(),
                "outcome", outcome);
    }

    private void attempt(BackupCopies.Claimed copy) {
        BackupStorage target = destinations.get(copy.destination()).orElseThrow();
        long started = System.nanoTime();
        try {
            BackupStorage source = copyFromFirstIntactSource(copy, target);
            copyManifest(source, target, copy.fileName() + BackupFormat.MANIFEST_SUFFIX);
            String readBack = sha256(target, copy.fileName());
            if (!readBack.equals(copy.sha256())) {
                BackupStorageCleanup.delete(target, copy.fileName());
                throw new IOException("the copy read back from '" + target.name() + "' has SHA-256 " + readBack
                        + ", not the " + copy.sha256() + " written");
            }
            copies.copied(copy, BackupReplicated.of(copy.backupId(), copy.target(), copy.destination(),
                    copy.fileName(), copy.sizeBytes(), copy.sha256(), copy.attempt()));
            meters.counter("backup.copies", "destination", copy.destination(), "outcome", "success").increment();
            copyTimer(copy, "success").record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            log.info("copied {} from '{}' to '{}' in {} ms (attempt {})", copy.fileName(), source.name(),
                    target.name(), (System.nanoTime() - started) / 1_000_000, copy.attempt());
        } catch (IOException | RuntimeException e) {
            if (stopping) {
                log.info("copy of {} to '{}' interrupted by shutdown: it is attempted again", copy.fileName(),
                        copy.destination());
                return;
            }
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            Instant next = copy.attempt() >= settings.copyAttempts() ? null : Instant.now().plus(backoff(copy.attempt()));
            copies.failed(copy, reason, next, ReplicationFailed.of(copy.backupId(), copy.target(), copy.destination(),
                    copy.fileName(), copy.attempt(), next, reason));
            meters.counter("backup.copies", "destination", copy.destination(), "outcome", "failure").increment();
            copyTimer(copy, "failure").record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            log.warn("copying {} to '{}' failed (attempt {}{}): {}", copy.fileName(), copy.destination(),
                    copy.attempt(), next == null ? ", given up" : ", next at " + next, reason);
        }
    }

    /** Wait after failed attempt {@code attempt}: the back-off, doubled per earlier failure, at most an hour. */
    Duration backoff(int attempt) {
        Duration wait = settings.copyBackoff().multipliedBy(1L << Math.min(20, Math.max(0, attempt - 1)));
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }

    /**
     * Copies the file from the first available copy on a destination this worker has (the primary first) whose bytes
     * are the ones catalogued; a source whose bytes are not is marked DAMAGED and the next one is tried.
     */
    private BackupStorage copyFromFirstIntactSource(BackupCopies.Claimed copy, BackupStorage target)
            throws IOException {
        IOException last = null;
        for (BackupCopies.Copy c : copies.of(copy.backupId())) {
            if (!c.available() || c.destination().equals(copy.destination())) {
                continue;
            }
            Optional<BackupStorage> source = destinations.get(c.destination());
            if (source.isEmpty()) {
                continue;
            }
            try {
                copyFile(source.get(), target, copy.fileName(), copy.sizeBytes(), copy.sha256());
                return source.get();
            } catch (SourceMismatch e) {
                copies.damaged(copy.backupId(), c.destination(), e.getMessage());
                log.warn("the copy of {} on '{}' is damaged: {}", copy.fileName(), c.destination(), e.getMessage());
                last = e;
            }
        }
        if (last != null) {
            throw last;
        }
        throw new IOException("no available copy of " + copy.fileName() + " is on a destination this worker has "
                + destinations.all().stream().map(BackupStorage::name).toList());
    }

    /** The bytes read from a source are not the ones catalogued. */
    static final class SourceMismatch extends IOException {
        SourceMismatch(String message) {
            super(message);
        }
    }

    /**
     * Streams {@code fileName} from {@code source} to {@code target}, checking size and SHA-256 of what was read;
     * a complete file already there (an earlier attempt that stopped before it was recorded) is kept if its digest
     * is right, else replaced.
     */
    private static void copyFile(BackupStorage source, BackupStorage target, String fileName, long size, String sha256)
            throws IOException {
        if (target.stat(fileName).isPresent()) {
            if (sha256(target, fileName).equals(sha256)) {
                return;
            }
            target.delete(fileName);
        }
        MessageDigest digest = BackupFormat.sha256();
        long copied;
        try (BackupStorage.Upload upload = target.create(fileName);
             InputStream in = new DigestInputStream(source.open(fileName), digest)) {
            OutputStream out = upload.stream();
            copied = in.transferTo(out);
            String read = HexFormat.of().formatHex(digest.digest());
            if (copied != size || !read.equals(sha256)) {
                throw new SourceMismatch("the file read from '" + source.name() + "' (" + copied + " bytes, SHA-256 "
                        + read + ") is not the one catalogued (" + size + " bytes, " + sha256 + "): not copied");
            }
            upload.commit();
        }
    }

    private static void copyManifest(BackupStorage source, BackupStorage target, String manifest) throws IOException {
        byte[] bytes;
        try (InputStream in = source.open(manifest)) {
            bytes = in.readAllBytes();
        }
        if (target.stat(manifest).isPresent()) {
            target.delete(manifest);
        }
        try (BackupStorage.Upload upload = target.create(manifest)) {
            upload.stream().write(bytes);
            upload.commit();
        }
    }

    static String sha256(BackupStorage storage, String fileName) throws IOException {
        MessageDigest digest = BackupFormat.sha256();
        try (InputStream in = new DigestInputStream(storage.open(fileName), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Deletes quietly. */
    static final class BackupStorageCleanup {
        static void delete(BackupStorage storage, String fileName) {
            try {
                storage.delete(fileName);
            } catch (IOException | RuntimeException e) {
                log.warn("could not delete {} from '{}': {}", fileName, storage.name(), e.getMessage());
            }
        }
    }
}
