package io.taskagent.backup.alert.delivery;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.Alert;
import io.taskagent.backup.alert.channel.AlertChannel;
import io.taskagent.backup.alert.channel.AlertComposer;
import io.taskagent.backup.alert.channel.ChannelException;
import io.taskagent.backup.alert.settings.AlertSettings;
import io.taskagent.backup.alert.settings.AlertSettingsStore;
import io.taskagent.backup.alert.throttle.Throttle;
import io.taskagent.backup.model.AlertSent;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.BackupStarted;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.Retry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.transaction.support.TransactionCallback;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

/** The dispatcher's rules, with the catalog and broker replaced by mocks and channels by fakes. */
class AlertDispatcherTest {

    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    /** A channel that records what it sent and fails as told. */
    static final class FakeChannel implements AlertChannel {
        final String name;
        final boolean enabled;
        final boolean failing;
        final List<Alert> sent = new ArrayList<>();
        int attempts;

        FakeChannel(String name, boolean enabled, boolean failing) {
            this.name = name;
            this.enabled = enabled;
            this.failing = failing;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean enabled(AlertSettings settings) {
            return enabled;
        }

        @Override
        public String send(Alert alert, AlertSettings settings) {
            attempts++;
            if (failing) {
                throw new ChannelException(name + " is down");
            }
            sent.add(alert);
            return name + "-recipient";
        }
    }

    final AlertHistory history = mock(AlertHistory.class);
    final Throttle throttle = mock(Throttle.class);
    final AlertSettingsStore settings = mock(AlertSettingsStore.class);
    final DeliveryLog deliveries = mock(DeliveryLog.class);
    final TransactionTemplate transactions = mock(TransactionTemplate.class);
    final ConfirmingPublisher publisher = mock(ConfirmingPublisher.class);
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final BackupFailed event = BackupFailed.of(UUID.randomUUID(), "taskagent", "manual", "disk full", 1);

    @BeforeEach
    @SuppressWarnings("unchecked")
    void transactionsRunTheirCallback() {
        when(transactions.execute(any())).thenAnswer(call -> ((TransactionCallback<Object>) call.getArgument(0)).doInTransaction(null));
        when(history.find(any())).thenReturn(Optional.empty());
        when(settings.current()).thenReturn(new AlertSettings(List.of("x@b.c"), true, true, 0, null));
        when(deliveries.channels(any())).thenReturn(Set.of());
        when(deliveries.unannounced(any())).thenReturn(List.of());
        when(throttle.admit(anyString(), anyString(), any(), any(), any())).thenReturn(new Throttle.Verdict(false, 0, null));
    }

    private AlertDispatcher dispatcher(AlertChannel... channels) {
        AlertProperties properties = new AlertProperties(new AlertProperties.Mail(true, "a@b.c", List.of("x@b.c")),
                new AlertProperties.Slack(null), new AlertProperties.Discord(null), new AlertProperties.Webhook(null, null),
                new AlertProperties.Http(Duration.ofSeconds(5), Duration.ofSeconds(10)),
                new AlertProperties.Throttle(Duration.ofMinutes(30)), new AlertProperties.Anomaly(true, 5, 3, 0.5, 3, 0.2),
                new AlertProperties.Routing(null, null, null), false, true);
        return new AlertDispatcher(properties, List.of(channels), AlertComposer.reportingFrom("host"), history, throttle, settings, deliveries,
                transactions, publisher, new Retry(3, Duration.ofMillis(1)), meters, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void aFailingChannelIsRetriedCountedAndDeadLetteredWhileTheOthersAreSentRecordedAndAnnounced() {
        FakeChannel email = new FakeChannel("email", true, false);
        FakeChannel slack = new FakeChannel("slack", true, true);
        FakeChannel webhook = new FakeChannel("webhook", true, false);
        when(deliveries.unannounced(event.messageId())).thenReturn(List.of("email", "webhook"));

        assertThatThrownBy(() -> dispatcher(email, slack, webhook).dispatch(event))
                .isInstanceOf(AlertNotDeliveredException.class).hasMessageContaining("slack (slack is down)");

        assertThat(email.sent).hasSize(1);
        assertThat(webhook.sent).hasSize(1);
        assertThat(slack.attempts).isEqualTo(3);
        verify(deliveries).record(event.messageId(), "email", "BackupFailed", event.jobId(), "taskagent",
                "email-recipient", "[backup] FAILED: manual backup of taskagent");
        verify(deliveries).record(eq(event.messageId()), eq("webhook"), any(), any(), any(), any(), any());
        verify(deliveries, never()).record(any(), eq("slack"), any(), any(), any(), any(), any());
        assertThat(meters.counter("alerts.failed", "channel", "slack", "kind", "BackupFailed").count()).isEqualTo(1);
        assertThat(meters.counter("alerts.sent", "channel", "email", "kind", "BackupFailed").count()).isEqualTo(1);
        assertThat(meters.counter("alerts.sent", "channel", "webhook", "kind", "BackupFailed").count()).isEqualTo(1);

        ArgumentCaptor<BackupMessage> published = ArgumentCaptor.forClass(BackupMessage.class);
        verify(publisher, times(2)).publishEvent(published.capture());
        assertThat(published.getAllValues()).allSatisfy(m -> {
            AlertSent sent = (AlertSent) m;
            assertThat(sent.sourceMessageId()).isEqualTo(event.messageId());
            assertThat(sent.jobId()).isEqualTo(event.jobId());
            assertThat(sent.alertKind()).isEqualTo("BackupFailed");
        });
        assertThat(published.getAllValues()).extracting(m -> ((AlertSent) m).channel()).containsExactly("email", "webhook");
        verify(deliveries).markAnnounced(event.messageId(), "email");
        verify(deliveries).markAnnounced(event.messageId(), "webhook");
    }

    @Test
    void aRedeliveredEventKeepsItsDecisionAndSkipsChannelsItWasDeliveredOn() {
        FakeChannel email = new FakeChannel("email", true, false);
        FakeChannel webhook = new FakeChannel("webhook", true, false);
        when(history.find(event.messageId())).thenReturn(Optional.of(new AlertHistory.Decision(false, 4, NOW, null)));
        when(deliveries.channels(event.messageId())).thenReturn(Set.of("email"));

        dispatcher(email, webhook).dispatch(event);

        assertThat(email.sent).isEmpty();
        assertThat(webhook.sent).hasSize(1);
        assertThat(webhook.sent.get(0).suppressedCount()).isEqualTo(4);
        verifyNoInteractions(throttle);
        verify(history, never()).record(any(), any(), any(), any());
    }

    @Test
    void aThrottledEventIsRecordedAsSuppressedCountedAndSendsNothing() {
        FakeChannel email = new FakeChannel("email", true, false);
        when(throttle.admit(eq("BackupFailed"), eq("taskagent"), eq(event.messageId()), eq(NOW), eq(Duration.ofMinutes(30))))
                .thenReturn(new Throttle.Verdict(true, 3, NOW.minusSeconds(60)));

        dispatcher(email).dispatch(event);

        assertThat(email.attempts).isZero();
        ArgumentCaptor<AlertHistory.Decision> decision = ArgumentCaptor.forClass(AlertHistory.Decision.class);
        verify(history).record(eq(event), any(), decision.capture(), any());
        assertThat(decision.getValue().suppressed()).isTrue();
        assertThat(meters.counter("alerts.suppressed", "kind", "BackupFailed").count()).isEqualTo(1);
        verifyNoInteractions(publisher);
    }

    @Test
    void anAlertAfterAWindowReportsTheSuppressedCount() {
        FakeChannel email = new FakeChannel("email", true, false);
        when(throttle.admit(any(), any(), any(), any(), any())).thenReturn(new Throttle.Verdict(false, 9, NOW.minusSeconds(3600)));

        dispatcher(email).dispatch(event);

        assertThat(email.sent.get(0).suppressedCount()).isEqualTo(9);
        assertThat(email.sent.get(0).text()).contains("9 similar alerts suppressed since 2026-11-28 09:00:00 UTC");
    }

    @Test
    void eventsThatAreNotAlertedAboutAndUnconfiguredChannelsTouchNothing() {
        FakeChannel off = new FakeChannel("email", false, false);
        dispatcher(off).dispatch(event);
        dispatcher(new FakeChannel("email", true, false))
                .dispatch(BackupStarted.of(UUID.randomUUID(), "taskagent", "manual", "w", 1));
        assertThat(off.attempts).isZero();
        verifyNoInteractions(history, throttle, deliveries, publisher);
    }

    @Test
    void whileAlertOnFailureIsOffAFailureIsRecordedAsSuppressedWithTheReasonAndOtherKindsStillGoOut() {
        FakeChannel email = new FakeChannel("email", true, false);
        when(settings.current()).thenReturn(new AlertSettings(List.of("x@b.c"), true, false, 3, "admin"));

        dispatcher(email).dispatch(event);

        assertThat(email.attempts).isZero();
        ArgumentCaptor<AlertHistory.Decision> decision = ArgumentCaptor.forClass(AlertHistory.Decision.class);
        verify(history).record(eq(event), any(), decision.capture(), eq("[backup] FAILED: manual backup of taskagent"));
        assertThat(decision.getValue().suppressed()).isTrue();
        assertThat(decision.getValue().reason()).isEqualTo("alert_on_failure is off");
        verifyNoInteractions(throttle, publisher);
        assertThat(meters.counter("alerts.suppressed", "kind", "BackupFailed").count()).isEqualTo(1);

        dispatcher(email).dispatch(io.taskagent.backup.model.DiskSpaceLow.of(UUID.randomUUID(), "taskagent", "/b", 1, 2));
        assertThat(email.sent).hasSize(1);
    }

    @Test
    void eachEventReadsTheSettingsInForceAndChannelsGetThem() {
        AlertSettings first = new AlertSettings(List.of("first@b.c"), true, true, 1, "admin");
        AlertSettings second = new AlertSettings(List.of("second@b.c"), true, true, 2, "admin");
        when(settings.current()).thenReturn(first, second);
        List<AlertSettings> seen = new ArrayList<>();
        AlertChannel recording = new AlertChannel() {
            @Override
            public String name() {
                return "email";
            }

            @Override
            public boolean enabled(AlertSettings s) {
                return s.emailOn();
            }

            @Override
            public String send(Alert alert, AlertSettings s) {
                seen.add(s);
                return String.join(",", s.emailRecipients());
            }
        };
        AlertDispatcher dispatcher = dispatcher(recording);
        dispatcher.dispatch(event);
        dispatcher.dispatch(BackupFailed.of(UUID.randomUUID(), "taskagent", "manual", "again", 1));
        assertThat(seen).containsExactly(first, second);
        verify(deliveries).record(eq(event.messageId()), eq("email"), any(), any(), any(), eq("first@b.c"), any());
    }
}
