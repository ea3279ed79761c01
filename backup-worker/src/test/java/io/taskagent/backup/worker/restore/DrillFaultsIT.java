package io.taskagent.backup.worker.restore;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.DrillFailed;
import io.taskagent.backup.model.RequestDrill;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import io.taskagent.backup.worker.WorkerTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drills that must fail, naming the cause, with their database dropped: a drill server whose template database alters
 * rows (an event trigger that puts a row trigger on every new {@code tasks} table: the rows read back differ from the
 * backup's), and a drill server that lacks an extension the backup's schema needs (refused before any database is
 * created). The drill server is the source's; the drill template is this test's own database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrillFaultsIT {

    static final String CATALOG = "backup_catalog_it_drill_faults";
    static final String SOURCE = "taskagent_drill_faults";
    static final String TEMPLATE = "drill_faults_template";
    static final String EXTENSION = "taskagent_drill_probe";
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(SOURCE);
        infra.dropDatabase(TEMPLATE);
        infra.ensureDatabase(SOURCE);
        ReferenceDataset.load(infra, SOURCE, 1);
        infra.ensureDatabase(TEMPLATE);
        try (Connection c = infra.connect(TEMPLATE); Statement s = c.createStatement()) {
            // what a careless administrator may leave in a template: every new public.tasks gets a trigger that
            // rewrites the rows loaded into it
            s.execute("""
                    CREATE FUNCTION public.tamper() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN NEW.title := NEW.title || ' (tampered)'; RETURN NEW; END $$""");
            s.execute("""
                    CREATE FUNCTION public.tamper_new_tables() RETURNS event_trigger LANGUAGE plpgsql AS $$
                    DECLARE r record;
                    BEGIN
                        FOR r IN SELECT * FROM pg_event_trigger_ddl_commands()
                                 WHERE command_tag = 'CREATE TABLE' AND object_identity = 'public.tasks' LOOP
                            EXECUTE 'CREATE TRIGGER tamper BEFORE INSERT ON public.tasks
                                     FOR EACH ROW EXECUTE FUNCTION public.tamper()';
                        END LOOP;
                    END $$""");
            s.execute("CREATE EVENT TRIGGER tamper ON ddl_command_end WHEN TAG IN ('CREATE TABLE') "
                    + "EXECUTE FUNCTION public.tamper_new_tables()");
        }
        WorkerTestContext.register(registry, CATALOG, SOURCE);
        registry.add("backup.drill.template", () -> TEMPLATE);
    }

    @AfterAll
    static void dropTemplate() {
        Infrastructure.get().dropDatabase(TEMPLATE);
    }

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    JdbcClient catalog;

    private DrillFailed drillFails(UUID backup) {
        RequestDrill request = RequestDrill.of(UUID.randomUUID(), "taskagent", backup, "it");
        publisher.publishCommand(request);
        DrillFailed failed = events.probe().awaitEvent(DrillFailed.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(180));
        assertThat(catalog.sql("SELECT status FROM worker.v1_jobs WHERE id = :id").param("id", request.jobId())
                .query(String.class).single()).isEqualTo("FAILED");
        assertThat(catalog.sql("SELECT datname FROM pg_database WHERE datname LIKE 'drill\\_taskagent\\_%'")
                .query(String.class).list()).as("the drill database is dropped").isEmpty();
        return failed;
    }

    @Test
    @Order(1)
    void aTemplateThatAltersRowsFailsTheDrillNamingTheTable() {
        BackupCompleted backup = WorkerTestContext.backUp(publisher, events);
        DrillFailed failed = drillFails(backup.jobId());
        assertThat(failed.backupId()).isEqualTo(backup.jobId());
        assertThat(String.join("\n", failed.problems())).as(failed.problems().toString())
                .contains("public.tasks").containsIgnoringCase("differ");
    }

    @Test
    @Order(2)
    void aDrillServerWithoutAnExtensionTheSchemaNeedsFailsTheDrillNamingIt() throws Exception {
        Infrastructure infra = Infrastructure.get();
        Path extensions;
        try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            rs.next();
            extensions = Path.of("/usr/share/postgresql/" + rs.getInt(1) + "/extension");
        }
        if (!Files.isWritable(extensions)) {
            String message = "an extension the drill server lacks needs the server's extension directory "
                    + extensions + " to be writable by this test (the server runs elsewhere)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(message);
            }
            System.err.println("SKIPPED: " + message);
            Assumptions.abort(message);
        }
        Path control = extensions.resolve(EXTENSION + ".control");
        Path script = extensions.resolve(EXTENSION + "--1.0.sql");
        try {
            Files.writeString(control, "default_version = '1.0'\nrelocatable = true\ncomment = 'a test extension'\n");
            Files.writeString(script, "CREATE FUNCTION " + EXTENSION + "_answer() RETURNS int LANGUAGE sql "
                    + "AS 'SELECT 42';\n");
            try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION " + EXTENSION);
            }
            BackupCompleted backup = WorkerTestContext.backUp(publisher, events);
            try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement()) {
                s.execute("DROP EXTENSION " + EXTENSION);
            }
            // the extension's files go: the drill server no longer has it
            Files.delete(control);
            Files.delete(script);

            DrillFailed failed = drillFails(backup.jobId());
            assertThat(failed.problems()).singleElement().asString()
                    .contains("needs the extension " + EXTENSION).contains("install it there first");
        } finally {
            Files.deleteIfExists(control);
            Files.deleteIfExists(script);
        }
    }
}
