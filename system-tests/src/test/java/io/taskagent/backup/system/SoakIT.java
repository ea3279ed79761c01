package io.taskagent.backup.system;

import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import io.taskagent.backup.testsupport.SlowScenario;
import io.taskagent.backup.worker.format.BackupFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #16, scenario 8, the soak: {@code soak.backups} small backups (default 60; {@code bench/soak.sh} runs 300)
 * through the REST API against the real processes (worker, scheduler, alert service, gateway), with a verify of the
 * newest backup every {@value #VERIFY_EVERY} backups and a real retention cleanup ({@code keep-manual}
 * {@value #KEEP_MANUAL}, so each one deletes) every {@value #CLEANUP_EVERY}. The worker process is sampled after a
 * warm-up of {@value #WARM_UP} backups, every {@value #SAMPLE_EVERY} backups and at the end: heap used after a forced
 * GC, RSS, off-heap (RSS less the committed heap), open file descriptors, live threads, loaded classes, its
 * connections to the catalog and to the source (its own sockets matched to {@code pg_stat_activity}), its broker
 * connections and channels (Spring Boot's {@code rabbitmq_*} meters, and {@code rabbitmqctl} on its own sockets),
 * and the catalog's connections of all services. The table is printed and written to
 * {@code target/soak-figures.txt}; every job must succeed, every verify pass, every cleanup delete, and each figure
 * must stay flat after the warm-up within a tolerance that a leak of one per job would exceed. A slow scenario
 * ({@link SlowScenario}: {@code -Pfaults}).
 */
class SoakIT {

    static final String CATALOG = "backup_catalog_it_soak";
    static final String SOURCE = "taskagent_soak_source";
    static final String TOKEN = "soak-admin-" + System.nanoTime();
    static final int BACKUPS = Integer.getInteger("soak.backups", 60);
    static final int BATCH = 5;
    static final int VERIFY_EVERY = 10;
    static final int CLEANUP_EVERY = 25;
    static final int WARM_UP = CLEANUP_EVERY; // every kind of job ran once before the first sample
    static final int SAMPLE_EVERY = 50;
    static final int KEEP_MANUAL = 10;
    static final Path FIGURES = Path.of("target", "soak-figures.txt");
    static final long MB = 1024 * 1024;

    static Infrastructure infra;
    static Path storage;
    static final List<ServiceProcess> services = new ArrayList<>();
    static ServiceProcess worker;
    static ServiceProcess gateway;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startTheSystem() throws Exception {
        SlowScenario.require("SoakIT (" + BACKUPS + " backups with verifies and cleanups, the worker sampled)");
        assertThat(BACKUPS).as("soak.backups: a multiple of %d, at least %d", BATCH, 2 * CLEANUP_EVERY)
                .isGreaterThanOrEqualTo(2 * CLEANUP_EVERY).matches(n -> n % BATCH == 0);
        infra = Infrastructure.get();
        infra.recreateDatabase(CATALOG);
        // a small source: the demo schema with a few hundred rows, so that a backup takes a fraction of a second
        ReferenceDataset.schemaOnly(infra, SOURCE);
        try (Connection c = infra.connect(SOURCE); Statement st = c.createStatement()) {
            st.execute("INSERT INTO users (id, email, display_name, created_at, updated_at)"
                    + " SELECT gen_random_uuid(), 'soak' || g || '@taskagent.test', 'Soak user ' || g, now(), now()"
                    + " FROM generate_series(1, 300) g");
            st.execute("INSERT INTO projects (id, owner_id, title, status, created_at, updated_at)"
                    + " SELECT gen_random_uuid(), id, 'Project of ' || display_name, 'active', now(), now()"
                    + " FROM users");
        }
        storage = Files.createTempDirectory("soak-backups");
        try (BrokerProbe broker = new BrokerProbe(infra)) {
            broker.purge(Topology.WORKER_COMMANDS_QUEUE);
            broker.purge(Topology.SCHEDULER_COMMANDS_QUEUE);
        }

        Map<String, String> env = new HashMap<>(infra.environment(CATALOG));
        env.put("BACKUP_SOURCE_URL", infra.jdbcUrl(SOURCE));
        env.put("BACKUP_SOURCE_USERNAME", infra.pgUser);
        env.put("BACKUP_SOURCE_PASSWORD", infra.pgPassword);
        env.put("BACKUP_STORAGE_DIR", storage.toString());
        Map<String, String> workerEnv = new HashMap<>(env);
        workerEnv.put("BACKUP_WORKER_ID", "soak-worker");
        // the JVM's own native memory by category (jcmd VM.native_memory), to tell its growth from a library's
        String toolOptions = System.getenv("JAVA_TOOL_OPTIONS");
        workerEnv.put("JAVA_TOOL_OPTIONS", (toolOptions == null ? "" : toolOptions + " ")
                + "-XX:NativeMemoryTracking=summary");
        worker = ServiceProcess.start("backup-worker", workerEnv);
        services.add(worker);
        // the scheduler owns the settings the worker reads and decides the cleanups: keep the newest KEEP_MANUAL
        // manual backups; no schedule fires, and its own daily cleanup is set half a day away
        Map<String, String> schedulerEnv = new HashMap<>(env);
        schedulerEnv.putAll(Map.of("SCHEDULER_INTERVAL_HOURS", "168", "SCHEDULER_DAILY_ENABLED", "false",
                "SCHEDULER_WEEKLY_ENABLED", "false", "SCHEDULER_MONTHLY_ENABLED", "false",
                "SCHEDULER_DRILL_ENABLED", "false", "BACKUP_KEEP_MANUAL", String.valueOf(KEEP_MANUAL),
                "SCHEDULER_CLEANUP_TIME", LocalTime.now(ZoneOffset.UTC).plusHours(12).withSecond(0).withNano(0)
                        .toString()));
        services.add(ServiceProcess.start("scheduler-service", schedulerEnv));
        // the alert service consumes the events the jobs publish, as in production (no channel configured)
        services.add(ServiceProcess.start("alert-service", env));
        for (ServiceProcess service : services) {
            service.awaitHealthy(Duration.ofSeconds(300));
        }
        Map<String, String> gatewayEnv = new HashMap<>(env);
        gatewayEnv.put("BACKUP_ADMIN_TOKEN", TOKEN);
        gateway = ServiceProcess.start("api-gateway", gatewayEnv);
        services.add(gateway);
        gateway.awaitHealthy(Duration.ofSeconds(300));
    }

    @AfterAll
    static void stop() throws Exception {
        SystemTestSupport.closeAll(services);
        if (storage != null) {
            try (Stream<Path> files = Files.walk(storage)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** One reading of the worker process. -1: not available. */
    record Sample(String label, int backups, long seconds, long heapAfterGcBytes, long heapCommittedBytes,
                  long rssBytes, long jvmNativeBytes, long fds, long threads, long classes,
                  long workerCatalogConnections, long workerSourceConnections, long catalogConnections,
                  long brokerConnectionsMeter, long brokerChannelsMeter, long brokerConnections, long brokerChannels,
                  long vhostChannels) {

        long offHeapBytes() {
            return rssBytes - heapCommittedBytes;
        }
    }

    @Test
    void manyBackupsWithVerifiesAndCleanupsLeaveTheWorkerFlat() throws Exception {
        long start = System.nanoTime();
        List<Sample> samples = new ArrayList<>();
        List<String> backups = new ArrayList<>();
        List<String> verifies = new ArrayList<>();
        Map<String, Long> deletedByCleanup = new LinkedHashMap<>();
        String newest = null;
        long deletedSoFar = 0;
        try {
            while (backups.size() < BACKUPS) {
                List<String> batch = new ArrayList<>();
                for (int i = 0; i < BATCH; i++) {
                    batch.add(accepted(api("POST", "/api/backup/create", "{\"backup_type\":\"manual\"}")));
                }
                for (String job : batch) {
                    JsonNode done = awaitFinished(job, "backup");
                    assertThat(done.path("status").asString()).as("backup %s: %s", job, done)
                            .isEqualTo("SUCCEEDED");
                    newest = job;
                }
                backups.addAll(batch);
                int n = backups.size();
                if (n % VERIFY_EVERY == 0) {
                    String verify = accepted(api("POST", "/api/backup/verify", "{\"backup_id\":\"" + newest + "\"}"));
                    JsonNode done = awaitFinished(verify, "verify");
                    assertThat(done.path("status").asString()).as("verify of %s: %s", newest, done)
                            .isEqualTo("SUCCEEDED");
                    assertThat(done.path("result").path("problems").isEmpty()).as("verify found no problem: %s", done)
                            .isTrue();
                    verifies.add(verify);
                }
                if (n % CLEANUP_EVERY == 0) {
                    String cleanup = accepted(api("POST", "/api/backup/cleanup", "{\"dry_run\":false}"));
                    JsonNode done = awaitFinished(cleanup, "cleanup");
                    assertThat(done.path("status").asString()).as("cleanup after %d: %s", n, done)
                            .isEqualTo("SUCCEEDED");
                    long deleted = done.path("result").path("deleted_count").asLong(-1);
                    // all but the newest KEEP_MANUAL of the manual backups still available go
                    assertThat(deleted).as("backups the cleanup after %d deleted: %s", n, done)
                            .isEqualTo(n - deletedSoFar - KEEP_MANUAL).isPositive();
                    deletedSoFar += deleted;
                    deletedByCleanup.put(cleanup, deleted);
                }
                if (n == WARM_UP) {
                    samples.add(sample("warm-up", n, start));
                } else if (n == BACKUPS) {
                    samples.add(sample("end", n, start));
                } else if (n % SAMPLE_EVERY == 0) {
                    samples.add(sample("after " + n, n, start));
                }
            }
        } finally { // the figures so far, also of a run that failed on the way
            String table = table(samples, backups.size(), (System.nanoTime() - start) / 1_000_000_000,
                    verifies.size(), deletedByCleanup);
            System.out.println(table);
            Files.createDirectories(FIGURES.getParent());
            Files.writeString(FIGURES, table, StandardCharsets.UTF_8);
        }

        // every job of the run succeeded (none failed, none retried), counted in the worker's own catalog
        Map<String, Long> jobs = new TreeMap<>();
        for (String row : rows("SELECT kind || ' ' || status || ' ' || (attempts > 1), count(*) FROM worker.v1_jobs"
                + " GROUP BY 1")) {
            String[] kv = row.split(" (?=\\d+$)");
            jobs.put(kv[0], Long.parseLong(kv[1]));
        }
        assertThat(jobs).as("jobs by kind, status and retried").isEqualTo(Map.of(
                "backup SUCCEEDED false", (long) BACKUPS,
                "verify SUCCEEDED false", (long) BACKUPS / VERIFY_EVERY,
                "cleanup SUCCEEDED false", (long) BACKUPS / CLEANUP_EVERY));
        // the cleanups really deleted: the catalog lists as available only the newest kept and those since, and the
        // storage holds exactly their files
        long deleted = deletedByCleanup.values().stream().mapToLong(Long::longValue).sum();
        long available = count("SELECT count(*) FROM worker.v1_backups WHERE status = 'AVAILABLE'");
        long expired = count("SELECT count(*) FROM worker.v1_backups WHERE status = 'EXPIRED'");
        int sinceLastCleanup = BACKUPS % CLEANUP_EVERY;
        assertThat(expired).isEqualTo(deleted);
        assertThat(available).isEqualTo(BACKUPS - deleted).isEqualTo(KEEP_MANUAL + sinceLastCleanup);
        Set<String> files;
        try (Stream<Path> list = Files.list(storage)) {
            files = list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        Set<String> expected = new HashSet<>();
        for (String file : rows("SELECT file_name FROM worker.v1_backups WHERE status = 'AVAILABLE'")) {
            expected.add(file);
            expected.add(file + BackupFormat.MANIFEST_SUFFIX);
        }
        assertThat(files).as("the storage: the available backups' files and manifests, nothing else")
                .isEqualTo(expected);

        // flat after the warm-up: a leak of one per backup (or per verify or cleanup) exceeds each tolerance
        Sample warm = samples.get(0);
        Sample end = samples.get(samples.size() - 1);
        flat("open file descriptors", warm.fds(), end.fds(), 10);
        flat("live threads", warm.threads(), end.threads(), 5);
        flat("loaded classes", warm.classes(), end.classes(), 500);
        flat("heap used after a full GC", warm.heapAfterGcBytes(), end.heapAfterGcBytes(),
                warm.heapAfterGcBytes() / 2 + 16 * MB);
        flat("RSS less the committed heap (native memory)", warm.offHeapBytes(), end.offHeapBytes(), 64 * MB);
        flat("the worker's catalog connections", warm.workerCatalogConnections(), end.workerCatalogConnections(), 2);
        flat("the worker's source connections at rest", warm.workerSourceConnections(),
                end.workerSourceConnections(), 1);
        flat("the catalog's connections (all services)", warm.catalogConnections(), end.catalogConnections(), 5);
        flat("rabbitmq_connections of the worker", warm.brokerConnectionsMeter(), end.brokerConnectionsMeter(), 1);
        flat("rabbitmq_channels of the worker", warm.brokerChannelsMeter(), end.brokerChannelsMeter(), 3);
        flat("the worker's broker connections (rabbitmqctl)", warm.brokerConnections(), end.brokerConnections(), 1);
        flat("the worker's broker channels (rabbitmqctl)", warm.brokerChannels(), end.brokerChannels(), 3);
        assertThat(List.of(warm.fds(), warm.threads(), warm.heapAfterGcBytes(), warm.rssBytes(),
                warm.workerCatalogConnections(), warm.catalogConnections(), warm.brokerChannelsMeter()))
                .as("the figures read at all (fds, threads, heap, RSS, connections, channels)").allMatch(v -> v > 0);
    }

    /** {@code end} at most {@code tolerance} above {@code warm}; not checked where one was not read (-1). */
    private static void flat(String what, long warm, long end, long tolerance) {
        if (warm < 0 || end < 0) {
            System.err.printf("SoakIT: %s not read (warm-up %d, end %d)%n", what, warm, end);
            return;
        }
        assertThat(end).as("%s: %d after the warm-up, %d at the end (tolerance %d)", what, warm, end, tolerance)
                .isLessThanOrEqualTo(warm + tolerance);
    }

    // ---- driving the API

    private static HttpResponse<String> api(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url(path))).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String accepted(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return MessageJson.mapper().readTree(r.body()).get("job_id").asString();
    }

    /** Polls {@code GET /api/backup/jobs/{id}} until the job succeeded or failed; its last answer. */
    private static JsonNode awaitFinished(String jobId, String what) {
        return SystemTestSupport.awaitFinished(path -> api("GET", path, null), jobId, what, Duration.ofMinutes(3));
    }

    // ---- sampling the worker

    private static Sample sample(String label, int backups, long start) throws Exception {
        long pid = worker.pid();
        jcmd(pid, "GC.run"); // a full collection: what stays is what the worker holds on to
        long jvmNative = jvmNativeCommitted(jcmd(pid, "VM.native_memory", "summary"));
        Map<String, Double> meters = prometheus(worker);
        Map<String, Long> status = procStatus(pid);
        long fds;
        try (Stream<Path> list = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            fds = list.count();
        }
        Map<Integer, List<Integer>> sockets = establishedLocalPorts(pid);
        List<Integer> pgPorts = sockets.getOrDefault(infra.pgPort, List.of());
        List<Integer> amqpPorts = sockets.getOrDefault(infra.rabbitPort, List.of());
        long[] broker = rabbitmqctl(amqpPorts);
        return new Sample(label, backups, (System.nanoTime() - start) / 1_000_000_000,
                sum(meters, "jvm_memory_used_bytes", "area=\"heap\""),
                sum(meters, "jvm_memory_committed_bytes", "area=\"heap\""),
                status.getOrDefault("VmRSS", -1L) * 1024, jvmNative, fds, sum(meters, "jvm_threads_live_threads", ""),
                sum(meters, "jvm_classes_loaded_classes", ""),
                backendsOn(CATALOG, pgPorts), backendsOn(SOURCE, pgPorts),
                count("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + CATALOG + "'"),
                sum(meters, "rabbitmq_connections", ""), sum(meters, "rabbitmq_channels", ""),
                broker[0], broker[1], broker[2]);
    }

    /** {@code jcmd <pid> <command...>}: its output. */
    private static String jcmd(long pid, String... command) throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        Path jcmd = java.getParent() == null ? Path.of("jcmd") : java.resolveSibling("jcmd");
        List<String> line = new ArrayList<>(List.of(jcmd.toString(), String.valueOf(pid)));
        line.addAll(List.of(command));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s", line).isTrue();
        assertThat(p.exitValue()).as("%s: %s", line, out).isZero();
        return out;
    }

    /**
     * The JVM's native memory from {@code VM.native_memory summary}: everything it committed but the Java heap
     * (metaspace, code cache, thread stacks, GC structures, its mallocs, direct buffers); -1 without tracking.
     */
    private static long jvmNativeCommitted(String summary) {
        Matcher total = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB").matcher(summary);
        Matcher heap = Pattern.compile("Java Heap \\(reserved=\\d+KB, committed=(\\d+)KB\\)").matcher(summary);
        if (!total.find() || !heap.find()) {
            return -1;
        }
        return (Long.parseLong(total.group(1)) - Long.parseLong(heap.group(1))) * 1024;
    }

    /** The samples of {@code /actuator/prometheus} read with the management token, by series (name{labels}). */
    private static Map<String, Double> prometheus(ServiceProcess service) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(service.url("/actuator/prometheus")))
                .header("Authorization", "Bearer " + ServiceProcess.MANAGEMENT_TOKEN)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Double> series = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return series;
    }

    /** The sum of the series named {@code name} whose labels contain {@code label}; -1 when there is none. */
    private static long sum(Map<String, Double> series, String name, String label) {
        double total = 0;
        boolean found = false;
        for (Map.Entry<String, Double> e : series.entrySet()) {
            String key = e.getKey();
            if ((key.equals(name) || key.startsWith(name + "{")) && key.contains(label)) {
                total += e.getValue();
                found = true;
            }
        }
        return found ? Math.round(total) : -1;
    }

    private static Map<String, Long> procStatus(long pid) throws IOException {
        Map<String, Long> values = new HashMap<>();
        Pattern kb = Pattern.compile("(\\w+):\\s+(\\d+)(?: kB)?");
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            Matcher m = kb.matcher(line);
            if (m.matches()) {
                values.put(m.group(1), Long.parseLong(m.group(2)));
            }
        }
        return values;
    }

    /**
     * The process's established TCP connections to 127.0.0.1: its local ports by remote port (its sockets' inodes in
     * {@code /proc/<pid>/fd} matched to {@code /proc/<pid>/net/tcp} and {@code tcp6}).
     */
    private static Map<Integer, List<Integer>> establishedLocalPorts(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> list = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : list.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed while listed
                }
            }
        }
        Map<Integer, List<Integer>> ports = new HashMap<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path file = Path.of("/proc", String.valueOf(pid), "net", table);
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !f[3].equals("01") || !inodes.contains(f[9])) {
                    continue; // the header, not established, or not this process's
                }
                int local = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
                int remote = Integer.parseInt(f[2].substring(f[2].lastIndexOf(':') + 1), 16);
                ports.computeIfAbsent(remote, k -> new ArrayList<>()).add(local);
            }
        }
        return ports;
    }

    /** The server's backends on {@code database} whose client port is one of {@code ports}. */
    private static long backendsOn(String database, List<Integer> ports) throws Exception {
        if (ports.isEmpty()) {
            return 0;
        }
        return count("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database + "' AND client_port IN ("
                + ports.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")");
    }

    /**
     * From {@code rabbitmqctl}: the worker's connections (those from its ports), their channels, and the channels
     * of the test's whole virtual host; -1 each where {@code rabbitmqctl} does not answer.
     */
    private static long[] rabbitmqctl(List<Integer> workerPorts) {
        try {
            Set<String> workerConnections = new HashSet<>();
            for (String line : run("rabbitmqctl", "list_connections", "-q", "--no-table-headers", "vhost", "peer_port",
                    "pid")) {
                String[] f = line.split("\t");
                if (f.length == 3 && f[0].equals(infra.rabbitVhost) && workerPorts.contains(Integer.parseInt(f[1]))) {
                    workerConnections.add(f[2]);
                }
            }
            long workerChannels = 0;
            long vhostChannels = 0;
            for (String line : run("rabbitmqctl", "list_channels", "-q", "--no-table-headers", "vhost", "connection")) {
                String[] f = line.split("\t");
                if (f.length == 2 && f[0].equals(infra.rabbitVhost)) {
                    vhostChannels++;
                    workerChannels += workerConnections.contains(f[1]) ? 1 : 0;
                }
            }
            return new long[]{workerConnections.size(), workerChannels, vhostChannels};
        } catch (IOException | RuntimeException e) {
            System.err.println("SoakIT: rabbitmqctl did not answer: " + e);
            return new long[]{-1, -1, -1};
        }
    }

    private static List<String> run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    private static long count(String sql) throws Exception {
        String database = sql.contains("pg_stat_activity") ? "postgres" : CATALOG;
        try (Connection c = infra.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> rows(String sql) throws Exception {
        return SystemTestSupport.rows(infra, CATALOG, sql);
    }

    // ---- the figures

    private static String table(List<Sample> samples, int backups, long seconds, int verifies,
                                Map<String, Long> cleanups) {
        StringBuilder t = new StringBuilder();
        t.append(String.format("SoakIT: %d of %d backups, %d verifies, %d cleanups (deleted %s) in %d s, one worker%n",
                backups, BACKUPS, verifies, cleanups.size(), cleanups.values(), seconds));
        t.append(String.format("%-10s %7s %6s %8s %8s %8s %8s %8s %5s %7s %7s %8s %7s %7s %7s %6s %6s %7s%n",
                "sample", "backups", "time s", "heap MB", "commit", "RSS MB", "offheap", "jvm nat", "fds", "threads",
                "classes", "wrk cat", "wrk src", "all cat", "mq conn", "mq ch", "ctl ch", "vhost ch"));
        for (Sample s : samples) {
            t.append(String.format(
                    "%-10s %7d %6d %8.1f %8.1f %8.1f %8.1f %8.1f %5d %7d %7d %8d %7d %7d %7s %6s %6d %7d%n",
                    s.label(), s.backups(), s.seconds(), s.heapAfterGcBytes() / (double) MB,
                    s.heapCommittedBytes() / (double) MB, s.rssBytes() / (double) MB, s.offHeapBytes() / (double) MB,
                    s.jvmNativeBytes() / (double) MB,
                    s.fds(), s.threads(), s.classes(), s.workerCatalogConnections(), s.workerSourceConnections(),
                    s.catalogConnections(), meter(s.brokerConnectionsMeter(), s.brokerConnections()),
                    meter(s.brokerChannelsMeter(), s.brokerChannels()), s.brokerChannels(), s.vhostChannels()));
        }
        t.append("heap MB: used after jcmd GC.run; commit: heap committed; offheap: RSS less commit;"
                + " jvm nat: the JVM's own native memory committed but the heap (Native Memory Tracking);"
                + " wrk cat / wrk src: the worker's connections to the catalog / source (its sockets in"
                + " pg_stat_activity);"
                + " all cat: the catalog's connections of all four services; mq conn / mq ch: the worker's"
                + " rabbitmq_connections / rabbitmq_channels meters (rabbitmqctl's count where there is no meter);"
                + " ctl ch: its channels by rabbitmqctl; vhost ch: all channels of the virtual host")
                .append(System.lineSeparator());
        return t.toString();
    }

    private static String meter(long meter, long fallback) {
        return meter >= 0 ? String.valueOf(meter) : fallback + "*";
    }
}
