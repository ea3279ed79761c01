package io.taskagent.backup.system;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.SlowScenario;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue #16, scenario 6: the SMTP server is down during a burst of failures; every alert is e-mailed once after it is
 * back (within the alert service's retry window) or stays dead-lettered and counted; webhooks are unaffected.
 * <p>
 * The real alert-service jar, GreenMail as the SMTP server (stopped for the outage, started again on the same port),
 * a local HTTP server as the generic JSON webhook ({@code ALERT_WEBHOOK_URL}), throttling off, a burst of
 * {@code smtp.outage.burst} (20) BackupFailed events for distinct targets and jobs published to {@code backup.events}
 * after the SMTP server stopped, plus one poison message (not JSON) on the same routing key.
 * <ol>
 * <li>{@link #everyAlertIsMailedOnceAfterTheOutageAndWebhooksAreUnaffected}: window 30 min. During the outage each
 * webhook arrives exactly once (replays send only the missing e-mail); after it, each mail exactly once; the
 * dead-letter queue ends holding only the poison message, which was never replayed.</li>
 * <li>{@link #alertsBeyondTheWindowStayDeadLetteredAndCounted}: a window (4 s) shorter than the outage: each alert is
 * dead-lettered, counted once in {@code alerts.expired} (however many passes see it), and not mailed when SMTP is
 * back.</li>
 * </ol>
 * <b>Duration:</b> the outage is 5 minutes with the default redelivery interval of 1 minute; that would
 * take this class to about 7 minutes, so by default the outage lasts <b>60 s</b> ({@code -Dsmtp.outage=PT60S}) with
 * a proportionally short redelivery interval (outage / 12, at least 2 s: 5 s), about 2.5 minutes in all. The full
 * scenario: {@code -Dsmtp.outage=PT5M} (interval 25 s). Slow: runs with {@code -Pfaults}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SmtpOutageIT {

    static final String CATALOG = "backup_catalog_it_smtp_outage";
    static final String DLQ = Topology.deadLetterQueue(Topology.ALERT_EVENTS_QUEUE);
    static final Duration OUTAGE = Duration.parse(System.getProperty("smtp.outage", "PT60S"));
    static final int BURST = Integer.getInteger("smtp.outage.burst", 20);
    static final Duration INTERVAL = max(Duration.ofSeconds(2), OUTAGE.dividedBy(12));
    static final String RECIPIENT = "oncall@taskagent.test";

    static Infrastructure infra;
    static BrokerProbe broker;
    static HttpServer webhook;
    static final Map<String, AtomicInteger> webhooks = new ConcurrentHashMap<>();
    static int smtpPort;
    static GreenMail smtp;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        SlowScenario.require("SmtpOutageIT (issue #16 scenario 6, SMTP down during a burst of failures)");
        infra = Infrastructure.get();
        infra.recreateDatabase(CATALOG);
        broker = new BrokerProbe(infra);
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            java.util.regex.Matcher target = java.util.regex.Pattern.compile("smtp-outage-[ab]-\\d\\d").matcher(body);
            webhooks.computeIfAbsent(target.find() ? target.group() : "(other)", k -> new AtomicInteger())
                    .incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.start();
        smtpPort = ServiceProcess.freePort();
        System.out.printf("SmtpOutageIT: outage %s, redelivery interval %s, burst %d%n", OUTAGE, INTERVAL, BURST);
    }

    @AfterAll
    static void stop() throws Exception {
        SystemTestSupport.closeAll(smtp, webhook, broker);
    }

    @Test
    @Order(1)
    void everyAlertIsMailedOnceAfterTheOutageAndWebhooksAreUnaffected() throws Exception {
        startSmtp();
        try (ServiceProcess alerts = startAlertService(Duration.ofMinutes(30))) {
            List<String> targets = targets("a", BURST);
            smtp.stop(); // the outage begins
            Instant outageStart = Instant.now();
            broker.publishRaw(Topology.EVENTS_EXCHANGE, Topology.RK_BACKUP_FAILED,
                    "this is not an event".getBytes(StandardCharsets.UTF_8));
            for (String target : targets) {
                broker.publish(BackupFailed.of(UUID.randomUUID(), target, "full", "disk full on " + target, 1));
            }

            // webhooks are unaffected: each alert reaches the webhook during the outage, once
            await("every webhook during the outage").atMost(OUTAGE).pollInterval(Duration.ofMillis(200))
                    .until(() -> targets.stream().allMatch(webhooks::containsKey));
            // every e-mail failed after its retries (the events were dead-lettered)
            await("every e-mail failed once").atMost(OUTAGE).pollInterval(Duration.ofMillis(500))
                    .until(() -> metric(alerts, "alerts_failed_total", "channel=\"email\"") >= BURST);
            assertThat(Duration.between(outageStart, Instant.now()))
                    .as("the burst was handled within the outage; make smtp.outage longer").isLessThan(OUTAGE);
            // the outage lasts its (configured) time whatever the test observed: replays keep failing meanwhile
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), outageStart.plus(OUTAGE)).toMillis()));
            double failedDuringOutage = metric(alerts, "alerts_failed_total", "channel=\"email\"");
            double replaysDuringOutage = metric(alerts, "alerts_redelivered_total", "");
            assertThat(replaysDuringOutage).as("alerts were given back during the outage").isGreaterThanOrEqualTo(BURST);

            startSmtp(); // same port
            Instant back = Instant.now();
            await("every alert mailed after the outage").atMost(INTERVAL.multipliedBy(3).plusSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> mailsFor(targets).keySet().containsAll(targets));
            Duration recovery = Duration.between(back, Instant.now());
            // settled: nothing but the poison left in the DLQ, nothing queued, and two more passes over it
            await("dead-letter queue settled").atMost(INTERVAL.multipliedBy(3).plusSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> broker.messageCount(DLQ) == 1 && broker.messageCount(Topology.ALERT_EVENTS_QUEUE) == 0);
            double passes = metric(alerts, "alerts_redelivery_passes_total", "");
            await("two more redelivery passes").atMost(INTERVAL.multipliedBy(3).plusSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> metric(alerts, "alerts_redelivery_passes_total", "") >= passes + 2);

            Map<String, Integer> mails = mailsFor(targets);
            int duplicateMails = mails.values().stream().mapToInt(n -> n - 1).sum();
            int duplicateWebhooks = targets.stream().mapToInt(t -> webhooks.get(t).get() - 1).sum();
            double poisonKept = metric(alerts, "alerts_redelivery_kept_total", "reason=\"poison\"");
            double poisonReplayed = metric(alerts, "alerts_redelivered_total", "kind=\"unknown\"");
            double expired = metric(alerts, "alerts_expired_total", "");
            System.out.printf("SmtpOutageIT (window 30m): published %d (+1 poison), webhook deliveries %d, e-mail "
                            + "failures during the outage %.0f, replays during the outage %.0f, mails after it %d "
                            + "(within %ds), duplicates %d mail / %d webhook, expired %.0f, poison kept %.0f, "
                            + "DLQ at the end %d%n", BURST, webhookTotal(targets), failedDuringOutage,
                    replaysDuringOutage, mails.values().stream().mapToInt(Integer::intValue).sum(),
                    recovery.toSeconds(), duplicateMails, duplicateWebhooks, expired, poisonKept,
                    broker.messageCount(DLQ));

            assertThat(mails).as("each alert mailed exactly once").hasSize(BURST).allSatisfy((t, n) -> assertThat(n)
                    .as(t).isEqualTo(1));
            assertThat(targets).allSatisfy(t -> assertThat(webhooks.get(t).get()).as("webhooks of " + t).isEqualTo(1));
            assertThat(expired).isZero();
            assertThat(poisonKept).as("the poison message, counted once").isEqualTo(1);
            assertThat(poisonReplayed).as("the poison message is never given back").isZero();
            // taken once the pass that may hold it right now has put it back
            byte[] left = await("the poison message").atMost(INTERVAL.plusSeconds(10))
                    .pollInterval(Duration.ofMillis(100)).until(() -> broker.take(DLQ), Optional::isPresent).orElseThrow();
            assertThat(new String(left, StandardCharsets.UTF_8)).isEqualTo("this is not an event");
            assertThat(broker.messageCount(DLQ)).as("dead-letter queue empty").isZero();
        }
    }

    @Test
    @Order(2)
    void alertsBeyondTheWindowStayDeadLetteredAndCounted() throws Exception {
        int burst = Math.max(3, BURST / 4);
        startSmtp();
        Duration window = Duration.ofSeconds(4);
        try (ServiceProcess alerts = startAlertService(window)) {
            List<String> targets = targets("b", burst);
            smtp.stop();
            Instant outageStart = Instant.now();
            for (String target : targets) {
                broker.publish(BackupFailed.of(UUID.randomUUID(), target, "full", "disk full on " + target, 1));
            }
            await("every webhook during the outage").atMost(OUTAGE).pollInterval(Duration.ofMillis(200))
                    .until(() -> targets.stream().allMatch(webhooks::containsKey));
            // the outage outlasts the window: every alert expires, counted once
            await("every alert expired").atMost(OUTAGE.plus(INTERVAL.multipliedBy(4))).pollInterval(Duration.ofMillis(500))
                    .until(() -> metric(alerts, "alerts_expired_total", "kind=\"BackupFailed\"") >= burst);
            Duration outage = Duration.between(outageStart, Instant.now());
            assertThat(outage).isGreaterThan(window);

            startSmtp();
            double passes = metric(alerts, "alerts_redelivery_passes_total", "");
            await("two more redelivery passes with SMTP back").atMost(INTERVAL.multipliedBy(3).plusSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> metric(alerts, "alerts_redelivery_passes_total", "") >= passes + 2);
            // expired alerts stay dead-lettered
            await("the dead-letter queue settled").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> broker.messageCount(DLQ) == burst);

            double expired = metric(alerts, "alerts_expired_total", "kind=\"BackupFailed\"");
            double replays = metric(alerts, "alerts_redelivered_total", "");
            Map<String, Integer> mails = mailsFor(targets);
            System.out.printf("SmtpOutageIT (window %ds): published %d, webhook deliveries %d, dead-lettered and "
                            + "expired %.0f, replays within the window %.0f, mails after SMTP came back %d, DLQ %d%n",
                    window.toSeconds(), burst, webhookTotal(targets), expired, replays,
                    mails.values().stream().mapToInt(Integer::intValue).sum(), broker.messageCount(DLQ));
            assertThat(expired).as("each expired alert counted once").isEqualTo(burst);
            assertThat(mails).as("no mail for an alert beyond the window").isEmpty();
            assertThat(targets).allSatisfy(t -> assertThat(webhooks.get(t).get()).as("webhooks of " + t).isEqualTo(1));
            broker.purge(DLQ);
        }
    }

    private static ServiceProcess startAlertService(Duration window) throws Exception {
        broker.purge(Topology.ALERT_EVENTS_QUEUE);
        broker.purge(DLQ);
        Map<String, String> env = new HashMap<>(infra.environment(CATALOG));
        env.put("SPRING_MAIL_HOST", "127.0.0.1");
        env.put("SPRING_MAIL_PORT", String.valueOf(smtpPort));
        env.put("ALERT_MAIL_RECIPIENTS", RECIPIENT);
        env.put("ALERT_WEBHOOK_URL", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook");
        env.put("ALERT_THROTTLE_WINDOW", "0");
        env.put("ALERT_ANOMALY_ENABLED", "false");
        env.put("ALERT_REDELIVERY_INTERVAL", INTERVAL.toMillis() + "ms");
        env.put("ALERT_REDELIVERY_WINDOW", window.toMillis() + "ms");
        // a channel's retries: 100 + 200 + 400 ms, so a burst of 20 fails within seconds
        env.put("BACKUP_MESSAGING_RETRY_BACKOFF", "100ms");
        return ServiceProcess.start("alert-service", env).awaitHealthy(Duration.ofSeconds(120));
    }

    private static void startSmtp() {
        if (smtp != null && smtp.isRunning()) {
            smtp.stop();
        }
        smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
    }

    private static List<String> targets(String run, int n) {
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            targets.add(String.format("smtp-outage-%s-%02d", run, i));
        }
        return targets;
    }

    /** Mails received by the running SMTP server, per target among {@code targets}. */
    private static Map<String, Integer> mailsFor(List<String> targets) {
        return SystemTestSupport.mailsFor(smtp, targets);
    }

    private static int webhookTotal(List<String> targets) {
        return targets.stream().mapToInt(t -> webhooks.getOrDefault(t, new AtomicInteger()).get()).sum();
    }

    /** Sum of the Prometheus samples of {@code name} whose labels contain {@code label}. */
    private static double metric(ServiceProcess service, String name, String label) throws IOException,
            InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(service.url("/actuator/prometheus")))
                .header("Authorization", "Bearer " + ServiceProcess.MANAGEMENT_TOKEN)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        double sum = 0;
        for (String line : r.body().split("\n")) {
            if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(label)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
