package io.taskagent.backup.worker.restore;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.RestoreFailed;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.SchemaDump;
import io.taskagent.backup.testsupport.TemporaryPostgres;
import io.taskagent.backup.worker.WorkerTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Self-contained backups (format 2) on real PostgreSQL servers: a schema that is not TaskAgent's (two schemas, enum,
 * domain, composite and range types, identity and generated columns, partitions, views, a materialized view, a
 * trigger, an exclusion constraint, partial and expression indexes, a free-standing sequence, comments, mixed-case
 * and reserved names, deferrable cyclic foreign keys, a table without a key holding duplicates) is rebuilt from the
 * backup alone into a new database, on this server and on a second one the test starts: the same schema
 * ({@code pg_dump --schema-only}), the same rows, and it keeps working (sequences, identity, trigger, exclusion).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SelfContainedRestoreIT {

    static final String CATALOG = "backup_catalog_it_selfcontained";
    static final String SOURCE = "exotic_src";
    static final String COPY = "exotic_copy";
    static final String NO_CREATEDB = "it_no_createdb";
    static TemporaryPostgres other;
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();
    static BackupCompleted backup;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Infrastructure infra = Infrastructure.get();
        ExoticFixture.load(infra, SOURCE);
        try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + NO_CREATEDB);
            s.execute("CREATE ROLE " + NO_CREATEDB + " LOGIN PASSWORD 'x' NOCREATEDB");
        }
        WorkerTestContext.register(registry, CATALOG, SOURCE);
        other = TemporaryPostgres.start();
        registry.add("backup.restore.targets.other.url", () -> other.jdbcUrl("postgres"));
        registry.add("backup.restore.targets.other.username", () -> other.user());
        other.createDatabase("exotic_empty");
        registry.add("backup.restore.targets.emptyother.url", () -> other.jdbcUrl("exotic_empty"));
        registry.add("backup.restore.targets.emptyother.username", () -> other.user());
        registry.add("backup.restore.targets.nocreate.url", () -> infra.jdbcUrl("postgres"));
        registry.add("backup.restore.targets.nocreate.username", () -> NO_CREATEDB);
        registry.add("backup.restore.targets.nocreate.password", () -> "x");
    }

    @AfterAll
    static void stopTheOtherServer() {
        if (other != null) {
            other.close();
        }
    }

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient catalog;

    @BeforeEach
    void backUpOnce() {
        Infrastructure.get().dropDatabase(COPY);
        if (backup == null) {
            RequestBackup request = RequestBackup.newJob("taskagent", "manual", "it");
            publisher.publishCommand(request);
            backup = events.probe().awaitEvent(BackupCompleted.class, e -> e.jobId().equals(request.jobId()),
                    Duration.ofSeconds(90));
        }
    }

    private RequestRestore restore(String target, String mode, String createDatabase, boolean dryRun) {
        RequestRestore request = RequestRestore.of(UUID.randomUUID(), "taskagent", backup.jobId(), null, target,
                dryRun, false, mode, createDatabase, "it");
        publisher.publishCommand(request);
        return request;
    }

    private RestoreCompleted completed(RequestRestore request) {
        return events.probe().awaitEvent(RestoreCompleted.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(120));
    }

    private String failure(RequestRestore request) {
        return events.probe().awaitEvent(RestoreFailed.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(120)).reason();
    }

    private static boolean exists(Connection c, String database) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + database + "'")) {
            rs.next();
            return rs.getLong(1) == 1;
        }
    }

    @Test
    void aNewDatabaseOnThisServerIsTheSourceRebuiltAndKeepsWorking() throws Exception {
        Infrastructure infra = Infrastructure.get();
        RestoreCompleted done = completed(restore(null, null, COPY, false));
        assertThat(done.rowCounts()).isEqualTo(backup.rowCounts());

        assertThat(SchemaDump.of(infra, COPY)).isEqualTo(SchemaDump.of(infra, SOURCE));
        try (Connection source = infra.connect(SOURCE); Connection copy = infra.connect(COPY)) {
            assertThat(DatabaseContents.of(copy)).isEqualTo(DatabaseContents.of(source));
            try (Statement s = copy.createStatement()) {
                // identity and the free-standing sequence continue where the source was
                try (ResultSet rs = s.executeQuery("INSERT INTO crm.customer (name, email) VALUES ('New', "
                        + "'new@example.org') RETURNING id")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(4);
                }
                try (ResultSet rs = s.executeQuery("INSERT INTO crm.ticket (customer_id, code) VALUES (4, 'new-1') "
                        + "RETURNING ticket_no, code")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(1030);
                    assertThat(rs.getString(2)).as("the trigger fires").isEqualTo("NEW-1");
                }
                assertThatThrownBy(() -> s.execute("INSERT INTO crm.room_booking (room, during) VALUES "
                        + "(101, '[2026-03-01 09:15+00,2026-03-01 09:45+00)')"))
                        .as("the exclusion constraint holds").hasMessageContaining("room_booking_no_overlap");
                try (ResultSet rs = s.executeQuery("SELECT crm.open_tickets(1)")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("the SQL-standard function body works").isEqualTo(2);
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM \"Billing Dept\".order_totals")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("the materialized view was refreshed").isPositive();
                }
            }
        }
    }

    @Test
    void aDatabaseLeftHalfBuiltByAnEarlierAttemptOfTheSameJobIsBuiltAgain() throws Exception {
        Infrastructure infra = Infrastructure.get();
        UUID jobId = UUID.randomUUID();
        infra.dropDatabase("exotic_left");
        infra.ensureDatabase("exotic_left");
        try (Connection c = infra.connect("exotic_left"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE half (x int)"); // what a crashed attempt might have left
            s.execute("COMMENT ON DATABASE exotic_left IS '" + RestoreJobRunner.CREATED_BY + jobId + "'");
        }
        RequestRestore request = RequestRestore.of(jobId, "taskagent", backup.jobId(), null, null, false, false, null,
                "exotic_left", "it");
        publisher.publishCommand(request);
        assertThat(completed(request).rowCounts()).isEqualTo(backup.rowCounts());
        assertThat(SchemaDump.of(infra, "exotic_left")).isEqualTo(SchemaDump.of(infra, SOURCE));
        try (Connection c = infra.connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'exotic_left'")) {
            rs.next();
            assertThat(rs.getString(1)).as("no longer marked once complete").isNull();
        }
        infra.dropDatabase("exotic_left");
    }

    @Test
    void aNewDatabaseOnAnotherServerIsTheSourceRebuilt() throws Exception {
        Infrastructure infra = Infrastructure.get();
        RestoreCompleted done = completed(restore("other", null, "exotic_other", false));
        assertThat(done.rowCounts()).isEqualTo(backup.rowCounts());
        assertThat(SchemaDump.of(other, "exotic_other")).isEqualTo(SchemaDump.of(infra, SOURCE));
        try (Connection source = infra.connect(SOURCE); Connection copy = other.connect("exotic_other")) {
            assertThat(DatabaseContents.of(copy)).isEqualTo(DatabaseContents.of(source));
        }
    }

    @Test
    void createModeFillsAnExistingEmptyDatabaseAndRefusesOneThatHasTheTables() throws Exception {
        Infrastructure infra = Infrastructure.get();
        RestoreCompleted filled = completed(restore("emptyother", "create", null, false));
        assertThat(filled.rowCounts()).isEqualTo(backup.rowCounts());
        assertThat(SchemaDump.of(other, "exotic_empty")).isEqualTo(SchemaDump.of(infra, SOURCE));
        try (Connection source = infra.connect(SOURCE); Connection copy = other.connect("exotic_empty")) {
            assertThat(DatabaseContents.of(copy)).isEqualTo(DatabaseContents.of(source));
        }
        RequestRestore create = RequestRestore.of(UUID.randomUUID(), "taskagent", backup.jobId(), null, null, false,
                true, "create", null, "it");
        // the configured source is the target here: create mode into the source database itself is refused
        publisher.publishCommand(create);
        assertThat(failure(create)).contains("create mode needs a database without the backup's tables")
                .contains("crm.customer");
        try (Connection source = infra.connect(SOURCE); Statement s = source.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM crm.customer")) {
            rs.next();
            assertThat(rs.getLong(1)).as("nothing touched").isEqualTo(3);
        }
    }

    @Test
    void badRequestsAreRefusedBeforeAnythingIsCreated() throws Exception {
        Infrastructure infra = Infrastructure.get();
        assertThat(failure(restore(null, null, SOURCE, false))).contains("database '" + SOURCE + "' already exists");
        assertThat(failure(restore("nocreate", null, "exotic_never", false)))
                .contains("may not create databases").contains("CREATEDB");
        try (Connection c = infra.connect("postgres")) {
            assertThat(exists(c, "exotic_never")).isFalse();
        }
        RequestRestore dry = restore(null, null, "exotic_dry", true);
        RestoreCompleted dryRun = completed(dry);
        assertThat(dryRun.dryRun()).isTrue();
        String report = catalog.sql("SELECT result::text FROM worker.v1_jobs WHERE id = :id").param("id", dry.jobId())
                .query(String.class).single();
        tools.jackson.databind.JsonNode result = io.taskagent.backup.model.MessageJson.mapper().readTree(report);
        assertThat(result.get("create_database").asString()).isEqualTo("exotic_dry");
        assertThat(result.get("would_create").get("table").asInt()).as("what it would create: " + result)
                .isGreaterThanOrEqualTo(8);
        assertThat(result.get("would_create").get("trigger").asInt()).isEqualTo(2);
        try (Connection c = infra.connect("postgres")) {
            assertThat(exists(c, "exotic_dry")).as("a dry run creates nothing").isFalse();
        }
    }
}
