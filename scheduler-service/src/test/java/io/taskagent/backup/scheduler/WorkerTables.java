package io.taskagent.backup.scheduler;

import io.taskagent.backup.testsupport.Infrastructure;
import org.flywaydb.core.Flyway;

/**
 * The worker's catalog tables ({@code worker.jobs}, {@code worker.backups}), created in a test catalog from the
 * worker's own migrations, so the scheduler's reads are tested against the real schema.
 */
public final class WorkerTables {

    private WorkerTables() {
    }

    public static void create(String catalogDb) {
        Infrastructure infra = Infrastructure.get();
        Flyway.configure()
                .dataSource(infra.jdbcUrl(catalogDb), infra.pgUser, infra.pgPassword)
                .schemas("worker").defaultSchema("worker").createSchemas(true)
                .locations("filesystem:../backup-worker/src/main/resources/db/migration/worker")
                .load().migrate();
    }
}
