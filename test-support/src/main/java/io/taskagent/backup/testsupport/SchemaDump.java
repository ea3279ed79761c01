package io.taskagent.backup.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The schema of a database as text fit for comparing two databases, e.g. a source and its restored copy:
 * {@code assertEquals(SchemaDump.of(infra, "source"), SchemaDump.of(host, port, user, "restored"))}.
 * <p>
 * Runs {@code pg_dump --schema-only --no-owner --no-privileges} of the newest installed PostgreSQL
 * (the environment variable {@value #PG_DUMP_ENV} names a {@code pg_dump} to use instead; otherwise the
 * discovery of {@link TemporaryPostgres}: {@value TemporaryPostgres#BIN_ENV}, else the newest
 * {@code /usr/lib/postgresql/<major>/bin}) and normalizes its output: lines starting with {@code --}
 * (pg_dump's comments, which name the database and versions), {@code SET }, {@code SELECT pg_catalog.set_config}
 * and <code>&#92;restrict</code>/<code>&#92;unrestrict</code> (whose key is random on every run) are removed, trailing
 * whitespace is trimmed and runs of blank lines are collapsed to one.
 * <p>
 * Note that a function body line that starts with {@code --} at column 0 is removed as well.
 */
public final class SchemaDump {

    /** Environment variable naming the {@code pg_dump} executable to use. */
    public static final String PG_DUMP_ENV = "PG_DUMP";

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private SchemaDump() {
    }

    /**
     * The normalized schema of database {@code db} on the server at {@code host:port}, connecting as
     * {@code user} (a password, if needed, comes from the environment: {@code PGPASSWORD}, {@code ~/.pgpass}).
     *
     * @throws IllegalStateException when {@code pg_dump} is missing or fails (with its exit code and stderr)
     */
    public static String of(String host, int port, String user, String db) {
        return dump(host, port, user, null, db);
    }

    /**
     * The normalized schema of database {@code db} on the main test server of {@code infra}.
     *
     * @throws IllegalStateException when {@code pg_dump} is missing or fails (with its exit code and stderr)
     */
    public static String of(Infrastructure infra, String db) {
        return dump(infra.pgHost, infra.pgPort, infra.pgUser, infra.pgPassword, db);
    }

    /** The normalized schema of database {@code db} on a {@link TemporaryPostgres}. */
    public static String of(TemporaryPostgres pg, String db) {
        return dump(pg.host(), pg.port(), pg.user(), null, db);
    }

    /**
     * Normalizes {@code pg_dump} output as described in the class comment; exposed for dumps made otherwise
     * (e.g. {@code pg_restore -f - --schema-only} of an archive).
     */
    public static String normalize(String dump) {
        StringBuilder out = new StringBuilder();
        boolean previousBlank = true; // also drops leading blank lines
        for (String line : dump.split("\\R", -1)) {
            String l = line.stripTrailing();
            if (l.startsWith("--") || l.startsWith("SET ") || l.startsWith("SELECT pg_catalog.set_config")
                    || l.startsWith("\\restrict") || l.startsWith("\\unrestrict")) {
                continue;
            }
            boolean blank = l.isEmpty();
            if (blank && previousBlank) {
                continue;
            }
            out.append(l).append('\n');
            previousBlank = blank;
        }
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == '\n') {
            end--;
        }
        out.setLength(end);
        return end == 0 ? "" : out.append('\n').toString();
    }

    /** The {@code pg_dump} to run: {@value #PG_DUMP_ENV}, else the one of the newest installed major. */
    static Path pgDump() {
        String override = System.getenv(PG_DUMP_ENV);
        if (override != null && !override.isBlank()) {
            Path path = Paths.get(override.trim());
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException("pg_dump not found: " + PG_DUMP_ENV + "=" + override
                        + " is not an executable file");
            }
            return path;
        }
        return TemporaryPostgres.binDir("pg_dump").resolve("pg_dump");
    }

    private static String dump(String host, int port, String user, String password, String db) {
        Path pgDump = pgDump();
        List<String> command = new ArrayList<>(List.of(pgDump.toString(), "--schema-only", "--no-owner",
                "--no-privileges", "-h", host, "-p", String.valueOf(port), "-U", user, "-d", db));
        Path stderr = null;
        try {
            stderr = Files.createTempFile("schema-dump-", ".stderr");
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(stderr.toFile());
            pb.environment().put("PGCONNECT_TIMEOUT", "10");
            if (password != null && !password.isEmpty()) {
                pb.environment().put("PGPASSWORD", password);
            }
            TemporaryPostgres.ProcessResult result = TemporaryPostgres.ProcessResult.run(pb, TIMEOUT);
            String errors = Files.readString(stderr, StandardCharsets.UTF_8).strip();
            if (result.exitCode != 0) {
                throw new IllegalStateException("pg_dump of database " + db + " at " + host + ":" + port + " as "
                        + user + " failed (" + result.describeExit() + "): " + String.join(" ", command)
                        + (errors.isEmpty() ? "" : "\n" + errors));
            }
            return normalize(result.output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } finally {
            if (stderr != null) {
                try {
                    Files.deleteIfExists(stderr);
                } catch (IOException ignored) {
                    // a temp file left behind
                }
            }
        }
    }
}
