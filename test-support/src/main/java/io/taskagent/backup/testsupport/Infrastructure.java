package io.taskagent.backup.testsupport;

import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.rabbitmq.RabbitMQContainer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The real PostgreSQL and RabbitMQ that integration tests ({@code *IT}) talk to.
 * <ol>
 * <li>The local services, from {@code PGHOST}/{@code PGPORT}/{@code PGUSER}/{@code PGPASSWORD} and
 * {@code RABBITMQ_HOST}/{@code RABBITMQ_PORT}/{@code RABBITMQ_USERNAME}/{@code RABBITMQ_PASSWORD}
 * (defaults 127.0.0.1:5432 postgres, 127.0.0.1:5672 guest/guest), when they answer. {@code RABBITMQ_VHOST} (default
 * {@code /}) gives a run a virtual host of its own, so that two test runs on one broker never take each other's
 * commands (it must exist: {@code rabbitmqctl add_vhost v && rabbitmqctl set_permissions -p v guest ".*" ".*" ".*"}).
 * Maven's test forks add their module and fork number to it (system property {@value #VHOST_SUFFIX}, set by the root
 * pom: {@code it-backup-worker-1}, {@code it-system-tests-2}, or {@code <RABBITMQ_VHOST>-<module>-<fork>}), so that
 * modules and forks running side by side never share a queue; such a virtual host is created here with
 * {@code rabbitmqctl} when the broker is the local one.</li>
 * <li>Otherwise, where Docker runs, Testcontainers.</li>
 * <li>Otherwise the test fails with a message when {@code CI=true}, and is skipped with that message elsewhere.</li>
 * </ol>
 */
public final class Infrastructure {

    private static final Logger log = LoggerFactory.getLogger(Infrastructure.class);
    /** The system property naming a test fork ({@code <module>-<fork number>}), set by the root pom's failsafe. */
    public static final String VHOST_SUFFIX = "backup.test.vhost.suffix";
    private static Infrastructure instance;

    public final String pgHost;
    public final int pgPort;
    public final String pgUser;
    public final String pgPassword;
    public final String rabbitHost;
    public final int rabbitPort;
    public final String rabbitUser;
    public final String rabbitPassword;
    public final String rabbitVhost;

    private Infrastructure(String pgHost, int pgPort, String pgUser, String pgPassword,
                           String rabbitHost, int rabbitPort, String rabbitUser, String rabbitPassword,
                           String rabbitVhost) {
        this.pgHost = pgHost;
        this.pgPort = pgPort;
        this.pgUser = pgUser;
        this.pgPassword = pgPassword;
        this.rabbitHost = rabbitHost;
        this.rabbitPort = rabbitPort;
        this.rabbitUser = rabbitUser;
        this.rabbitPassword = rabbitPassword;
        this.rabbitVhost = rabbitVhost;
    }

    /** The services to use; fails (CI) or aborts (elsewhere) the calling test when there are none. */
    public static synchronized Infrastructure get() {
        if (instance == null) {
            instance = discover();
        }
        return instance;
    }

    private static Infrastructure discover() {
        String pgHost = env("PGHOST", "127.0.0.1");
        int pgPort = Integer.parseInt(env("PGPORT", "5432"));
        String rabbitHost = env("RABBITMQ_HOST", "127.0.0.1");
        int rabbitPort = Integer.parseInt(env("RABBITMQ_PORT", "5672"));
        boolean pgUp = reachable(pgHost, pgPort);
        boolean rabbitUp = reachable(rabbitHost, rabbitPort);
        if (pgUp && rabbitUp) {
            String user = env("RABBITMQ_USERNAME", "guest");
            return new Infrastructure(pgHost, pgPort, env("PGUSER", "postgres"), env("PGPASSWORD", ""),
                    rabbitHost, rabbitPort, user, env("RABBITMQ_PASSWORD", "guest"), virtualHost(user));
        }
        String missing = (pgUp ? "" : "PostgreSQL at " + pgHost + ":" + pgPort + " ")
                + (rabbitUp ? "" : "RabbitMQ at " + rabbitHost + ":" + rabbitPort);
        if (dockerAvailable()) {
            log.info("{} not reachable: starting Testcontainers", missing.trim());
            PostgreSQLContainer pg = new PostgreSQLContainer("postgres:15-alpine");
            pg.start();
            RabbitMQContainer rabbit = new RabbitMQContainer("rabbitmq:3.13-management");
            rabbit.start();
            return new Infrastructure(pg.getHost(), pg.getMappedPort(5432), pg.getUsername(), pg.getPassword(),
                    rabbit.getHost(), rabbit.getAmqpPort(), rabbit.getAdminUsername(), rabbit.getAdminPassword(), "/");
        }
        String message = "Integration tests need a real PostgreSQL and RabbitMQ: " + missing.trim()
                + " not reachable and no Docker for Testcontainers. Start them (see README, .ci/run) or set "
                + "PGHOST/PGPORT and RABBITMQ_HOST/RABBITMQ_PORT.";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message);
        }
        Assumptions.abort(message);
        throw new IllegalStateException(message);
    }

    /**
     * {@code RABBITMQ_VHOST} (default {@code /}), with this test fork's {@value #VHOST_SUFFIX} appended when Maven set
     * one ({@code it-<module>-<fork>} from {@code /}); a virtual host of a fork is created (and {@code user} given all
     * rights on it) with the local {@code rabbitmqctl}.
     */
    private static String virtualHost(String user) {
        String base = env("RABBITMQ_VHOST", "/");
        String suffix = System.getProperty(VHOST_SUFFIX, "");
        if (suffix.isBlank() || suffix.contains("${")) {
            return base;
        }
        String vhost = ("/".equals(base) ? "it" : base) + "-" + suffix;
        createVirtualHost(vhost, user);
        return vhost;
    }

    private static void createVirtualHost(String vhost, String user) {
        String ctl = java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/sbin/rabbitmqctl"))
                ? "/usr/sbin/rabbitmqctl" : "rabbitmqctl";
        for (java.util.List<String> command : java.util.List.of(java.util.List.of(ctl, "add_vhost", vhost),
                java.util.List.of(ctl, "set_permissions", "-p", vhost, user, ".*", ".*", ".*"))) {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (p.waitFor() != 0 && !out.contains("already exists")) {
                    log.warn("{} failed: {} (tests on virtual host '{}' will fail unless it exists)",
                            String.join(" ", command), out.trim(), vhost);
                }
            } catch (IOException e) {
                log.warn("cannot run {} ({}): virtual host '{}' must exist, or unset -D{}", ctl, e.getMessage(), vhost,
                        VHOST_SUFFIX);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A JDBC URL of database {@code db} on the PostgreSQL server. */
    public String jdbcUrl(String db) {
        return "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + db;
    }

    public Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(db), pgUser, pgPassword);
    }

    /** Creates database {@code name} unless it exists. */
    public void ensureDatabase(String name) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name.replace("'", "''") + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) {
                throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
            }
        }
    }

    /** Drops database {@code name} (and its connections) if it exists and creates it again, empty. */
    public void recreateDatabase(String name) {
        dropDatabase(name);
        ensureDatabase(name);
    }

    /** Drops database {@code name} (and its connections) if it exists. */
    public void dropDatabase(String name) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + name.replace("\"", "\"\"") + "\" WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop database " + name + ": " + e.getMessage(), e);
        }
    }

    /** Spring properties that point a service at these services, with {@code catalogDb} as its catalog. */
    public Map<String, String> springProperties(String catalogDb) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("spring.datasource.url", jdbcUrl(catalogDb));
        p.put("spring.datasource.username", pgUser);
        p.put("spring.datasource.password", pgPassword);
        p.put("spring.rabbitmq.host", rabbitHost);
        p.put("spring.rabbitmq.port", String.valueOf(rabbitPort));
        p.put("spring.rabbitmq.username", rabbitUser);
        p.put("spring.rabbitmq.password", rabbitPassword);
        p.put("spring.rabbitmq.virtual-host", rabbitVhost);
        return p;
    }

    /** The same as environment variables, for services started as processes. */
    public Map<String, String> environment(String catalogDb) {
        Map<String, String> e = new LinkedHashMap<>();
        springProperties(catalogDb).forEach((k, v) -> e.put(k.toUpperCase().replace('.', '_').replace("-", ""), v));
        return e;
    }

    private static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
