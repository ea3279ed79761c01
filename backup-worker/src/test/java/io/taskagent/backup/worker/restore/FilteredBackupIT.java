package io.taskagent.backup.worker.restore;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.worker.WorkerTestContext;
import io.taskagent.backup.worker.format.BackupFileReader;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup filtered to some tables ({@code include-tables} with a mixed-case schema and table names): its schema
 * sections hold exactly those tables, found by their exact names, and rebuild them into a new database.
 */
class FilteredBackupIT extends FilteredBackups {

    static final String CATALOG = "backup_catalog_it_filtered";
    static final String SOURCE = "exotic_filtered_src";
    static final String COPY = "exotic_filtered_copy";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        ExoticFixture.load(Infrastructure.get(), SOURCE);
        WorkerTestContext.register(registry, CATALOG, SOURCE);
        registry.add("backup.source.include-tables", () -> "Billing Dept.*,crm.audit_log");
    }

    @Test
    void holdsTheChosenTablesByTheirExactNamesAndRebuildsThem() throws Exception {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(COPY);
        BackupCompleted done = backUp();
        assertThat(done.rowCounts()).containsOnlyKeys("Billing Dept.Order", "Billing Dept.invoice",
                "Billing Dept.payment", "crm.audit_log");
        BackupFileReader file = header(done);
        assertThat(file.schema().preData()).contains("CREATE TABLE \"Billing Dept\".\"Order\"",
                "CREATE TABLE \"Billing Dept\".payment_2026", "CREATE TABLE crm.audit_log")
                .doesNotContain("CREATE TABLE crm.customer", "order_totals");
        assertThat(file.schema().refresh()).as("no materialized view is in a filtered backup").isEmpty();

        RestoreCompleted restored = rebuild(done, COPY);
        assertThat(restored.rowCounts()).isEqualTo(done.rowCounts());
        try (Connection source = infra.connect(SOURCE); Connection copy = infra.connect(COPY)) {
            Map<String, String> expected = new TreeMap<>(DatabaseContents.of(source));
            expected.keySet().retainAll(java.util.Set.of("\"Billing Dept\".\"Order\"", "\"Billing Dept\".invoice",
                    "\"Billing Dept\".payment", "crm.audit_log"));
            assertThat(expected).hasSize(4);
            assertThat(new TreeMap<>(DatabaseContents.of(copy))).isEqualTo(expected);
            try (Statement s = copy.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                            + "WHERE n.nspname = 'crm' AND c.relkind = 'r'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("only the chosen table of crm").isEqualTo(1);
            }
        }
        infra.dropDatabase(COPY);
    }
}
