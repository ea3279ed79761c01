package io.taskagent.backup.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real S3-protocol server for tests: the npm package {@code s3rver} run as a process of its own (installed by
 * {@code .ci/run} into {@value #PACKAGE_DIR}, or by hand with {@code npm ci --prefix test-support/s3rver}) on a free
 * port of 127.0.0.1, its objects in a temporary directory, with buckets created at start. It takes any
 * well-signed request; its credentials are {@value #ACCESS_KEY} / {@value #SECRET_KEY}. {@link #stop()} kills
 * it (as a crash or a network loss would), {@link #start()} brings it back on the same port and objects.
 * <p>
 * Without node or the package, the calling test fails when {@code CI=true} and is skipped with that message
 * elsewhere.
 */
public final class S3Server implements AutoCloseable {

    public static final String PACKAGE_DIR = "test-support/s3rver";
    public static final String ACCESS_KEY = "S3RVER";
    public static final String SECRET_KEY = "S3RVER";
    private static final String SCRIPT = "node_modules/s3rver/bin/s3rver.js";

    private final Path script;
    private final Path data;
    private final int port;
    private final List<String> buckets;
    private Process process;

    private S3Server(Path script, Path data, int port, List<String> buckets) {
        this.script = script;
        this.data = data;
        this.port = port;
        this.buckets = buckets;
    }

    /** Starts a server holding {@code buckets} (empty ones). */
    public static S3Server start(String... buckets) {
        Path script = findScript();
        try {
            S3Server server = new S3Server(script, Files.createTempDirectory("s3rver-"), freePort(), List.of(buckets));
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path findScript() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve(PACKAGE_DIR).resolve(SCRIPT);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        String message = "S3 tests need the s3rver package: run 'npm ci --prefix " + PACKAGE_DIR
                + "' (.ci/run does) with Node.js on the PATH";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message);
        }
        Assumptions.abort(message);
        throw new IllegalStateException(message);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** (Re)starts the server on its port, with the objects it held. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("node", script.toString(), "-d", data.toString(),
                "-a", "127.0.0.1", "-p", String.valueOf(port), "--silent", "--no-vhost-buckets"));
        for (String bucket : buckets) {
            if (!Files.isDirectory(data.resolve(bucket))) {
                command.add("--configure-bucket");
                command.add(bucket);
            }
        }
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(data.resolveSibling(data.getFileName() + ".log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start s3rver (is node on the PATH?)", e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("s3rver exited with " + process.exitValue() + " (see "
                        + data.resolveSibling(data.getFileName() + ".log") + ")");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    process.waitFor(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("s3rver did not listen on port " + port + " within 30 s");
    }

    /** Kills the server: connections drop, requests are refused, until {@link #start()}. */
    public synchronized void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /**
     * The worker's settings of an S3 destination {@code name} on this server ({@code backup.storage.destinations.
     * <name>.*}: bucket, prefix, endpoint, path-style, credentials, 5 MB parts, the smallest S3 allows).
     */
    public java.util.Map<String, String> destinationProperties(String name, String bucket, String prefix) {
        String key = "backup.storage.destinations." + name + ".";
        java.util.Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put(key + "type", "s3");
        p.put(key + "bucket", bucket);
        p.put(key + "prefix", prefix);
        p.put(key + "endpoint", endpoint());
        p.put(key + "path-style", "true");
        p.put(key + "access-key-id", ACCESS_KEY);
        p.put(key + "secret-access-key", SECRET_KEY);
        p.put(key + "part-size-mb", "5");
        return p;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Where the objects of {@code bucket} are kept on disk (s3rver's own layout). */
    public Path bucketDirectory(String bucket) {
        return data.resolve(bucket);
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(data)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
