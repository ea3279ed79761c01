package io.taskagent.backup.worker;

import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ServiceSchemas;
import org.springframework.test.context.DynamicPropertyRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The set-up every worker integration test shares: a fresh catalog, the source database and a storage directory. */
public final class WorkerTestContext {

    private WorkerTestContext() {
    }

    /**
     * Creates catalog {@code catalog} afresh, with the scheduler's schema (its migrations: the read contract
     * {@code scheduler.v1_settings} the worker reads, no settings stored yet), and points the worker at it, at source
     * database {@code source} and at a new temporary storage directory, which it returns.
     */
    public static Path register(DynamicPropertyRegistry registry, String catalog, String source) throws IOException {
        Infrastructure infra = Infrastructure.get();
        purgeCommands(infra);
        infra.dropDatabase(catalog);
        infra.ensureDatabase(catalog);
        ServiceSchemas.create(catalog, "scheduler");
        Path storage = Files.createTempDirectory(catalog);
        infra.springProperties(catalog).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("backup.source.url", () -> infra.jdbcUrl(source));
        registry.add("backup.source.username", () -> infra.pgUser);
        registry.add("backup.source.password", () -> infra.pgPassword);
        registry.add("backup.storage.dir", storage::toString);
        return storage;
    }

    /**
     * A worker that takes no commands (its listener stays off) on a fresh catalog {@code catalog}, for tests of its
     * parts; the source is the server's {@code postgres} database.
     */
    public static Path registerWithoutListener(DynamicPropertyRegistry registry, String catalog) throws IOException {
        Path storage = register(registry, catalog, "postgres");
        registry.add("spring.rabbitmq.listener.simple.auto-startup", () -> "false");
        return storage;
    }

    /** Requests a manual backup of {@code taskagent} and waits for it to complete (two minutes at most). */
    public static io.taskagent.backup.model.BackupCompleted backUp(
            io.taskagent.backup.model.messaging.ConfirmingPublisher publisher,
            io.taskagent.backup.testsupport.CapturedEvents events) {
        io.taskagent.backup.model.RequestBackup request = io.taskagent.backup.model.RequestBackup.newJob("taskagent",
                "manual", "it");
        publisher.publishCommand(request);
        return events.probe().awaitEvent(io.taskagent.backup.model.BackupCompleted.class,
                e -> e.jobId().equals(request.jobId()), java.time.Duration.ofSeconds(120));
    }

    /**
     * Empties the worker's command queue before a worker with a listener starts: commands earlier test classes (the
     * scheduler's, the gateway's) left there would otherwise run as jobs of this test.
     */
    public static void purgeCommands(Infrastructure infra) {
        try (BrokerProbe broker = new BrokerProbe(infra)) {
            broker.purge(Topology.WORKER_COMMANDS_QUEUE);
        } catch (IllegalStateException e) {
            // the queue does not exist yet: nothing left in it
        }
    }
}
