package io.taskagent.backup.gateway;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

import static io.taskagent.backup.gateway.GatewayTestSupport.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad bodies at every write endpoint of the real gateway (real catalog and broker), counted: bodies above the size
 * limit (413), deeply nested JSON (400), wrongly typed fields (400 naming the field) and bodies that are not UTF-8
 * (400 saying so), a few hundred of each, generated from a fixed seed. Every command the gateway publishes is
 * captured from {@code backup.commands} through a queue of the test's own: none for any bad body, and the valid
 * request after them is accepted and is the only message captured. No error echoes a configured secret or a value
 * that was sent.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadRequestBodyIT {

    static final String CATALOG = "backup_catalog_it_gateway_bad_input";
    static final String MANAGEMENT = "it-management-secret-bad-input";
    static final int LIMIT = 1024 * 1024; // the default of gateway.request.max-body-size
    static final int PER_KIND = 320;

    static BrokerProbe commands;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        GatewayTestSupport.freshCatalog(CATALOG);
        Infrastructure.get().springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("gateway.admin-token", () -> ADMIN);
        registry.add("backup.management.token", () -> MANAGEMENT);
        String storage = java.nio.file.Files.createTempDirectory("bad-input").toString();
        registry.add("gateway.backup-directory", () -> storage);
        // the throttle counts wrong tokens only; this test sends the right one, so it never applies here
    }

    @BeforeAll
    static void captureEveryCommand() {
        commands = new BrokerProbe(Infrastructure.get()).capture(Topology.COMMANDS_EXCHANGE, "#");
    }

    @AfterAll
    static void cleanUp() {
        commands.close();
        try (BrokerProbe broker = new BrokerProbe(Infrastructure.get())) {
            broker.purge(Topology.WORKER_COMMANDS_QUEUE); // no worker runs here: leave no commands behind
            broker.purge(Topology.SCHEDULER_COMMANDS_QUEUE);
            broker.purge(Topology.ALERT_EVENTS_QUEUE);
        }
    }

    @Value("${local.server.port}")
    int port;

    /** A field of a request body and the JSON type it takes. */
    record Field(String name, String type) {
    }

    /** A write endpoint: its path, a body it accepts, and its fields. */
    record Endpoint(String path, String validBody, List<Field> fields) {
    }

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("/api/backup/create", "{\"backup_type\":\"manual\"}", List.of(new Field("backup_type", "string"))),
            new Endpoint("/api/backup/restore", "{\"backup_filename\":\"x.json.zst\",\"dry_run\":true}", List.of(
                    new Field("backup_id", "string"), new Field("backup_filename", "string"),
                    new Field("target", "string"), new Field("dry_run", "boolean"),
                    new Field("skip_safety_backup", "boolean"), new Field("mode", "string"),
                    new Field("create_database", "string"), new Field("destination", "string"))),
            new Endpoint("/api/backup/verify", "{\"backup_id\":\"" + UUID.randomUUID() + "\"}",
                    List.of(new Field("backup_id", "string"))),
            new Endpoint("/api/backup/drills", "{}", List.of(new Field("backup_id", "string"))),
            new Endpoint("/api/backup/cleanup", "{\"dry_run\":true}", List.of(new Field("dry_run", "boolean"))),
            new Endpoint("/api/backup/scheduler/configure", "{\"keep_manual\":5}", List.of(
                    new Field("backup_interval_hours", "integer"), new Field("daily_backup_time", "string"),
                    new Field("weekly_backup_day", "integer"), new Field("keep_hourly_backups", "integer"),
                    new Field("keep_daily_backups", "integer"), new Field("keep_weekly_backups", "integer"),
                    new Field("keep_monthly_backups", "integer"), new Field("max_backup_size_mb", "integer"),
                    new Field("compression_enabled", "boolean"), new Field("email_recipients", "list"),
                    new Field("email_alerts_enabled", "boolean"), new Field("alert_on_failure", "boolean"),
                    new Field("time_zone", "string"), new Field("interval_enabled", "boolean"),
                    new Field("cron_schedules", "map"), new Field("cleanup_time", "string"),
                    new Field("keep_manual", "integer"), new Field("keep_pre_restore_days", "integer"),
                    new Field("interval_hours", "integer"), new Field("keep_daily", "integer"))),
            new Endpoint("/api/backup/scheduler/start", "{}", List.of()),
            new Endpoint("/api/backup/scheduler/stop", "{}", List.of()));

    /** One generated request: endpoint, body bytes, content type, whether it is sent chunked. */
    record Bad(Endpoint endpoint, byte[] body, String contentType, boolean chunked, String field) {
    }

    /** The figures of one kind of bad body. */
    static final class Tally {
        final String kind;
        int sent;
        final Map<Integer, Integer> byStatus = new TreeMap<>();
        final List<String> unexpected = new ArrayList<>();

        Tally(String kind) {
            this.kind = kind;
        }

        @Override
        public String toString() {
            return String.format("%-14s sent %4d, answered %s", kind, sent, byStatus);
        }
    }

    static final List<Tally> TALLIES = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> send(Bad bad) throws Exception {
        HttpRequest.BodyPublisher publisher = bad.chunked()
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bad.body()))
                : HttpRequest.BodyPublishers.ofByteArray(bad.body());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + bad.endpoint().path()))
                .POST(publisher).header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(30));
        if (bad.contentType() != null) {
            request.header("Content-Type", bad.contentType());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends every request, counts the answers, and checks each with {@code check} (a problem, or null). */
    private Tally run(String kind, List<Bad> requests, Function<Map.Entry<Bad, HttpResponse<String>>, String> check)
            throws Exception {
        Tally tally = new Tally(kind);
        for (Bad bad : requests) {
            HttpResponse<String> response = send(bad);
            tally.sent++;
            tally.byStatus.merge(response.statusCode(), 1, Integer::sum);
            String problem = check.apply(Map.entry(bad, response));
            if (problem == null) {
                problem = noSecret(response);
            }
            if (problem != null && tally.unexpected.size() < 10) {
                String shown = new String(bad.body(), 0, Math.min(bad.body().length, 160), StandardCharsets.ISO_8859_1);
                tally.unexpected.add(bad.endpoint().path() + " " + shown + " -> " + response.statusCode() + " "
                        + response.body() + ": " + problem);
            }
        }
        TALLIES.add(tally);
        System.out.println("BadRequestBodyIT: " + tally + ", published " + commands.events().size());
        assertThat(tally.unexpected).as(kind).isEmpty();
        assertThat(commands.events()).as("commands published after %s", kind).isEmpty();
        return tally;
    }

    private static String noSecret(HttpResponse<String> response) {
        for (String secret : new String[]{ADMIN, MANAGEMENT, Infrastructure.get().pgPassword}) {
            if (secret != null && secret.length() > 3 && response.body().contains(secret)) {
                return "echoes a secret";
            }
        }
        return null;
    }

    private static JsonNode json(HttpResponse<String> response) {
        return MessageJson.mapper().readTree(response.body());
    }

    private static String isProblem(HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            return "expected " + status;
        }
        if (!response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
            return "not application/problem+json";
        }
        return null;
    }

    private static Endpoint endpoint(Random random) {
        return ENDPOINTS.get(random.nextInt(ENDPOINTS.size()));
    }

    private static final String[] CONTENT_TYPES = {"application/json", "application/x-www-form-urlencoded", null,
            "text/plain", "application/json; charset=utf-8"};

    @Test
    @Order(1)
    void bodiesAboveTheLimitAre413() throws Exception {
        Random random = new Random(16_001);
        List<Bad> requests = new ArrayList<>();
        for (int i = 0; i < PER_KIND; i++) {
            Endpoint endpoint = endpoint(random);
            int size = LIMIT + 1 + random.nextInt(LIMIT / 2);
            byte[] body = switch (i % 3) {
                // a valid body padded with whitespace: a JSON reader would stop after the object and accept it
                case 0 -> pad(endpoint.validBody(), size, (byte) ' ');
                // one huge string in a known field, or in an unknown one
                case 1 -> hugeString(endpoint, size, random);
                // not JSON at all
                default -> pad("", size, (byte) 'x');
            };
            requests.add(new Bad(endpoint, body, CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)],
                    random.nextBoolean(), null));
        }
        Tally tally = run("huge", requests, e -> {
            String problem = isProblem(e.getValue(), 413);
            return problem != null ? problem
                    : json(e.getValue()).get("detail").asString().contains(String.valueOf(LIMIT)) ? null : "limit not named";
        });
        assertThat(tally.byStatus).containsExactly(Map.entry(413, PER_KIND));
    }

    @Test
    @Order(2)
    void aDeclaredLengthAboveTheLimitIs413BeforeTheBodyIsRead() throws Exception {
        // 100 MB announced, a few bytes sent: the answer comes at once, from the Content-Length alone
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/backup/create HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + ADMIN
                    + "\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n{\"backup_type\":")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(statusLine).isEqualTo("HTTP/1.1 413");
        }
        assertThat(commands.events()).isEmpty();
    }

    @Test
    @Order(3)
    void deeplyNestedJsonIs400() throws Exception {
        Random random = new Random(16_002);
        List<Bad> requests = new ArrayList<>();
        for (int i = 0; i < PER_KIND; i++) {
            Endpoint endpoint = endpoint(random);
            // beyond the JSON reader's nesting limit, and below it (where the type or the name is wrong instead)
            int depth = i % 2 == 0 ? 1_000 + random.nextInt(60_000) : 2 + random.nextInt(400);
            boolean arrays = random.nextBoolean();
            String nested = (arrays ? "[" : "{\"a\":").repeat(depth) + "1" + (arrays ? "]" : "}").repeat(depth);
            String body = switch (random.nextInt(3)) {
                case 0 -> nested; // the whole body
                case 1 -> endpoint.fields().isEmpty() ? "{\"x\":" + nested + "}"
                        : "{\"" + endpoint.fields().get(random.nextInt(endpoint.fields().size())).name() + "\":" + nested + "}";
                default -> "{\"unknown_" + random.nextInt(100) + "\":" + nested + "}";
            };
            requests.add(new Bad(endpoint, body.getBytes(StandardCharsets.UTF_8),
                    CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)], random.nextBoolean(), null));
        }
        Tally tally = run("deeply nested", requests, e -> isProblem(e.getValue(), 400));
        assertThat(tally.byStatus).containsExactly(Map.entry(400, PER_KIND));
    }

    @Test
    @Order(4)
    void wronglyTypedFieldsAre400NamingTheField() throws Exception {
        Random random = new Random(16_003);
        List<Endpoint> withFields = ENDPOINTS.stream().filter(e -> !e.fields().isEmpty()).toList();
        List<Bad> requests = new ArrayList<>();
        for (int i = 0; i < PER_KIND; i++) {
            Endpoint endpoint = withFields.get(random.nextInt(withFields.size()));
            Field field = endpoint.fields().get(random.nextInt(endpoint.fields().size()));
            String value = wrongValue(field.type(), random);
            String body = "{\"" + field.name() + "\":" + value + "}";
            requests.add(new Bad(endpoint, body.getBytes(StandardCharsets.UTF_8),
                    CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)], random.nextBoolean(), field.name()));
        }
        // a body of the wrong type altogether (an array, a string, a number instead of an object), start and stop too
        for (int i = 0; i < PER_KIND / 4; i++) {
            Endpoint endpoint = endpoint(random);
            String[] shapes = {"[]", "[" + endpoint.validBody() + "]", "\"" + ADMIN + "\"", "42", "true"};
            requests.add(new Bad(endpoint, shapes[random.nextInt(shapes.length)].getBytes(StandardCharsets.UTF_8),
                    "application/json", false, null));
        }
        Tally tally = run("wrongly typed", requests, e -> {
            String problem = isProblem(e.getValue(), 400);
            if (problem != null || e.getKey().field() == null) {
                return problem;
            }
            JsonNode errors = json(e.getValue()).get("errors");
            String field = e.getKey().field();
            // the field itself, or an element of it (email_recipients[0], cron_schedules.nightly)
            return errors != null && errors.propertyNames().stream().anyMatch(name -> name.equals(field)
                    || name.startsWith(field + "[") || name.startsWith(field + ".")) ? null : "the field is not named";
        });
        assertThat(tally.byStatus).containsExactly(Map.entry(400, requests.size()));
    }

    @Test
    @Order(5)
    void bodiesThatAreNotUtf8Are400SayingSo() throws Exception {
        Random random = new Random(16_004);
        List<Bad> requests = new ArrayList<>();
        for (int i = 0; i < PER_KIND; i++) {
            Endpoint endpoint = endpoint(random);
            String text = endpoint.fields().isEmpty() ? "{\"note\":\"Grüße, café\"}"
                    : "{\"" + endpoint.fields().get(random.nextInt(endpoint.fields().size())).name() + "\":\"Grüße é\"}";
            byte[] body;
            String contentType = CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)];
            switch (i % 4) {
                case 0 -> body = text.getBytes(StandardCharsets.ISO_8859_1); // Latin-1 é: a lone 0xE9
                case 1 -> body = text.getBytes(StandardCharsets.UTF_16); // with its byte-order mark
                case 2 -> {
                    // valid JSON with random bytes 0x80-0xFF inside a string: a stray continuation or a cut sequence
                    byte[] prefix = "{\"backup_type\":\"".getBytes(StandardCharsets.US_ASCII);
                    byte[] junk = new byte[1 + random.nextInt(8)];
                    for (int j = 0; j < junk.length; j++) {
                        junk[j] = (byte) (0x80 + random.nextInt(0x40)); // continuation bytes without a lead byte
                    }
                    body = concat(prefix, junk, "\"}".getBytes(StandardCharsets.US_ASCII));
                }
                default -> {
                    // ASCII JSON, declared in another charset
                    body = endpoint.validBody().getBytes(StandardCharsets.US_ASCII);
                    contentType = "application/json; charset=" + (random.nextBoolean() ? "ISO-8859-1" : "UTF-16");
                }
            }
            requests.add(new Bad(endpoint, body, contentType, random.nextBoolean(), null));
        }
        Tally tally = run("not UTF-8", requests, e -> {
            String problem = isProblem(e.getValue(), 400);
            return problem != null ? problem
                    : json(e.getValue()).get("detail").asString().contains("UTF-8") ? null : "UTF-8 not named";
        });
        assertThat(tally.byStatus).containsExactly(Map.entry(400, PER_KIND));
    }

    @Test
    @Order(6)
    void afterAllOfThemTheNextValidRequestIsAcceptedAndIsTheOnlyCommandPublished() throws Exception {
        HttpResponse<String> response = send(new Bad(ENDPOINTS.get(0), "{\"backup_type\":\"manual\"}"
                .getBytes(StandardCharsets.UTF_8), "application/x-www-form-urlencoded", false, null));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String jobId = json(response).get("job_id").asString();
        // the 202 came after the broker's confirm, so every command published before it is on the capture queue too
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !commands.events().isEmpty());
        List<BackupMessage> published = commands.events();
        int sent = TALLIES.stream().mapToInt(t -> t.sent).sum();
        System.out.println("BadRequestBodyIT: " + sent + " bad bodies sent, " + (published.size() - 1)
                + " commands published for them; the valid request after them: " + response.statusCode());
        assertThat(published).hasSize(1);
        assertThat(published.get(0)).isInstanceOfSatisfying(RequestBackup.class,
                c -> assertThat(c.jobId().toString()).isEqualTo(jobId));
        assertThat(TALLIES).hasSize(4);
    }

    private static String wrongValue(String type, Random random) {
        List<String> values = new ArrayList<>(List.of("{\"a\":1}", "[1,2]", "{}", "[]",
                "{\"token\":\"" + ADMIN + "\"}", "[\"" + MANAGEMENT + "\"]"));
        switch (type) {
            case "boolean" -> values.addAll(List.of("\"perhaps\"", "\"" + ADMIN + "\"", "\"\"", "12.5"));
            case "integer" -> values.addAll(List.of("\"four\"", "\"" + ADMIN + "\"", "true", "\"\"",
                    "99999999999999999999", "1.5e400"));
            case "list" -> values.addAll(List.of("{\"a\":\"b\"}", "[[\"x\"]]", "[{\"a\":1}]"));
            case "map" -> values.addAll(List.of("[\"0 0 1 * * *\"]", "{\"nightly\":{\"a\":1}}", "{\"nightly\":[1]}"));
            default -> {
            }
        }
        if (type.equals("list")) {
            values.removeAll(List.of("[]", "[\"" + MANAGEMENT + "\"]"));
        }
        if (type.equals("map")) {
            values.remove("{}");
        }
        return values.get(random.nextInt(values.size()));
    }

    private static byte[] pad(String json, int size, byte filler) {
        byte[] start = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, filler);
        System.arraycopy(start, 0, body, 0, start.length);
        return body;
    }

    private static byte[] hugeString(Endpoint endpoint, int size, Random random) {
        String name = endpoint.fields().isEmpty() || random.nextBoolean() ? "note"
                : endpoint.fields().get(random.nextInt(endpoint.fields().size())).name();
        byte[] head = ("{\"" + name + "\":\"").getBytes(StandardCharsets.UTF_8);
        byte[] body = pad("", size, (byte) 'a');
        System.arraycopy(head, 0, body, 0, head.length);
        body[size - 2] = '"';
        body[size - 1] = '}';
        return body;
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
