package io.taskagent.backup.alert;

import com.icegreen.greenmail.util.GreenMail;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.AlertSent;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.DiskSpaceLow;
import io.taskagent.backup.model.HealthCheckFailed;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.model.VerifyFailed;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.taskagent.backup.alert.AlertTestSupport.mailsContaining;
import static io.taskagent.backup.alert.AlertTestSupport.uniqueTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Slack-, Discord- and generic-shaped webhooks on a local HTTP server, next to e-mail on GreenMail: payloads, the
 * HMAC signature, one channel down while the others go out, replay from the dead-letter queue, secrets kept out of
 * logs, events and actuator output.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class AlertWebhookIT {

    static final String MANAGEMENT = "it-alerts-management-secret";

    static final String CATALOG = "backup_catalog_it_alerts_webhooks";
    static final String DLQ = Topology.deadLetterQueue(Topology.ALERT_EVENTS_QUEUE);
    static final String SLACK_TOKEN = "xoxslacktoken" + UUID.randomUUID().toString().replace("-", "");
    static final String DISCORD_TOKEN = "discordtoken" + UUID.randomUUID().toString().replace("-", "");
    static final String HOOK_TOKEN = "hooktoken" + UUID.randomUUID().toString().replace("-", "");
    static final String SECRET = "whsec" + UUID.randomUUID().toString().replace("-", "");
    static final String SLACK = "/services/T000/B000/" + SLACK_TOKEN;
    static final String DISCORD = "/discord/api/webhooks/42/" + DISCORD_TOKEN;
    static final String HOOK = "/hook/" + HOOK_TOKEN;
    static final List<String> SECRETS = List.of(SLACK_TOKEN, DISCORD_TOKEN, HOOK_TOKEN, SECRET, MANAGEMENT);

    static final WebhookReceiver hooks = new WebhookReceiver();
    @RegisterExtension
    static final AlertEnvironment env = new AlertEnvironment();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        env.register(registry, CATALOG);
        registry.add("alert.mail.recipients", () -> "oncall@taskagent.test");
        registry.add("alert.slack.url", () -> hooks.url(SLACK));
        registry.add("alert.discord.url", () -> hooks.url(DISCORD));
        registry.add("alert.webhook.url", () -> hooks.url(HOOK));
        registry.add("alert.webhook.secret", () -> SECRET);
        registry.add("management.endpoints.web.exposure.include", () -> "*");
        registry.add("backup.management.token", () -> MANAGEMENT);
        registry.add("alert.notify-restore-completed", () -> "true");
        registry.add("alert.routing.channels.warning", () -> "slack");
        registry.add("alert.routing.kinds.HealthCheckFailed", () -> "webhook,email");
    }

    @AfterAll
    static void stop() {
        hooks.close();
    }

    @Autowired
    JdbcClient catalog;
    @Autowired
    MeterRegistry meters;
    @LocalServerPort
    int port;

    private List<String> deliveredChannels(UUID messageId) {
        return catalog.sql("SELECT channel FROM alerts.deliveries WHERE message_id = :id ORDER BY channel")
                .param("id", messageId).query(String.class).list();
    }

    private static String hmac(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static JsonNode json(WebhookReceiver.Received request) {
        return MessageJson.mapper().readTree(request.body());
    }

    @Test
    void aFailedBackupReachesSlackDiscordAndTheGenericWebhookWhoseSignatureVerifies() throws Exception {
        String target = uniqueTarget("alert-it-hooks");
        BackupFailed failed = BackupFailed.of(UUID.randomUUID(), target, "manual", "pg_dump <exit 1> & \"boom\"", 1);
        env.broker().publish(failed);
        String job = failed.jobId().toString();

        JsonNode slack = json(hooks.await(SLACK, b -> b.contains(job), 1, Duration.ofSeconds(30)).get(0));
        assertThat(slack.get("text").asString())
                .contains("*[backup] FAILED: manual backup of " + target + "*")
                .contains("Job:         " + job)
                .contains("pg_dump &lt;exit 1&gt; &amp; \"boom\"");

        WebhookReceiver.Received discordRequest = hooks.await(DISCORD, b -> b.contains(job), 1, Duration.ofSeconds(30)).get(0);
        JsonNode discord = json(discordRequest);
        assertThat(discord.get("content").asString()).hasSizeLessThanOrEqualTo(2000)
                .contains("**[backup] FAILED: manual backup of " + target + "**").contains(job)
                .contains("pg_dump <exit 1> & \"boom\"");
        assertThat(discord.get("allowed_mentions").get("parse").isArray()).isTrue();

        WebhookReceiver.Received request = hooks.await(HOOK, b -> b.contains(job), 1, Duration.ofSeconds(30)).get(0);
        JsonNode generic = json(request);
        assertThat(generic.get("alert").get("kind").asString()).isEqualTo("BackupFailed");
        assertThat(generic.get("alert").get("severity").asString()).isEqualTo("critical");
        assertThat(generic.get("alert").get("target").asString()).isEqualTo(target);
        assertThat(generic.get("alert").get("suppressedCount").asInt()).isZero();
        assertThat(MessageJson.read(MessageJson.mapper().writeValueAsBytes(generic.get("event")))).isEqualTo(failed);
        assertThat(request.headers().get("x-backup-signature")).isEqualTo("sha256=" + hmac(SECRET, request.body()));
        assertThat(request.headers().get("x-backup-signature")).isNotEqualTo("sha256=" + hmac("wrong", request.body()));
        assertThat(request.headers().get("x-backup-timestamp"))
                .isEqualTo(String.valueOf(generic.get("alert").get("sentAt").asLong()));
        assertThat(request.headers().get("x-backup-message-id")).isEqualTo(failed.messageId().toString());

        await().atMost(Duration.ofSeconds(30)).until(() -> mailsContaining(env.smtp(), job).size() == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> deliveredChannels(failed.messageId()).size() == 4);
        assertThat(deliveredChannels(failed.messageId())).containsExactly("discord", "email", "slack", "webhook");
        for (String channel : List.of("email", "slack", "discord", "webhook")) {
            AlertSent sent = env.broker().awaitEvent(AlertSent.class,
                    e -> e.sourceMessageId().equals(failed.messageId()) && e.channel().equals(channel),
                    Duration.ofSeconds(30));
            assertThat(sent.jobId()).isEqualTo(failed.jobId());
            assertThat(sent.alertKind()).isEqualTo("BackupFailed");
            assertThat(sent.suppressedCount()).isZero();
        }
        assertThat(meters.counter("alerts.sent", "channel", "slack", "kind", "BackupFailed").count()).isPositive();
    }

    @Test
    void withSmtpDownTheEmailIsRetriedDeadLetteredAndCountedWhileWebhooksGoOutAndAReplaySendsOnlyTheEmail(
            CapturedOutput output) {
        String target = uniqueTarget("alert-it-smtpdown");
        BackupFailed failed = BackupFailed.of(UUID.randomUUID(), target, "daily", "disk full", 1);
        String job = failed.jobId().toString();
        double failedBefore = meters.counter("alerts.failed", "channel", "email", "kind", "BackupFailed").count();
        env.smtp().stop();
        try {
            env.broker().publish(failed);
            hooks.await(SLACK, b -> b.contains(job), 1, Duration.ofSeconds(30));
            hooks.await(DISCORD, b -> b.contains(job), 1, Duration.ofSeconds(30));
            hooks.await(HOOK, b -> b.contains(job), 1, Duration.ofSeconds(30));
            AlertTestSupport.awaitQueueHolds(Infrastructure.get(), DLQ, failed.messageId().toString(),
                    Duration.ofSeconds(30));
            assertThat(meters.counter("alerts.failed", "channel", "email", "kind", "BackupFailed").count())
                    .isGreaterThan(failedBefore);
            assertThat(deliveredChannels(failed.messageId())).containsExactly("discord", "slack", "webhook");
            assertThat(output.getAll()).contains("via email failed (attempt 2 of 3)");
        } finally {
            env.smtp().start();
        }
        // other events keep flowing
        VerifyFailed other = VerifyFailed.of(UUID.randomUUID(), uniqueTarget("alert-it-flow"), UUID.randomUUID(),
                "f.json.zst", List.of("sha256 differs"));
        env.broker().publish(other);
        await().atMost(Duration.ofSeconds(30)).until(() -> mailsContaining(env.smtp(), other.jobId().toString()).size() == 1);

        // replaying the dead-lettered event sends what is missing (the e-mail) and nothing twice
        env.broker().publish(failed);
        await().atMost(Duration.ofSeconds(30)).until(() -> mailsContaining(env.smtp(), job).size() == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> deliveredChannels(failed.messageId()).size() == 4);
        assertThat(hooks.received(SLACK, b -> b.contains(job))).hasSize(1);
        assertThat(hooks.received(DISCORD, b -> b.contains(job))).hasSize(1);
        assertThat(hooks.received(HOOK, b -> b.contains(job))).hasSize(1);
    }

    @Test
    void aWebhookAnswering500IsRetriedAndDeadLetteredWhileTheOtherChannelsGoOutAndNoSecretLeaks(
            CapturedOutput output) throws Exception {
        String target = uniqueTarget("alert-it-500");
        BackupFailed failed = BackupFailed.of(UUID.randomUUID(), target, "manual", "no space left on device", 1);
        String job = failed.jobId().toString();
        double failedBefore = meters.counter("alerts.failed", "channel", "slack", "kind", "BackupFailed").count();
        hooks.answer(SLACK, 500);
        try {
            env.broker().publish(failed);
            AlertTestSupport.awaitQueueHolds(Infrastructure.get(), DLQ, failed.messageId().toString(),
                    Duration.ofSeconds(30));
        } finally {
            hooks.answer(SLACK, 200);
        }
        assertThat(deliveredChannels(failed.messageId())).containsExactly("discord", "email", "webhook");
        assertThat(meters.counter("alerts.failed", "channel", "slack", "kind", "BackupFailed").count())
                .isGreaterThan(failedBefore);
        assertThat(hooks.received(DISCORD, b -> b.contains(job))).hasSize(1);
        assertThat(hooks.received(HOOK, b -> b.contains(job))).hasSize(1);
        assertThat(mailsContaining(env.smtp(), job)).hasSize(1);
        assertThat(output.getAll()).contains("slack webhook answered HTTP 500")
                .contains("via slack failed after 3 attempts");

        // secrets: not in the logs, not in any event, not in actuator output
        env.broker().awaitEvent(AlertSent.class, e -> e.sourceMessageId().equals(failed.messageId()), Duration.ofSeconds(30));
        String events = env.broker().events().stream().map(e -> new String(MessageJson.write(e), StandardCharsets.UTF_8))
                .reduce("", String::concat);
        HttpClient http = HttpClient.newHttpClient();
        StringBuilder actuator = new StringBuilder();
        for (String path : List.of("health", "prometheus", "info", "env", "configprops", "beans", "metrics",
                "metrics/alerts.sent")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/actuator/" + path))
                    .header("Authorization", "Bearer " + MANAGEMENT).build(),
                    HttpResponse.BodyHandlers.ofString());
            actuator.append(response.body());
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/actuator/" + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (path.equals("health")) {
                assertThat(anonymous.statusCode()).isEqualTo(200);
                assertThat(anonymous.body()).as("health without the management token").doesNotContain("components");
            } else {
                assertThat(anonymous.statusCode()).as("%s without the management token", path).isEqualTo(401);
            }
            actuator.append(anonymous.body());
        }
        assertThat(actuator.toString()).contains("alerts_sent_total").contains("alert.slack.url");
        for (String secret : SECRETS) {
            assertThat(output.getAll()).as("log output").doesNotContain(secret);
            assertThat(events).as("events").doesNotContain(secret);
            assertThat(actuator.toString()).as("actuator").doesNotContain(secret);
        }
    }

    @Test
    void routingSendsEachKindToItsChannelsBySeverityAndRestoreCompletedIsAnInfoWhenSwitchedOn() {
        String target = uniqueTarget("alert-it-routing");
        DiskSpaceLow disk = DiskSpaceLow.of(UUID.randomUUID(), target, "/var/lib/backups", 1024, 4096);
        HealthCheckFailed health = HealthCheckFailed.of(UUID.randomUUID(), target, "broker", "connection refused");
        RestoreCompleted restored = RestoreCompleted.of(UUID.randomUUID(), target, UUID.randomUUID(), "taskagent",
                false, Map.of("public.tasks", 7L), 1200);
        env.broker().publish(disk);
        env.broker().publish(health);
        env.broker().publish(restored);

        await().atMost(Duration.ofSeconds(30)).until(() -> deliveredChannels(restored.messageId()).size() == 4);
        assertThat(deliveredChannels(disk.messageId())).as("warning: slack only").containsExactly("slack");
        assertThat(deliveredChannels(health.messageId())).as("its own channels").containsExactly("email", "webhook");
        String slack = json(hooks.await(SLACK, b -> b.contains(restored.jobId().toString()), 1, Duration.ofSeconds(5))
                .get(0)).get("text").asString();
        assertThat(slack).startsWith(":information_source: *[backup] RESTORED: " + target + " into database taskagent*");
        JsonNode generic = json(hooks.await(HOOK, b -> b.contains(restored.jobId().toString()), 1, Duration.ofSeconds(5))
                .get(0));
        assertThat(generic.get("alert").get("severity").asString()).isEqualTo("info");
        assertThat(hooks.received(DISCORD, b -> b.contains(target))).as("discord got only the restore").hasSize(1);
        assertThat(mailsContaining(env.smtp(), disk.jobId().toString())).isEmpty();
        assertThat(mailsContaining(env.smtp(), health.jobId().toString())).hasSize(1);
    }
}
