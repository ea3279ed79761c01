package io.taskagent.backup.testsupport;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A subscriber to every event on {@code backup.events} that survives broker outages, for tests that stop or kill
 * RabbitMQ nodes ({@link TemporaryRabbit}): its queue is a durable quorum queue (replicated on every node of a
 * cluster), so events published while the tap is disconnected wait for it, and its connection recovers by itself
 * (the client's automatic recovery, trying each given address). Every delivery is kept, redeliveries included:
 * {@link #deliveries()} counts them, {@link #events()} has each message id once.
 */
public final class EventTap implements AutoCloseable {

    /** One delivery: the message and whether the broker flagged it redelivered. */
    public record Delivery(BackupMessage message, boolean redelivered) {
    }

    private final Connection connection;
    private final String queue;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    private EventTap(Connection connection, String queue) {
        this.connection = connection;
        this.queue = queue;
    }

    /**
     * Declares the tap's queue ({@code test.event-tap}, quorum, bound to {@code backup.events} with {@code #}) and
     * consumes it through {@code addresses} (guest/guest, virtual host {@code /}).
     */
    public static EventTap open(List<String> addresses) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername("guest");
        factory.setPassword("guest");
        factory.setVirtualHost("/");
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(500);
        factory.setRequestedHeartbeat(5);
        String queue = "test.event-tap";
        try {
            Connection connection = factory.newConnection(addresses.stream().map(Address::parseAddress).toList(),
                    "test-event-tap");
            Channel channel = connection.createChannel();
            channel.exchangeDeclare(Topology.EVENTS_EXCHANGE, "topic", true);
            channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
            channel.queueBind(queue, Topology.EVENTS_EXCHANGE, "#");
            channel.basicQos(100);
            EventTap tap = new EventTap(connection, queue);
            DeliverCallback callback = (tag, delivery) -> {
                try {
                    tap.deliveries.add(new Delivery(MessageJson.read(delivery.getBody()),
                            delivery.getEnvelope().isRedeliver()));
                } catch (RuntimeException ignored) {
                    // not a message of ours
                }
                channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
            };
            channel.basicConsume(queue, false, callback, tag -> {
            });
            return tap;
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("cannot open the event tap on " + addresses + ": " + e, e);
        }
    }

    /** Every delivery so far, redeliveries included. */
    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** Every event so far, each message id once (the first delivery). */
    public List<BackupMessage> events() {
        Map<UUID, BackupMessage> byId = new java.util.LinkedHashMap<>();
        deliveries.forEach(d -> byId.putIfAbsent(d.message().messageId(), d.message()));
        return List.copyOf(byId.values());
    }

    /** Events of {@code type} for {@code job}, each message id once. */
    public <T extends BackupMessage> List<T> events(Class<T> type, UUID job) {
        return events().stream().filter(type::isInstance).map(type::cast).filter(e -> e.jobId().equals(job)).toList();
    }

    /** Waits for an event of {@code type} matching {@code filter}. */
    public <T extends BackupMessage> T awaitEvent(Class<T> type, Predicate<T> filter, Duration timeout) {
        try {
            return Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> events().stream().filter(type::isInstance).map(type::cast).filter(filter)
                            .findFirst(), Optional::isPresent)
                    .orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + type.getSimpleName() + " matching the filter within " + timeout
                    + " at the event tap; " + deliveries.size() + " deliveries seen", e);
        }
    }

    public String queue() {
        return queue;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
    }
}
