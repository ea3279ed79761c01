package io.taskagent.backup.testsupport;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;

import java.util.Map;

/**
 * Another service's schema in a test catalog, created by running that service's own Flyway migrations (from its
 * module's {@code src/main/resources/db/migration/<schema>/}) instead of hand-written DDL: its tables, into which a
 * test writes the rows that service would, and the read-contract views ({@code v1_*}) the service under test reads.
 */
public final class ServiceSchemas {

    /** Each catalog schema and the module that owns it. */
    private static final Map<String, String> MODULES = Map.of(
            "worker", "backup-worker",
            "scheduler", "scheduler-service",
            "alerts", "alert-service",
            "gateway", "api-gateway");

    private ServiceSchemas() {
    }

    /** Every migration of the service owning {@code schema}. */
    public static void create(String catalogDb, String schema) {
        migrate(catalogDb, schema, MigrationVersion.LATEST);
    }

    /** That service's migrations up to {@code version} only (a service from before a later one). */
    public static void createUpTo(String catalogDb, String schema, String version) {
        migrate(catalogDb, schema, MigrationVersion.fromVersion(version));
    }

    private static void migrate(String catalogDb, String schema, MigrationVersion target) {
        String module = MODULES.get(schema);
        if (module == null) {
            throw new IllegalArgumentException("no service owns schema '" + schema + "' (known: " + MODULES.keySet() + ")");
        }
        Infrastructure infra = Infrastructure.get();
        Flyway.configure()
                .dataSource(infra.jdbcUrl(catalogDb), infra.pgUser, infra.pgPassword)
                .schemas(schema).defaultSchema(schema).createSchemas(true)
                .locations("filesystem:../" + module + "/src/main/resources/db/migration/" + schema)
                .target(target)
                .load().migrate();
    }
}
