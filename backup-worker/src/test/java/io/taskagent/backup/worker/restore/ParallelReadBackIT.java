package io.taskagent.backup.worker.restore;

import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.worker.restore.RestoreEngine.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGProperty;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read-back of a one-transaction restore with the server's parallel workers beside its backend
 * ({@link RestoreEngine#readBack} with helpers), against the real server: on rows written in the reading transaction
 * itself (not committed: the workers are the transaction's own), of types whose cast to text is their output function
 * (cast in the query, so the workers write their text) and of types whose cast writes other text (boolean, char, inet,
 * cidr, a domain over boolean: left to COPY), it must sum exactly what a plain {@code COPY table TO STDOUT} returns, read
 * the large table with a parallel worker, and still see a row that changed.
 */
class ParallelReadBackIT {

    static final String DB = "taskagent_parallel_read_back_it";
    static final List<String> COLUMNS = List.of("id", "bo", "c", "ip", "net", "yes", "m", "ba", "tz", "ts", "da", "u",
            "n", "f", "iv", "jb", "t", "by");
    static final int ROWS = 80_000; // about 25 MB: above min_parallel_table_scan_size (8 MB)
    static final Table WIDE = new Table("public", "wide", COLUMNS, List.of(), Set.of());
    static final Map<String, RowSum> LOADED = Map.of(WIDE.qualified(), new RowSum()); // which tables to read back

    static Infrastructure infra;

    @BeforeAll
    static void schema() throws Exception {
        infra = Infrastructure.get();
        infra.recreateDatabase(DB);
        try (Connection c = infra.connect(DB); Statement s = c.createStatement()) {
            s.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
            s.execute("CREATE DOMAIN yes_no AS boolean");
            s.execute("""
                    CREATE TABLE wide (id bigint, bo boolean, c char(4), ip inet, net cidr, yes yes_no, m mood,
                      ba boolean[], tz timestamptz, ts timestamp, da date, u uuid, n numeric, f double precision,
                      iv interval, jb jsonb, t text, by bytea)""");
        }
    }

    /** A restore's session: the text settings its connections get. */
    static Connection session() throws SQLException {
        Properties props = new Properties();
        props.setProperty(PGProperty.USER.getName(), infra.pgUser);
        props.setProperty(PGProperty.PASSWORD.getName(), infra.pgPassword);
        props.setProperty(PGProperty.OPTIONS.getName(), RestoreJobRunner.SESSION_TEXT);
        return DriverManager.getConnection(infra.jdbcUrl(DB), props);
    }

    /**
     * Opens a transaction, empties the table and fills it again in it (rows the transaction wrote, as a restore's), and
     * returns the sum of a plain {@code COPY} of it under the read-back's settings.
     */
    static RowSum fillAndCopy(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("TRUNCATE wide");
            s.execute("""
                    INSERT INTO wide SELECT i,
                      CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END, 'ab', ('10.0.' || (i % 256) || '.' || (i % 200))::inet,
                      ('10.' || (i % 256) || '.0.0/16')::cidr, i % 5 = 0,
                      (ARRAY['sad', 'ok', 'happy'])[1 + i % 3]::mood, ARRAY[i % 2 = 0, NULL],
                      timestamptz '2024-01-01 00:00:00+00' + i * interval '37.123456 seconds',
                      timestamp '1999-12-31 23:59:59' - i * interval '1 hour 0.5 seconds', date '2000-02-29' + i,
                      md5(i::text)::uuid, i * 1.5 / 7,
                      CASE i % 1000 WHEN 0 THEN 'NaN' WHEN 1 THEN 'Infinity' WHEN 2 THEN '-0' ELSE i / 3.0 END::float8,
                      i * interval '1 minute 3.5 seconds',
                      jsonb_build_object('k', i, 's', 'v' || i, 'a', jsonb_build_array(1.50, NULL, true)),
                      repeat('x', 40) || E'\\t\\\\\\n\\r' || 'ユーザー ' || i, decode(md5(i::text), 'hex')
                    FROM generate_series(1, ROWS) i""".replace("ROWS", String.valueOf(ROWS)));
        }
        RestoreEngine.readBackSettings(c, "SET LOCAL ");
        return RowSum.ofCopy(c, "COPY public.wide TO STDOUT");
    }

    @Test
    void sumsWhatThePlainCopyReturnsWithAParallelWorkerOnRowsOfItsOwnTransaction() throws Exception {
        try (Connection c = session()) {
            RowSum plain = fillAndCopy(c);

            RowSum helped = RestoreEngine.readBack(c, List.of(WIDE), LOADED, 1).get(WIDE.qualified());

            assertThat(plain.rows()).isEqualTo(ROWS);
            assertThat(helped.rows()).isEqualTo(ROWS);
            assertThat(helped.hex()).isEqualTo(plain.hex());
            String copy = RestoreEngine.readBackParts(c, List.of(WIDE), LOADED, 1, true).get(0)[1];
            for (String cast : List.of("m", "ba", "tz", "ts", "da", "u", "n", "f", "iv", "jb", "by", "id")) {
                assertThat(copy).contains("\"" + cast + "\"::pg_catalog.text");
            }
            for (String raw : List.of("bo", "c", "ip", "net", "yes", "t")) { // their casts to text write other text
                assertThat(copy).doesNotContain("\"" + raw + "\"::").contains("\"" + raw + "\"");
            }
            String plan = explainAnalyze(c, copy);
            assertThat(plan).contains("Workers Launched: 1") // all rows through the Gather (PostgreSQL 18: rows=N.00)
                    .containsPattern("rows=" + ROWS + "(\\.00)? loops=1");
            c.rollback();
        }
    }

    @Test
    void seesARowThatChanged() throws Exception {
        try (Connection c = session()) {
            RowSum before = fillAndCopy(c);
            try (Statement s = c.createStatement()) {
                s.execute("UPDATE wide SET tz = tz + interval '1 microsecond' WHERE id = " + (ROWS - 7));
            }

            RowSum helped = RestoreEngine.readBack(c, List.of(WIDE), LOADED, 1).get(WIDE.qualified());

            assertThat(helped.rows()).isEqualTo(ROWS);
            assertThat(helped.hex()).isNotEqualTo(before.hex());
            c.rollback();
        }
    }

    /** The plan of the read-back's query as run ({@code COPY (query) TO STDOUT}). */
    static String explainAnalyze(Connection c, String copy) throws SQLException {
        String query = copy.substring("COPY (".length(), copy.length() - ") TO STDOUT".length());
        StringBuilder plan = new StringBuilder();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "
                + query)) {
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
        }
        return plan.toString();
    }
}
