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
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup that leaves one table out ({@code exclude-tables} only): its schema sections still hold everything else
 * (types, functions, views, materialized views), and rebuild the database without that table.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ExcludeFilteredBackupIT {

    static final String CATALOG = "backup_catalog_it_excluded";
    static final String SOURCE = "exotic_excluded_src";
    static final String COPY = "exotic_excluded_copy";
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        ExoticFixture.load(Infrastructure.get(), SOURCE);
        WorkerTestContext.register(registry, CATALOG, SOURCE);
        registry.add("backup.source.exclude-tables", () -> "crm.audit_log");
    }

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    StorageDirectory storage;

    @Test
    void holdsEverythingButTheLeftOutTableAndRebuildsIt() throws Exception {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(COPY);
        RequestBackup backup = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(backup);
        BackupCompleted done = events.probe().awaitEvent(BackupCompleted.class, e -> e.jobId().equals(backup.jobId()),
                Duration.ofSeconds(90));
        assertThat(done.rowCounts()).doesNotContainKey("crm.audit_log").containsKeys("crm.customer",
                "Billing Dept.Order");
        BackupFileReader file = BackupFileReader.header(storage.resolve(done.fileName()));
        assertThat(file.schema().preData()).contains("CREATE TYPE crm.", "CREATE FUNCTION crm.upper_code()",
                "CREATE VIEW crm.active_customer", "CREATE MATERIALIZED VIEW \"Billing Dept\".order_totals")
                .doesNotContain("CREATE TABLE crm.audit_log");
        assertThat(file.schema().refresh()).containsExactly("\"Billing Dept\".order_totals");

        RequestRestore restore = RequestRestore.of(UUID.randomUUID(), "taskagent", backup.jobId(), null, null, false,
                false, null, COPY, "it");
        publisher.publishCommand(restore);
        RestoreCompleted restored = events.probe().awaitEvent(RestoreCompleted.class,
                e -> e.jobId().equals(restore.jobId()), Duration.ofSeconds(120));
        assertThat(restored.rowCounts()).isEqualTo(done.rowCounts());
        try (Connection source = infra.connect(SOURCE); Connection copy = infra.connect(COPY)) {
            Map<String, String> expected = new TreeMap<>(DatabaseContents.of(source));
            expected.remove("crm.audit_log");
            assertThat(new TreeMap<>(DatabaseContents.of(copy))).isEqualTo(expected);
        }
        infra.dropDatabase(COPY);
    }
}
