package io.taskagent.backup.testsupport;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Throw-away RabbitMQ nodes of the test's own: {@link #start(int)} runs {@code n} {@code rabbitmq-server} nodes on
 * free ports of 127.0.0.1, each with its own node name ({@code tr<random>-<i>@localhost}, never the machine's
 * {@code rabbit@<host>}), data, log, configuration and plugin files under one temporary directory, and joins nodes
 * 2..n to node 1 ({@code rabbitmqctl join_cluster}). Tests may stop and start a node's application
 * ({@link #stopApp}, {@link #startApp}) or kill a node ({@link #kill}, SIGKILL) without touching the machine's own
 * broker, which other test runs share. {@link #close()} stops every node and deletes the directory.
 * <p>
 * The nodes and the CLI share an Erlang cookie of their own: {@code HOME} of every process started here is the
 * temporary directory, holding a fresh {@code .erlang.cookie}; the machine's cookie is neither read nor changed.
 * {@code /etc/rabbitmq/rabbitmq.conf}, {@code rabbitmq-env.conf} and {@code enabled_plugins} are not read either
 * (they name the machine's node and its ports), so no plugin and no listener but the node's own port runs.
 * <p>
 * The scripts are those of {@code /usr/lib/rabbitmq/bin} (Debian's {@code /usr/sbin} wrappers switch to the
 * {@code rabbitmq} user and its cookie), or of the directory named by {@value #BIN_ENV}. Without them,
 * {@link #requireOrSkip()} skips the calling test loudly, or fails it when {@code CI=true}.
 */
public final class TemporaryRabbit implements AutoCloseable {

    /** Environment variable naming a directory with {@code rabbitmq-server} and {@code rabbitmqctl}. */
    public static final String BIN_ENV = "TEMPORARY_RABBITMQ_BIN";
    static final Path DEFAULT_BIN = Path.of("/usr/lib/rabbitmq/bin");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CTL_TIMEOUT = Duration.ofSeconds(120);

    /** One node: its name, AMQP port and where it keeps everything. */
    public record Node(int index, String name, int port, int distPort, Path pidFile, Path output) {
        /** {@code 127.0.0.1:<port>}, an element of {@code spring.rabbitmq.addresses}. */
        public String address() {
            return "127.0.0.1:" + port;
        }
    }

    private final Path baseDir;
    private final Path binDir;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Thread shutdownHook;
    private boolean closed;

    private TemporaryRabbit(Path baseDir, Path binDir) {
        this.baseDir = baseDir;
        this.binDir = binDir;
        this.shutdownHook = new Thread(this::killAll, "TemporaryRabbit-shutdown");
    }

    /** The directory with the scripts, if there is one. */
    public static Optional<Path> binDirectory() {
        String configured = System.getenv(BIN_ENV);
        Path dir = configured == null || configured.isBlank() ? DEFAULT_BIN : Path.of(configured);
        return Files.isExecutable(dir.resolve("rabbitmq-server")) && Files.isExecutable(dir.resolve("rabbitmqctl"))
                ? Optional.of(dir) : Optional.empty();
    }

    /** Skips the calling test (aborts) without rabbitmq-server, loudly; fails it when {@code CI=true}. */
    public static void requireOrSkip() {
        if (binDirectory().isPresent()) {
            return;
        }
        String message = "this test runs RabbitMQ nodes of its own and needs rabbitmq-server and rabbitmqctl in "
                + DEFAULT_BIN + " (Debian: apt-get install rabbitmq-server) or in the directory named by " + BIN_ENV;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + "; CI=true, so this is a failure, not a skip");
        }
        System.err.println("\n*** SKIPPED: " + message + " ***\n");
        Assumptions.abort(message);
    }

    /** Starts {@code count} nodes and clusters them (node 1 first; the others join it). */
    public static TemporaryRabbit start(int count) throws IOException {
        requireOrSkip();
        Path base = Files.createTempDirectory("temporary-rabbit-");
        TemporaryRabbit rabbit = new TemporaryRabbit(base, binDirectory().orElseThrow());
        Runtime.getRuntime().addShutdownHook(rabbit.shutdownHook);
        try {
            rabbit.prepare();
            String prefix = "tr" + HexFormat.of().formatHex(random(4));
            for (int i = 1; i <= count; i++) {
                rabbit.launch(i, prefix + "-" + i + "@localhost");
            }
            for (Node node : rabbit.nodes) {
                rabbit.ctl(node, "wait", node.pidFile().toString(), "--timeout",
                        String.valueOf(START_TIMEOUT.toSeconds()));
            }
            Node first = rabbit.nodes.get(0);
            for (Node node : rabbit.nodes.subList(1, rabbit.nodes.size())) {
                rabbit.ctl(node, "stop_app");
                rabbit.ctl(node, "join_cluster", first.name());
                rabbit.ctl(node, "start_app");
            }
            List<String> running = rabbit.runningNodes(first);
            if (running.size() != count) {
                throw new IllegalStateException("cluster of " + count + " expected, running: " + running);
            }
            return rabbit;
        } catch (IOException | RuntimeException e) {
            rabbit.close();
            throw e;
        }
    }

    private void prepare() throws IOException {
        Path home = Files.createDirectories(baseDir.resolve("home"));
        Path cookie = home.resolve(".erlang.cookie");
        Files.writeString(cookie, HexFormat.of().formatHex(random(20)).toUpperCase());
        Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
        // no listener here: each node's only AMQP listener is RABBITMQ_NODE_IP_ADDRESS:RABBITMQ_NODE_PORT
        Files.writeString(baseDir.resolve("rabbitmq.conf"), """
                # a temporary test node (TemporaryRabbit)
                disk_free_limit.absolute = 50MB
                cluster_partition_handling = pause_minority
                """);
        Files.writeString(baseDir.resolve("enabled_plugins"), "[].\n");
        Files.writeString(baseDir.resolve("rabbitmq-env.conf"), "# none: every setting comes from the environment\n");
    }

    private void launch(int index, String name) throws IOException {
        int port = freePort();
        int distPort = freePort();
        Path pid = baseDir.resolve(name + ".pid");
        Path output = baseDir.resolve(name + ".out");
        ProcessBuilder builder = new ProcessBuilder(binDir.resolve("rabbitmq-server").toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).directory(baseDir.toFile());
        Map<String, String> env = builder.environment();
        commonEnvironment(env);
        env.put("RABBITMQ_NODENAME", name);
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", String.valueOf(port));
        env.put("RABBITMQ_DIST_PORT", String.valueOf(distPort));
        env.put("RABBITMQ_MNESIA_BASE", baseDir.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", baseDir.resolve("log").toString());
        env.put("RABBITMQ_CONFIG_FILE", baseDir.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", baseDir.resolve("advanced.config").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", baseDir.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_PID_FILE", pid.toString());
        env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
        processes.add(builder.start());
        nodes.add(new Node(index, name, port, distPort, pid, output));
    }

    private void commonEnvironment(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("RABBITMQ_") || k.startsWith("ERL_"));
        env.put("HOME", baseDir.resolve("home").toString());
        env.put("RABBITMQ_CONF_ENV_FILE", baseDir.resolve("rabbitmq-env.conf").toString());
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** Node {@code i}, counted from 1. */
    public Node node(int i) {
        return nodes.get(i - 1);
    }

    /** Every node's address, comma-separated: {@code spring.rabbitmq.addresses}. */
    public String addresses() {
        return nodes.stream().map(Node::address).collect(Collectors.joining(","));
    }

    /**
     * Runs {@code rabbitmqctl -n <node> args...} and returns its output; fails, with the output, unless it exits 0.
     */
    public String ctl(Node node, String... args) {
        List<String> command = new ArrayList<>(List.of(binDir.resolve("rabbitmqctl").toString(), "-n", node.name(),
                "-q"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(baseDir.toFile());
        commonEnvironment(builder.environment());
        try {
            Process p = builder.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(CTL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not end within " + CTL_TIMEOUT);
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n"
                        + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run rabbitmqctl: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running rabbitmqctl", e);
        }
    }

    /** {@code rabbitmqctl stop_app}: the node's Erlang VM keeps running, its broker (and listener) stops. */
    public void stopApp(Node node) {
        ctl(node, "stop_app");
    }

    /** {@code rabbitmqctl start_app}, returning once the broker runs again. */
    public void startApp(Node node) {
        ctl(node, "start_app");
        ctl(node, "await_startup", "--timeout", String.valueOf(START_TIMEOUT.toSeconds()));
    }

    /** SIGKILL to the node's Erlang VM ({@code kill -9}): no goodbye to its peers or clients. */
    public void kill(Node node) throws IOException, InterruptedException, java.util.concurrent.ExecutionException,
            java.util.concurrent.TimeoutException {
        long pid = Long.parseLong(Files.readString(node.pidFile()).trim());
        ProcessHandle handle = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException(node.name() + " (pid " + pid + ") is not running"));
        Process kill = new ProcessBuilder("kill", "-9", String.valueOf(pid)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -9 " + pid + " failed");
        }
        handle.onExit().get(30, TimeUnit.SECONDS);
    }

    /** Whether the node's Erlang VM still runs. */
    public boolean alive(Node node) {
        try {
            long pid = Long.parseLong(Files.readString(node.pidFile()).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** The running nodes of the cluster, as {@code node} sees it. */
    public List<String> runningNodes(Node node) {
        String json = ctl(node, "cluster_status", "--formatter", "json");
        return strings(json, "running_nodes");
    }

    /**
     * The queues of the default virtual host as {@code node} sees them: per queue name, {@code type},
     * {@code members} (a quorum queue's replicas), {@code online}, {@code leader}, {@code consumers} and
     * {@code messages}, as rabbitmqctl's JSON prints them.
     */
    public List<Map<String, Object>> queues(Node node) {
        String json = ctl(node, "list_queues", "name", "type", "members", "online", "leader", "consumers",
                "messages", "--formatter", "json");
        return Json.listOfObjects(json);
    }

    /** One queue of {@link #queues}, if it exists. */
    public Optional<Map<String, Object>> queue(Node node, String name) {
        return queues(node).stream().filter(q -> name.equals(q.get("name"))).findFirst();
    }

    private static List<String> strings(String json, String field) {
        Object value = Json.object(json).get(field);
        if (!(value instanceof List<?> list)) {
            throw new IllegalStateException("no " + field + " in " + json);
        }
        return list.stream().map(String::valueOf).toList();
    }

    /** The node's log, for a failure message. */
    public String log(Node node) {
        try (Stream<Path> files = Files.list(baseDir.resolve("log"))) {
            Path log = files.filter(p -> p.getFileName().toString().equals(node.name() + ".log")).findFirst()
                    .orElse(node.output());
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Node node : nodes) {
            if (alive(node)) {
                try {
                    ctl(node, "stop");
                } catch (RuntimeException e) {
                    // killed below
                }
            }
        }
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down
        }
        try (Stream<Path> files = Files.walk(baseDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }

    private void killAll() {
        for (Node node : nodes) {
            if (alive(node)) {
                try {
                    long pid = Long.parseLong(Files.readString(node.pidFile()).trim());
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                } catch (IOException | RuntimeException e) {
                    // nothing more to do
                }
            }
        }
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** rabbitmqctl's JSON, read with the shared model's mapper. */
    private static final class Json {
        static Map<String, Object> object(String json) {
            return io.taskagent.backup.model.MessageJson.mapper().readValue(json,
                    new tools.jackson.core.type.TypeReference<Map<String, Object>>() {
                    });
        }

        static List<Map<String, Object>> listOfObjects(String json) {
            return io.taskagent.backup.model.MessageJson.mapper().readValue(json,
                    new tools.jackson.core.type.TypeReference<List<Map<String, Object>>>() {
                    });
        }
    }
}
