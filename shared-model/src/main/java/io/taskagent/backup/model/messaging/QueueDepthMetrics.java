package io.taskagent.backup.model.messaging;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.Topology;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gauges {@code backup.queue.messages{queue}}: messages ready in every consuming queue of the system and in its
 * dead-letter queue ({@code <queue>.dlq}), read from the broker (a passive declaration) at most every ten seconds
 * per queue; NaN while the broker cannot be asked. Every service exports them (a dashboard or rule takes the
 * maximum per queue), so a dead-letter queue that fills is seen even when its own service is down.
 */
public final class QueueDepthMetrics {

    static final Duration MAX_AGE = Duration.ofSeconds(10);

    private final AmqpAdmin admin;
    private final Map<String, long[]> cache = new ConcurrentHashMap<>();

    public QueueDepthMetrics(AmqpAdmin admin, MeterRegistry meters) {
        this.admin = admin;
        if (admin == null || meters == null) {
            return;
        }
        for (String queue : Topology.CONSUMING_QUEUES) {
            for (String name : new String[]{queue, Topology.deadLetterQueue(queue)}) {
                Gauge.builder("backup.queue.messages", this, m -> m.depth(name)).tag("queue", name)
                        .description("messages ready in the queue (dead-letter queues end in .dlq)")
                        .register(meters);
            }
        }
    }

    /** The queue's message count, at most {@link #MAX_AGE} old; NaN when the broker does not answer. */
    double depth(String queue) {
        long now = System.nanoTime();
        long[] entry = cache.get(queue);
        if (entry != null && now - entry[1] < MAX_AGE.toNanos()) {
            return entry[0] < 0 ? Double.NaN : entry[0];
        }
        long count;
        try {
            QueueInformation info = admin.getQueueInfo(queue);
            count = info == null ? -1 : info.getMessageCount();
        } catch (RuntimeException e) {
            count = -1;
        }
        cache.put(queue, new long[]{count, now});
        return count < 0 ? Double.NaN : count;
    }
}
