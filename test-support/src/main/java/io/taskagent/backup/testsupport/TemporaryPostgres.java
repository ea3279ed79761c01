package io.taskagent.backup.testsupport;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A second, throw-away PostgreSQL server for tests that need "another server", e.g. restoring a backup
 * into a cluster that has never seen the source database.
 * <p>
 * {@link #start()} runs {@code initdb} (trust authentication, superuser {@code postgres}, encoding UTF8,
 * locale C) into a fresh temporary directory and {@code pg_ctl start} on a free TCP port of 127.0.0.1, with its
 * unix socket inside that directory; {@link #close()} stops the server and deletes the directory.
 * <p>
 * The binaries are those of the newest major version under {@code /usr/lib/postgresql/<major>/bin}, or of
 * the directory named by the environment variable {@value #BIN_ENV} when it is set. When the JVM runs as
 * {@code root} (which {@code initdb} and {@code pg_ctl} refuse), they are run as the {@code postgres} user
 * through {@code runuser -u postgres --}, and the temporary directory is given to that user.
 *
 * <pre>{@code
 * try (TemporaryPostgres pg = TemporaryPostgres.start()) {
 *     pg.createDatabase("restored");
 *     try (Connection c = pg.connect("restored")) { ... }
 * }
 * }</pre>
 */
public final class TemporaryPostgres implements AutoCloseable {

    /** Environment variable naming a directory with the PostgreSQL binaries, overriding discovery. */
    public static final String BIN_ENV = "TEMPORARY_POSTGRES_BIN";
    /** Where installed PostgreSQL majors are looked for: {@code <root>/<major>/bin}. */
    static final Path INSTALL_ROOT = Paths.get("/usr/lib/postgresql");
    /** The superuser of the temporary cluster (trust authentication, no password). */
    public static final String USER = "postgres";

    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;

    private final Path baseDir;
    private final Path dataDir;
    private final Path binDir;
    private final int port;
    private final boolean asPostgresUser;
    private final Thread shutdownHook;
    private boolean closed;

    private TemporaryPostgres(Path baseDir, Path binDir, int port, boolean asPostgresUser) {
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.binDir = binDir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
        this.shutdownHook = new Thread(this::stopQuietly, "TemporaryPostgres-shutdown-" + port);
    }

    /**
     * Creates and starts a new cluster and waits until it accepts connections.
     *
     * @return the running server; close it to stop it and delete its files
     * @throws IllegalStateException when the binaries are missing, or {@code initdb} or {@code pg_ctl} fail
     *                               (the message then includes their output and the server log)
     */
    public static TemporaryPostgres start() {
        return start(false);
    }

    /**
     * Like {@link #start()}, but TCP connections must use TLS ({@code hostssl} only in {@code pg_hba.conf}): a
     * throw-away CA and a server certificate for {@code 127.0.0.1} are made with {@code openssl} (the CA's certificate
     * is {@link #caCertificate()}); a client with {@code sslmode=disable} is refused.
     */
    public static TemporaryPostgres startWithTls() {
        return start(true);
    }

    /** The CA certificate the server's certificate is signed with ({@link #startWithTls()}). */
    public Path caCertificate() {
        return baseDir.resolve("tls").resolve("ca.crt");
    }

    private static TemporaryPostgres start(boolean tls) {
        Path binDir = binDir("initdb", "pg_ctl");
        boolean asPostgresUser = "root".equals(System.getProperty("user.name"));
        Path baseDir;
        try {
            baseDir = Files.createTempDirectory("temporary-postgres-");
            Files.createDirectories(baseDir.resolve("sock"));
            if (asPostgresUser) {
                UserPrincipal postgres = baseDir.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName(USER);
                Files.setOwner(baseDir, postgres);
                Files.setOwner(baseDir.resolve("sock"), postgres);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare a temporary directory for PostgreSQL: " + e, e);
        }
        try {
            TemporaryPostgres created = new TemporaryPostgres(baseDir, binDir, 0, asPostgresUser);
            created.initdb();
            if (tls) {
                created.requireTls();
            }
            IllegalStateException last = null;
            for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
                TemporaryPostgres candidate = new TemporaryPostgres(baseDir, binDir, freePort(), asPostgresUser);
                try {
                    candidate.pgCtlStart();
                    candidate.awaitReady();
                    Runtime.getRuntime().addShutdownHook(candidate.shutdownHook);
                    return candidate;
                } catch (IllegalStateException e) {
                    // most likely the port was taken between probing and binding: try another one
                    candidate.stopQuietly();
                    last = e;
                }
            }
            throw last;
        } catch (RuntimeException e) {
            deleteRecursively(baseDir);
            throw e;
        }
    }

    /** The TCP port the server listens on (on 127.0.0.1). */
    public int port() {
        return port;
    }

    /** The host the server listens on: {@code 127.0.0.1}. */
    public String host() {
        return "127.0.0.1";
    }

    /** The superuser to connect as ({@value #USER}, no password). */
    public String user() {
        return USER;
    }

    /** The data directory of the cluster (inside the temporary directory). */
    public Path dataDirectory() {
        return dataDir;
    }

    /** The directory of the binaries this server was created with. */
    public Path binDirectory() {
        return binDir;
    }

    /** A JDBC URL of database {@code db} on this server. */
    public String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + db;
    }

    /**
     * Opens a connection to database {@code db} as {@value #USER}.
     *
     * @throws SQLException when the connection fails
     */
    public Connection connect(String db) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(jdbcUrl(db), props);
    }

    /**
     * Creates database {@code name}.
     *
     * @throws IllegalStateException when it cannot be created (e.g. it exists)
     */
    public void createDatabase(String name) {
        execute("CREATE DATABASE " + quoteIdent(name), "cannot create database " + name);
    }

    /**
     * Drops database {@code name}, and the connections to it, if it exists.
     *
     * @throws IllegalStateException when it cannot be dropped
     */
    public void dropDatabase(String name) {
        String force = majorVersion() >= 13 ? " WITH (FORCE)" : "";
        execute("DROP DATABASE IF EXISTS " + quoteIdent(name) + force, "cannot drop database " + name);
    }

    /**
     * Stops the server ({@code pg_ctl stop -m fast}: open sessions are ended, as an operator's restart or a failover
     * ends them) and waits until it is down; the data directory stays, {@link #startServer()} starts it again on the
     * same port. For tests of how clients live through a database outage.
     */
    public synchronized void stopServer() {
        pgCtl("stop", "-m", "fast", "-w", "-t", String.valueOf(READY_TIMEOUT.toSeconds()));
    }

    /** Starts a server stopped with {@link #stopServer()} on the same port and waits until it accepts connections. */
    public synchronized void startServer() {
        if (closed) {
            throw new IllegalStateException("the temporary PostgreSQL was closed: " + this);
        }
        pgCtlStart();
        awaitReady();
    }

    /**
     * {@code pg_ctl restart -m fast} (every session ended, the server down for as long as a restart takes, then up
     * again on the same port and with the same options); returns once it accepts connections.
     */
    public synchronized void restartServer() {
        pgCtl("restart", "-m", "fast", "-w", "-t", String.valueOf(READY_TIMEOUT.toSeconds()),
                "-l", baseDir.resolve("server.log").toString());
        awaitReady();
    }

    /** Whether the server accepts connections now. */
    public boolean accepting() {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            return s.execute("SELECT 1");
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Creates database {@code name} (dropped first if it exists) holding the TaskAgent reference data at
     * {@code scale} (1 = 200,000 tasks), as {@link ReferenceDataset#ensure} does on the main server.
     */
    public void createReferenceDatabase(String name, int scale) {
        dropDatabase(name);
        createDatabase(name);
        try (Connection c = connect(name); Statement s = c.createStatement()) {
            s.execute(Files.readString(ReferenceDataset.demoDirectory().resolve("schema.sql")));
            s.execute(ReferenceDataset.generateSql(scale));
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("cannot load the reference dataset into " + name + ": " + e.getMessage(), e);
        }
    }

    /** The data fingerprint of database {@code name} ({@code demo/fingerprint.sql}), one sorted line per table. */
    public List<String> fingerprint(String name) {
        List<String> rows = new ArrayList<>();
        try (Connection c = connect(name); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(Files.readString(ReferenceDataset.demoDirectory().resolve("fingerprint.sql")))) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getLong(2) + " " + rs.getString(3));
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("cannot fingerprint " + name + ": " + e.getMessage(), e);
        }
        java.util.Collections.sort(rows);
        return rows;
    }

    /** The major version of the running server, e.g. {@code 15}. */
    public int majorVersion() {
        try (Connection c = connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the server version: " + e.getMessage(), e);
        }
    }

    /**
     * Stops the server ({@code pg_ctl stop -m fast}, then {@code -m immediate} if that fails) and deletes
     * the temporary directory. Calling it again does nothing.
     *
     * @throws IllegalStateException when the server could not be stopped (the directory is deleted anyway)
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // shutting down already, or never registered
        }
        try {
            pgCtl("stop", "-m", "fast");
        } catch (IllegalStateException fast) {
            try {
                pgCtl("stop", "-m", "immediate");
            } catch (IllegalStateException immediate) {
                fast.addSuppressed(immediate);
                deleteRecursively(baseDir);
                throw fast;
            }
        }
        deleteRecursively(baseDir);
    }

    @Override
    public String toString() {
        return "TemporaryPostgres[" + host() + ":" + port + ", " + dataDir + "]";
    }

    // ---------------------------------------------------------------- lifecycle

    private void initdb() {
        run("initdb", List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", USER,
                "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"));
    }

    /** Certificates by openssl; the server's key and certificate in the data directory; TLS required on TCP. */
    private void requireTls() {
        Path tls = baseDir.resolve("tls");
        try {
            Files.createDirectories(tls);
            openssl(tls, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                    "-days", "2", "-subj", "/CN=taskagent-test-ca");
            openssl(tls, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                    "-subj", "/CN=127.0.0.1");
            Files.writeString(tls.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
            openssl(tls, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", "server.crt", "-days", "2", "-extfile", "san.ext");
            for (String file : List.of("server.crt", "server.key")) {
                Path target = dataDir.resolve(file);
                Files.copy(tls.resolve(file), target);
                Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                if (asPostgresUser) {
                    Files.setOwner(target, target.getFileSystem().getUserPrincipalLookupService()
                            .lookupPrincipalByName(USER));
                }
            }
            Files.writeString(dataDir.resolve("postgresql.conf"),
                    "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
                    java.nio.file.StandardOpenOption.APPEND);
            Path hba = dataDir.resolve("pg_hba.conf");
            List<String> lines = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(hba)) {
                lines.add(line.startsWith("host ") || line.startsWith("host\t") ? "hostssl" + line.substring(4) : line);
            }
            Files.write(hba, lines);
        } catch (IOException e) {
            throw new IllegalStateException("cannot set up TLS for the temporary PostgreSQL: " + e, e);
        }
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void pgCtlStart() {
        String options = "-p " + port + " -c listen_addresses=127.0.0.1"
                + " -k " + shellQuote(baseDir.resolve("sock").toString())
                + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        pgCtl("start", "-w", "-t", String.valueOf(READY_TIMEOUT.toSeconds()),
                "-l", baseDir.resolve("server.log").toString(), "-o", options);
    }

    private void awaitReady() {
        try {
            Awaitility.await("PostgreSQL on port " + port + " accepting connections")
                    .atMost(READY_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions()
                    .until(() -> {
                        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
                            return s.execute("SELECT 1");
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("PostgreSQL in " + dataDir + " does not accept connections on port "
                    + port + " after " + READY_TIMEOUT.toSeconds() + "s" + serverLog(), e);
        }
    }

    private void pgCtl(String... args) {
        List<String> command = new ArrayList<>();
        command.add(binDir.resolve("pg_ctl").toString());
        command.add("-D");
        command.add(dataDir.toString());
        command.addAll(List.of(args));
        run("pg_ctl " + args[0], command);
    }

    private void stopQuietly() {
        if (Files.exists(dataDir.resolve("postmaster.pid"))) {
            try {
                pgCtl("stop", "-m", "immediate");
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
    }

    /** Runs a server binary (as postgres when we are root); fails with its output on a non-zero exit. */
    private void run(String what, List<String> command) {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", USER, "--"));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).directory(baseDir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PG"));
        env.put("LC_ALL", "C");
        ProcessResult result = ProcessResult.run(pb, PROCESS_TIMEOUT);
        if (result.exitCode != 0) {
            throw new IllegalStateException(what + " failed (" + result.describeExit() + "): " + String.join(" ", full)
                    + "\n" + result.output.strip() + serverLog());
        }
    }

    private String serverLog() {
        Path log = baseDir.resolve("server.log");
        try {
            return Files.exists(log) ? "\n--- server log ---\n" + Files.readString(log).strip() : "";
        } catch (IOException e) {
            return "\n(cannot read " + log + ": " + e + ")";
        }
    }

    private void execute(String sql, String failure) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(failure + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- binaries (shared with SchemaDump)

    /**
     * The directory holding all of {@code tools}: {@value #BIN_ENV} when set, else the newest major under
     * {@code /usr/lib/postgresql/<major>/bin} that has them.
     */
    static Path binDir(String... tools) {
        String override = System.getenv(BIN_ENV);
        if (override != null && !override.isBlank()) {
            Path dir = Paths.get(override.trim());
            for (String tool : tools) {
                if (!Files.isExecutable(dir.resolve(tool))) {
                    throw new IllegalStateException("PostgreSQL binary " + tool + " not found: " + BIN_ENV + "="
                            + override + " has no executable " + dir.resolve(tool));
                }
            }
            return dir;
        }
        List<Path> candidates = new ArrayList<>();
        if (Files.isDirectory(INSTALL_ROOT)) {
            try (Stream<Path> majors = Files.list(INSTALL_ROOT)) {
                majors.filter(p -> p.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                        .sorted(Comparator.comparing(TemporaryPostgres::versionKey).reversed())
                        .map(p -> p.resolve("bin"))
                        .forEach(candidates::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + INSTALL_ROOT, e);
            }
        }
        for (Path dir : candidates) {
            if (Stream.of(tools).allMatch(t -> Files.isExecutable(dir.resolve(t)))) {
                return dir;
            }
        }
        throw new IllegalStateException("PostgreSQL binaries " + String.join(", ", tools) + " not found: looked in "
                + INSTALL_ROOT + "/*/bin" + (candidates.isEmpty() ? " (no installed majors)" : " " + candidates)
                + "; install the PostgreSQL server package or set " + BIN_ENV + " to a directory holding them");
    }

    private static Double versionKey(Path majorDir) {
        return Double.parseDouble(majorDir.getFileName().toString());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free TCP port on 127.0.0.1: " + e, e);
        }
    }

    private static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Output and exit code of a finished process (stdout and stderr together unless redirected). */
    static final class ProcessResult {
        final int exitCode;
        final String output;
        final boolean timedOut;

        private ProcessResult(int exitCode, String output, boolean timedOut) {
            this.exitCode = exitCode;
            this.output = output;
            this.timedOut = timedOut;
        }

        String describeExit() {
            return timedOut ? "timed out, killed" : "exit code " + exitCode;
        }

        static ProcessResult run(ProcessBuilder pb, Duration timeout) {
            Process process;
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + String.join(" ", pb.command()) + ": " + e.getMessage(), e);
            }
            try {
                process.getOutputStream().close();
                StreamReader out = new StreamReader(process.getInputStream());
                out.start();
                boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!finished) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
                out.join(TimeUnit.SECONDS.toMillis(10));
                return new ProcessResult(finished ? process.exitValue() : -1, out.text(), !finished);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + String.join(" ", pb.command()), e);
            }
        }
    }

    /** Drains a stream on its own thread so that a chatty process never blocks on a full pipe. */
    static final class StreamReader extends Thread {
        private final InputStream in;
        private volatile byte[] bytes = new byte[0];
        private volatile IOException failure;

        StreamReader(InputStream in) {
            super("TemporaryPostgres-output");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            try (InputStream stream = in) {
                bytes = stream.readAllBytes();
            } catch (IOException e) {
                failure = e;
            }
        }

        String text() {
            String s = new String(bytes, StandardCharsets.UTF_8);
            return failure == null ? s : s + "\n(output truncated: " + failure + ")";
        }
    }
}
