package io.taskagent.backup.worker.backup;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.worker.format.BackupFileReader;
import io.taskagent.backup.worker.WorkerTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every type an application commonly uses, with its edge values, is written exactly: each value in the file is
 * PostgreSQL's own text form of it (numbers as JSON numbers with the same digits, jsonb as the same JSON), which
 * PostgreSQL reads back to the identical value. Mixed-case and reserved-word names, enums, domains, identity and
 * generated columns, arrays, a table without a primary key and a table without columns are included.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class EveryTypeIT {

    static final String CATALOG = "backup_catalog_it_types";
    static final String SOURCE = "taskagent_every_type";
    static final String COPY = "taskagent_every_type_copy";
    static Path storage;
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();
    static final JsonMapper EXACT = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS).build();

    static final String SCHEMA = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
            CREATE SCHEMA "Other Schema";
            CREATE TABLE "Every Type" (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                u uuid, t text, vc varchar(20), c char(5), s smallint, i integer, b bigint,
                n numeric, n2 numeric(40,20), r real, d double precision, bo boolean,
                da date, ti time, ts timestamp, tz timestamptz, iv interval,
                j json, jb jsonb, by bytea, ta text[], ia integer[], e mood, ip inet, ci cidr, dom positive_int,
                g bigint GENERATED ALWAYS AS (i::bigint * 2) STORED,
                "select" text, "MixedCase" text);
            CREATE TABLE "Other Schema".no_key (x text, y int);
            CREATE TABLE nothing_at_all ();
            CREATE TABLE parent_pair (a int, b text, PRIMARY KEY (a, b));
            CREATE TABLE child_pair (id int PRIMARY KEY, a int, b text,
                FOREIGN KEY (a, b) REFERENCES parent_pair (a, b) DEFERRABLE INITIALLY DEFERRED);
            CREATE TABLE "order" ("user" int PRIMARY KEY, next_user int REFERENCES "order" ("user"));
            INSERT INTO "Every Type" (u, t, vc, c, s, i, b, n, n2, r, d, bo, da, ti, ts, tz, iv, j, jb, by, ta, ia, e,
                                      ip, ci, dom, "select", "MixedCase") VALUES
              ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', E'quote " back\\\\slash \\ttab\\nnew line \\r \\u0001 ユーザー 🚀',
               'varchar', 'ab', -32768, -2147483648, 9223372036854775807,
               '123456789012345678901234567890.123456789012345678901234567890', '-0.00000000000000000001',
               '3.4028235e38', '2.2250738585072014e-308', true, '0001-01-01', '23:59:59.999999',
               '1999-12-31 23:59:59.123456', '2024-02-29 12:00:00+09', '1 year 2 mons 3 days 04:05:06.789',
               '{"b": 1,  "a": [1, 2]}', '{"nested": {"x": "y\\\\z", "n": 1.50}, "arr": [null, true]}',
               E'\\\\x00ff10', ARRAY['a', NULL, 'with,comma', 'quo"te', ''], ARRAY[1, NULL, 3], 'happy',
               '192.168.0.1/24', '10.0.0.0/8', 42, 'reserved', 'mixed'),
              (NULL, '', NULL, NULL, 0, 0, 0, 'NaN', 0, 'NaN', 'Infinity', false, 'infinity', '00:00', '-infinity',
               '1970-01-01 00:00:00+00', '-1 days', 'null', '[]', E'\\\\x', '{}', '{}', 'sad', '::1', '::/0', 1,
               NULL, NULL),
              (NULL, NULL, NULL, NULL, NULL, NULL, NULL, '-Infinity', NULL, '-Infinity', '-0', NULL, NULL, NULL, NULL,
               NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            INSERT INTO "Other Schema".no_key VALUES ('dup', 1), ('dup', 1), (NULL, NULL);
            INSERT INTO parent_pair VALUES (1, 'x'), (2, 'y');
            INSERT INTO child_pair VALUES (1, 1, 'x'), (2, 2, 'y'), (3, NULL, 'z');
            INSERT INTO "order" VALUES (1, NULL), (2, 1), (3, 2);
            UPDATE "order" SET next_user = 3 WHERE "user" = 1;
            """;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(SOURCE);
        infra.ensureDatabase(SOURCE);
        try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement()) {
            s.execute(SCHEMA);
        }
        storage = WorkerTestContext.register(registry, CATALOG, SOURCE);
        registry.add("backup.storage.compression", () -> "gzip");
        infra.dropDatabase(COPY);
        infra.ensureDatabase(COPY);
        try (Connection c = infra.connect(COPY); Statement s = c.createStatement()) {
            s.execute(SCHEMA.substring(0, SCHEMA.indexOf("INSERT INTO")));
        }
        registry.add("backup.restore.targets.copy.url", () -> infra.jdbcUrl(COPY));
        registry.add("backup.restore.targets.copy.username", () -> infra.pgUser);
        registry.add("backup.restore.targets.copy.password", () -> infra.pgPassword);
    }

    @Autowired
    ConfirmingPublisher publisher;

    @Test
    void everyValueIsPostgresqlsOwnTextFormAndEveryTableIsThere() throws Exception {
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(request);
        BackupCompleted completed = events.probe().awaitEvent(BackupCompleted.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(60));
        assertThat(completed.fileName()).endsWith(".json.gz");
        Path file = storage.resolve(completed.fileName());
        BackupFileReader read = BackupFileReader.read(file);
        assertThat(read.rowCounts()).containsEntry("public.Every Type", 3L).containsEntry("Other Schema.no_key", 3L)
                .containsEntry("public.nothing_at_all", 0L);
        var everyType = read.metadata().tables().stream()
                .filter(t -> t.name().equals("Every Type")).findFirst().orElseThrow();
        var columns = everyType.columns();
        assertThat(everyType.columns().get(0).identity()).isEqualTo("always");
        assertThat(everyType.columns().stream().filter(c -> c.name().equals("g")).findFirst().orElseThrow()
                .generated()).isTrue();
        assertThat(read.metadata().sequences().get(0).lastValue()).isEqualTo(3);

        Map<String, JsonNode> rowsById = new HashMap<>();
        for (String line : rowsOf(file, "public.Every Type")) {
            JsonNode row = EXACT.readTree(line);
            rowsById.put(row.get("id").asString(), row);
        }
        assertThat(rowsById).hasSize(3);
        int compared = 0;
        try (Connection c = Infrastructure.get().connect(SOURCE); Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            s.execute("SET extra_float_digits = 3");
            s.execute("SET DateStyle = ISO");
            StringBuilder select = new StringBuilder("SELECT id::text");
            for (var column : columns) {
                select.append(", \"").append(column.name()).append("\"");
            }
            try (ResultSet rs = s.executeQuery(select + " FROM \"Every Type\"")) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    JsonNode row = rowsById.get(rs.getString(1));
                    for (int i = 0; i < columns.size(); i++) {
                        String name = columns.get(i).name();
                        String kind = columns.get(i).json();
                        String expected = rs.getString(i + 2);
                        JsonNode value = row.get(name);
                        assertThat(value).as("column %s present", name).isNotNull();
                        if (expected == null) {
                            assertThat(value.isNull()).as("%s is null", name).isTrue();
                        } else {
                            switch (kind) {
                                case "number" -> {
                                    if (value.isString()) {
                                        assertThat(value.asString()).as(name).isEqualTo(expected);
                                    } else {
                                        assertThat(value.decimalValue()).as(name).isEqualByComparingTo(new BigDecimal(expected));
                                    }
                                }
                                case "boolean" -> assertThat(value.asBoolean()).as(name)
                                        .isEqualTo(expected.equals("t") || expected.equals("true"));
                                case "json" -> assertThat(value).as(name).isEqualTo(EXACT.readTree(expected));
                                default -> assertThat(value.asString()).as(name).isEqualTo(expected);
                            }
                        }
                        compared++;
                    }
                }
                assertThat(meta.getColumnCount()).isEqualTo(columns.size() + 1);
            }
        }
        assertThat(compared).isEqualTo(3 * columns.size());
        assertThat(rowsById.get("1").get("n").decimalValue().toPlainString())
                .isEqualTo("123456789012345678901234567890.123456789012345678901234567890");
        assertThat(rowsById.get("2").get("d").asString()).isEqualTo("Infinity");
        assertThat(rowsById.get("1").get("by").asString()).isEqualTo("\\x00ff10");
    }

    /** The row lines of one table, read from the decompressed file. */
    private static java.util.List<String> rowsOf(Path file, String table) throws Exception {
        java.util.List<String> rows = new java.util.ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new java.util.zip.GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            String header = EXACT.writeValueAsString(table) + ":[";
            String line;
            boolean inside = false;
            while ((line = in.readLine()) != null) {
                if (line.equals(header)) {
                    inside = true;
                } else if (inside && line.startsWith("]")) {
                    break;
                } else if (inside) {
                    rows.add(line.endsWith(",") ? line.substring(0, line.length() - 1) : line);
                }
            }
        }
        return rows;
    }

    /** Every table's rows as PostgreSQL text, sorted: equal lists mean equal data. */
    static List<String> contents(String database) throws Exception {
        List<String> all = new java.util.ArrayList<>();
        try (Connection c = Infrastructure.get().connect(database); Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            s.execute("SET extra_float_digits = 3");
            for (String table : List.of("\"Every Type\"", "\"Other Schema\".no_key", "nothing_at_all", "parent_pair",
                    "child_pair", "\"order\"")) {
                try (ResultSet rs = s.executeQuery("SELECT t::text FROM " + table + " t ORDER BY 1")) {
                    while (rs.next()) {
                        all.add(table + " " + rs.getString(1));
                    }
                }
            }
        }
        return all;
    }

    @Test
    void everyTypeRoundTripsThroughARestoreAndIdentityContinues() throws Exception {
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(request);
        BackupCompleted completed = events.probe().awaitEvent(BackupCompleted.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(60));
        io.taskagent.backup.model.RequestRestore restore = io.taskagent.backup.model.RequestRestore.of(
                java.util.UUID.randomUUID(), "taskagent", completed.jobId(), null, "copy", false, false, "it");
        publisher.publishCommand(restore);
        events.probe().awaitEvent(io.taskagent.backup.model.RestoreCompleted.class, e -> e.jobId().equals(restore.jobId()),
                Duration.ofSeconds(60));
        assertThat(contents(COPY)).isEqualTo(contents(SOURCE)).hasSize(3 + 3 + 2 + 3 + 3);
        try (Connection c = Infrastructure.get().connect(COPY); Statement s = c.createStatement()) {
            s.execute("INSERT INTO \"Every Type\" (t, i) VALUES ('after the restore', 5)");
            try (ResultSet rs = s.executeQuery("SELECT id, g FROM \"Every Type\" WHERE t = 'after the restore'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the identity continues after the restored rows").isEqualTo(4);
                assertThat(rs.getLong(2)).as("generated columns are computed by the target").isEqualTo(10);
            }
        }
    }
}
