package io.taskagent.backup.system;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupOversized;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.EventTap;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.SlowScenario;
import io.taskagent.backup.testsupport.TemporaryRabbit;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 16, scenario 2: a three-node RabbitMQ cluster on this machine ({@link TemporaryRabbit}: three
 * {@code rabbitmq-server} nodes of the test's own, joined with {@code join_cluster}), the quorum queues replicated on
 * all three, the services given every node's address ({@code spring.rabbitmq.addresses}). The node every service is
 * connected to, which also leads the quorum queues, is killed ({@code kill -9}) during a stream of 50 backup requests
 * from a client that sends a refused (503) request again. Then: 50 accepted, 50 jobs, 50 backups, 0 lost,
 * 0 duplicated, and each backup's alert (every backup is above a 1 MB limit: {@code BackupOversized}, a warning
 * mailed to GreenMail, no throttling) decided and mailed once.
 * <p>
 * Kept light for a 2-core machine: a one-table source database of about 1.5 MB compressed, one worker running two
 * jobs at a time.
 */
class BrokerClusterIT {

    static final String CATALOG = "brk_cluster_catalog";
    static final String SOURCE = "brk_cluster_source";
    static final String TOKEN = "brk-cluster-token-" + System.nanoTime();
    static final int REQUESTS = 50;
    static final int KILL_AFTER = 15;
    static final long SOURCE_ROWS = 40_000;

    static Infrastructure infra;
    static TemporaryRabbit rabbit;
    static EventTap tap;
    static GreenMail smtp;
    static OwnBrokerSystem system;
    static Path storage;
    static long startedAt;

    @BeforeAll
    static void start() throws Exception {
        SlowScenario.require("BrokerClusterIT (three RabbitMQ nodes, one killed during 50 requests)");
        TemporaryRabbit.requireOrSkip();
        startedAt = System.nanoTime();
        infra = Infrastructure.get();
        infra.recreateDatabase(CATALOG);
        smallSource();
        storage = Files.createTempDirectory("brk-cluster-backups");
        smtp = new GreenMail(new ServerSetup(ServiceProcess.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        rabbit = TemporaryRabbit.start(3);
        // the tap reads through nodes 2 and 3 (its quorum queue is led by node 2): node 1 is the one killed
        tap = EventTap.open(List.of(rabbit.node(2).address(), rabbit.node(3).address()));
        system = new OwnBrokerSystem(infra, CATALOG, TOKEN, storage, rabbit.addresses());
        system.worker(Map.of("BACKUP_SOURCE_URL", infra.jdbcUrl(SOURCE), "BACKUP_WORKER_CONCURRENCY", "2",
                "BACKUP_WORKER_PARALLELISM", "1", "BACKUP_MAX_BACKUP_SIZE_MB", "1",
                "BACKUP_WORKER_OUTBOX_GRACE", "5s", "BACKUP_WORKER_OUTBOX_INTERVAL_MS", "2000"));
        system.alerts(Map.of("SPRING_MAIL_HOST", "127.0.0.1",
                "SPRING_MAIL_PORT", String.valueOf(smtp.getSmtp().getPort()),
                "ALERT_MAIL_RECIPIENTS", "oncall@taskagent.test", "ALERT_THROTTLE_WINDOW", "0s"));
        system.scheduler(Map.of("BACKUP_MAX_BACKUP_SIZE_MB", "1"));
        system.gateway();
        system.awaitHealthy(Duration.ofSeconds(420)); // minutes on a busy 2-core machine
    }

    /** One table of 40,000 rows of random hex (incompressible enough): about 1.5 MB compressed, above a 1 MB limit. */
    static void smallSource() throws Exception {
        infra.ensureDatabase(SOURCE);
        try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('public.payloads') IS NOT NULL "
                    + "AND (SELECT count(*) FROM pg_class WHERE relname = 'payloads') = 1")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    try (ResultSet count = s.executeQuery("SELECT count(*) FROM public.payloads")) {
                        count.next();
                        if (count.getLong(1) == SOURCE_ROWS) {
                            return;
                        }
                    }
                }
            }
            s.execute("DROP TABLE IF EXISTS public.payloads");
            s.execute("CREATE TABLE public.payloads (id integer PRIMARY KEY, payload text NOT NULL)");
            s.execute("INSERT INTO public.payloads SELECT g, md5(g || ':' || random()) || md5(random()::text) "
                    + "FROM generate_series(1, " + SOURCE_ROWS + ") g");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        SystemTestSupport.closeAll(system, tap, rabbit, smtp);
    }

    @Test
    void aNodeKilledDuringFiftyRequestsLosesAndDuplicatesNothing() throws Exception {
        TemporaryRabbit.Node doomed = rabbit.node(1);
        TemporaryRabbit.Node survivor = rabbit.node(2);
        List<String> queues = new ArrayList<>();
        for (String q : Topology.CONSUMING_QUEUES) {
            queues.add(q);
            queues.add(Topology.deadLetterQueue(q));
        }
        Set<String> allNodes = rabbit.nodes().stream().map(TemporaryRabbit.Node::name).collect(Collectors.toSet());
        for (String q : queues) {
            Map<String, Object> queue = rabbit.queue(survivor, q).orElseThrow(() -> new AssertionError(q + " missing"));
            assertThat(queue.get("type")).as(q).isEqualTo("quorum");
            assertThat(names(queue.get("members"))).as("%s replicated on every node", q).isEqualTo(allNodes);
        }
        String leaderBefore = String.valueOf(rabbit.queue(survivor, Topology.WORKER_COMMANDS_QUEUE).orElseThrow()
                .get("leader"));

        // the client: 50 backups wanted; a 503 (or a dropped connection) is not an acceptance, so it asks again
        List<String> accepted = new CopyOnWriteArrayList<>();
        AtomicInteger refused = new AtomicInteger();
        List<String> refusals = new CopyOnWriteArrayList<>();
        // each request carries its own Idempotency-Key, sent again with it: a command the broker took although its
        // confirm was lost in the failover (the gateway answered 503) names the same job, never a second one
        String run = UUID.randomUUID().toString();
        CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
            while (accepted.size() < REQUESTS) {
                try {
                    HttpResponse<String> r = system.create(run + "-" + accepted.size());
                    if (r.statusCode() == 202) {
                        accepted.add(OwnBrokerSystem.jobId(r));
                    } else {
                        refused.incrementAndGet();
                        refusals.add(r.statusCode() + " " + r.body());
                        if (r.statusCode() != 503) {
                            throw new AssertionError("create answered " + r.statusCode() + ": " + r.body());
                        }
                    }
                } catch (IOException e) {
                    refused.incrementAndGet();
                    refusals.add(e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        await("the first " + KILL_AFTER + " requests accepted").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(20)).until(() -> accepted.size() >= KILL_AFTER || client.isDone());
        int acceptedAtKill = accepted.size();
        long killAt = System.nanoTime();
        rabbit.kill(doomed);
        assertThat(rabbit.alive(doomed)).isFalse();

        client.get(5, java.util.concurrent.TimeUnit.MINUTES);
        long streamMillis = (System.nanoTime() - killAt) / 1_000_000;
        assertThat(accepted).hasSize(REQUESTS).doesNotHaveDuplicates();

        await("every accepted job finished").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1))
                .until(() -> system.count("SELECT count(*) FROM worker.jobs WHERE status IN ('SUCCEEDED', 'FAILED') "
                        + "AND id IN (" + inList(accepted) + ")") == REQUESTS);
        await("a BackupCompleted for every job at the subscriber").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> accepted.stream().allMatch(j -> !tap.events(BackupCompleted.class, UUID.fromString(j))
                        .isEmpty()));
        await("an e-mail for every oversized backup").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> smtp.getReceivedMessages().length >= REQUESTS);
        // then until nothing more arrives for 12 s (two outbox relay rounds and more): a late duplicate from the relay
        // or a redelivery would show in the figures below
        List<Long> last = new ArrayList<>(List.of(-1L, -1L));
        await("mails and events settled").during(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    List<Long> now = List.of((long) smtp.getReceivedMessages().length,
                            (long) tap.deliveries().size());
                    boolean same = now.equals(last);
                    last.clear();
                    last.addAll(now);
                    return same;
                });

        // the figures
        long jobs = system.count("SELECT count(*) FROM worker.jobs WHERE kind = 'backup'");
        long succeeded = system.count("SELECT count(*) FROM worker.jobs WHERE kind = 'backup' AND status = 'SUCCEEDED'");
        long phantom = system.count("SELECT count(*) FROM worker.jobs WHERE kind = 'backup' AND id NOT IN ("
                + inList(accepted) + ")");
        long backupRows = system.count("SELECT count(*) FROM worker.backups");
        long backupJobs = system.count("SELECT count(DISTINCT job_id) FROM worker.backups WHERE job_id IN ("
                + inList(accepted) + ")");
        long lost = REQUESTS - backupJobs;
        long retried = system.count("SELECT count(*) FROM worker.jobs WHERE kind = 'backup' AND attempts > 1");
        List<String> files;
        try (Stream<Path> list = Files.list(storage)) {
            files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json.zst")).toList();
        }
        Map<String, Long> completedPerJob = perJob(tap.events().stream().filter(e -> e instanceof BackupCompleted)
                .map(e -> e.jobId().toString()).toList());
        long completedDeliveries = tap.deliveries().stream().filter(d -> d.message() instanceof BackupCompleted).count();
        Map<String, Long> oversizedPerJob = perJob(tap.events().stream().filter(e -> e instanceof BackupOversized)
                .map(e -> e.jobId().toString()).toList());
        Map<String, Long> mailsPerJob = new HashMap<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            String body = GreenMailUtil.getBody(m);
            accepted.stream().filter(body::contains).forEach(j -> mailsPerJob.merge(j, 1L, Long::sum));
        }
        long decisions = system.count("SELECT count(*) FROM alerts.alert_events WHERE kind = 'BackupOversized'");
        long decidedJobs = system.count("SELECT count(DISTINCT job_id) FROM alerts.alert_events "
                + "WHERE kind = 'BackupOversized' AND outcome = 'ALERT'");
        long deliveries = system.count("SELECT count(*) FROM alerts.deliveries WHERE event_type = 'BackupOversized' "
                + "AND channel = 'email'");
        long history = system.count("SELECT count(*) FROM alerts.backup_history");
        long dupBackups = backupRows - backupJobs;
        long dupCompleted = completedPerJob.values().stream().mapToLong(n -> n - 1).sum();
        long dupMails = mailsPerJob.values().stream().mapToLong(n -> Math.max(0, n - 1)).sum();
        Map<String, Object> workerQueue = rabbit.queue(survivor, Topology.WORKER_COMMANDS_QUEUE).orElseThrow();
        Map<String, Long> dead = new HashMap<>();
        for (String q : Topology.CONSUMING_QUEUES) {
            dead.put(q, rabbit.queue(survivor, Topology.deadLetterQueue(q))
                    .map(x -> ((Number) x.get("messages")).longValue()).orElse(-1L));
        }
        System.out.printf("""
                        broker cluster: 3 nodes %s; killed %s (kill -9) after %d accepted requests
                          worker queue leader before %s, after %s; online now %s
                          requests: accepted %d, refused and sent again %d %s; stream ended %d ms after the kill
                          jobs %d (phantom: %d), succeeded %d, taken over (attempts > 1) %d
                          backups: rows %d for %d accepted jobs, files %d; lost %d, duplicated %d
                          BackupCompleted: %d jobs, %d message ids, %d deliveries at the tap (redeliveries allowed), duplicated %d
                          BackupOversized events %d; alert decisions %d (ALERT for %d jobs), e-mail deliveries recorded %d,
                            e-mails received %d (%d jobs, duplicated %d); alert-service backup history %d
                          dead letters %s
                          test time so far %d s
                        """, allNodes, doomed.name(), acceptedAtKill, leaderBefore, workerQueue.get("leader"),
                workerQueue.get("online"), accepted.size(), refused.get(), refusals.stream().limit(3).toList(),
                streamMillis, jobs, phantom, succeeded, retried, backupRows, backupJobs, files.size(), lost, dupBackups,
                completedPerJob.size(), completedPerJob.values().stream().mapToLong(Long::longValue).sum(),
                completedDeliveries, dupCompleted, oversizedPerJob.size(), decisions, decidedJobs, deliveries,
                smtp.getReceivedMessages().length, mailsPerJob.size(), dupMails, history, dead,
                (System.nanoTime() - startedAt) / 1_000_000_000);

        assertThat(jobs).as("50 jobs: none from a refused request").isEqualTo(REQUESTS);
        assertThat(phantom).isZero();
        assertThat(succeeded).isEqualTo(REQUESTS);
        assertThat(backupRows).as("50 backups").isEqualTo(REQUESTS);
        assertThat(lost).as("lost").isZero();
        assertThat(dupBackups).as("duplicated").isZero();
        assertThat(files).hasSize(REQUESTS);
        assertThat(completedPerJob).as("one BackupCompleted per job").hasSize(REQUESTS)
                .allSatisfy((job, n) -> assertThat(n).as(job).isEqualTo(1L));
        assertThat(oversizedPerJob).as("every backup above the limit").hasSize(REQUESTS);
        assertThat(decisions).as("each alert decided once").isEqualTo(REQUESTS);
        assertThat(decidedJobs).isEqualTo(REQUESTS);
        assertThat(deliveries).isEqualTo(REQUESTS);
        assertThat(mailsPerJob).as("each alert mailed once").hasSize(REQUESTS)
                .allSatisfy((job, n) -> assertThat(n).as(job).isEqualTo(1L));
        assertThat(smtp.getReceivedMessages()).hasSize(REQUESTS);
        assertThat(history).isEqualTo(REQUESTS);
        assertThat(dead).as("nothing dead-lettered").allSatisfy((q, n) -> assertThat(n).as(q).isZero());
        assertThat(String.valueOf(workerQueue.get("leader"))).as("a surviving node leads the queue now")
                .isNotEqualTo(doomed.name());
    }

    private static Set<String> names(Object list) {
        return ((List<?>) list).stream().map(String::valueOf).collect(Collectors.toCollection(HashSet::new));
    }

    private static Map<String, Long> perJob(List<String> jobIds) {
        return jobIds.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static String inList(List<String> ids) {
        return ids.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
    }
}
