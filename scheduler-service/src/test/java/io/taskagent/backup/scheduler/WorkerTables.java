package io.taskagent.backup.scheduler;

import io.taskagent.backup.testsupport.Infrastructure;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;

/**
 * The worker's schema in a test catalog, created by running the worker's own migrations
 * ({@code ../backup-worker/src/main/resources/db/migration/worker/}, in order) instead of hand-written DDL: its tables
 * (into which tests write the rows a worker would) and the read-contract views the scheduler reads
 * ({@code worker.v1_backups}, {@code worker.v1_jobs}).
 */
public final class WorkerTables {

    private WorkerTables() {
    }

    /** Every worker migration. */
    public static void create(String catalogDb) {
        migrate(catalogDb, MigrationVersion.LATEST);
    }

    /** The worker's migrations up to {@code version} only (a worker from before a later one). */
    public static void createUpTo(String catalogDb, String version) {
        migrate(catalogDb, MigrationVersion.fromVersion(version));
    }

    private static void migrate(String catalogDb, MigrationVersion target) {
        Infrastructure infra = Infrastructure.get();
        Flyway.configure()
                .dataSource(infra.jdbcUrl(catalogDb), infra.pgUser, infra.pgPassword)
                .schemas("worker").defaultSchema("worker").createSchemas(true)
                .locations("filesystem:../backup-worker/src/main/resources/db/migration/worker")
                .target(target)
                .load().migrate();
    }
}
