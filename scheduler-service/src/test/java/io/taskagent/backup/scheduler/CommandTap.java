package io.taskagent.backup.scheduler;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Sees the commands published on {@code backup.commands} with some routing keys, for one target, through a private,
 * exclusive queue ({@link BrokerProbe#capture}): the shared consuming queues (which other tests' workers may drain)
 * are left alone.
 */
public final class CommandTap implements AutoCloseable {

    /** How long no further message may arrive before {@link #awaitExactly} returns. */
    static final Duration QUIET = Duration.ofSeconds(1);

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

    /**
     * Waits until {@code count} messages of {@code type} arrived and then until no more came for {@link #QUIET}
     * (so that a message too many is seen); returns them all.
     */
    public <T extends BackupMessage> List<T> awaitExactly(Class<T> type, int count, Duration timeout) {
        Awaitility.await("%d %s for %s".formatted(count, type.getSimpleName(), target)).atMost(timeout)
                .pollInterval(Duration.ofMillis(50)).until(() -> messages(type).size() >= count);
        AtomicInteger seen = new AtomicInteger(-1);
        AtomicLong since = new AtomicLong();
        Awaitility.await("no further %s for %s within %s".formatted(type.getSimpleName(), target, QUIET))
                .atMost(QUIET.plus(timeout)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    int now = messages(type).size();
                    if (seen.getAndSet(now) != now) {
                        since.set(System.nanoTime());
                    }
                    return System.nanoTime() - since.get() >= QUIET.toNanos();
                });
        return messages(type);
    }

    public <T extends BackupMessage> T await(Class<T> type, Predicate<T> filter, Duration timeout) {
        return probe.awaitEvent(type, m -> m.target().equals(target) && filter.test(m), timeout);
    }

    public void clear() {
        probe.clear();
    }

    @Override
    public void close() {
        probe.close(); // the exclusive queue goes with the connection
    }
}
