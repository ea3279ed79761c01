package io.taskagent.backup.alert.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.Alert;
import io.taskagent.backup.alert.channel.AlertChannel;
import io.taskagent.backup.alert.channel.AlertComposer;
import io.taskagent.backup.alert.settings.AlertSettings;
import io.taskagent.backup.alert.settings.AlertSettingsStore;
import io.taskagent.backup.alert.throttle.Throttle;
import io.taskagent.backup.model.AlertRules;
import io.taskagent.backup.model.AlertSent;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Turns one event into alerts on its channels, exactly once per event and channel:
 * <ol>
 * <li>route: is the kind alerted about, how severe, which configured channels; the settings in force (e-mail
 * recipients and switch, alert on failure; {@link AlertSettingsStore}) are read from the catalog once per event;</li>
 * <li>decide once per message id, in one transaction, whether it is sent or suppressed: a failure event while
 * alert_on_failure is off ("alert_on_failure is off"), or by throttling; a redelivery keeps the first decision;</li>
 * <li>send on every routed channel that has no delivery row yet, each retried with back-off, and record each
 * delivery (before the message is acknowledged);</li>
 * <li>publish AlertSent per delivery (id derived from event and channel, so a re-publication is recognisable);</li>
 * <li>if a channel still failed, count it and throw {@link AlertNotDeliveredException}: the event is dead-lettered,
 * while the other channels (and the next events) went out.</li>
 * </ol>
 * Metrics: {@code alerts.sent} and {@code alerts.failed} (tags channel, kind), {@code alerts.suppressed} (tag kind).
 */
@Service
public class AlertDispatcher {

    private static final Logger log = LoggerFactory.getLogger(AlertDispatcher.class);

    private final AlertRouting routing;
    private final Map<String, AlertChannel> channels = new LinkedHashMap<>();
    private final AlertComposer composer;
    private final AlertHistory history;
    private final Throttle throttle;
    private final AlertSettingsStore settings;
    private final DeliveryLog deliveries;
    private final TransactionTemplate transactions;
    private final ConfirmingPublisher publisher;
    private final Retry retry;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Duration window;

    AlertDispatcher(AlertProperties properties, List<AlertChannel> channels, AlertComposer composer,
                    AlertHistory history, Throttle throttle, AlertSettingsStore settings, DeliveryLog deliveries,
                    TransactionTemplate transactions, ConfirmingPublisher publisher, Retry retry, MeterRegistry meters,
                    Clock clock) {
        this.routing = new AlertRouting(properties);
        AlertRouting.CHANNELS.forEach(name -> channels.stream().filter(c -> c.name().equals(name)).findFirst()
                .ifPresent(c -> this.channels.put(name, c)));
        this.composer = composer;
        this.history = history;
        this.throttle = throttle;
        this.settings = settings;
        this.deliveries = deliveries;
        this.transactions = transactions;
        this.publisher = publisher;
        this.retry = retry;
        this.meters = meters;
        this.clock = clock;
        this.window = properties.throttle().window();
        AlertSettings configured = AlertSettings.fromConfiguration(properties);
        List<String> on = this.channels.values().stream().filter(c -> c.enabled(configured)).map(AlertChannel::name)
                .toList();
        log.info("alert channels configured: {} (e-mail recipients and switches set through the API take precedence);"
                + " routing: {}; throttle window {}", on.isEmpty() ? "none" : on, routing, window);
    }

    /**
     * Alerts about {@code event} if its kind is routed anywhere.
     *
     * @throws AlertNotDeliveredException when a channel failed after every retry (the caller dead-letters)
     */
    public void dispatch(BackupMessage event) {
        String kind = event.getClass().getSimpleName();
        Optional<AlertRouting.Route> found = routing.route(kind);
        if (found.isEmpty()) {
            log.debug("no alert for {} {}", kind, event.messageId());
            return;
        }
        AlertRouting.Route route = found.get();
        AlertSettings inForce = retry.get("reading the alert settings", settings::current);
        boolean failuresOff = AlertRules.isFailureEvent(event) && !inForce.alertOnFailure();
        List<AlertChannel> targets = route.channels().stream().map(channels::get)
                .filter(c -> c != null && c.enabled(inForce)).toList();
        if (targets.isEmpty() && !failuresOff) {
            log.warn("{} {} of {} (job {}) is routed to {} but none of these channels is configured: nobody is told",
                    kind, event.messageId(), event.target(), event.jobId(), route.channels());
            return;
        }
        Decided decided = retry.get("deciding on the " + kind + " alert " + event.messageId(),
                () -> transactions.execute(status -> decide(event, route, failuresOff)));
        AlertHistory.Decision decision = decided.decision();
        if (decision.suppressed()) {
            if (decided.fresh()) {
                meters.counter("alerts.suppressed", "kind", kind).increment();
                if (AlertHistory.THROTTLED.equals(decision.reason())) {
                    log.info("{} of {} (job {}) suppressed: the same alert went out at {}, within {}", kind,
                            event.target(), event.jobId(), decision.suppressedSince(), window);
                } else {
                    log.info("{} of {} (job {}) suppressed: {}", kind, event.target(), event.jobId(),
                            decision.reason());
                }
            } else {
                log.info("{} {} was suppressed already: nothing to send", kind, event.messageId());
            }
            return;
        }
        Alert alert = composer.compose(event, route.severity(), decision.suppressedCount(), decision.suppressedSince());
        Set<String> done = retry.get("reading deliveries of " + event.messageId(),
                () -> deliveries.channels(event.messageId()));
        List<String> failed = new ArrayList<>();
        for (AlertChannel channel : targets) {
            if (done.contains(channel.name())) {
                log.info("{} alert {} was sent via {} already: not sending it again", kind, event.messageId(),
                        channel.name());
                continue;
            }
            String recipients;
            try {
                recipients = retry.get("sending the " + kind + " alert for job " + event.jobId() + " via "
                        + channel.name(), () -> channel.send(alert, inForce));
            } catch (RuntimeException e) {
                meters.counter("alerts.failed", "channel", channel.name(), "kind", kind).increment();
                failed.add(channel.name() + " (" + e.getMessage() + ")");
                continue;
            }
            retry.run("recording the " + channel.name() + " delivery of " + event.messageId(),
                    () -> deliveries.record(event.messageId(), channel.name(), kind, event.jobId(), event.target(),
                            recipients, alert.subject()));
            meters.counter("alerts.sent", "channel", channel.name(), "kind", kind).increment();
            log.info("sent {} alert for job {} of {} via {}{}", kind, event.jobId(), event.target(), channel.name(),
                    alert.suppressedCount() > 0 ? " (" + alert.suppressedCount() + " similar suppressed before)" : "");
        }
        announce(event, kind, alert.suppressedCount());
        if (!failed.isEmpty()) {
            throw new AlertNotDeliveredException(kind + " alert " + event.messageId() + " for job " + event.jobId()
                    + " of " + event.target() + " could not be sent via " + String.join(", ", failed)
                    + "; dead-lettering it (channels that worked are not sent again if it is replayed)");
        }
    }

    private Decided decide(BackupMessage event, AlertRouting.Route route, boolean failuresOff) {
        Optional<AlertHistory.Decision> earlier = history.find(event.messageId());
        if (earlier.isPresent()) {
            return new Decided(earlier.get(), false);
        }
        if (failuresOff) {
            AlertHistory.Decision off = AlertHistory.Decision.suppressedBecause(AlertHistory.ALERT_ON_FAILURE_OFF);
            history.record(event, route.severity(), off, composer.compose(event, route.severity(), 0, null).subject());
            return new Decided(off, true);
        }
        Throttle.Verdict verdict = throttle.admit(route.kind(), event.target(), event.messageId(), clock.instant(),
                window);
        AlertHistory.Decision decision = new AlertHistory.Decision(verdict.suppressed(), verdict.suppressedCount(),
                verdict.suppressedCount() > 0 ? verdict.since() : null,
                verdict.suppressed() ? AlertHistory.THROTTLED : null);
        String subject = composer.compose(event, route.severity(), decision.suppressed() ? 0 : decision.suppressedCount(),
                decision.suppressedSince()).subject();
        history.record(event, route.severity(), decision, subject);
        return new Decided(decision, true);
    }

    /** Publishes AlertSent for every delivery of the event not announced yet. */
    private void announce(BackupMessage event, String kind, int suppressedCount) {
        List<String> pending = retry.get("reading deliveries of " + event.messageId(),
                () -> deliveries.unannounced(event.messageId()));
        for (String channel : pending) {
            UUID id = UUID.nameUUIDFromBytes(("AlertSent:" + event.messageId() + ":" + channel)
                    .getBytes(StandardCharsets.UTF_8));
            AlertSent sent = new AlertSent(id, event.jobId(), event.target(), clock.instant(),
                    BackupMessage.CURRENT_VERSION, kind, channel, event.messageId(), suppressedCount);
            retry.run("publishing AlertSent for " + event.messageId() + " via " + channel,
                    () -> publisher.publishEvent(sent));
            retry.run("recording AlertSent for " + event.messageId() + " via " + channel,
                    () -> deliveries.markAnnounced(event.messageId(), channel));
        }
    }

    private record Decided(AlertHistory.Decision decision, boolean fresh) {
    }
}
