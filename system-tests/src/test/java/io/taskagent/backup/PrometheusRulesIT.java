package io.taskagent.backup;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Prometheus alert rules ({@code deploy/prometheus/rules/*.yml}) are valid ({@code promtool check rules}) and
 * pass their unit tests ({@code promtool test rules deploy/prometheus/tests/*.yml}), run from the repository root;
 * and promtool does fail a rule test whose expectation cannot hold, so these checks can fail.
 * <p>
 * promtool is found on the {@code PATH} ({@code PROMTOOL} overrides). Without it the tests fail when {@code CI=true}
 * and are skipped with that message elsewhere, as test-support's {@code Infrastructure} does for a missing service.
 */
class PrometheusRulesIT {

    private static final String MISSING = "promtool not installed: apt-get install prometheus";
    private static final long TIMEOUT_MINUTES = 5;

    /** The repository root: failsafe runs with the module directory as working directory. */
    private static Path root;
    private static String promtool;

    @BeforeAll
    static void findPromtool() {
        Path cwd = Path.of("").toAbsolutePath();
        root = Files.isDirectory(cwd.resolveSibling("deploy").resolve("prometheus")) ? cwd.getParent() : cwd;
        promtool = locate();
    }

    /** Per test, so that each one is reported as failed (CI) or skipped with the reason. */
    @BeforeEach
    void requirePromtool() {
        if (promtool == null) {
            String message = MISSING + " (or set PROMTOOL): the alert rules in deploy/prometheus/ are not tested";
            System.err.println("PrometheusRulesIT: " + message);
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(message + " (CI=true: .ci/run installs it)");
            }
            Assumptions.assumeTrue(false, message);
        }
    }

    @Test
    void rulesAreValid() throws Exception {
        List<String> rules = ymlFiles(root.resolve("deploy/prometheus/rules"));
        Result result = promtool("check", "rules", rules);
        assertEquals(0, result.exit(), () -> "promtool check rules " + rules + " failed (exit " + result.exit()
                + "):\n" + result.output());
        assertTrue(result.output().contains("SUCCESS"), () -> "promtool check rules said:\n" + result.output());
    }

    @Test
    void rulesPassTheirUnitTests() throws Exception {
        List<String> tests = ymlFiles(root.resolve("deploy/prometheus/tests"));
        Result result = promtool("test", "rules", tests);
        assertEquals(0, result.exit(), () -> "promtool test rules " + tests + " failed (exit " + result.exit()
                + "):\n" + result.output());
        assertFalse(result.output().contains("FAILED"), () -> "promtool test rules said:\n" + result.output());
    }

    /** A rule test expecting an alert that cannot fire (the service is up) must make promtool fail. */
    @Test
    void aWrongExpectationFails(@TempDir Path dir) throws Exception {
        Path rules = root.resolve("deploy/prometheus/rules/backup.yml").toAbsolutePath().normalize();
        Path test = dir.resolve("wrong_test.yml");
        Files.writeString(test, """
                rule_files:
                  - '%s'
                evaluation_interval: 1m
                tests:
                  - name: a service that is up is expected down
                    interval: 1m
                    input_series:
                      - series: 'up{instance="backup-worker:8081",job="taskagent-backup",service="backup-worker"}'
                        values: '1x30'
                    alert_rule_test:
                      - eval_time: 20m
                        alertname: BackupServiceDown
                        exp_alerts:
                          - exp_labels:
                              severity: critical
                              instance: backup-worker:8081
                              job: taskagent-backup
                              service: backup-worker
                """.formatted(rules.toString().replace("'", "''")), StandardCharsets.UTF_8);
        Result result = promtool("test", "rules", List.of(test.toString()));
        assertNotEquals(0, result.exit(), () -> "promtool test rules passed a test that cannot pass:\n"
                + result.output());
        assertTrue(result.output().contains("FAILED") && result.output().contains("BackupServiceDown"),
                () -> "promtool failed, but not on the wrong expectation:\n" + result.output());
    }

    // ---------------------------------------------------------------------------------------------------------

    private record Result(int exit, String output) {
    }

    private static Result promtool(String command, String what, List<String> files) throws Exception {
        List<String> commandLine = new ArrayList<>(List.of(promtool, command, what));
        commandLine.addAll(files);
        Path output = Files.createTempFile("promtool", ".txt");
        try {
            Process process = new ProcessBuilder(commandLine).directory(root.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                fail(String.join(" ", commandLine) + " did not finish within " + TIMEOUT_MINUTES + " minutes:\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** The {@code *.yml} files of a directory, relative to the root, sorted; fails when there are none. */
    private static List<String> ymlFiles(Path dir) throws IOException {
        List<String> files = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.yml")) {
                stream.forEach(file -> files.add(root.relativize(file.toAbsolutePath()).toString()));
            }
        }
        if (files.isEmpty()) {
            fail("no *.yml files in " + dir.toAbsolutePath().normalize());
        }
        files.sort(null);
        return files;
    }

    private static String locate() {
        String configured = System.getenv("PROMTOOL");
        if (configured != null && !configured.isBlank()) {
            return Files.isExecutable(Path.of(configured)) ? configured : null;
        }
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "promtool"))) {
                return Path.of(dir, "promtool").toString();
            }
        }
        return null;
    }
}
