package io.taskagent.backup.worker.restore;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.worker.WorkerTestContext;
import io.taskagent.backup.worker.format.BackupFileReader;
import io.taskagent.backup.worker.storage.StorageDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup filtered to some tables ({@code include-tables} with a mixed-case schema and table names): its schema
 * sections hold exactly those tables, found by their exact names, and rebuild them into a new database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class FilteredBackupIT {

    static final String CATALOG = "backup_catalog_it_filtered";
    static final String SOURCE = "exotic_filtered_src";
    static final String COPY = "exotic_filtered_copy";
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        ExoticFixture.load(Infrastructure.get(), SOURCE);
        WorkerTestContext.register(registry, CATALOG, SOURCE);
        registry.add("backup.source.include-tables", () -> "Billing Dept.*,crm.audit_log");
    }

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    StorageDirectory storage;

    @Test
    void holdsTheChosenTablesByTheirExactNamesAndRebuildsThem() throws Exception {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(COPY);
        RequestBackup backup = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(backup);
        BackupCompleted done = events.probe().awaitEvent(BackupCompleted.class, e -> e.jobId().equals(backup.jobId()),
                Duration.ofSeconds(90));
        assertThat(done.rowCounts()).containsOnlyKeys("Billing Dept.Order", "Billing Dept.invoice",
                "Billing Dept.payment", "crm.audit_log");
        BackupFileReader file = BackupFileReader.header(storage.resolve(done.fileName()));
        assertThat(file.schema().preData()).contains("CREATE TABLE \"Billing Dept\".\"Order\"",
                "CREATE TABLE \"Billing Dept\".payment_2026", "CREATE TABLE crm.audit_log").doesNotContain("CREATE TABLE crm.customer", "order_totals");
        assertThat(file.schema().refresh()).as("no materialized view is in a filtered backup").isEmpty();

        RequestRestore restore = RequestRestore.of(UUID.randomUUID(), "taskagent", backup.jobId(), null, null, false,
                false, null, COPY, "it");
        publisher.publishCommand(restore);
        RestoreCompleted restored = events.probe().awaitEvent(RestoreCompleted.class,
                e -> e.jobId().equals(restore.jobId()), Duration.ofSeconds(120));
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
