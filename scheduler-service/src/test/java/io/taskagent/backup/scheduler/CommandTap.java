package io.taskagent.backup.scheduler;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Sees the commands published on {@code backup.commands} with some routing keys, for one target, through a private,
 * exclusive queue ({@link BrokerProbe#capture}): the shared consuming queues (which other tests' workers may drain)
 * are left alone.
 */
public final class CommandTap implements AutoCloseable {

    private final String target;
    private final BrokerProbe probe;

    public CommandTap(String target, String... routingKeys) {
        this.target = target;
        this.probe = new BrokerProbe(Infrastructure.get()).capture(Topology.COMMANDS_EXCHANGE, routingKeys);
    }

    public <T extends BackupMessage> List<T> messages(Class<T> type) {
        return probe.events().stream().filter(type::isInstance).map(type::cast)
                .filter(m -> m.target().equals(target)).toList();
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
        return probe.awaitEvent(type, m -> m.target().equals(target) && filter.test(m), timeout);
    }

    public void clear() {
        probe.clear();
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
        probe.close(); // the exclusive queue goes with the connection
    }
}
