package io.taskagent.backup.worker.backup;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The application's version marker in the database, read in the backup's snapshot: the newest migration that the
 * application's migration tool recorded, from the first of these tables found (in any schema): Flyway's
 * {@code flyway_schema_history}, Liquibase's {@code databasechangelog}, Alembic's {@code alembic_version}, Django's
 * {@code django_migrations}. Shown in the backup's metadata and history, so that a restore can be matched with the
 * application release it belongs to. A table that exists but cannot be read is passed over (never fails a backup).
 */
final class ApplicationVersion {

    /** A migration tool: its history table, and the query of its newest entry (schema placeholder {@code %s}). */
    private record Tool(String name, String table, String newest) {
    }

    private static final List<Tool> TOOLS = List.of(
            new Tool("flyway", "flyway_schema_history", "SELECT version FROM %s.flyway_schema_history "
                    + "WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1"),
            new Tool("liquibase", "databasechangelog", "SELECT id FROM %s.databasechangelog "
                    + "ORDER BY orderexecuted DESC LIMIT 1"),
            new Tool("alembic", "alembic_version", "SELECT version_num FROM %s.alembic_version LIMIT 1"),
            new Tool("django", "django_migrations", "SELECT app || '.' || name FROM %s.django_migrations "
                    + "ORDER BY id DESC LIMIT 1"));

    private ApplicationVersion() {
    }

    /** e.g. {@code flyway 42} or {@code alembic 3f2a9c}; empty when no migration tool's table is found. */
    static Optional<String> find(Connection snapshot) throws SQLException {
        for (Tool tool : TOOLS) {
            for (String schema : schemasHolding(snapshot, tool.table())) {
                Savepoint before = snapshot.setSavepoint();
                try (Statement s = snapshot.createStatement();
                     ResultSet rs = s.executeQuery(tool.newest().formatted(schema))) {
                    if (rs.next() && rs.getString(1) != null) {
                        snapshot.releaseSavepoint(before);
                        return Optional.of(tool.name() + " " + rs.getString(1));
                    }
                    snapshot.releaseSavepoint(before);
                } catch (SQLException unreadable) {
                    snapshot.rollback(before); // not the tool's table after all: the transaction goes on
                }
            }
        }
        return Optional.empty();
    }

    private static List<String> schemasHolding(Connection snapshot, String table) throws SQLException {
        List<String> schemas = new ArrayList<>();
        try (Statement s = snapshot.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT quote_ident(n.nspname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND c.relname = '%s'
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY n.nspname""".formatted(table))) {
            while (rs.next()) {
                schemas.add(rs.getString(1));
            }
        }
        return schemas;
    }
}
