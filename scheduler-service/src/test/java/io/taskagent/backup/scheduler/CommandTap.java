package io.taskagent.backup.scheduler;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.Infrastructure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Sees the commands published on {@code backup.commands} with some routing keys, for one target, through a private,
 * exclusive queue: the shared consuming queues (which other tests' workers may drain) are left alone.
 */
public final class CommandTap implements AutoCloseable {

    private final Connection connection;
    private final List<BackupMessage> messages = new CopyOnWriteArrayList<>();

    public CommandTap(String target, String... routingKeys) {
        Infrastructure infra = Infrastructure.get();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(infra.rabbitHost);
        factory.setPort(infra.rabbitPort);
        factory.setUsername(infra.rabbitUser);
        factory.setPassword(infra.rabbitPassword);
        try {
            connection = factory.newConnection("scheduler-test-tap");
            Channel channel = connection.createChannel();
            channel.exchangeDeclare(Topology.COMMANDS_EXCHANGE, "topic", true);
            String queue = channel.queueDeclare("", false, true, true, null).getQueue();
            for (String key : routingKeys) {
                channel.queueBind(queue, Topology.COMMANDS_EXCHANGE, key);
            }
            channel.basicConsume(queue, true, (tag, delivery) -> {
                BackupMessage message = MessageJson.read(delivery.getBody());
                if (message.target().equals(target)) {
                    messages.add(message);
                }
            }, tag -> {
            });
        } catch (Exception e) {
            throw new IllegalStateException("cannot tap " + Topology.COMMANDS_EXCHANGE + ": " + e, e);
        }
    }

    public <T extends BackupMessage> List<T> messages(Class<T> type) {
        return messages.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Waits until {@code count} messages of {@code type} arrived and no more come within a second; returns them. */
    public <T extends BackupMessage> List<T> awaitExactly(Class<T> type, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (messages(type).size() < count && System.nanoTime() < deadline) {
            sleep(50);
        }
        sleep(1000);
        return messages(type);
    }

    public <T extends BackupMessage> T await(Class<T> type, Predicate<T> filter, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (T m : messages(type)) {
                if (filter.test(m)) {
                    return m;
                }
            }
            sleep(50);
        }
        throw new AssertionError("no " + type.getSimpleName() + " matching the filter within " + timeout
                + "; seen: " + messages);
    }

    public void clear() {
        messages.clear();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (Exception e) {
            // closing anyway; the queue is exclusive and goes with the connection
        }
    }
}
