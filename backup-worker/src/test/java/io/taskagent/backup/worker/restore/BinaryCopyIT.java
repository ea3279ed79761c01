package io.taskagent.backup.worker.restore;

import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.copy.CopyOut;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The binary load against the real server: every value of every type {@link BinaryCopy} encodes, at its edges, written
 * as text by the server under the backup's settings, encoded by the worker, loaded with binary COPY into a table of the
 * same types and read back as text, must come back as the very text it was.
 */
class BinaryCopyIT {

    static final String DB = "taskagent_binary_copy_it";
    static final List<String> COLUMNS = List.of("bo", "s", "i", "b", "r", "d", "n", "n2", "t", "vc", "c", "j", "jb",
            "u", "by", "da", "ts", "tz", "e", "dom");
    static final String TYPES = """
            bo boolean, s smallint, i integer, b bigint, r real, d double precision, n numeric, n2 numeric(8,2),
            t text, vc varchar(20), c char(5), j json, jb jsonb, u uuid, by bytea, da date, ts timestamp,
            tz timestamptz, e mood, dom positive_int""";

    static Infrastructure infra;

    @BeforeAll
    static void schema() throws Exception {
        infra = Infrastructure.get();
        infra.recreateDatabase(DB);
        try (Connection c = infra.connect(DB); Statement s = c.createStatement()) {
            s.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
            s.execute("CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0)");
            s.execute("CREATE TABLE source (" + TYPES + ")");
            s.execute("CREATE TABLE target (" + TYPES + ")");
            s.execute("CREATE TABLE not_binary (x interval, y text)");
            s.execute("""
                    INSERT INTO source VALUES
                      (true, -32768, -2147483648, -9223372036854775808, 3.4028235e38, 2.2250738585072014e-308,
                       '123456789012345678901234567890.123456789012345678901234567890', -999999.99,
                       E'tab\\there, new\\nline, back\\\\slash, \\r, \\b, \\f, \\v, ユーザー 🚀', 'varchar', 'ab',
                       '{"b": 1,  "a": [1, 2]}', '{"nested": {"x": "y\\\\z", "n": 1.50}, "arr": [null, true]}',
                       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff10', '4713-01-01 BC', '4713-01-01 00:00:00 BC',
                       '2024-02-29 12:00:00+09', 'happy', 1),
                      (false, 32767, 2147483647, 9223372036854775807, 1.4e-45, 5e-324, '-0.00000000000000000001',
                       0.01, '', '', '', 'null', '[]', '00000000-0000-0000-0000-000000000000', '\\x', '5874897-12-31',
                       '294276-12-31 23:59:59.999999', '294276-12-31 23:59:59.999999+00', 'sad', 2147483647),
                      (true, 0, 0, 0, '-0', '-0', 'NaN', 0, 'x', NULL, NULL, '"s"', '"s"', NULL, NULL, 'infinity',
                       'infinity', 'infinity', 'ok', NULL),
                      (false, -1, -1, -1, 'NaN', 'NaN', 'Infinity', NULL, NULL, NULL, NULL, '1.5e3', '1.5e3', NULL,
                       NULL, '-infinity', '-infinity', '-infinity', NULL, NULL),
                      (NULL, 1, 1, 1, 'Infinity', 'Infinity', '-Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                       NULL, '2000-01-01', '2000-01-01 00:00:00', '2000-01-01 00:00:00+00', NULL, NULL),
                      (NULL, 2, 2, 2, '-Infinity', '-Infinity', 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                       '1999-12-31', '1999-12-31 23:59:59.123456', '1969-12-31 23:59:59.000001-03:30', NULL, NULL),
                      (NULL, 3, 3, 3, 0.1, 0.1, 10000, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '0001-01-01',
                       '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', NULL, NULL),
                      (NULL, 4, 4, 4, 1e-10, 1e100, 0.0001, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                       '1900-02-28', '1900-03-01 00:00:00.5', '2100-02-28 23:00:00.05+00', NULL, NULL),
                      (NULL, 5, 5, 5, -123.456, -1.7976931348623157e308, '-12345678.9', NULL, NULL, NULL, NULL, NULL,
                       NULL, NULL, NULL, '0044-03-15 BC', '0044-03-15 12:30:00 BC', '0044-03-15 12:30:00+00 BC', NULL,
                       NULL),
                      (NULL, 6, 6, 6, 7, 7, '1.10', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '10000-01-01',
                       '10000-01-01 00:00:00', '10000-01-01 00:00:00+00', NULL, NULL),
                      (NULL, 7, 7, 7, 7, 7, '0.000', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                       NULL, NULL),
                      (NULL, 8, 8, 8, 7, 7, '99999999999999999999', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                       NULL, NULL, NULL, NULL)""");
        }
    }

    /** A session with the backup's text settings (the dumper's). */
    static Connection backupSession() throws SQLException {
        Properties props = new Properties();
        props.setProperty(PGProperty.USER.getName(), infra.pgUser);
        props.setProperty(PGProperty.PASSWORD.getName(), infra.pgPassword);
        props.setProperty(PGProperty.OPTIONS.getName(),
                "-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3 -c bytea_output=hex -c IntervalStyle=postgres");
        return DriverManager.getConnection(infra.jdbcUrl(DB), props);
    }

    static List<String> copyText(Connection c, String table) throws SQLException {
        List<String> lines = new ArrayList<>();
        CopyOut out = c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + table + " TO STDOUT");
        byte[] row;
        while ((row = out.readFromCopy()) != null) {
            lines.add(new String(row, StandardCharsets.UTF_8));
        }
        return lines;
    }

    @Test
    void everyEncodedValueReadsBackAsTheTextItWas() throws Exception {
        try (Connection c = backupSession()) {
            List<String> source = copyText(c, "source");
            assertThat(source).hasSize(12);
            RestoreEngine.Table target = new RestoreEngine.Table("public", "target", COLUMNS, List.of(), Set.of("jb"));
            Map<String, BinaryCopy.Plan> plans = BinaryCopy.plans(c,
                    List.of(target, new RestoreEngine.Table("public", "not_binary", List.of("x", "y"), List.of(), Set.of())));
            assertThat(plans).containsOnlyKeys("public.target"); // interval has no encoder: that table loads as text
            BinaryCopy.Tuples tuples = new BinaryCopy.Tuples(plans.get("public.target"));
            RowToCopy.Out out = new RowToCopy.Out();
            out.put(BinaryCopy.HEADER, 0, BinaryCopy.HEADER.length);
            for (String line : source) {
                byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                tuples.append(bytes, CopyLines.fields(bytes, 0, bytes.length), out);
            }
            out.put(BinaryCopy.TRAILER, 0, BinaryCopy.TRAILER.length);
            var copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(target.copyIn(false, true));
            copy.writeToCopy(out.bytes, 0, out.size);
            copy.endCopy();
            assertThat(copyText(c, "target")).containsExactlyInAnyOrderElementsOf(source);
        }
    }
}
