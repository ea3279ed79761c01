package io.taskagent.backup.system;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.DiskSpaceLow;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.SlowScenario;
import io.taskagent.backup.testsupport.ReferenceDataset;
import io.taskagent.backup.testsupport.ServiceSchemas;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue #16, scenario 4: the backup storage fills during a dump. Two backups are made while there is room; then the
 * destination is made too small for a third:
 * <ol>
 * <li>everywhere, by the worker's storage quota ({@code BACKUP_STORAGE_QUOTA}), which fails a write beyond it as a full
 * disk would;</li>
 * <li>where this process may mount file systems (root with {@code CAP_SYS_ADMIN}, as on this project's CI machine), by
 * a real full file system: a tmpfs of that size, whose writes end in {@code ENOSPC}. Elsewhere this part is skipped,
 * saying why (the quota part proves the same behaviour of the worker).</li>
 * </ol>
 * Each time: the job fails with an error naming the full destination, after its attempts; no partial file is left;
 * both older backups are intact and pass a verification through the API; {@code DiskSpaceLow} is raised with the
 * failure, and reaches people by e-mail (once: the alert throttle holds back the repeats).
 * A slow scenario: it runs with {@code mvn verify -Pfaults} ({@link SlowScenario}; {@code .ci/run} sets it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StorageFullIT {

    static final String CATALOG = "storagefull_it_catalog";
    static final String SOURCE = "taskagent_ref";
    static final String TOKEN = "storagefull-admin-token-" + System.nanoTime();
    static final Duration STARTUP = Duration.ofSeconds(300); // a loaded 2-core machine starts four JVMs slowly

    static Infrastructure infra;
    static GreenMail smtp;
    static Path storage;
    static BrokerProbe broker;
    static ServiceProcess gateway;
    static ServiceProcess worker;
    static ServiceProcess alerts;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The two backups made while there was room. */
    static final List<String> older = new ArrayList<>();
    static long backupBytes;
    static final List<String> accepted = new ArrayList<>();

    @BeforeAll
    static void startTheSystem() throws Exception {
        SlowScenario.require("StorageFullIT (the storage quota, then a real full tmpfs, reached mid-dump)");
        infra = Infrastructure.get();
        infra.recreateDatabase(CATALOG);
        ServiceSchemas.create(CATALOG, "scheduler"); // the read contract a worker reads (no scheduler runs here)
        ReferenceDataset.ensure(infra, SOURCE, 1);
        storage = Files.createTempDirectory("storagefull-backups");
        smtp = new GreenMail(new ServerSetup(ServiceProcess.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        broker = new BrokerProbe(infra).captureEvents();
        // events and commands other tests left in this virtual host (worker ITs publish failures of target
        // "taskagent" too) must not reach these services: an old BackupFailed would make the alert throttle hold back
        // this test's alert. This system also has a target name of its own (BACKUP_SOURCE_TARGET) for the same
        // reason. Purged again once the services declared their queues.
        broker.purge(Topology.WORKER_COMMANDS_QUEUE);
        broker.purge(Topology.ALERT_EVENTS_QUEUE);
        worker = startWorker(storage, Map.of());
        alerts = ServiceProcess.start("alert-service", env(Map.of(
                "SPRING_MAIL_HOST", "127.0.0.1",
                "SPRING_MAIL_PORT", String.valueOf(smtp.getSmtp().getPort()),
                "ALERT_MAIL_RECIPIENTS", "oncall@taskagent.test")));
        gateway = ServiceProcess.start("api-gateway", env(Map.of("BACKUP_ADMIN_TOKEN", TOKEN,
                "GATEWAY_SERVICES_WORKER_URL", worker.url(""),
                "GATEWAY_SERVICES_ALERTS_URL", alerts.url(""))));
        for (ServiceProcess p : new ServiceProcess[]{worker, alerts, gateway}) {
            p.awaitHealthy(STARTUP);
        }
        // declared by the services now (a fresh virtual host has no queues before): nothing left from another run
        broker.purge(Topology.WORKER_COMMANDS_QUEUE);
        broker.purge(Topology.ALERT_EVENTS_QUEUE);
    }

    private static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(infra.environment(CATALOG));
        env.put("BACKUP_SOURCE_URL", infra.jdbcUrl(SOURCE));
        env.put("BACKUP_SOURCE_USERNAME", infra.pgUser);
        env.put("BACKUP_SOURCE_PASSWORD", infra.pgPassword);
        env.put("BACKUP_STORAGE_DIR", storage.toString());
        env.put("BACKUP_SOURCE_TARGET", "storagefull_it");
        env.putAll(extra);
        return env;
    }

    /** A worker on {@code dir}; a failed attempt is tried once more, 1 s later (defaults: 3 attempts, 30 s). */
    private static ServiceProcess startWorker(Path dir, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "BACKUP_STORAGE_DIR", dir.toString(),
                "BACKUP_WORKER_MAX_ATTEMPTS", "2",
                "BACKUP_WORKER_RETRY_DELAY", "1s",
                "BACKUP_WORKER_REAPER_INTERVAL_MS", "500"));
        env.putAll(extra);
        return ServiceProcess.start("backup-worker", env(env));
    }

    private static void replaceWorker(Path dir, Map<String, String> extra) throws Exception {
        worker.close();
        worker = startWorker(dir, extra).awaitHealthy(STARTUP);
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        SystemTestSupport.closeAll(gateway, worker, alerts, broker, smtp);
    }

    @Test
    @Order(1)
    void twoBackupsWhileThereIsRoom() throws Exception {
        for (int i = 0; i < 2; i++) {
            String id = accept(api("POST", "/api/backup/create", "{\"backup_type\":\"manual\"}"));
            JsonNode job = awaitFinished(id);
            assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
            older.add(id);
            backupBytes = Math.max(backupBytes, job.path("backup").path("size_bytes").asLong());
        }
        assertThat(backupBytes).isPositive();
        assertThat(files(storage)).hasSize(4); // two backups, two manifests
    }

    @Test
    @Order(2)
    void aQuotaReachedMidDumpFailsTheBackupCleanlyAndRaisesDiskSpaceLow() throws Exception {
        assertThat(older).hasSize(2);
        long used = bytesIn(storage);
        long quota = used + backupBytes / 2; // room for half a backup more: the third fails in the middle
        replaceWorker(storage, Map.of("BACKUP_STORAGE_QUOTA", quota + "B"));
        Outcome outcome = fillUp(storage);
        assertThat(outcome.error).contains("backup storage 'local'").contains("is full").contains("quota");
        assertThat(outcome.diskSpaceLow).allSatisfy(e -> assertThat(e.path()).isEqualTo(storage.toString()));
        assertThat(outcome.diskSpaceLow).allSatisfy(e -> assertThat(e.freeBytes()).isLessThan(backupBytes));
        assertThat(outcome.mails).as("BackupFailed and DiskSpaceLow, once each (the throttle holds the repeats)")
                .containsExactlyInAnyOrder("FAILED", "DISK LOW");
    }

    @Test
    @Order(3)
    void aRealFileSystemFilledMidDumpFailsTheBackupCleanlyAndRaisesDiskSpaceLow() throws Exception {
        assertThat(older).hasSize(2);
        Path disk = Files.createTempDirectory("storagefull-tmpfs");
        long size = bytesIn(storage) + backupBytes / 2;
        String refused = mount(disk, size);
        if (refused != null) {
            // loud, not silent: the quota part proved the worker's handling of a full destination, but not ENOSPC
            String why = "SKIPPED (scenario 4, real full file system): this process may not mount a tmpfs ("
                    + refused + "); only the storage quota part ran. Run as root with CAP_SYS_ADMIN to cover ENOSPC.";
            System.out.println(why);
            System.err.println("WARNING: " + why);
            Files.deleteIfExists(disk);
            Assumptions.abort("mounting a tmpfs is not allowed here: " + refused);
        }
        try {
            // the same two backups, on a file system with room for half a backup more
            for (String name : files(storage)) {
                Files.copy(storage.resolve(name), disk.resolve(name));
            }
            replaceWorker(disk, Map.of());
            Outcome outcome = fillUp(disk);
            assertThat(outcome.error).contains("backup storage 'local'").contains("is full")
                    .contains("No space left on device");
            assertThat(outcome.diskSpaceLow).allSatisfy(e -> assertThat(e.path()).isEqualTo(disk.toString()));
            assertThat(outcome.mails).as("within the throttle window of the quota test's alerts: none again")
                    .isEmpty();
        } finally {
            worker.close();
            umount(disk);
            Files.deleteIfExists(disk);
        }
    }

    /** What one full-destination run saw. */
    record Outcome(String error, List<DiskSpaceLow> diskSpaceLow, List<String> mails) {
    }

    /**
     * Requests a backup on a destination with no room for it; checks the failure, the files, the older backups and
     * the events, and prints the figures.
     */
    private static Outcome fillUp(Path dir) throws Exception {
        Set<String> before = files(dir);
        Map<String, String> checksumsBefore = checksums(dir);
        int mailsBefore = smtp.getReceivedMessages().length;
        String id = accept(api("POST", "/api/backup/create", "{\"backup_type\":\"manual\"}"));
        JsonNode job = awaitFinished(id);
        String error = job.path("error_message").asString();
        System.out.printf("storage full: job %s %s: %s%n", id, job.path("status").asString(), error);
        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("FAILED");
        assertThat(error).as("the error names the destination and its directory").contains(dir.toString());

        // no partial file, the older ones untouched
        assertThat(files(dir)).as("no partial or temporary file left").isEqualTo(before);
        assertThat(checksums(dir)).as("the older files, byte for byte").isEqualTo(checksumsBefore);
        for (String backup : older) {
            String verify = accept(api("POST", "/api/backup/verify", "{\"backup_id\":\"" + backup + "\"}"));
            JsonNode verified = awaitFinished(verify);
            assertThat(verified.path("status").asString()).as("verify %s: %s", backup, verified)
                    .isEqualTo("SUCCEEDED");
        }

        List<BackupFailed> failed = events(BackupFailed.class, id);
        List<DiskSpaceLow> low = events(DiskSpaceLow.class, id);
        Map<String, Object> row = jobRow(id);
        assertThat(row).containsEntry("attempts", 2).containsEntry("backups", 0);
        assertThat(failed).as("each attempt announced").hasSize(2);
        assertThat(low).as("DiskSpaceLow with each failed attempt").hasSize(2);
        assertThat(events(BackupCompleted.class, id)).isEmpty();
        List<String> mails = new ArrayList<>();
        await("the alerts decided and mailed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> alertsSettled(id) && smtp.getReceivedMessages().length - mailsBefore >= alerted(id));
        MimeMessage[] all = smtp.getReceivedMessages();
        for (int i = mailsBefore; i < all.length; i++) {
            String subject = all[i].getSubject();
            // subjects read "[<instance>] FAILED: ..." and "[<instance>] DISK LOW: ..."
            mails.add(subject.contains("FAILED:") ? "FAILED" : subject.contains("DISK LOW:") ? "DISK LOW" : subject);
        }
        Map<String, Long> eventCounts = broker.events().stream().filter(e -> e.jobId().toString().equals(id))
                .collect(Collectors.groupingBy(e -> e.getClass().getSimpleName(), TreeMap::new, Collectors.counting()));
        System.out.printf("figures (storage full on %s): backup jobs accepted 1, completed 0, failed 1, attempts %s, "
                        + "duplicated 0, lost 0; partial files left %d; older backups verified %d of %d; "
                        + "DiskSpaceLow %d (free %s bytes); e-mails %s; events %s%n", dir, row.get("attempts"),
                files(dir).size() - before.size(), older.size(), older.size(), low.size(),
                low.stream().map(e -> String.valueOf(e.freeBytes())).toList(), mails, eventCounts);
        return new Outcome(error, low, mails);
    }

    /** Whether the alert-service handled every failure and DiskSpaceLow of the job (sent, or held back). */
    private static boolean alertsSettled(String jobId) throws Exception {
        long expected = broker.events().stream().filter(e -> e.jobId().toString().equals(jobId)
                && (e instanceof BackupFailed || e instanceof DiskSpaceLow)).count();
        return broker.messageCount(Topology.ALERT_EVENTS_QUEUE) == 0 && handledByAlerts(jobId) >= expected;
    }

    /** Events of the job in the alert-service's own history (every alert it decided about, sent or suppressed). */
    private static long handledByAlerts(String jobId) throws Exception {
        return alertEvents(jobId, "");
    }

    /** Events of the job the alert-service decided to send (not held back by its throttle). */
    private static long alerted(String jobId) throws Exception {
        return alertEvents(jobId, " AND outcome = 'ALERT'");
    }

    private static long alertEvents(String jobId, String condition) throws Exception {
        try (Connection c = infra.connect(CATALOG); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM alerts.alert_events WHERE job_id = '"
                     + UUID.fromString(jobId) + "'" + condition)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ------------------------------------------------------------------------------------------------ mounting

    /** Mounts a tmpfs of {@code bytes} on {@code dir}; null when it worked, else why not. */
    private static String mount(Path dir, long bytes) throws Exception {
        long size = (bytes + 4095) / 4096 * 4096;
        Run result = run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0750", "tmpfs", dir.toString());
        return result.code == 0 ? null : "mount exited " + result.code + ": " + result.output.strip();
    }

    private static void umount(Path dir) throws Exception {
        Run result = run("umount", dir.toString());
        if (result.code != 0) {
            throw new IllegalStateException("umount " + dir + " failed: " + result.output);
        }
    }

    record Run(int code, String output) {
    }

    private static Run run(String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Run(-1, e.getMessage());
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, "timed out");
        }
        return new Run(p.exitValue(), output);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static HttpResponse<String> api(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url(path)))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String accept(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String id = MessageJson.mapper().readTree(response.body()).get("job_id").asString();
        accepted.add(id);
        return id;
    }

    private static JsonNode awaitFinished(String id) {
        return SystemTestSupport.awaitFinished(path -> api("GET", path, null), id, "job", Duration.ofSeconds(180));
    }

    private static Map<String, Object> jobRow(String id) throws Exception {
        try (Connection c = infra.connect(CATALOG)) {
            return SystemTestSupport.jobRow(c, id);
        }
    }

    private static <T extends BackupMessage> List<T> events(Class<T> type, String jobId) {
        return SystemTestSupport.events(broker, type, jobId);
    }

    /** Every file in the directory, hidden (temporary) ones included. */
    private static Set<String> files(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(java.util.TreeSet::new));
        }
    }

    private static long bytesIn(Path dir) throws IOException {
        long total = 0;
        for (String name : files(dir)) {
            total += Files.size(dir.resolve(name));
        }
        return total;
    }

    private static Map<String, String> checksums(Path dir) throws Exception {
        Map<String, String> sums = new LinkedHashMap<>();
        for (String name : files(dir)) {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sums.put(name, java.util.HexFormat.of().formatHex(sha.digest(Files.readAllBytes(dir.resolve(name)))));
        }
        return sums;
    }
}
