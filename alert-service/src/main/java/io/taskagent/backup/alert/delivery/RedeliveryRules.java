package io.taskagent.backup.alert.delivery;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.ConfigureAlerts;
import io.taskagent.backup.model.InvalidMessageException;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Whether a message of the alert service's dead-letter queue is given back to the alert queue (the retry window of
 * {@link AlertRedelivery}), and with which headers. Pure: the broker's headers and body in, a verdict out.
 * <p>
 * Replayed: an alert event (not a command, not a {@code BackupCompleted}) that reads as a valid message with the
 * routing key it was first published with, for which the service had decided to alert (so it failed while being
 * delivered: a channel, or recording or announcing a delivery), first dead-lettered less than the window ago.
 * Everything else stays in the dead-letter queue, marked with {@link #KEPT_HEADER} so that it is counted once and
 * never looked at again: a poison message (not JSON, not a message, a type that does not match its routing key, no
 * original routing key), a command or {@code BackupCompleted}, an event that failed before any decision (the catalog)
 * and an alert older than the window ({@link Verdict#EXPIRED}).
 */
public final class RedeliveryRules {

    /** The routing key the event was first published with (a replay arrives through the default exchange). */
    public static final String ROUTING_KEY_HEADER = "x-alert-routing-key";
    /** When the event was first dead-lettered, epoch milliseconds: the retry window runs from there. */
    public static final String FIRST_DEATH_HEADER = "x-alert-first-death";
    /** How many times the event was given back to the alert queue. */
    public static final String REPLAYS_HEADER = "x-alert-replays";
    /** Set on a message left in the dead-letter queue for good: why ({@link Verdict} name). */
    public static final String KEPT_HEADER = "x-alert-redelivery-kept";

    /** What happens to one dead-lettered message. */
    public enum Verdict {
        /** given back to the alert queue, only the missing channels are sent */
        REPLAY,
        /** an alert whose retry window is over: kept and counted ({@code alerts.expired}) */
        EXPIRED,
        /** not a valid message of this queue: never replayed (it would only be dead-lettered again) */
        POISON,
        /** a valid message that is not an alert (a command, a completed backup) */
        NOT_AN_ALERT,
        /** an alert that failed before it was decided (not while being delivered) */
        NOT_A_DELIVERY_FAILURE,
        /** decided before: left where it is, not counted again */
        ALREADY_KEPT
    }

    /**
     * @param verdict what to do
     * @param reason  why, for the log
     * @param event   the event, when it could be read
     * @param headers the headers to publish the message with (a replay's or a newly kept one's); the original ones
     *                for {@link Verdict#ALREADY_KEPT}
     */
    public record Decision(Verdict verdict, String reason, BackupMessage event, Map<String, Object> headers) {
    }

    private RedeliveryRules() {
    }

    /**
     * @param body           the message body
     * @param headers        its headers (the broker's {@code x-death} included); null for none
     * @param now            the time now
     * @param window         how long after its first dead-lettering an alert is still replayed
     * @param deliveryFailed whether the service decided to alert about this event (it failed while being
     *                       delivered); asked only for a valid alert event
     */
    public static Decision decide(byte[] body, Map<String, Object> headers, Instant now, Duration window,
                                  Predicate<BackupMessage> deliveryFailed) {
        Map<String, Object> original = headers == null ? Map.of() : headers;
        if (original.containsKey(KEPT_HEADER)) {
            return new Decision(Verdict.ALREADY_KEPT, "kept before: " + original.get(KEPT_HEADER), null, original);
        }
        String routingKey = text(original.get(ROUTING_KEY_HEADER));
        List<Map<String, Object>> deaths = deaths(original);
        if (routingKey == null) {
            routingKey = deaths.stream().filter(d -> Topology.ALERT_EVENTS_QUEUE.equals(text(d.get("queue"))))
                    .map(d -> d.get("routing-keys")).filter(List.class::isInstance).map(List.class::cast)
                    .filter(keys -> !keys.isEmpty()).map(keys -> text(keys.get(0))).findFirst().orElse(null);
        }
        if (routingKey == null) {
            return kept(Verdict.POISON, "no original routing key (not dead-lettered by " + Topology.ALERT_EVENTS_QUEUE
                    + ")", null, original);
        }
        BackupMessage event;
        try {
            event = MessageJson.readReceived(body, routingKey);
        } catch (InvalidMessageException e) {
            return kept(Verdict.POISON, e.getMessage(), null, original);
        }
        if (event instanceof ConfigureAlerts || event instanceof BackupCompleted) {
            return kept(Verdict.NOT_AN_ALERT, event.getClass().getSimpleName() + " is not an alert", event, original);
        }
        if (!deliveryFailed.test(event)) {
            return kept(Verdict.NOT_A_DELIVERY_FAILURE, "no alert was decided for " + event.messageId()
                    + ": it failed before delivery", event, original);
        }
        Instant firstDeath = firstDeath(original, deaths, event);
        Duration age = Duration.between(firstDeath, now);
        if (age.compareTo(window) > 0) {
            return kept(Verdict.EXPIRED, "first dead-lettered at " + firstDeath + ", " + age.withNanos(0)
                    + " ago, beyond the retry window of " + window, event, original);
        }
        Map<String, Object> replay = new HashMap<>(original);
        replay.put(ROUTING_KEY_HEADER, routingKey);
        replay.put(FIRST_DEATH_HEADER, firstDeath.toEpochMilli());
        replay.put(REPLAYS_HEADER, replays(original) + 1);
        return new Decision(Verdict.REPLAY, "first dead-lettered at " + firstDeath + ", replay "
                + (replays(original) + 1), event, replay);
    }

    /** How many times the message was replayed before (0 for none). */
    public static long replays(Map<String, Object> headers) {
        Object value = headers == null ? null : headers.get(REPLAYS_HEADER);
        if (value instanceof Number n) {
            return n.longValue();
        }
        try {
            return value == null ? 0 : Long.parseLong(value.toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Decision kept(Verdict verdict, String reason, BackupMessage event, Map<String, Object> original) {
        Map<String, Object> headers = new HashMap<>(original);
        headers.put(KEPT_HEADER, verdict.name());
        return new Decision(verdict, reason, event, headers);
    }

    /** Our header; else the earliest dead-lettering the broker recorded; else when the event occurred. */
    private static Instant firstDeath(Map<String, Object> headers, List<Map<String, Object>> deaths,
                                      BackupMessage event) {
        Object stamped = headers.get(FIRST_DEATH_HEADER);
        if (stamped instanceof Number n) {
            return Instant.ofEpochMilli(n.longValue());
        }
        return deaths.stream().map(d -> d.get("time")).filter(Date.class::isInstance).map(Date.class::cast)
                .map(Date::toInstant).min(Instant::compareTo).orElse(event.occurredAt());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> deaths(Map<String, Object> headers) {
        Object value = headers.get("x-death");
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().filter(Map.class::isInstance).map(m -> (Map<String, Object>) m).toList();
    }

    private static String text(Object value) {
        return value == null ? null : value.toString(); // the client reads AMQP strings as LongString
    }
}
