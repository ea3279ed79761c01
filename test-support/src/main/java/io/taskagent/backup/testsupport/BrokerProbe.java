package io.taskagent.backup.testsupport;

import com.rabbitmq.client.AMQP;
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
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A test's direct line to the real broker: purge and count queues, publish raw bytes, and capture every event
 * published on {@code backup.events} through a private, exclusive queue.
 */
public final class BrokerProbe implements AutoCloseable {

    private final Connection connection;
    private final Channel channel;
    private final List<BackupMessage> events = new CopyOnWriteArrayList<>();

    public BrokerProbe(Infrastructure infra) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(infra.rabbitHost);
        factory.setPort(infra.rabbitPort);
        factory.setVirtualHost(infra.rabbitVhost);
        factory.setUsername(infra.rabbitUser);
        factory.setPassword(infra.rabbitPassword);
        try {
            connection = factory.newConnection("test-probe");
            channel = connection.createChannel();
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("cannot connect to RabbitMQ: " + e, e);
        }
    }

    /** Starts recording every event; call before the action under test. */
    public BrokerProbe captureEvents() {
        return capture(Topology.EVENTS_EXCHANGE, "#");
    }

    /**
     * Starts recording the messages published on {@code exchange} (a topic exchange) with {@code routingKeys},
     * through a private, exclusive queue: the shared consuming queues are left alone. They show in {@link #events()}.
     */
    public BrokerProbe capture(String exchange, String... routingKeys) {
        try {
            channel.exchangeDeclare(exchange, "topic", true);
            String queue = channel.queueDeclare("", false, true, true, null).getQueue();
            for (String key : routingKeys) {
                channel.queueBind(queue, exchange, key);
            }
            DeliverCallback callback = (tag, delivery) -> {
                try {
                    events.add(MessageJson.read(delivery.getBody()));
                } catch (RuntimeException ignored) {
                    // not a message of ours
                }
            };
            channel.basicConsume(queue, true, callback, tag -> {
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot capture " + exchange + ": " + e, e);
        }
        return this;
    }

    /** Forgets what was captured so far. */
    public void clear() {
        events.clear();
    }

    public List<BackupMessage> events() {
        return List.copyOf(events);
    }

    /** Waits for an event of {@code type} matching {@code filter}. */
    public <T extends BackupMessage> T awaitEvent(Class<T> type, Predicate<T> filter, Duration timeout) {
        try {
            return Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> events.stream().filter(type::isInstance).map(type::cast).filter(filter).findFirst(),
                            Optional::isPresent)
                    .orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + type.getSimpleName() + " matching the filter within " + timeout
                    + "; events seen: " + events, e);
        }
    }

    /** Empties {@code queue}; a queue that does not exist yet (no service declared it here) holds nothing. */
    public void purge(String queue) {
        try (Channel own = connection.createChannel()) { // a 404 closes the channel it happens on: not the probe's
            own.queuePurge(queue);
        } catch (IOException e) {
            if (e.getCause() instanceof com.rabbitmq.client.ShutdownSignalException signal
                    && signal.getReason() instanceof com.rabbitmq.client.AMQP.Channel.Close close
                    && close.getReplyCode() == com.rabbitmq.client.AMQP.NOT_FOUND) {
                return;
            }
            throw new IllegalStateException("cannot purge " + queue + ": " + e, e);
        } catch (TimeoutException | com.rabbitmq.client.AlreadyClosedException e) {
            throw new IllegalStateException("cannot purge " + queue + ": " + e, e);
        }
    }

    /** Takes (and acknowledges) the next ready message of {@code queue}: its body, or empty when there is none. */
    public Optional<byte[]> take(String queue) {
        try {
            com.rabbitmq.client.GetResponse delivery = channel.basicGet(queue, true);
            return Optional.ofNullable(delivery).map(com.rabbitmq.client.GetResponse::getBody);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read from " + queue + ": " + e, e);
        }
    }

    /** Ready messages in {@code queue}. */
    public long messageCount(String queue) {
        try {
            AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(queue);
            return ok.getMessageCount();
        } catch (IOException e) {
            throw new IllegalStateException("cannot inspect " + queue + ": " + e, e);
        }
    }

    /** Consumers of {@code queue} now. */
    public long consumerCount(String queue) {
        try {
            return channel.queueDeclarePassive(queue).getConsumerCount();
        } catch (IOException e) {
            throw new IllegalStateException("cannot inspect " + queue + ": " + e, e);
        }
    }

    /** Waits until {@code queue} holds {@code expected} ready messages. */
    public void awaitMessageCount(String queue, long expected, Duration timeout) {
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> messageCount(queue) == expected);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(queue + " holds " + messageCount(queue) + " messages, expected " + expected, e);
        }
    }

    /** Publishes raw bytes (for malformed-message tests), persistent, JSON content type. */
    public void publishRaw(String exchange, String routingKey, byte[] body) {
        try {
            channel.basicPublish(exchange, routingKey, true,
                    new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).build(), body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void publish(BackupMessage message) {
        publishRaw(message.exchange(), message.routingKey(), MessageJson.write(message));
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
