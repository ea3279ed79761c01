package io.taskagent.backup.system;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One service started as a real process from its executable jar, as {@code run.sh} starts it. */
final class ServiceProcess implements AutoCloseable {

    /**
     * {@code BACKUP_MANAGEMENT_TOKEN} of every process started here (unless the test sets its own): Prometheus and
     * a test present it to read {@code /actuator/prometheus} and health's components; without it health shows its
     * status alone.
     */
    static final String MANAGEMENT_TOKEN = "system-test-management-" + Long.toHexString(System.nanoTime());

    /**
     * The JVM options of every service started here ({@code -Dsystem.test.service.jvm=...} to change them): the C1
     * compiler alone and the serial collector halve the CPU a Spring Boot start-up takes (4 s instead of 8.5 s of CPU
     * measured for the scheduler), and four services start side by side on a two-core machine. The data the system
     * tests move is small, so the C2 compiler's faster code would not pay for its compile time; the benchmarks
     * ({@code bench/}) start the services with the JVM's defaults.
     */
    static final List<String> JVM_OPTIONS = List.of(System.getProperty("system.test.service.jvm",
            "-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC").trim().split("\\s+"));

    final String module;
    final int port;
    private final Process process;
    final Path log;

    private ServiceProcess(String module, int port, Process process, Path log) {
        this.module = module;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    static ServiceProcess start(String module, Map<String, String> environment) throws IOException {
        Path jar = Path.of("..", module, "target", module + "-0.1.0-SNAPSHOT-exec.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no executable jar " + jar + ": build the modules first (mvn package)");
        }
        int port = freePort();
        Path logDir = Path.of("target", "e2e-logs");
        Files.createDirectories(logDir);
        Path log = logDir.resolve(module + "-" + port + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("SERVER_PORT", String.valueOf(port));
        // the management credential, as an operator sets it: health details and /actuator/prometheus need it
        builder.environment().putIfAbsent("BACKUP_MANAGEMENT_TOKEN", MANAGEMENT_TOKEN);
        return new ServiceProcess(module, port, builder.start(), log);
    }

    /** Waits until {@code /actuator/health} answers UP; fails at once, with its log, if the process exits. */
    ServiceProcess awaitHealthy(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            Awaitility.await(module + " healthy").atMost(timeout).pollInterval(Duration.ofMillis(300))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException(module + " exited with " + process.exitValue() + ":\n"
                                    + tail());
                        }
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url("/actuator/health")))
                                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                        return r.statusCode() == 200 && r.body().contains("\"status\":\"UP\"");
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(module + " not healthy within " + timeout + ":\n" + tail(), e);
        }
        return this;
    }

    /** SIGKILL: the process gets no chance to clean up, as in a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Whether the process still runs (a service that reconnected by itself was never restarted). */
    boolean alive() {
        return process.isAlive();
    }

    /**
     * The exit code of the process once it exited: 143 (128 + SIGTERM) when it stopped by itself after
     * {@link #close()}'s SIGTERM, 137 (128 + SIGKILL) when {@link #close()} or {@link #kill()} had to kill it.
     */
    int exitCode() {
        return process.exitValue();
    }

    /** The operating system's process id. */
    long pid() {
        return process.pid();
    }

    /**
     * {@code /actuator/health} read with the management token {@code token} (its components and details): its HTTP
     * status and body ({@code -1} and the error when it does not answer).
     */
    HealthAnswer health(String token) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url("/actuator/health")))
                    .header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return new HealthAnswer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new HealthAnswer(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new HealthAnswer(-1, e.toString());
        }
    }

    /** One answer of {@code /actuator/health}. */
    record HealthAnswer(int status, String body) {
        boolean up() {
            return status == 200 && body.contains("\"status\":\"UP\"");
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Everything the process logged so far. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    String tail() {
        try {
            var lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
