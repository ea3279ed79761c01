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
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup that leaves one table out ({@code exclude-tables} only): its schema sections still hold everything else
 * (types, functions, views, materialized views), and rebuild the database without that table.
 */
class ExcludeFilteredBackupIT extends FilteredBackups {

    static final String CATALOG = "backup_catalog_it_excluded";
    static final String SOURCE = "exotic_excluded_src";
    static final String COPY = "exotic_excluded_copy";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        ExoticFixture.load(Infrastructure.get(), SOURCE);
        WorkerTestContext.register(registry, CATALOG, SOURCE);
        registry.add("backup.source.exclude-tables", () -> "crm.audit_log");
    }

    @Test
    void holdsEverythingButTheLeftOutTableAndRebuildsIt() throws Exception {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(COPY);
        BackupCompleted done = backUp();
        assertThat(done.rowCounts()).doesNotContainKey("crm.audit_log").containsKeys("crm.customer",
                "Billing Dept.Order");
        BackupFileReader file = header(done);
        assertThat(file.schema().preData()).contains("CREATE TYPE crm.", "CREATE FUNCTION crm.upper_code()",
                "CREATE VIEW crm.active_customer", "CREATE MATERIALIZED VIEW \"Billing Dept\".order_totals")
                .doesNotContain("CREATE TABLE crm.audit_log");
        assertThat(file.schema().refresh()).containsExactly("\"Billing Dept\".order_totals");

        RestoreCompleted restored = rebuild(done, COPY);
        assertThat(restored.rowCounts()).isEqualTo(done.rowCounts());
        try (Connection source = infra.connect(SOURCE); Connection copy = infra.connect(COPY)) {
            Map<String, String> expected = new TreeMap<>(DatabaseContents.of(source));
            expected.remove("crm.audit_log");
            assertThat(new TreeMap<>(DatabaseContents.of(copy))).isEqualTo(expected);
        }
        infra.dropDatabase(COPY);
    }
}
