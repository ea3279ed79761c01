package io.taskagent.backup.model;

import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Queue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ConfigureAlerts and AlertSettingsChanged: JSON, where they travel, and what the records refuse. */
class AlertMessagesTest {

    @Test
    void configureAlertsRoundTripsKeepingNullsAndEvenInvalidAddressesForAlertRulesToName() {
        ConfigureAlerts command = ConfigureAlerts.of(UUID.randomUUID(), "taskagent",
                Arrays.asList("oncall@taskagent.test", null, "not an address"), false, null, "admin");
        String json = new String(MessageJson.write(command), StandardCharsets.UTF_8);
        assertThat(json).contains("\"type\":\"ConfigureAlerts\"").contains("\"alertOnFailure\":null");
        ConfigureAlerts read = MessageJson.read(json.getBytes(StandardCharsets.UTF_8), ConfigureAlerts.class);
        assertThat(read).isEqualTo(command);
        assertThat(read.emailRecipients()).containsExactly("oncall@taskagent.test", null, "not an address");
        assertThat(read.emailAlertsEnabled()).isFalse();
        assertThat(read.alertOnFailure()).isNull();
        assertThat(AlertRules.problems(read)).containsOnlyKeys("emailRecipients[1]", "emailRecipients[2]");
    }

    @Test
    void configureAlertsNeedsItsEnvelopeAndWhoAsked() {
        String noRequester = """
                {"type":"ConfigureAlerts","messageId":"0b8f5a52-1d0e-4f7c-9a51-6f0d2f7b9c01",
                 "jobId":"5d1c7e0a-3b9f-4c52-8e0f-2a6b7c8d9e10","target":"taskagent",
                 "occurredAt":"2026-11-28T10:00:00Z","version":1,"emailRecipients":null,
                 "emailAlertsEnabled":null,"alertOnFailure":false,"requestedBy":" "}""";
        assertThatThrownBy(() -> MessageJson.read(noRequester.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("requestedBy");
    }

    @Test
    void alertSettingsChangedRoundTripsAndRefusesMissingSettings() {
        AlertSettingsChanged changed = AlertSettingsChanged.of(UUID.randomUUID(), "taskagent",
                List.of("oncall@taskagent.test"), true, false, 3, "admin");
        assertThat(MessageJson.read(MessageJson.write(changed))).isEqualTo(changed);
        assertThatThrownBy(() -> AlertSettingsChanged.of(UUID.randomUUID(), "taskagent", null, true, true, 1, "a"))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("emailRecipients");
        assertThatThrownBy(() -> AlertSettingsChanged.of(UUID.randomUUID(), "taskagent", List.of(), true, true, 0, "a"))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("settingsVersion");
    }

    @Test
    void theCommandReachesTheAlertQueueThroughTheCommandsExchangeAndTheEventIsAnEvent() {
        ConfigureAlerts command = ConfigureAlerts.of(UUID.randomUUID(), "taskagent", null, null, null, "admin");
        assertThat(command.exchange()).isEqualTo(Topology.COMMANDS_EXCHANGE);
        assertThat(command.routingKey()).isEqualTo(Topology.RK_ALERTS_CONFIGURE).isEqualTo("alerts.configure");
        AlertSettingsChanged changed = AlertSettingsChanged.of(UUID.randomUUID(), "taskagent", List.of(), false, true,
                1, "admin");
        assertThat(changed.exchange()).isEqualTo(Topology.EVENTS_EXCHANGE);
        assertThat(changed.routingKey()).isEqualTo("alerts.settings_changed");

        List<Binding> bindings = Topology.declarables().getDeclarablesByType(Binding.class);
        assertThat(bindings).anySatisfy(b -> {
            assertThat(b.getDestination()).isEqualTo(Topology.ALERT_EVENTS_QUEUE);
            assertThat(b.getExchange()).isEqualTo(Topology.COMMANDS_EXCHANGE);
            assertThat(b.getRoutingKey()).isEqualTo(Topology.RK_ALERTS_CONFIGURE);
        });
        assertThat(bindings).filteredOn(b -> b.getExchange().equals(Topology.COMMANDS_EXCHANGE)
                        && b.getRoutingKey().equals(Topology.RK_ALERTS_CONFIGURE))
                .as("only the alert queue gets ConfigureAlerts").hasSize(1);
        assertThat(Topology.declarables().getDeclarablesByType(Queue.class))
                .filteredOn(q -> q.getName().equals(Topology.ALERT_EVENTS_QUEUE)).singleElement()
                .satisfies(q -> assertThat(q.getArguments()).containsEntry("x-queue-type", "quorum")
                        .containsEntry("x-delivery-limit", Topology.DELIVERY_LIMIT)
                        .containsEntry("x-dead-letter-strategy", "at-least-once"));
    }
}
