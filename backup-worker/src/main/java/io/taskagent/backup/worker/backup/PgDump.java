package io.taskagent.backup.worker.backup;

import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.format.SchemaSections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code pg_dump} that captures a backup's schema: {@code --schema-only} in the backup's exported snapshot, as its
 * two sections ({@code pre-data}: what must exist before the rows load; {@code post-data}: keys, indexes, foreign keys,
 * triggers, rules, policies), in UTF-8, with the backup's schema and table filters, owners and
 * grants left out unless {@code backup.schema.keep-owners}. It must be of at least the source server's major version
 * (pg_dump refuses newer servers); {@link #check} says which version was found and which is needed.
 */
@Component
public class PgDump {

    private static final Logger log = LoggerFactory.getLogger(PgDump.class);
    private static final Pattern VERSION = Pattern.compile("pg_dump \\(PostgreSQL\\) (\\d+)(?:\\.(\\d+))?");
    private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^/:?]*)(?::(\\d+))?/([^?]*)(\\?.*)?");

    /** pg_dump's runs and the readers of their output: blocking work, kept off the common pool. */
    private static final java.util.concurrent.ExecutorService THREADS = java.util.concurrent.Executors.newCachedThreadPool(
            work -> {
                Thread thread = new Thread(work, "pg_dump-io");
                thread.setDaemon(true);
                return thread;
            });

    private final WorkerProperties.Schema settings;

    public PgDump(WorkerProperties properties) {
        this.settings = properties.schema();
    }

    /** The pg_dump found and its version. */
    public record Found(Path binary, int major, String version) {
    }

    /** The configured pg_dump, or the newest installed one. */
    public Optional<Path> binary() {
        if (!settings.pgDump().isBlank()) {
            Path configured = Path.of(settings.pgDump());
            return Files.isExecutable(configured) ? Optional.of(configured) : Optional.empty();
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> majors = Files.list(root)) {
                Optional<Path> newest = majors.filter(p -> p.getFileName().toString().matches("\\d+"))
                        .sorted(Comparator.comparingInt((Path p) -> Integer.parseInt(p.getFileName().toString()))
                                .reversed())
                        .map(p -> p.resolve("bin").resolve("pg_dump")).filter(Files::isExecutable).findFirst();
                if (newest.isPresent()) {
                    return newest;
                }
            } catch (IOException e) {
                log.debug("cannot list {}: {}", root, e.toString());
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, "pg_dump");
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** Where pg_dump was looked for, for the error when none is found. */
    public String lookedFor() {
        return settings.pgDump().isBlank()
                ? "/usr/lib/postgresql/<major>/bin/pg_dump and pg_dump on the PATH (set BACKUP_SCHEMA_PG_DUMP)"
                : settings.pgDump() + " (BACKUP_SCHEMA_PG_DUMP)";
    }

    /** The version last read, by binary and its modification time: health asks often, the binary rarely changes. */
    private volatile Found known;
    private volatile java.nio.file.attribute.FileTime knownModified;

    /** The pg_dump to use and its version; an exception naming what is missing when there is none. */
    public Found find() throws DumpException {
        Path binary = binary().orElseThrow(() -> new DumpException("no pg_dump found: looked for " + lookedFor()
                + "; a backup needs pg_dump to capture the schema"));
        java.nio.file.attribute.FileTime modified = modified(binary);
        Found last = known;
        if (last != null && last.binary().equals(binary) && modified != null && modified.equals(knownModified)) {
            return last;
        }
        Found found = version(binary);
        known = found;
        knownModified = modified;
        return found;
    }

    private static java.nio.file.attribute.FileTime modified(Path binary) {
        try {
            return Files.getLastModifiedTime(binary.toRealPath());
        } catch (IOException e) {
            return null;
        }
    }

    private static Found version(Path binary) throws DumpException {
        String out = run(List.of(binary.toString(), "--version"), null, java.util.Map.of(), 10).trim();
        Matcher m = VERSION.matcher(out);
        if (!m.find()) {
            throw new DumpException(binary + " --version printed '" + out + "', not a pg_dump version");
        }
        return new Found(binary, Integer.parseInt(m.group(1)), m.group(1) + (m.group(2) == null ? "" : "." + m.group(2)));
    }

    /** The pg_dump to use, if it can dump a server of major version {@code serverMajor}; else why not. */
    public Found check(int serverMajor) throws DumpException {
        Found found = find();
        if (found.major() < serverMajor) {
            throw new DumpException("pg_dump " + found.version() + " (" + found.binary() + ") is older than the source "
                    + "server (PostgreSQL " + serverMajor + "): install pg_dump " + serverMajor + " or newer, or point "
                    + "BACKUP_SCHEMA_PG_DUMP at one");
        }
        return found;
    }

    /**
     * Dumps both schema sections of {@code database} as of {@code snapshot} (exported by the backup's first
     * connection, which must stay open meanwhile), both at once.
     */
    public SchemaSections dump(Found pgDump, WorkerProperties.Source database, String snapshot, List<String> schemas,
                         List<String> includeTables, List<String> excludeTables) throws DumpException {
        Matcher url = URL.matcher(database.url());
        if (!url.matches()) {
            throw new DumpException("cannot run pg_dump: unparseable source URL (host and database expected)");
        }
        List<String> common = new ArrayList<>(List.of(pgDump.binary().toString(), "--schema-only",
                "--host=" + (url.group(1).isEmpty() ? "localhost" : url.group(1)),
                "--port=" + (url.group(2) == null ? "5432" : url.group(2)), "--username=" + database.username(),
                "--no-password", "--dbname=" + url.group(3), "--encoding=UTF8",
                // a table locked exclusively (DDL in progress) fails the backup after this long instead of waiting
                "--lock-wait-timeout=60000"));
        if (snapshot != null) { // null: the database as it is now (a drill's, which nothing else writes)
            common.add("--snapshot=" + snapshot);
        }
        if (!settings.keepOwners()) {
            common.add("--no-owner");
            common.add("--no-privileges");
        }
        schemas.forEach(schema -> common.add("--schema=" + schema));
        if (!schemas.isEmpty()) {
            common.add("--extension=*"); // with --schema, pg_dump leaves extensions out unless asked for them
        }
        includeTables.forEach(table -> common.add("--table=" + table));
        excludeTables.forEach(table -> common.add("--exclude-table=" + table));
        java.util.Map<String, String> tls = tlsEnvironment(url.group(4));
        CompletableFuture<String> pre = section(common, "pre-data", database.password(), tls);
        CompletableFuture<String> post = section(common, "post-data", database.password(), tls);
        try {
            return new SchemaSections(pre.join(), post.join(), "pg_dump " + pgDump.version(), settings.keepOwners(),
                    List.of());
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof DumpException dump) {
                throw dump;
            }
            throw new DumpException("pg_dump failed: " + e.getCause(), e.getCause());
        }
    }

    /** {@link #dump}, on pg_dump's own threads (the reader threads keep reading the rows meanwhile). */
    public CompletableFuture<SchemaSections> dumpAsync(Found pgDump, WorkerProperties.Source database, String snapshot,
                                                       List<String> schemas, List<String> includeTables,
                                                       List<String> excludeTables) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return dump(pgDump, database, snapshot, schemas, includeTables, excludeTables);
            } catch (DumpException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, THREADS);
    }

    /**
     * The TLS settings of the source's JDBC URL for libpq (pg_dump): {@code sslmode} (pgjdbc's {@code ssl=true}
     * alone means {@code verify-full}), {@code sslrootcert}, {@code sslcert}, {@code sslkey} as {@code PGSSLMODE},
     * {@code PGSSLROOTCERT}, {@code PGSSLCERT}, {@code PGSSLKEY}: pg_dump connects exactly as the worker does, so a
     * server that accepts TLS connections only is dumped too, with the same certificate checks.
     */
    static java.util.Map<String, String> tlsEnvironment(String query) {
        java.util.Map<String, String> params = new java.util.HashMap<>();
        if (query != null && query.length() > 1) {
            for (String pair : query.substring(1).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1),
                            java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        java.util.Map<String, String> env = new java.util.LinkedHashMap<>();
        String mode = params.get("sslmode");
        if (mode == null && "true".equalsIgnoreCase(params.get("ssl"))) {
            mode = "verify-full";
        }
        if (mode != null) {
            env.put("PGSSLMODE", mode);
        }
        java.util.Map.of("sslrootcert", "PGSSLROOTCERT", "sslcert", "PGSSLCERT", "sslkey", "PGSSLKEY")
                .forEach((param, variable) -> {
                    if (params.get(param) != null) {
                        env.put(variable, params.get(param));
                    }
                });
        return env;
    }

    private static CompletableFuture<String> section(List<String> common, String section, String password,
                                                     java.util.Map<String, String> env) {
        List<String> command = new ArrayList<>(common);
        command.add("--section=" + section);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return run(command, password, env, 600);
            } catch (DumpException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, THREADS);
    }

    /**
     * The pg_dump processes running now, with the snapshot each dumps (null for {@code --version}), so that a backup
     * that fails meanwhile can stop its own ({@link #stopAll}).
     */
    private static final java.util.Map<Process, String> RUNNING = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Stops every pg_dump this worker runs for {@code snapshot} (a backup that failed before its schema was in):
     * none keeps its locks on the source's tables.
     */
    public static void stopAll(String snapshot) {
        RUNNING.forEach((process, dumping) -> {
            if (snapshot.equals(dumping)) {
                process.destroyForcibly();
            }
        });
    }

    /** Runs pg_dump; its output, or an exception with its exit code and error output (never the password). */
    private static String run(List<String> command, String password, java.util.Map<String, String> env,
                              long timeoutSeconds) throws DumpException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("PGPASSWORD");
        for (String variable : List.of("PGSSLMODE", "PGSSLROOTCERT", "PGSSLCERT", "PGSSLKEY")) {
            builder.environment().remove(variable);
        }
        builder.environment().putAll(env);
        if (password != null && !password.isEmpty()) {
            builder.environment().put("PGPASSWORD", password);
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new DumpException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        RUNNING.put(process, command.stream().filter(a -> a.startsWith("--snapshot=")).findFirst()
                .map(a -> a.substring("--snapshot=".length())).orElse(""));
        CompletableFuture<String> out = read(process.getInputStream());
        CompletableFuture<String> err = read(process.getErrorStream());
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new DumpException(command.get(0) + " did not finish within " + timeoutSeconds + " s");
            }
            if (process.exitValue() != 0) {
                throw new DumpException("pg_dump exited with " + process.exitValue() + ": " + err.join().trim());
            }
            return out.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DumpException("interrupted while pg_dump ran", e);
        } finally {
            RUNNING.remove(process);
        }
    }

    private static CompletableFuture<String> read(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }, THREADS);
    }
}
