package io.taskagent.backup.alert.delivery;

import io.taskagent.backup.alert.delivery.RedeliveryRules.Decision;
import io.taskagent.backup.alert.delivery.RedeliveryRules.Verdict;
import io.taskagent.backup.model.ConfigureAlerts;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The replay decision of the alert retry window: age, poison, the count of replays, the headers it travels with. */
class RedeliveryRulesTest {

    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final Duration WINDOW = Duration.ofHours(6);
    static final Predicate<BackupMessage> DECIDED = e -> true;

    final BackupFailed failed = new BackupFailed(UUID.randomUUID(), UUID.randomUUID(), "orders",
            NOW.minus(Duration.ofHours(1)), BackupMessage.CURRENT_VERSION, "full", "disk full", 1);

    /** x-death as the broker writes it when the alert queue rejects a message. */
    static Map<String, Object> deadLettered(String routingKey, Instant when) {
        Map<String, Object> death = new HashMap<>();
        death.put("queue", Topology.ALERT_EVENTS_QUEUE);
        death.put("reason", "rejected");
        death.put("exchange", Topology.EVENTS_EXCHANGE);
        death.put("routing-keys", List.of(routingKey));
        death.put("count", 1L);
        death.put("time", Date.from(when));
        Map<String, Object> headers = new HashMap<>();
        headers.put("x-death", new ArrayList<>(List.of(death)));
        headers.put("x-message-type", "BackupFailed");
        return headers;
    }

    @Test
    void anAlertThatFailedWhileBeingDeliveredIsReplayedWithItsRoutingKeyAndFirstDeath() {
        Instant died = NOW.minus(Duration.ofMinutes(10));
        Decision d = RedeliveryRules.decide(MessageJson.write(failed), deadLettered(Topology.RK_BACKUP_FAILED, died),
                NOW, WINDOW, DECIDED);
        assertThat(d.verdict()).isEqualTo(Verdict.REPLAY);
        assertThat(d.event()).isEqualTo(failed);
        assertThat(d.headers()).containsEntry(RedeliveryRules.ROUTING_KEY_HEADER, Topology.RK_BACKUP_FAILED)
                .containsEntry(RedeliveryRules.FIRST_DEATH_HEADER, died.toEpochMilli())
                .containsEntry(RedeliveryRules.REPLAYS_HEADER, 1L)
                .containsEntry("x-message-type", "BackupFailed")
                .doesNotContainKey(RedeliveryRules.KEPT_HEADER);
    }

    @Test
    void aReplayCountsUpAndKeepsItsFirstDeathAndOriginalRoutingKey() {
        Instant died = NOW.minus(Duration.ofHours(5));
        Map<String, Object> headers = RedeliveryRules.decide(MessageJson.write(failed),
                deadLettered(Topology.RK_BACKUP_FAILED, died), NOW.minus(Duration.ofHours(4)), WINDOW, DECIDED).headers();
        for (int replay = 2; replay <= 4; replay++) {
            // dead-lettered again after the replay: this time the broker saw the default exchange and the queue name
            Map<String, Object> again = new HashMap<>(headers);
            again.put("x-death", deadLettered(Topology.ALERT_EVENTS_QUEUE, NOW.minusSeconds(5)).get("x-death"));
            Decision d = RedeliveryRules.decide(MessageJson.write(failed), again, NOW, WINDOW, DECIDED);
            assertThat(d.verdict()).isEqualTo(Verdict.REPLAY);
            assertThat(d.headers()).containsEntry(RedeliveryRules.ROUTING_KEY_HEADER, Topology.RK_BACKUP_FAILED)
                    .containsEntry(RedeliveryRules.FIRST_DEATH_HEADER, died.toEpochMilli())
                    .containsEntry(RedeliveryRules.REPLAYS_HEADER, (long) replay);
            headers = d.headers();
        }
        assertThat(RedeliveryRules.replays(headers)).isEqualTo(4);
    }

    @Test
    void theWindowRunsFromTheFirstDeathNotFromTheLatest() {
        Map<String, Object> headers = deadLettered(Topology.ALERT_EVENTS_QUEUE, NOW.minusSeconds(3));
        headers.put(RedeliveryRules.ROUTING_KEY_HEADER, Topology.RK_BACKUP_FAILED);
        headers.put(RedeliveryRules.FIRST_DEATH_HEADER, NOW.minus(WINDOW).minusSeconds(1).toEpochMilli());
        Decision d = RedeliveryRules.decide(MessageJson.write(failed), headers, NOW, WINDOW, DECIDED);
        assertThat(d.verdict()).isEqualTo(Verdict.EXPIRED);
        assertThat(d.headers()).containsEntry(RedeliveryRules.KEPT_HEADER, "EXPIRED");

        headers.put(RedeliveryRules.FIRST_DEATH_HEADER, NOW.minus(WINDOW).toEpochMilli()); // exactly the window
        assertThat(RedeliveryRules.decide(MessageJson.write(failed), headers, NOW, WINDOW, DECIDED).verdict())
                .isEqualTo(Verdict.REPLAY);
    }

    @Test
    void anAlertDeadLetteredLongerAgoThanTheWindowExpires() {
        Decision d = RedeliveryRules.decide(MessageJson.write(failed),
                deadLettered(Topology.RK_BACKUP_FAILED, NOW.minus(Duration.ofHours(7))), NOW, WINDOW, DECIDED);
        assertThat(d.verdict()).isEqualTo(Verdict.EXPIRED);
        assertThat(d.reason()).contains("beyond the retry window");
    }

    @Test
    void withoutABrokerTimeTheEventsOwnTimeCounts() {
        Map<String, Object> headers = deadLettered(Topology.RK_BACKUP_FAILED, NOW);
        ((Map<String, Object>) ((List<?>) headers.get("x-death")).get(0)).remove("time");
        assertThat(RedeliveryRules.decide(MessageJson.write(failed), headers, NOW, Duration.ofMinutes(59), DECIDED)
                .verdict()).isEqualTo(Verdict.EXPIRED);
        assertThat(RedeliveryRules.decide(MessageJson.write(failed), headers, NOW, Duration.ofMinutes(61), DECIDED)
                .verdict()).isEqualTo(Verdict.REPLAY);
    }

    @Test
    void poisonIsNeverReplayed() {
        Map<String, Object> headers = deadLettered(Topology.RK_BACKUP_FAILED, NOW);
        for (byte[] body : List.of("not json".getBytes(StandardCharsets.UTF_8),
                "{\"type\":\"Nonsense\"}".getBytes(StandardCharsets.UTF_8), new byte[0],
                "{}".getBytes(StandardCharsets.UTF_8))) {
            Decision d = RedeliveryRules.decide(body, headers, NOW, WINDOW, DECIDED);
            assertThat(d.verdict()).as(new String(body, StandardCharsets.UTF_8)).isEqualTo(Verdict.POISON);
            assertThat(d.headers()).containsEntry(RedeliveryRules.KEPT_HEADER, "POISON");
        }
        // a valid message under the wrong routing key (the listener refused its type)
        Decision wrongKey = RedeliveryRules.decide(MessageJson.write(failed),
                deadLettered(Topology.RK_BACKUP_OVERSIZED, NOW), NOW, WINDOW, DECIDED);
        assertThat(wrongKey.verdict()).isEqualTo(Verdict.POISON);
        // nothing says which routing key it had: not dead-lettered by the alert queue
        assertThat(RedeliveryRules.decide(MessageJson.write(failed), Map.of(), NOW, WINDOW, DECIDED).verdict())
                .isEqualTo(Verdict.POISON);
        assertThat(RedeliveryRules.decide(MessageJson.write(failed), null, NOW, WINDOW, DECIDED).verdict())
                .isEqualTo(Verdict.POISON);
    }

    @Test
    void onlyAlertsThatFailedWhileBeingDeliveredAreReplayed() {
        Decision undecided = RedeliveryRules.decide(MessageJson.write(failed),
                deadLettered(Topology.RK_BACKUP_FAILED, NOW), NOW, WINDOW, e -> false);
        assertThat(undecided.verdict()).isEqualTo(Verdict.NOT_A_DELIVERY_FAILURE);

        ConfigureAlerts command = ConfigureAlerts.of(UUID.randomUUID(), "orders", List.of("a@b.c"), true, true,
                "admin");
        Decision notAnAlert = RedeliveryRules.decide(MessageJson.write(command),
                deadLettered(Topology.RK_ALERTS_CONFIGURE, NOW), NOW, WINDOW, e -> {
                    throw new AssertionError("the catalog is not asked about a command");
                });
        assertThat(notAnAlert.verdict()).isEqualTo(Verdict.NOT_AN_ALERT);
        assertThat(notAnAlert.headers()).containsEntry(RedeliveryRules.KEPT_HEADER, "NOT_AN_ALERT");
    }

    @Test
    void aKeptMessageIsDecidedOnceAndNotLookedIntoAgain() {
        Decision first = RedeliveryRules.decide("garbage".getBytes(StandardCharsets.UTF_8),
                deadLettered(Topology.RK_BACKUP_FAILED, NOW), NOW, WINDOW, DECIDED);
        assertThat(first.verdict()).isEqualTo(Verdict.POISON);
        Decision second = RedeliveryRules.decide("garbage".getBytes(StandardCharsets.UTF_8), first.headers(),
                NOW.plusSeconds(60), WINDOW, e -> {
                    throw new AssertionError("the catalog is not asked about a kept message");
                });
        assertThat(second.verdict()).isEqualTo(Verdict.ALREADY_KEPT);
        assertThat(second.headers()).isEqualTo(first.headers());
    }
}
