package io.taskagent.backup.system;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard and the alert rules against the live system: the four services as processes (their executable jars)
 * on the real broker and database, scraped every second by a real Prometheus ({@code /usr/bin/prometheus}, or
 * {@code PROMETHEUS}) that loads the repository's {@code deploy/prometheus/rules/*.yml}. After a backup, a
 * verification, a restore dry run, a drill, a copy to a second destination, a backup that fails (the worker
 * restarted on a database that does not exist) whose alert cannot be sent on one channel (a webhook nobody listens
 * on) and a cleanup given up (a job left running by a worker that died on it three times), every panel query of
 * {@code deploy/grafana/provisioning/dashboards/taskagent-backup.json} and every metric the
 * rules use must exist in Prometheus with the labels they rely on, and {@code BackupFailing} must fire. A renamed
 * metric, label or a broken query makes this test fail; so does a failure that does not fire its alert, or an alert
 * that fires without reason.
 * <p>
 * Panels are evaluated as Grafana does, as range queries over the test's time (so a series of the worker before its
 * restart counts, as it would on the dashboard); the template variables become {@code $target = taskagent},
 * {@code $application = .*}, {@code $__rate_interval = 1m}, {@code $__range = 5m}. A rule's expression is evaluated
 * as an instant query (it must succeed), and, since most rules rightly return nothing on a healthy system, every
 * metric it selects must have a series carrying every label its matchers name, and every label it groups or matches
 * by ({@code by}, {@code on}, ...) must be on one of its metrics. Without a prometheus binary the test fails when
 * {@code CI=true} and every test is skipped with that message elsewhere.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveMetricsIT {

    static final String CATALOG = "backup_catalog_it_live_metrics";
    static final String SOURCE = "taskagent_ref";
    static final String MISSING = "taskagent_live_metrics_missing";
    static final String TARGET = "taskagent";
    static final String TOKEN = "live-metrics-admin-token-" + System.nanoTime();
    static final List<String> SERVICES = List.of("api-gateway", "backup-worker", "scheduler-service", "alert-service");
    static final String RATE_INTERVAL = "1m";
    static final String RANGE = "5m";
    /** Every series Prometheus ever had in this test is younger than this. */
    static final String WINDOW = "15m";
    static final Duration DATA_TIMEOUT = Duration.ofSeconds(60);
    static final String ALERT_DLQ = Topology.deadLetterQueue(Topology.ALERT_EVENTS_QUEUE);

    static Path root;
    static Infrastructure infra;
    static GreenMail smtp;
    static Path storage;
    static BrokerProbe broker;
    static ServiceProcess gateway;
    static ServiceProcess worker;
    static ServiceProcess alerts;
    static ServiceProcess scheduler;
    static Prometheus prometheus;
    /** Why the test is skipped: no prometheus binary (outside CI). */
    static String missing;
    static Instant started;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startTheSystemAndPrometheus() throws Exception {
        Path cwd = Path.of("").toAbsolutePath();
        root = Files.isDirectory(cwd.resolveSibling("deploy").resolve("prometheus")) ? cwd.getParent() : cwd;
        String binary = prometheusBinary();
        if (binary == null) {
            return;
        }
        started = Instant.now();

        infra = Infrastructure.get();
        infra.recreateDatabase(CATALOG);
        infra.dropDatabase(MISSING);
        ReferenceDataset.ensure(infra, SOURCE, 1);
        storage = Files.createTempDirectory("live-metrics-backups");
        smtp = new GreenMail(new ServerSetup(ServiceProcess.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        broker = new BrokerProbe(infra);
        broker.purge(Topology.WORKER_COMMANDS_QUEUE);
        broker.purge(Topology.ALERT_EVENTS_QUEUE);

        worker = startWorker(infra.jdbcUrl(SOURCE));
        // e-mail works; the webhook points at a port nobody listens on: its alerts fail (alerts_failed_total)
        alerts = ServiceProcess.start("alert-service", env(Map.of(
                "SPRING_MAIL_HOST", "127.0.0.1",
                "SPRING_MAIL_PORT", String.valueOf(smtp.getSmtp().getPort()),
                "ALERT_MAIL_RECIPIENTS", "oncall@taskagent.test",
                "ALERT_WEBHOOK_URL", "http://127.0.0.1:" + ServiceProcess.freePort() + "/hook",
                "ALERT_HTTP_CONNECT_TIMEOUT", "1s",
                "ALERT_HTTP_REQUEST_TIMEOUT", "2s")));
        // the interval schedule once a week and no drill schedule: nothing scheduled joins the test's jobs
        scheduler = ServiceProcess.start("scheduler-service", env(Map.of(
                "SCHEDULER_INTERVAL_HOURS", "168",
                "SCHEDULER_DAILY_ENABLED", "false",
                "SCHEDULER_WEEKLY_ENABLED", "false",
                "SCHEDULER_MONTHLY_ENABLED", "false",
                "SCHEDULER_DRILL_ENABLED", "false")));
        gateway = ServiceProcess.start("api-gateway", env(Map.of("BACKUP_ADMIN_TOKEN", TOKEN,
                "GATEWAY_SERVICES_WORKER_URL", worker.url(""),
                "GATEWAY_SERVICES_SCHEDULER_URL", scheduler.url(""),
                "GATEWAY_SERVICES_ALERTS_URL", alerts.url(""))));
        // Prometheus from the start, while the services come up: their first scrapes are part of the test
        prometheus = Prometheus.start(binary, root, scrapeTargets());
        for (ServiceProcess p : new ServiceProcess[]{gateway, worker, alerts, scheduler}) {
            p.awaitHealthy(Duration.ofSeconds(120));
        }
        prometheus.awaitReady(Duration.ofSeconds(60));
    }

    /**
     * {@code PROMETHEUS}, else {@code /usr/bin/prometheus}, else {@code prometheus} on the PATH; none: fails with
     * {@code CI=true}, else null (every test is skipped, with the reason).
     */
    private static String prometheusBinary() {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getenv("PROMETHEUS");
        if (configured != null && !configured.isBlank()) {
            candidates.add(Path.of(configured));
        } else {
            candidates.add(Path.of("/usr/bin/prometheus"));
            String path = System.getenv("PATH");
            for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "prometheus"));
                }
            }
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String message = "LiveMetricsIT: no prometheus binary (" + (configured == null || configured.isBlank()
                ? "/usr/bin/prometheus, PATH" : "PROMETHEUS=" + configured) + "): apt-get install prometheus, or set "
                + "PROMETHEUS. The dashboard and the alert rules are NOT checked against the live system.";
        System.err.println("*** " + message);
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message + " (CI=true)");
        }
        missing = message;
        return null;
    }

    /** Per test, so that each one is reported as skipped, with the reason. */
    @BeforeEach
    void requirePrometheus() {
        if (missing != null) {
            Assumptions.abort(missing);
        }
    }

    private static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(infra.environment(CATALOG));
        env.put("BACKUP_SOURCE_USERNAME", infra.pgUser);
        env.put("BACKUP_SOURCE_PASSWORD", infra.pgPassword);
        env.put("BACKUP_STORAGE_DIR", storage.resolve("local").toString());
        env.putAll(extra);
        return env;
    }

    /** A worker writing to destination {@code local} and copying every backup to {@code offsite}. */
    private static ServiceProcess startWorker(String sourceUrl) throws Exception {
        return ServiceProcess.start("backup-worker", env(Map.of(
                "BACKUP_SOURCE_URL", sourceUrl,
                "BACKUP_STORAGE_DESTINATIONS_LOCAL_TYPE", "local",
                "BACKUP_STORAGE_DESTINATIONS_LOCAL_PATH", storage.resolve("local").toString(),
                "BACKUP_STORAGE_DESTINATIONS_OFFSITE_TYPE", "local",
                "BACKUP_STORAGE_DESTINATIONS_OFFSITE_PATH", storage.resolve("offsite").toString(),
                "BACKUP_STORAGE_PRIMARY", "local",
                "BACKUP_STORAGE_COPIES", "offsite")));
    }

    private static Map<String, ServiceProcess> scrapeTargets() {
        Map<String, ServiceProcess> targets = new LinkedHashMap<>();
        targets.put("api-gateway", gateway);
        targets.put("backup-worker", worker);
        targets.put("scheduler-service", scheduler);
        targets.put("alert-service", alerts);
        return targets;
    }

    @AfterAll
    static void stopEverything() throws Exception {
        SystemTestSupport.closeAll(prometheus, gateway, worker, alerts, scheduler, broker, smtp);
        if (started != null) {
            System.out.println("LiveMetricsIT took " + Duration.between(started, Instant.now()).toSeconds() + " s");
        }
    }

    // ---- the system at work --------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void backupVerifyRestoreDryRunDrillAndAFailingBackupRunThroughTheApi() throws Exception {
        String backup = accepted(api("POST", "/api/backup/create", "{\"backup_type\":\"manual\"}"));
        assertThat(awaitFinished(backup).path("status").asString()).isEqualTo("SUCCEEDED");

        String verify = accepted(api("POST", "/api/backup/verify", "{\"backup_id\":\"" + backup + "\"}"));
        assertThat(awaitFinished(verify).path("status").asString()).isEqualTo("SUCCEEDED");

        String dryRun = accepted(api("POST", "/api/backup/restore",
                "{\"backup_id\":\"" + backup + "\",\"dry_run\":true}"));
        assertThat(awaitFinished(dryRun).path("status").asString()).isEqualTo("SUCCEEDED");

        String drill = accepted(api("POST", "/api/backup/drills", "{\"backup_id\":\"" + backup + "\"}"));
        JsonNode drilled = awaitFinished(drill);
        assertThat(drilled.path("status").asString()).as(drilled.toString()).isEqualTo("SUCCEEDED");

        // the copy to offsite, before the worker goes
        awaitPrometheus("the copy to offsite scraped", () ->
                query("backup_copies_total{destination=\"offsite\",outcome=\"success\"}").isEmpty()
                        ? "no backup_copies_total{destination=\"offsite\",outcome=\"success\"}" : null);
        // and the drill's timer (registered when the drill ends): scraped before the worker goes
        awaitPrometheus("the drill scraped", () ->
                query("backup_drill_duration_seconds_count{target=\"taskagent\"}").isEmpty()
                        ? "no backup_drill_duration_seconds_count{target=\"taskagent\"}" : null);

        // the worker restarted on a database that does not exist: its backup fails
        worker.close();
        worker = startWorker(infra.jdbcUrl(MISSING));
        prometheus.configure(scrapeTargets());
        worker.awaitHealthy(Duration.ofSeconds(120));
        prometheus.awaitReady(Duration.ofSeconds(60));
        String failing = accepted(api("POST", "/api/backup/create", "{\"backup_type\":\"manual\"}"));
        JsonNode failed = awaitFinished(failing);
        assertThat(failed.path("status").asString()).isEqualTo("FAILED");
        assertThat(failed.path("error_message").asString()).contains(MISSING);

        // a cleanup whose worker died on it as often as a job may be tried (its lease expired, attempts used up):
        // the worker's lease reaper gives it up (backup_cleanup_failures_total)
        try (java.sql.Connection c = infra.connect(CATALOG); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("""
                    INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, started_at,
                                             attempts, lease_owner, lease_until)
                    VALUES (gen_random_uuid(), 'cleanup', 'cleanup', '%s', 'RUNNING', 'live-metrics-it', now(), now(),
                            3, 'a-worker-that-died', now() - interval '1 minute')""".formatted(TARGET));
        }
    }

    // ---- the alert rules -----------------------------------------------------------------------------------------

    @Test
    @Order(2)
    void everyRuleIsLoadedEvaluatesWithoutErrorAndFindsEveryMetricAndLabelItUses() throws Exception {
        Map<String, String> rules = ruleExpressions();
        assertThat(rules).as("rules in deploy/prometheus/rules").isNotEmpty();
        rules.forEach((name, expr) -> System.out.println("LiveMetricsIT rule " + name + " selects " + selectors(expr)
                + ", groups by " + groupingLabels(expr)));

        // loaded by Prometheus, every one evaluated without error
        awaitPrometheus("every rule loaded and evaluated", () -> {
            JsonNode groups = get("/api/v1/rules").path("data").path("groups");
            Map<String, String> health = new TreeMap<>();
            for (JsonNode group : groups) {
                for (JsonNode rule : group.path("rules")) {
                    String error = rule.path("lastError").asString("");
                    health.put(rule.path("name").asString(),
                            rule.path("health").asString() + (error.isEmpty() ? "" : ": " + error));
                }
            }
            List<String> problems = new ArrayList<>();
            for (String name : rules.keySet()) {
                String h = health.get(name);
                if (!"ok".equals(h)) {
                    problems.add(name + " " + (h == null ? "not loaded" : h));
                }
            }
            return problems.isEmpty() ? null : String.join("\n", problems);
        });

        // each expression is a query Prometheus answers; each metric it selects exists, with each label it names
        awaitPrometheus("every metric and label of the rules", () -> {
            List<String> problems = new ArrayList<>();
            rules.forEach((name, expr) -> {
                JsonNode answer = queryResponse(expr);
                if (!"success".equals(answer.path("status").asString())) {
                    problems.add(name + ": " + answer.path("error").asString() + " in\n" + expr);
                }
                Map<String, Set<String>> selected = selectors(expr);
                // a label the expression groups or matches by is carried by at least one of its metrics
                String names = String.join("|", selected.keySet());
                for (String label : groupingLabels(expr)) {
                    if (!names.isEmpty() && query("count(last_over_time({__name__=~\"" + names + "\"," + label
                            + "!=\"\"}[" + WINDOW + "]))").isEmpty()) {
                        problems.add(name + ": none of " + selected.keySet() + " has the label " + label);
                    }
                }
                selected.forEach((metric, labels) -> {
                    if (query("count(last_over_time(" + metric + "[" + WINDOW + "]))").isEmpty()) {
                        problems.add(name + ": no series of " + metric);
                        return;
                    }
                    for (String label : labels) {
                        String withLabel = metric + "{" + label + "!=\"\"}";
                        if (query("count(last_over_time(" + withLabel + "[" + WINDOW + "]))").isEmpty()) {
                            problems.add(name + ": no series of " + metric + " has the label " + label);
                        }
                    }
                });
            });
            return problems.isEmpty() ? null : String.join("\n", problems);
        });
    }

    @Test
    @Order(3)
    void theFailuresFireTheirRulesAndTheDeadLetterIsPendingAndNothingElse() {
        awaitPrometheus("the alerts of the failure", () -> {
            JsonNode alerts = get("/api/v1/alerts").path("data").path("alerts");
            List<String> missing = new ArrayList<>();
            if (!hasAlert(alerts, "BackupFailing", Map.of("target", TARGET, "severity", "warning"), Set.of("firing"))) {
                missing.add("BackupFailing{target=\"taskagent\"} firing");
            }
            if (!hasAlert(alerts, "BackupCleanupFailing", Map.of("severity", "warning"), Set.of("firing"))) {
                missing.add("BackupCleanupFailing firing");
            }
            if (!hasAlert(alerts, "AlertDeliveryFailing", Map.of("channel", "webhook", "kind", "BackupFailed"),
                    Set.of("firing"))) {
                missing.add("AlertDeliveryFailing{channel=\"webhook\",kind=\"BackupFailed\"} firing");
            }
            // for: 5m, so pending within this test
            if (!hasAlert(alerts, "BackupDeadLetters", Map.of("queue", ALERT_DLQ),
                    Set.of("pending", "firing"))) {
                missing.add("BackupDeadLetters{queue=\"alert-service.events.dlq\"} pending");
            }
            return missing.isEmpty() ? null : "missing " + missing + " among " + alerts;
        });
        // nothing else: the backup is fresh, storage plentiful, restore, verification, drill and copy went well, the
        // restarted worker reads the last passed drill from the catalog, and the services are up (a single slow
        // scrape may make BackupServiceDown pending, never firing; BackupJobsStuck may be pending for the seconds
        // the given-up cleanup was running in the catalog)
        JsonNode alerts = get("/api/v1/alerts").path("data").path("alerts");
        for (String quiet : List.of("BackupStale", "BackupMetricAbsent", "BackupStorageLow", "BackupStorageFull",
                "BackupRestoreFailed", "BackupVerifyFailed", "BackupDrillFailed", "BackupDrillOverdue",
                "BackupDrillMetricAbsent", "BackupReplicationFailing")) {
            assertThat(hasAlert(alerts, quiet, Map.of(), Set.of("pending", "firing"))).as(quiet + " in " + alerts)
                    .isFalse();
        }
        assertThat(hasAlert(alerts, "BackupServiceDown", Map.of(), Set.of("firing"))).as(alerts.toString()).isFalse();
    }

    private static boolean hasAlert(JsonNode alerts, String name, Map<String, String> labels, Set<String> states) {
        for (JsonNode alert : alerts) {
            JsonNode l = alert.path("labels");
            if (name.equals(l.path("alertname").asString()) && states.contains(alert.path("state").asString())
                    && labels.entrySet().stream().allMatch(e -> e.getValue().equals(l.path(e.getKey()).asString()))) {
                return true;
            }
        }
        return false;
    }

    // ---- the dashboard -------------------------------------------------------------------------------------------

    @Test
    @Order(4)
    void everyPanelOfTheDashboardShowsSeriesWithTheLabelsItsLegendUses() throws Exception {
        JsonNode dashboard = MessageJson.mapper().readTree(
                root.resolve("deploy/grafana/provisioning/dashboards/taskagent-backup.json").toFile());
        assertThat(dashboard.path("uid").asString()).isEqualTo("taskagent-backup");
        String datasource = provisionedDatasourceUid();
        List<Panel> panels = new ArrayList<>();
        collectPanels(dashboard.path("panels"), panels);
        assertThat(panels).as("panel queries").hasSizeGreaterThan(10);
        for (Panel p : panels) {
            assertThat(p.datasource()).as("datasource of %s", p.title()).isEqualTo(datasource);
        }

        // the template variables list the target and the four services
        JsonNode variables = dashboard.path("templating").path("list");
        Map<String, List<String>> expectedValues = Map.of("target", List.of(TARGET), "application", SERVICES);
        assertThat(variables).hasSize(expectedValues.size());
        awaitPrometheus("the template variables' values", () -> {
            List<String> problems = new ArrayList<>();
            for (JsonNode variable : variables) {
                String name = variable.path("name").asString();
                String definition = variable.path("query").isObject() ? variable.path("query").path("query").asString()
                        : variable.path("query").asString();
                Matcher m = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)").matcher(definition);
                if (!m.matches() || !expectedValues.containsKey(name)) {
                    problems.add("variable " + name + ": unexpected " + definition);
                    continue;
                }
                JsonNode values = get("/api/v1/label/" + m.group(2) + "/values?match[]=" + encode(m.group(1).trim())
                        + "&start=" + started.getEpochSecond()).path("data");
                List<String> found = new ArrayList<>();
                values.forEach(v -> found.add(v.asString()));
                if (!found.containsAll(expectedValues.get(name))) {
                    problems.add("variable " + name + " (" + definition + ") lists " + found + ", not all of "
                            + expectedValues.get(name));
                }
            }
            return problems.isEmpty() ? null : String.join("\n", problems);
        });

        awaitPrometheus("every panel's series", () -> {
            List<String> problems = new ArrayList<>();
            for (Panel p : panels) {
                String problem = check(p);
                if (problem != null) {
                    problems.add(problem);
                }
            }
            return problems.isEmpty() ? null : problems.size() + " of " + panels.size() + " panel queries:\n"
                    + String.join("\n", problems);
        });
    }

    record Panel(String title, String refId, String expr, String legend, String datasource) {
    }

    private static void collectPanels(JsonNode list, List<Panel> into) {
        for (JsonNode panel : list) {
            if (panel.has("panels")) {
                collectPanels(panel.path("panels"), into);
            }
            String panelDatasource = panel.path("datasource").path("uid").asString("");
            for (JsonNode target : panel.path("targets")) {
                String ds = target.path("datasource").path("uid").asString(panelDatasource);
                into.add(new Panel(panel.path("title").asString(), target.path("refId").asString(),
                        target.path("expr").asString(), target.path("legendFormat").asString(""), ds));
            }
        }
    }

    /**
     * The panel's query over the test's time, as Grafana runs it: it succeeds and returns series; each carries every
     * label its legend names, and a query filtered by {@code $target} returns the test's target only.
     */
    private static String check(Panel p) {
        String expr = p.expr().replace("$__rate_interval", RATE_INTERVAL).replace("$__interval", RATE_INTERVAL)
                .replace("$__range", RANGE).replace("$target", TARGET).replace("$application", ".*");
        String what = "\"" + p.title() + "\" " + p.refId() + " (" + expr + ")";
        if (expr.contains("$")) {
            return what + ": an unknown variable";
        }
        long end = Instant.now().getEpochSecond();
        JsonNode answer = get("/api/v1/query_range?query=" + encode(expr) + "&start=" + started.getEpochSecond()
                + "&end=" + end + "&step=2");
        if (!"success".equals(answer.path("status").asString())) {
            return what + ": " + answer.path("error").asString();
        }
        JsonNode series = answer.path("data").path("result");
        if (series.isEmpty()) {
            return what + ": no series";
        }
        Set<String> legendLabels = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}").matcher(p.legend());
        while (m.find()) {
            legendLabels.add(m.group(1));
        }
        for (JsonNode s : series) {
            JsonNode labels = s.path("metric");
            for (String label : legendLabels) {
                if (labels.path(label).asString("").isEmpty()) {
                    return what + ": a series without the label " + label + " of its legend: " + labels;
                }
            }
            if (p.expr().contains("$target") && !TARGET.equals(labels.path("target").asString(""))) {
                return what + ": a series without target=\"" + TARGET + "\": " + labels;
            }
        }
        return null;
    }

    private static String provisionedDatasourceUid() throws IOException {
        Map<String, Object> provisioning = new Yaml().load(Files.readString(
                root.resolve("deploy/grafana/provisioning/datasources/prometheus.yml")));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> datasources = (List<Map<String, Object>>) provisioning.get("datasources");
        return String.valueOf(datasources.get(0).get("uid"));
    }

    // ---- rule files and their metrics ----------------------------------------------------------------------------

    /** Every alerting and recording rule of {@code deploy/prometheus/rules/*.yml}: name to expression. */
    @SuppressWarnings("unchecked")
    static Map<String, String> ruleExpressions() throws IOException {
        Map<String, String> rules = new LinkedHashMap<>();
        for (Path file : ruleFiles()) {
            Map<String, Object> content = new Yaml().load(Files.readString(file));
            for (Map<String, Object> group : (List<Map<String, Object>>) content.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    Object name = rule.containsKey("alert") ? rule.get("alert") : rule.get("record");
                    rules.put(String.valueOf(name), String.valueOf(rule.get("expr")).trim());
                }
            }
        }
        return rules;
    }

    static List<Path> ruleFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        Path dir = root.resolve("deploy/prometheus/rules");
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.yml")) {
            stream.forEach(f -> files.add(f.toAbsolutePath().normalize()));
        }
        files.sort(null);
        return files;
    }

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "offset", "bool", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan", "atan2", "start", "end");

    /**
     * The metrics a PromQL expression selects, each with the label names its matchers use: string literals, range
     * and offset durations and grouping label lists are removed, then every identifier that is neither a function
     * (followed by a parenthesis) nor a keyword is a metric name, and the braces after it its matchers.
     */
    static Map<String, Set<String>> selectors(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("'(?:[^'\\\\]|\\\\.)*'", "\"\"")
                .replaceAll("\\[[^\\]]*]", "")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Map<String, Set<String>> selectors = new LinkedHashMap<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '{') {
                i = s.indexOf('}', i) + 1;
                continue;
            }
            boolean start = Character.isLetter(c) || c == '_' || c == ':';
            char before = i > 0 ? s.charAt(i - 1) : ' ';
            boolean inWord = Character.isLetterOrDigit(before) || "_:.$".indexOf(before) >= 0;
            if (!start || inWord) {
                i++;
                continue;
            }
            int j = i;
            while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || "_:".indexOf(s.charAt(j)) >= 0)) {
                j++;
            }
            String name = s.substring(i, j);
            int k = j;
            while (k < s.length() && Character.isWhitespace(s.charAt(k))) {
                k++;
            }
            if (k < s.length() && s.charAt(k) == '(' || KEYWORDS.contains(name.toLowerCase())) {
                i = j;
                continue;
            }
            Set<String> labels = selectors.computeIfAbsent(name, n -> new LinkedHashSet<>());
            if (k < s.length() && s.charAt(k) == '{') {
                int close = s.indexOf('}', k);
                Matcher m = Pattern.compile("(\\w+)\\s*(=~|!~|!=|=)").matcher(s.substring(k + 1, close));
                while (m.find()) {
                    labels.add(m.group(1));
                }
                j = close + 1;
            }
            i = j;
        }
        return selectors;
    }

    /** The labels of an expression's {@code by}, {@code without}, {@code on}, {@code ignoring} and group lists. */
    static Set<String> groupingLabels(String expr) {
        Set<String> labels = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)")
                .matcher(expr);
        while (m.find()) {
            for (String label : m.group(1).split(",")) {
                if (!label.isBlank()) {
                    labels.add(label.trim());
                }
            }
        }
        return labels;
    }

    // ---- HTTP ----------------------------------------------------------------------------------------------------

    private static HttpResponse<String> api(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url(path)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String accepted(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return MessageJson.mapper().readTree(response.body()).get("job_id").asString();
    }

    private static JsonNode awaitFinished(String jobId) {
        JsonNode[] job = new JsonNode[1];
        await("job " + jobId).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            HttpResponse<String> r = api("GET", "/api/backup/jobs/" + jobId, null);
            job[0] = MessageJson.mapper().readTree(r.body());
            String status = job[0].path("status").asString();
            return status.equals("SUCCEEDED") || status.equals("FAILED");
        });
        return job[0];
    }

    private static JsonNode get(String pathAndQuery) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(prometheus.url(pathAndQuery)))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            return MessageJson.mapper().readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("Prometheus " + pathAndQuery + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode queryResponse(String promql) {
        return get("/api/v1/query?query=" + encode(promql));
    }

    /** The series of an instant query; fails on an error. */
    private static JsonNode query(String promql) {
        JsonNode answer = queryResponse(promql);
        if (!"success".equals(answer.path("status").asString())) {
            throw new IllegalStateException(promql + ": " + answer);
        }
        return answer.path("data").path("result");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * Polls {@code problems} (null: none) until there are none; else fails with the last problems, so that a missing
     * metric is named rather than reported as a time-out.
     */
    private static void awaitPrometheus(String what, Supplier<String> problems) {
        awaitPrometheus(what, DATA_TIMEOUT, problems);
    }

    private static void awaitPrometheus(String what, Duration timeout, Supplier<String> problems) {
        String[] answer = new String[1];
        String[] error = new String[1];
        try {
            await(what).atMost(timeout).pollInterval(Duration.ofSeconds(1)).until(() -> {
                try {
                    answer[0] = problems.get();
                    return answer[0] == null;
                } catch (IllegalStateException e) {
                    error[0] = e.getMessage(); // Prometheus not answering (yet), or the wait interrupted at its end
                    return false;
                }
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(what + " not there within " + timeout + ":\n"
                    + (answer[0] != null ? answer[0] : error[0])
                    + "\n(Prometheus log: " + prometheus.log + ")", e);
        }
    }

    // ---- Prometheus ----------------------------------------------------------------------------------------------

    /** A Prometheus process on a free port with its configuration and storage in a temporary directory. */
    static final class Prometheus implements AutoCloseable {

        final int port;
        final Path dir;
        final Path log;
        private final Path root;
        private final Process process;

        private Prometheus(int port, Path dir, Path log, Path root, Process process) {
            this.port = port;
            this.dir = dir;
            this.log = log;
            this.root = root;
            this.process = process;
        }

        static Prometheus start(String binary, Path root, Map<String, ServiceProcess> services) throws IOException {
            Path dir = Files.createTempDirectory("live-metrics-prometheus");
            int port = ServiceProcess.freePort();
            Path logDir = Path.of("target", "e2e-logs");
            Files.createDirectories(logDir);
            Path log = logDir.resolve("prometheus-" + port + ".log").toAbsolutePath();
            Files.writeString(dir.resolve("prometheus.yml"), config(root, services));
            Process process = new ProcessBuilder(binary,
                    "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port,
                    "--web.enable-lifecycle")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Prometheus prometheus = new Prometheus(port, dir, log, root, process);
            prometheus.expect(services);
            return prometheus;
        }

        private void expect(Map<String, ServiceProcess> services) {
            List<String> instances = new ArrayList<>();
            services.values().forEach(s -> instances.add("127.0.0.1:" + s.port));
            expected = instances;
        }

        /** Writes the configuration scraping these services and, once Prometheus answers, reloads it. */
        void configure(Map<String, ServiceProcess> services) throws Exception {
            Files.writeString(dir.resolve("prometheus.yml"), config(root, services));
            await("Prometheus reloads its configuration").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(300))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("prometheus exited with " + process.exitValue() + ":\n"
                                    + Files.readString(log));
                        }
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url("/-/reload")))
                                .POST(HttpRequest.BodyPublishers.noBody()).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException("reload: " + r.statusCode() + " " + r.body());
                        }
                        return true;
                    });
            expect(services);
        }

        private List<String> expected = List.of();

        /** Until every configured service was scraped successfully. */
        void awaitReady(Duration timeout) {
            awaitPrometheus("Prometheus scrapes " + expected, timeout, () -> {
                if (!process.isAlive()) {
                    return "prometheus exited with " + process.exitValue() + ", see " + log;
                }
                JsonNode up = query("up{job=\"taskagent-backup\"} == 1");
                Set<String> instances = new LinkedHashSet<>();
                up.forEach(s -> instances.add(s.path("metric").path("instance").asString()));
                return instances.containsAll(expected) ? null : "up: " + instances;
            });
        }

        static String config(Path root, Map<String, ServiceProcess> services) {
            StringBuilder yaml = new StringBuilder("""
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                      evaluation_interval: 1s
                    rule_files:
                      - '%s'
                    scrape_configs:
                      - job_name: taskagent-backup
                        metrics_path: /actuator/prometheus
                        authorization:
                          credentials: '%s'
                        static_configs:
                    """.formatted(root.resolve("deploy/prometheus/rules").toAbsolutePath().normalize()
                    .resolve("*.yml").toString().replace("'", "''"), ServiceProcess.MANAGEMENT_TOKEN));
            services.forEach((service, process) -> yaml.append("""
                          - targets: ["127.0.0.1:%d"]
                            labels:
                              service: %s
                    """.formatted(process.port, service)));
            return yaml.toString();
        }

        String url(String pathAndQuery) {
            return "http://127.0.0.1:" + port + pathAndQuery;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
