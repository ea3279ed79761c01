package io.taskagent.backup.alert.delivery;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.Topology;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The retry window of alerts: every {@code interval} the alert service's dead-letter queue is looked through once
 * (at most as many messages as it held when the pass began) and each alert that failed while being delivered and
 * was first dead-lettered less than {@code window} ago is given back to the alert queue, through the default exchange
 * (routing key: the queue's name), never to the events exchange, so no other subscriber sees it twice. Its original
 * routing key travels in {@link RedeliveryRules#ROUTING_KEY_HEADER}, which the listener checks the type against;
 * the dispatcher then sends only the channels without a delivery row. What is not replayed is put back at the tail of
 * the dead-letter queue marked {@link RedeliveryRules#KEPT_HEADER} (counted once: {@code alerts.expired{kind}} for an
 * alert beyond the window, {@code alerts.redelivery.kept{reason}} for every kept message), so a poison message never
 * loops. Every message is taken unacknowledged and acknowledged only after the broker confirmed its copy: a crash in
 * between replays it twice at worst (harmless, deliveries are recorded per message id and channel), and a message is
 * taken by one replica only, so replicas running passes at the same time do not multiply it.
 * Metrics: {@code alerts.redelivered{kind}}, {@code alerts.expired{kind}}, {@code alerts.redelivery.kept{reason}},
 * {@code alerts.redelivery.passes}; the queue's depth is {@code backup.queue.messages{queue="alert-service.events.dlq"}}.
 */
@Component
public class AlertRedelivery {

    private static final Logger log = LoggerFactory.getLogger(AlertRedelivery.class);
    static final String DLQ = Topology.deadLetterQueue(Topology.ALERT_EVENTS_QUEUE);
    private static final long CONFIRM_TIMEOUT_MS = 10_000;

    private final RedeliveryProperties properties;
    private final ConnectionFactory connections;
    private final AlertHistory history;
    private final MeterRegistry meters;
    private final Clock clock;
    private ScheduledExecutorService executor;

    AlertRedelivery(RedeliveryProperties properties, ConnectionFactory connections, AlertHistory history,
                    MeterRegistry meters, Clock clock) {
        this.properties = properties;
        this.connections = connections;
        this.history = history;
        this.meters = meters;
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    synchronized void start() {
        if (!properties.enabled()) {
            log.info("alert redelivery is off: undelivered alerts stay in {}", DLQ);
            return;
        }
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "alert-redelivery");
            t.setDaemon(true);
            return t;
        });
        long every = properties.interval().toMillis();
        executor.scheduleWithFixedDelay(this::runSafely, every, every, TimeUnit.MILLISECONDS);
        log.info("undelivered alerts are given back from {} every {} while younger than {}", DLQ,
                properties.interval(), properties.window());
    }

    @PreDestroy
    synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    private void runSafely() {
        try {
            pass();
        } catch (Exception e) {
            log.warn("alert redelivery pass failed, next in {}: {}", properties.interval(), e.toString());
        }
    }

    /** One pass over the dead-letter queue; returns how many messages got each verdict. */
    Map<RedeliveryRules.Verdict, Integer> pass() throws Exception {
        Map<RedeliveryRules.Verdict, Integer> counts = new EnumMap<>(RedeliveryRules.Verdict.class);
        meters.counter("alerts.redelivery.passes").increment();
        try (Channel channel = connections.createConnection().getDelegate().createChannel()) {
            channel.confirmSelect();
            long ready = channel.queueDeclarePassive(DLQ).getMessageCount();
            long limit = Math.min(ready, properties.maxPerPass());
            for (long i = 0; i < limit; i++) {
                GetResponse got = channel.basicGet(DLQ, false);
                if (got == null) {
                    break;
                }
                long tag = got.getEnvelope().getDeliveryTag();
                RedeliveryRules.Decision decision;
                try {
                    decision = RedeliveryRules.decide(got.getBody(), got.getProps().getHeaders(), clock.instant(),
                            properties.window(),
                            event -> history.find(event.messageId()).map(d -> !d.suppressed()).orElse(false));
                } catch (RuntimeException e) { // the catalog: leave the message where it is, try again next time
                    channel.basicNack(tag, false, true);
                    throw e;
                }
                AMQP.BasicProperties props = got.getProps().builder().headers(decision.headers()).build();
                String to = decision.verdict() == RedeliveryRules.Verdict.REPLAY ? Topology.ALERT_EVENTS_QUEUE : DLQ;
                channel.basicPublish("", to, false, props, got.getBody());
                channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MS);
                channel.basicAck(tag, false);
                counts.merge(decision.verdict(), 1, Integer::sum);
                record(decision, got.getProps().getMessageId());
            }
            if (!counts.isEmpty()) {
                log.info("alert redelivery pass over {} ({} ready): {}", DLQ, ready, counts);
            }
        }
        return counts;
    }

    private void record(RedeliveryRules.Decision decision, String messageId) {
        String kind = decision.event() == null ? "unknown" : decision.event().getClass().getSimpleName();
        switch (decision.verdict()) {
            case REPLAY -> {
                meters.counter("alerts.redelivered", "kind", kind).increment();
                log.debug("giving {} {} back to {}: {}", kind, messageId, Topology.ALERT_EVENTS_QUEUE,
                        decision.reason());
            }
            case ALREADY_KEPT -> log.debug("{} stays in {}: {}", messageId, DLQ, decision.reason());
            default -> {
                if (decision.verdict() == RedeliveryRules.Verdict.EXPIRED) {
                    meters.counter("alerts.expired", "kind", kind).increment();
                }
                meters.counter("alerts.redelivery.kept", "reason", decision.verdict().name().toLowerCase())
                        .increment();
                log.warn("{} {} stays in {} for good ({}): {}", kind, messageId, DLQ, decision.verdict(),
                        decision.reason());
            }
        }
    }
}
