package io.taskagent.backup.worker.restore;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.RestoreFailed;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import io.taskagent.backup.testsupport.SchemaDump;
import io.taskagent.backup.worker.WorkerTestContext;
import io.taskagent.backup.worker.format.BackupFileReader;
import io.taskagent.backup.worker.format.BackupFormat;
import io.taskagent.backup.worker.format.Manifest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The incident this system exists for: the TaskAgent database is dropped, and one backup file rebuilds it from
 * nothing (no migrations, no schema file): the same schema ({@code pg_dump --schema-only}), the same data
 * (the reference fingerprint), and the application can write again. And a rebuild that fails half-way (a
 * post-data statement that cannot succeed) leaves no database behind.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RebuildFromNothingIT {

    static final String CATALOG = "backup_catalog_it_rebuild";
    static final String SOURCE = "taskagent_rebuild";
    static final String DOOMED = "taskagent_rebuild_doomed";
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(SOURCE);
        infra.dropDatabase(DOOMED);
        infra.ensureDatabase(SOURCE);
        ReferenceDataset.load(infra, SOURCE, 1);
        // an index over a function that lies about being immutable: built fine in the source while the table it
        // reads was empty, it cannot be built again once that table holds its rows, so its post-data statement fails
        try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE public.flag (on_ boolean);
                    CREATE TABLE public.lying (x int);
                    CREATE FUNCTION public.lie(x int) RETURNS int IMMUTABLE LANGUAGE sql
                        AS 'SELECT CASE WHEN (SELECT count(*) FROM public.flag) = 0 THEN x ELSE 0 END';
                    INSERT INTO public.lying VALUES (1), (2);
                    CREATE TABLE public.flyway_schema_history (installed_rank int PRIMARY KEY, version text,
                        description text, success boolean NOT NULL);
                    INSERT INTO public.flyway_schema_history VALUES (1, '1', 'init', true), (2, '2', 'tasks', true),
                        (3, '3', 'failed attempt', false);
                    """);
        }
        storage = WorkerTestContext.register(registry, CATALOG, SOURCE);
        registry.add("backup.restore.parallelism", () -> "2"); // loads on two connections on any machine
    }

    static Path storage;

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient catalog;

    static List<String> fingerprint(Connection c) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(Files.readString(ReferenceDataset.demoDirectory().resolve("fingerprint.sql")))) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getLong(2) + " " + rs.getString(3));
            }
        }
        return rows;
    }

    private BackupCompleted backUp() {
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(request);
        return events.probe().awaitEvent(BackupCompleted.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(120));
    }

    private RequestRestore rebuild(BackupCompleted backup, String name) {
        RequestRestore request = RequestRestore.of(UUID.randomUUID(), "taskagent", backup.jobId(), null, null, false,
                false, null, name, "it");
        publisher.publishCommand(request);
        return request;
    }

    @Test
    @Order(1)
    void aDroppedDatabaseIsRebuiltFromOneBackupAndTakesWritesAgain() throws Exception {
        Infrastructure infra = Infrastructure.get();
        BackupCompleted backup = backUp();
        assertThat(catalog.sql("SELECT application_version FROM worker.v1_backups WHERE job_id = :id")
                .param("id", backup.jobId()).query(String.class).single())
                .as("the newest successful Flyway migration").isEqualTo("flyway 2");
        String schema = SchemaDump.of(infra, SOURCE);
        List<String> data;
        try (Connection c = infra.connect(SOURCE)) {
            data = fingerprint(c);
        }
        infra.dropDatabase(SOURCE);

        RequestRestore request = rebuild(backup, SOURCE);
        RestoreCompleted done = events.probe().awaitEvent(RestoreCompleted.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(180));
        assertThat(done.rowCounts()).isEqualTo(backup.rowCounts());
        assertThat(SchemaDump.of(infra, SOURCE)).isEqualTo(schema);
        try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement()) {
            assertThat(fingerprint(c)).isEqualTo(data);
            List<String> withoutStatistics = new java.util.ArrayList<>();
            try (java.sql.ResultSet rs = s.executeQuery("SELECT relname FROM pg_stat_user_tables "
                    + "WHERE schemaname = 'public' AND last_analyze IS NULL")) {
                while (rs.next()) {
                    withoutStatistics.add(rs.getString(1));
                }
            }
            assertThat(withoutStatistics).as("every rebuilt table analyzed: the planner's statistics are there")
                    .isEmpty();
            assertThat(s.executeUpdate("INSERT INTO users (id, email, display_name, created_at, updated_at) VALUES "
                    + "(gen_random_uuid(), 'after-rebuild@taskagent.test', 'After', now(), now())")).isEqualTo(1);
        }
    }

    @Test
    @Order(2)
    void aRebuildThatFailsHalfWayLeavesNoDatabaseBehind() throws Exception {
        Infrastructure infra = Infrastructure.get();
        try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement()) {
            s.execute("CREATE UNIQUE INDEX lying_idx ON public.lying (public.lie(x))");
            s.execute("INSERT INTO public.flag VALUES (true)");
        }
        BackupCompleted backup = backUp();
        RequestRestore request = rebuild(backup, DOOMED);
        String reason = events.probe().awaitEvent(RestoreFailed.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(180)).reason();
        assertThat(reason).contains("post-data").contains("lying_idx");
        assertDropped(infra, DOOMED, "the half-built database was dropped");
    }

    @Test
    @Order(3)
    void aRowRefusedWhileLoadingOnSeveralConnectionsLeavesNoDatabaseBehind() throws Exception {
        Infrastructure infra = Infrastructure.get();
        try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement()) {
            s.execute("DROP INDEX public.lying_idx");
        }
        BackupCompleted backup = backUp();
        // one row in the middle of the biggest table breaks a check constraint of the schema: the file is rewritten
        // and catalogued again as if it had been written so (its digests match, the load is what refuses it)
        Path file = storage.resolve(backup.fileName());
        StringBuilder text = new StringBuilder();
        try (BackupFileReader.Lines lines = BackupFileReader.lines(file)) {
            boolean inTasks = false;
            int row = 0;
            for (String line = lines.nextString(); line != null; line = lines.nextString()) {
                inTasks = inTasks ? !line.startsWith("]") : line.equals("\"public.tasks\":[");
                if (inTasks && line.startsWith("{") && ++row == 150_000) {
                    assertThat(line).contains("\"status\":\"");
                    line = line.replaceFirst("\"status\":\"[a-z_]+\"", "\"status\":\"bogus\"");
                }
                text.append(line).append('\n');
            }
        }
        try (var out = new com.github.luben.zstd.ZstdOutputStream(Files.newOutputStream(file))) {
            out.write(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(file)));
        long size = Files.size(file);
        catalog.sql("UPDATE worker.backups SET sha256 = :sha, size_bytes = :size WHERE job_id = :id")
                .param("sha", sha).param("size", size).param("id", backup.jobId()).update();
        Path manifestFile = file.resolveSibling(backup.fileName() + BackupFormat.MANIFEST_SUFFIX);
        Manifest m = Manifest.parse(Files.readAllBytes(manifestFile));
        Files.write(manifestFile, new Manifest(m.format(), m.formatVersion(), m.fileName(), size, sha, m.compression(),
                m.backupId(), m.target(), m.backupType(), m.createdAt(), m.rowCounts(), m.tableSha256(), m.encryption(), m.keyId()).toJson());

        RequestRestore request = rebuild(backup, DOOMED);
        String reason = events.probe().awaitEvent(RestoreFailed.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(180)).reason();
        assertThat(reason).contains("loading public.tasks failed").contains("tasks_status_check");
        assertDropped(infra, DOOMED, "the half-loaded database was dropped");
    }

    private static void assertDropped(Infrastructure infra, String database, String description) throws Exception {
        try (Connection c = infra.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + database + "'")) {
            rs.next();
            assertThat(rs.getLong(1)).as(description).isZero();
        }
    }
}
