package io.taskagent.backup.worker.restore;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.RestoreFailed;
import io.taskagent.backup.model.RequestVerify;
import io.taskagent.backup.model.VerifyCompleted;
import io.taskagent.backup.model.VerifyFailed;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import io.taskagent.backup.worker.WorkerTestContext;
import io.taskagent.backup.worker.format.BackupFileReader;
import io.taskagent.backup.worker.format.BackupFormat;
import io.taskagent.backup.worker.format.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Restores on the real database: exact round trip, dry run, refusals before touching the target, rollback. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class RestoreIT {

    static final String CATALOG = "backup_catalog_it_restore";
    static final String SOURCE = "taskagent_ref";
    static final String SCRATCH = "taskagent_restore_scratch";
    static Path storage;
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();
    static BackupCompleted reference;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Infrastructure infra = Infrastructure.get();
        ReferenceDataset.ensure(infra, SOURCE, 1);
        storage = WorkerTestContext.register(registry, CATALOG, SOURCE);
        registry.add("backup.restore.targets.scratch.url", () -> infra.jdbcUrl(SCRATCH));
        registry.add("backup.restore.targets.scratch.username", () -> infra.pgUser);
        registry.add("backup.restore.targets.scratch.password", () -> infra.pgPassword);
        // the same database through a user who may change every table but not read one of them
        registry.add("backup.restore.targets.limited.url", () -> infra.jdbcUrl(SCRATCH));
        registry.add("backup.restore.targets.limited.username", () -> LIMITED_USER);
        registry.add("backup.restore.targets.limited.password", () -> "limited-pw");
    }

    static final String LIMITED_USER = "it_restore_limited";

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    JdbcClient catalog;

    /** A fresh scratch database holding the TaskAgent schema and no rows. */
    @BeforeEach
    void freshScratch() throws Exception {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(SCRATCH);
        infra.ensureDatabase(SCRATCH);
        try (Connection c = infra.connect(SCRATCH); Statement s = c.createStatement()) {
            s.execute(Files.readString(ReferenceDataset.demoDirectory().resolve("schema.sql")));
        }
        if (reference == null) {
            RequestBackup request = RequestBackup.newJob("taskagent", "manual", "it");
            publisher.publishCommand(request);
            reference = events.probe().awaitEvent(BackupCompleted.class, e -> e.jobId().equals(request.jobId()),
                    Duration.ofSeconds(90));
        }
    }

    static List<String> fingerprint(String database) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = Infrastructure.get().connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(Files.readString(ReferenceDataset.demoDirectory().resolve("fingerprint.sql")))) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getLong(2) + " " + rs.getString(3));
            }
        }
        return rows;
    }

    private RequestRestore restore(UUID backupId, String fileName, boolean dryRun, boolean skipSafety) {
        RequestRestore request = RequestRestore.of(UUID.randomUUID(), "taskagent", backupId, fileName, "scratch",
                dryRun, skipSafety, "it");
        publisher.publishCommand(request);
        return request;
    }

    private String failureOf(RequestRestore request) {
        return events.probe().awaitEvent(RestoreFailed.class, e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(90))
                .reason();
    }

    @Test
    void theReferenceDatasetRestoresToAnIdenticalFingerprintAfterASafetyBackup() throws Exception {
        List<String> source = fingerprint(SOURCE);
        RequestRestore request = restore(reference.jobId(), null, false, false);
        RestoreCompleted done = events.probe().awaitEvent(RestoreCompleted.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(120));
        assertThat(done.rowCounts()).isEqualTo(reference.rowCounts());
        assertThat(done.dryRun()).isFalse();
        assertThat(fingerprint(SCRATCH)).isEqualTo(source);
        assertThat(catalog.sql("SELECT count(*) FROM worker.jobs WHERE type = 'pre_restore' AND status = 'SUCCEEDED'")
                .query(Integer.class).single()).isGreaterThanOrEqualTo(1);

        // restoring again over the restored data gives the same result (existing rows are replaced)
        RequestRestore again = restore(null, reference.fileName(), false, true);
        events.probe().awaitEvent(RestoreCompleted.class, e -> e.jobId().equals(again.jobId()), Duration.ofSeconds(120));
        assertThat(fingerprint(SCRATCH)).isEqualTo(source);
    }

    @Test
    void aDryRunReportsCountsAndWritesNothing() throws Exception {
        List<String> before = fingerprint(SCRATCH);
        RequestRestore request = restore(reference.jobId(), null, true, false);
        RestoreCompleted done = events.probe().awaitEvent(RestoreCompleted.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(60));
        assertThat(done.dryRun()).isTrue();
        assertThat(fingerprint(SCRATCH)).isEqualTo(before);
        String result = catalog.sql("SELECT result::text FROM worker.jobs WHERE id = :id").param("id", request.jobId())
                .query(String.class).single();
        assertThat(result).contains("\"public.tasks\": {\"backup\": 200000, \"current\": 0}");
    }

    @Test
    void aCorruptedBackupIsRefusedBeforeTheTargetIsTouched() throws Exception {
        RequestBackup second = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(second);
        BackupCompleted completed = events.probe().awaitEvent(BackupCompleted.class, e -> e.jobId().equals(second.jobId()),
                Duration.ofSeconds(90));
        Path file = storage.resolve(completed.fileName());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 3] ^= 0x40;
        Files.write(file, bytes);
        List<String> before = fingerprint(SCRATCH);
        assertThat(failureOf(restore(completed.jobId(), null, false, false))).contains("failed verification")
                .contains("sha256");
        assertThat(fingerprint(SCRATCH)).isEqualTo(before);
    }

    @Test
    void aTruncatedBackupAndAFileOfAnotherFormatAreRefusedBeforeTheTargetIsTouched() throws Exception {
        List<String> before = fingerprint(SCRATCH);
        RequestBackup third = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(third);
        BackupCompleted truncated = events.probe().awaitEvent(BackupCompleted.class, e -> e.jobId().equals(third.jobId()),
                Duration.ofSeconds(90));
        Path file = storage.resolve(truncated.fileName());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThat(failureOf(restore(truncated.jobId(), null, false, false))).contains("failed verification")
                .contains("size is " + bytes.length / 2);

        RequestBackup fourth = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(fourth);
        BackupCompleted foreign = events.probe().awaitEvent(BackupCompleted.class, e -> e.jobId().equals(fourth.jobId()),
                Duration.ofSeconds(90));
        try (var out = new com.github.luben.zstd.ZstdOutputStream(Files.newOutputStream(storage.resolve(foreign.fileName())))) {
            out.write("PGDMP a pg_dump custom archive".getBytes());
        }
        assertThat(failureOf(restore(foreign.jobId(), null, false, false))).contains("failed verification");
        assertThat(fingerprint(SCRATCH)).isEqualTo(before);
    }

    /**
     * A format 1 file (rows only) beside the manifest a format 1 worker wrote (no encryption fields) still verifies
     * and restores into a database that has its schema: the manifest is compared by the fields it holds, and the
     * restore compares its row counts and digests with the file's summary on its one read of the file.
     */
    @Test
    void aFormatOneFileWithAnOlderWorkersManifestStillVerifiesAndRestoresIntoItsSchema() throws Exception {
        RequestBackup backup = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(backup);
        BackupCompleted completed = events.probe().awaitEvent(BackupCompleted.class,
                e -> e.jobId().equals(backup.jobId()), Duration.ofSeconds(90));
        Path file = storage.resolve(completed.fileName());
        // the file as a format 1 worker wrote it: the same lines, without the schema line
        Path rewritten = file.resolveSibling(file.getFileName() + ".v1");
        try (BackupFileReader.Lines lines = BackupFileReader.lines(file);
             OutputStream out = new com.github.luben.zstd.ZstdOutputStream(Files.newOutputStream(rewritten))) {
            assertThat(lines.nextString()).isEqualTo("{\"format\":\"taskagent-backup\",\"format_version\":2,");
            out.write("{\"format\":\"taskagent-backup\",\"format_version\":1,\n".getBytes(StandardCharsets.UTF_8));
            int schemaLines = 0;
            for (byte[] line = lines.next(); line != null; line = lines.next()) {
                if (lines.length() > 9 && new String(line, 0, 9, StandardCharsets.UTF_8).equals("\"schema\":")) {
                    schemaLines++;
                    continue;
                }
                out.write(line, 0, lines.length());
                out.write('\n');
            }
            assertThat(schemaLines).isEqualTo(1);
        }
        Files.move(rewritten, file, StandardCopyOption.REPLACE_EXISTING);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        long size = Files.size(file);
        catalog.sql("UPDATE worker.backups SET sha256 = :sha, size_bytes = :size, format_version = 1 WHERE job_id = :id")
                .param("sha", sha).param("size", size).param("id", completed.jobId()).update();
        catalog.sql("""
                        UPDATE worker.backup_copies SET sha256 = :sha, size_bytes = :size
                        WHERE backup_id = (SELECT id FROM worker.backups WHERE job_id = :id)""")
                .param("sha", sha).param("size", size).param("id", completed.jobId()).update();
        // and its manifest as format 1 workers wrote it: these fields, in this order, and no others
        Path manifestFile = file.resolveSibling(completed.fileName() + BackupFormat.MANIFEST_SUFFIX);
        Manifest current = Manifest.parse(Files.readAllBytes(manifestFile));
        Map<String, Object> old = new LinkedHashMap<>();
        old.put("format", "taskagent-backup");
        old.put("format_version", 1);
        old.put("file_name", completed.fileName());
        old.put("size_bytes", size);
        old.put("sha256", sha);
        old.put("compression", "zstd");
        old.put("backup_id", completed.jobId().toString());
        old.put("target", current.target());
        old.put("backup_type", current.backupType());
        old.put("created_at", current.createdAt().toString());
        old.put("row_counts", current.rowCounts());
        old.put("table_sha256", current.tableSha256());
        Files.write(manifestFile, MessageJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(old));

        RequestVerify verify = RequestVerify.of(UUID.randomUUID(), "taskagent", completed.jobId(), "it");
        publisher.publishCommand(verify);
        assertThat(outcome(verify.jobId())).isInstanceOfSatisfying(VerifyCompleted.class,
                v -> assertThat(v.rowCounts()).isEqualTo(completed.rowCounts()));

        List<String> source = fingerprint(SOURCE);
        RequestRestore request = restore(completed.jobId(), null, false, true);
        assertThat(outcome(request.jobId())).isInstanceOfSatisfying(RestoreCompleted.class,
                r -> assertThat(r.rowCounts()).isEqualTo(completed.rowCounts()));
        assertThat(fingerprint(SCRATCH)).isEqualTo(source);
    }

    /** The outcome of job {@code jobId}: its completed or failed event (whose reason then shows in a failure). */
    private static BackupMessage outcome(UUID jobId) {
        return events.probe().awaitEvent(BackupMessage.class, e -> e.jobId().equals(jobId)
                && (e instanceof VerifyCompleted || e instanceof VerifyFailed || e instanceof RestoreCompleted
                || e instanceof RestoreFailed), Duration.ofSeconds(120));
    }

    @Test
    void aSchemaMismatchIsRefusedUpFrontListingEveryDifference() throws Exception {
        try (Connection c = Infrastructure.get().connect(SCRATCH); Statement s = c.createStatement()) {
            s.execute("DROP TABLE task_dependencies");
            s.execute("ALTER TABLE goals ALTER COLUMN estimated_hours TYPE numeric(10,2)");
            s.execute("ALTER TABLE users DROP COLUMN timezone");
        }
        String reason = failureOf(restore(reference.jobId(), null, false, false));
        assertThat(reason).contains("table public.task_dependencies does not exist in the target")
                .contains("column public.goals.estimated_hours is numeric(8,2) in the backup but numeric(10,2) in the target")
                .contains("column public.users.timezone does not exist in the target");
    }

    @Test
    void aRestoreThatFailsAtSomeRowRollsBackEverything() throws Exception {
        try (Connection c = Infrastructure.get().connect(SCRATCH); Statement s = c.createStatement()) {
            s.execute("INSERT INTO users VALUES ('00000000-0000-0000-0000-000000000001', 'keep@example.com', 'Keep', "
                    + "'UTC', true, now(), now())");
            s.execute("ALTER TABLE tasks ADD CONSTRAINT no_rockets CHECK (title NOT LIKE '%🚀%')");
        }
        List<String> before = fingerprint(SCRATCH);
        String reason = failureOf(restore(reference.jobId(), null, false, true));
        assertThat(reason).contains("rolled back").contains("no_rockets");
        assertThat(fingerprint(SCRATCH)).isEqualTo(before);
    }

    @Test
    void rowsTheTargetChangesWhileLoadingAreCaughtByTheirDigestsAndRolledBack() throws Exception {
        // a trigger that fires even during the load (ENABLE ALWAYS) alters one column: every count still matches
        try (Connection c = Infrastructure.get().connect(SCRATCH); Statement s = c.createStatement()) {
            s.execute("INSERT INTO users VALUES ('00000000-0000-0000-0000-000000000001', 'keep@example.com', 'Keep', "
                    + "'UTC', true, now(), now())");
            s.execute("""
                    CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN NEW.title := upper(NEW.title); RETURN NEW; END $$""");
            s.execute("CREATE TRIGGER shout BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION shout()");
            s.execute("ALTER TABLE tasks ENABLE ALWAYS TRIGGER shout");
        }
        List<String> before = fingerprint(SCRATCH);
        String reason = failureOf(restore(reference.jobId(), null, false, true));
        assertThat(reason).contains("rolled back").contains("rows differ from the backup").contains("public.tasks")
                .doesNotContain("public.users");
        assertThat(fingerprint(SCRATCH)).isEqualTo(before);
    }

    @Test
    void aSafetyBackupThatFailsStopsTheRestoreBeforeTheTargetIsTouched() throws Exception {
        try (Connection c = Infrastructure.get().connect(SCRATCH); Statement s = c.createStatement()) {
            s.execute("INSERT INTO users VALUES ('00000000-0000-0000-0000-000000000001', 'keep@example.com', 'Keep', "
                    + "'UTC', true, now(), now())");
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + LIMITED_USER + "') THEN "
                    + "CREATE ROLE " + LIMITED_USER + " LOGIN PASSWORD 'limited-pw'; END IF; END $$");
            s.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO " + LIMITED_USER);
            s.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + LIMITED_USER);
            s.execute("REVOKE SELECT ON task_dependencies FROM " + LIMITED_USER);
        }
        List<String> before = fingerprint(SCRATCH);
        RequestRestore request = RequestRestore.of(UUID.randomUUID(), "taskagent", reference.jobId(), null, "limited",
                false, false, "it");
        publisher.publishCommand(request);
        assertThat(failureOf(request)).contains("pre-restore safety backup of 'limited' failed");
        assertThat(fingerprint(SCRATCH)).isEqualTo(before);
        assertThat(catalog.sql("""
                        SELECT error FROM worker.jobs WHERE type = 'pre_restore' AND target = 'limited'
                        ORDER BY requested_at DESC LIMIT 1""").query(String.class).single())
                .contains("permission denied");
    }

    @Test
    void oddFileNamesAndLinksOutOfTheStorageDirectoryAreRefused() throws Exception {
        for (String name : new String[]{"../../etc/passwd", "%2e%2e%2fetc%2fpasswd", "/etc/passwd", "a\u0000b",
                "x".repeat(300), "not_catalogued_backup.json.zst"}) {
            assertThat(failureOf(restore(null, name, false, false))).as(name)
                    .containsAnyOf("refused backup file name", "no catalogued backup file");
        }
        Path outside = Files.createTempFile("outside", ".json.zst");
        Files.copy(storage.resolve(reference.fileName()), outside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path link = storage.resolve("link_backup_20260101_000000_abcdef12.json.zst");
        Files.createSymbolicLink(link, outside);
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_at) VALUES
                            ('11111111-2222-3333-4444-555555555555', 'backup', 'link', 'taskagent', 'SUCCEEDED', now());
                        INSERT INTO worker.backups (id, job_id, target, backup_type, file_name, size_bytes, sha256,
                            compression, format_version, row_counts, table_count, duration_ms, created_at)
                        SELECT '11111111-2222-3333-4444-555555555555', '11111111-2222-3333-4444-555555555555', target,
                               'link', :name, size_bytes, sha256, compression, format_version, row_counts, table_count,
                               duration_ms, now()
                        FROM worker.backups WHERE job_id = :ref;
                        INSERT INTO worker.backup_copies (backup_id, destination, status, is_primary, size_bytes, sha256)
                        SELECT id, 'local', 'AVAILABLE', true, size_bytes, sha256 FROM worker.backups
                        WHERE id = '11111111-2222-3333-4444-555555555555'""")
                .param("name", link.getFileName().toString()).param("ref", reference.jobId()).update();
        assertThat(failureOf(restore(null, link.getFileName().toString(), false, false)))
                .contains("symbolic link leading outside");
        assertThat(fingerprint(SCRATCH).get(0)).contains(" 0 ");
    }

    @Test
    void aRestoreIsRefusedWhileABackupOrRestoreOfTheSameDatabaseHoldsItsLock() throws Exception {
        try (Connection holder = Infrastructure.get().connect(SCRATCH); Statement s = holder.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + io.taskagent.backup.worker.backup.BackupDumper.LOCK_KEY + ")");
            List<String> before = fingerprint(SCRATCH);
            assertThat(failureOf(restore(reference.jobId(), null, false, false)))
                    .contains("a backup or another restore of 'scratch' is running");
            assertThat(fingerprint(SCRATCH)).isEqualTo(before);
        }
        try (Connection holder = Infrastructure.get().connect(SOURCE); Statement s = holder.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + io.taskagent.backup.worker.backup.BackupDumper.LOCK_KEY + ")");
            RequestBackup backup = RequestBackup.newJob("taskagent", "manual", "it");
            publisher.publishCommand(backup);
            assertThat(events.probe().awaitEvent(io.taskagent.backup.model.BackupFailed.class,
                    e -> e.jobId().equals(backup.jobId()), Duration.ofSeconds(60)).reason())
                    .contains("a restore of 'taskagent_ref'").contains("is running");
        }
    }
}
