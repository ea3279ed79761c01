package io.taskagent.backup.system;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupStarted;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.EventTap;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import io.taskagent.backup.testsupport.SlowScenario;
import io.taskagent.backup.testsupport.TemporaryRabbit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 16, scenario 1: RabbitMQ stopped ({@code rabbitmqctl stop_app}) and started again during a long backup. The
 * broker is a node of the test's own ({@link TemporaryRabbit}), never the machine's shared one. The job completes
 * once, its {@code BackupCompleted} reaches the subscribers (the alert service, the gateway's live stream, a durable
 * test queue) after the broker is back, a create during the outage answers 503, and every service reconnects
 * without a restart (health UP, consumers back, the next backup and a scheduler command go through).
 */
class BrokerOutageIT {

    static final String CATALOG = "brk_outage_catalog";
    static final String SOURCE = "brk_source_s1";
    static final String TOKEN = "brk-outage-token-" + System.nanoTime();

    static Infrastructure infra;
    static TemporaryRabbit rabbit;
    static EventTap tap;
    static OwnBrokerSystem system;
    static Path storage;

    @BeforeAll
    static void start() throws Exception {
        SlowScenario.require("BrokerOutageIT (RabbitMQ stopped and started during a backup)");
        TemporaryRabbit.requireOrSkip();
        infra = Infrastructure.get();
        infra.recreateDatabase(CATALOG);
        ReferenceDataset.ensure(infra, SOURCE, 1);
        storage = Files.createTempDirectory("brk-outage-backups");
        rabbit = TemporaryRabbit.start(1);
        tap = EventTap.open(List.of(rabbit.node(1).address()));
        system = new OwnBrokerSystem(infra, CATALOG, TOKEN, storage, rabbit.addresses());
        // zstd 19 on one reader makes the dump long enough to stop the broker in its middle; the outbox relay
        // looks every second for events left unpublished for 3 s
        system.worker(Map.of("BACKUP_SOURCE_URL", infra.jdbcUrl(SOURCE), "BACKUP_STORAGE_ZSTD_LEVEL", "19",
                "BACKUP_WORKER_PARALLELISM", "1", "BACKUP_WORKER_PROGRESSINTERVAL", "500ms",
                "BACKUP_WORKER_OUTBOX_GRACE", "3s", "BACKUP_WORKER_OUTBOX_INTERVAL_MS", "1000"));
        system.alerts(Map.of());
        system.scheduler(Map.of());
        system.gateway();
        system.awaitHealthy(Duration.ofSeconds(420)); // minutes on a busy 2-core machine
    }

    @AfterAll
    static void stop() throws Exception {
        SystemTestSupport.closeAll(system, tap, rabbit);
    }

    @Test
    void theBrokerStoppedAndStartedMidBackupLosesNothingAndEveryServiceReconnects() throws Exception {
        TemporaryRabbit.Node node = rabbit.node(1);
        Map<ServiceProcess, Long> pids = new HashMap<>();
        system.all.forEach(p -> pids.put(p, p.pid()));
        List<String> sse = followLiveEvents();

        HttpResponse<String> accepted = system.create();
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        UUID job = UUID.fromString(OwnBrokerSystem.jobId(accepted));
        tap.awaitEvent(BackupStarted.class, e -> e.jobId().equals(job), Duration.ofSeconds(60));
        await("rows dumped").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> system.job(job.toString()).path("progress").path("rows_done").asLong() > 0);

        long outageStart = System.nanoTime();
        rabbit.stopApp(node);
        // every service notices (its health names the broker DOWN) ...
        // (DOWN, and where the details are shown, the broker's component DOWN)
        try {
            await("every service reports the broker down").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> system.health().stream().allMatch(h -> h.status() == 503
                            && brokerDownOrHidden(h.body())));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not every service reports the broker down: " + system.health(), e);
        }
        // ... a create is refused with 503 rather than accepted and lost ...
        HttpResponse<String> refused = system.create();
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.body()).contains("Broker unavailable");
        long refusedAudited = system.count("SELECT count(*) FROM gateway.audit_log WHERE action = 'backup.create' "
                + "AND outcome = 'FAILED'");
        // ... and the backup goes on: the outage hit it mid-dump
        String statusDuringOutage = system.job(job.toString()).path("status").asString();
        assertThat(statusDuringOutage).as("the backup still runs while the broker is down").isEqualTo("RUNNING");

        rabbit.startApp(node);
        long outageMillis = (System.nanoTime() - outageStart) / 1_000_000;

        try {
            await("every service healthy again, without a restart").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> system.health().stream().allMatch(ServiceProcess.HealthAnswer::up));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not every service healthy again: " + system.health(), e);
        }
        for (ServiceProcess p : system.all) {
            assertThat(p.alive()).as(p.module + " still runs").isTrue();
            assertThat(p.pid()).as(p.module + " is the same process").isEqualTo(pids.get(p));
        }

        await("the job finishes").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .until(() -> Stream.of("SUCCEEDED", "FAILED").anyMatch(s -> {
                    try {
                        return s.equals(system.job(job.toString()).path("status").asString());
                    } catch (Exception e) {
                        return false;
                    }
                }));
        JsonNode finished = system.job(job.toString());
        assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("SUCCEEDED");
        BackupCompleted completed = tap.awaitEvent(BackupCompleted.class, e -> e.jobId().equals(job),
                Duration.ofSeconds(60));
        await("the alert service recorded the completed backup").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> system.count("SELECT count(*) FROM alerts.backup_history WHERE job_id = '" + job + "'") == 1);
        await("the gateway's live stream carried the BackupCompleted").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> sseEvents(sse, "BackupCompleted").stream().anyMatch(d -> d.contains(job.toString())));
        await("every consumer is back").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> consumersOf(node).entrySet().stream()
                        .filter(e -> Topology.CONSUMING_QUEUES.contains(e.getKey())
                                || e.getKey().startsWith("api-gateway.live."))
                        .filter(e -> e.getValue() > 0).count() == 4);

        // the system works end to end again: a new backup, and a command to the scheduler
        HttpResponse<String> after = system.create();
        assertThat(after.statusCode()).as(after.body()).isEqualTo(202);
        UUID second = UUID.fromString(OwnBrokerSystem.jobId(after));
        // taken from the queue by the reconnected worker and announced (its zstd-19 dump itself is not waited for)
        tap.awaitEvent(BackupStarted.class, e -> e.jobId().equals(second), Duration.ofSeconds(120));
        assertThat(system.api("POST", "/api/backup/scheduler/stop", null).statusCode()).isEqualTo(202);
        await("the scheduler applied the stop").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> !MessageJson.mapper().readTree(system.api("GET", "/api/backup/status", null).body())
                        .path("scheduler_running").asBoolean(true));

        long backups = system.count("SELECT count(*) FROM worker.backups WHERE job_id = '" + job + "'");
        long attempts = system.count("SELECT attempts FROM worker.jobs WHERE id = '" + job + "'");
        long completions = tap.events(BackupCompleted.class, job).size();
        long completionDeliveries = tap.deliveries().stream()
                .filter(d -> d.message() instanceof BackupCompleted && d.message().jobId().equals(job)).count();
        long relayed = system.workers.get(0).log().lines().filter(l -> l.contains("relayed BackupCompleted")
                && l.contains(job.toString())).count();
        List<String> files;
        try (Stream<Path> list = Files.list(storage)) {
            files = list.map(p -> p.getFileName().toString()).filter(n -> n.contains(job.toString().substring(0, 8)))
                    .sorted().collect(Collectors.toList());
        }
        System.out.printf("""
                        broker outage: stop_app..start_app %d ms, mid-dump of job %s
                          accepted before: 1, refused during (503): 1 (audited FAILED: %d), accepted after: 1
                          job: %s, attempts %d, backups rows %d, files %s
                          BackupCompleted: %d message id(s), %d delivery(ies) at the tap, relayed by the outbox: %s,
                            at the alert service: %d, on the gateway's live stream: %d
                          duplicated: %d, lost: %d, services restarted: 0
                        """, outageMillis, job, refusedAudited, finished.path("status").asString(), attempts, backups,
                files, completions, completionDeliveries, relayed > 0 ? "yes" : "no (sent directly after the outage)",
                system.count("SELECT count(*) FROM alerts.backup_history WHERE job_id = '" + job + "'"),
                sseEvents(sse, "BackupCompleted").stream().filter(d -> d.contains(job.toString())).count(),
                Math.max(0, backups - 1) + Math.max(0, completions - 1), backups == 0 ? 1 : 0);
        assertThat(refusedAudited).isEqualTo(1);
        assertThat(attempts).as("one attempt: the outage did not fail or restart the job").isEqualTo(1);
        assertThat(backups).as("one backup").isEqualTo(1);
        assertThat(completions).as("one BackupCompleted").isEqualTo(1);
        assertThat(completed.fileName()).isEqualTo(finished.path("backup").path("file_name").asString());
        assertThat(files).containsExactlyInAnyOrder(completed.fileName(), completed.fileName() + ".manifest.json");
        assertThat(system.count("SELECT count(*) FROM worker.jobs WHERE kind = 'backup'"))
                .as("two accepted creates, two jobs: the refused one made none").isEqualTo(2);
        for (String dlq : Topology.CONSUMING_QUEUES) {
            assertThat(rabbit.queue(node, Topology.deadLetterQueue(dlq)).map(q -> ((Number) q.get("messages")).longValue()))
                    .as("nothing dead-lettered in %s", dlq).hasValue(0L);
        }
    }

    /** The health's broker component is DOWN, or the health shows no components. */
    private static boolean brokerDownOrHidden(String health) {
        JsonNode components = MessageJson.mapper().readTree(health).path("components");
        return components.isMissingNode() || "DOWN".equals(components.path("rabbit").path("status").asString());
    }

    private static Map<String, Long> consumersOf(TemporaryRabbit.Node node) {
        Map<String, Long> consumers = new HashMap<>();
        for (Map<String, Object> q : rabbit.queues(node)) {
            consumers.put((String) q.get("name"), ((Number) q.get("consumers")).longValue());
        }
        return consumers;
    }

    /** Follows {@code GET /api/backup/events}: every line received, in a list that fills as they come. */
    private static List<String> followLiveEvents() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(system.gateway.url("/api/backup/events")))
                .header("Authorization", "Bearer " + TOKEN).header("Accept", "text/event-stream").build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenAccept(r -> r.body().forEach(lines::add));
        await("the live stream is connected").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> lines.stream().anyMatch(l -> l.contains("connected")));
        return lines;
    }

    /** The data lines of the server-sent events named {@code name}. */
    private static List<String> sseEvents(List<String> lines, String name) {
        List<String> data = new ArrayList<>();
        List<String> copy = List.copyOf(lines);
        for (int i = 0; i < copy.size(); i++) {
            if (copy.get(i).equals("event:" + name)) {
                for (int j = i + 1; j < copy.size() && !copy.get(j).isEmpty(); j++) {
                    if (copy.get(j).startsWith("data:")) {
                        data.add(copy.get(j));
                    }
                }
            }
        }
        return data;
    }
}
