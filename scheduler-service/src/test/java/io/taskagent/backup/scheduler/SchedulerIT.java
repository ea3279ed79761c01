package io.taskagent.backup.scheduler;

import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The interval schedule against the real catalog and broker: once per fire across replicas. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SchedulerIT {

    static final String CATALOG = "backup_catalog_it_scheduler";
    static BrokerProbe broker;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        infra.springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("scheduler.enabled", () -> "false"); // the test drives the clock
    }

    @BeforeAll
    static void broker() {
        broker = new BrokerProbe(Infrastructure.get());
        broker.purge(Topology.WORKER_COMMANDS_QUEUE);
    }

    @AfterAll
    static void close() {
        broker.purge(Topology.WORKER_COMMANDS_QUEUE);
        broker.close();
    }

    @Autowired
    FireLog fires;
    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    SchedulerProperties properties;
    @Autowired
    JdbcClient catalog;

    @org.junit.jupiter.api.BeforeEach
    void emptyFireLog() throws Exception {
        catalog.sql("DELETE FROM scheduler.fires").update();
        drainCommands();
    }

    private BackupScheduler replica(Instant now) {
        return new BackupScheduler(fires, publisher, properties, Clock.fixed(now, ZoneOffset.UTC));
    }

    private List<RequestBackup> drainCommands() throws Exception {
        List<RequestBackup> commands = new ArrayList<>();
        var factory = new com.rabbitmq.client.ConnectionFactory();
        Infrastructure infra = Infrastructure.get();
        factory.setHost(infra.rabbitHost);
        factory.setPort(infra.rabbitPort);
        factory.setUsername(infra.rabbitUser);
        factory.setPassword(infra.rabbitPassword);
        try (var connection = factory.newConnection(); var channel = connection.createChannel()) {
            com.rabbitmq.client.GetResponse r;
            while ((r = channel.basicGet(Topology.WORKER_COMMANDS_QUEUE, true)) != null) {
                commands.add(MessageJson.read(r.getBody(), RequestBackup.class));
            }
        }
        return commands;
    }

    @Test
    void firstStartOnlyRecordsABaselineThenEachSlotFiresOnceWhateverTheNumberOfReplicas() throws Exception {
        Instant start = Instant.parse("2026-03-28T13:10:00Z");
        replica(start).tick(start);
        assertThat(drainCommands()).as("no backup on the very first start").isEmpty();

        Instant sameSlot = Instant.parse("2026-03-28T17:59:00Z");
        replica(sameSlot).tick(sameSlot);
        assertThat(drainCommands()).as("still the baseline slot").isEmpty();

        Instant next = Instant.parse("2026-03-28T18:00:30Z");
        List<BackupScheduler> replicas = List.of(replica(next), replica(next), replica(next));
        List<Thread> threads = replicas.stream().map(r -> new Thread(() -> r.tick(next))).toList();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(20).toMillis());
        }
        List<RequestBackup> commands = drainCommands();
        assertThat(commands).hasSize(1);
        assertThat(commands.get(0).backupType()).isEqualTo("interval");
        assertThat(commands.get(0).target()).isEqualTo("taskagent");
        assertThat(commands.get(0).requestedBy()).isEqualTo("scheduler:interval");
        assertThat(catalog.sql("SELECT status FROM scheduler.fires WHERE fire_at = '2026-03-28T18:00:00Z'")
                .query(String.class).single()).isEqualTo("PUBLISHED");

        replica(next.plusSeconds(60)).tick(next.plusSeconds(60));
        assertThat(drainCommands()).as("the same slot never fires twice").isEmpty();
    }

    @Test
    void aFireTheBrokerDidNotConfirmIsPublishedAgainWithTheSameJob() throws Exception {
        Instant slot = Instant.parse("2027-01-01T00:00:00Z");
        java.util.UUID job = java.util.UUID.randomUUID();
        fires.baseline("interval", Instant.parse("2026-12-31T18:00:00Z"));
        assertThat(fires.claim("interval", slot, job)).isTrue(); // recorded, then the publisher "crashed"
        drainCommands();
        replica(slot.plusSeconds(5)).tick(slot.plusSeconds(5));
        assertThat(drainCommands()).as("a fresh pending fire may still be in flight: left alone").isEmpty();
        catalog.sql("UPDATE scheduler.fires SET recorded_at = now() - interval '5 minutes' WHERE status = 'PENDING'").update();

        replica(slot.plusSeconds(10)).tick(slot.plusSeconds(10));
        List<RequestBackup> commands = drainCommands();
        assertThat(commands).extracting(RequestBackup::jobId).containsExactly(job);
        assertThat(fires.pending()).isEmpty();
    }
}
