package io.taskagent.backup.worker.job;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads lease take-overs run on: never the scheduling thread, which also runs the outbox relay and the health
 * check. At most {@code size} take-overs run at once; a slot is reserved <em>before</em> a job is claimed, so a
 * claimed job always has a thread to run on (the pool's queue holds as many tasks as there are slots, and a task is
 * refused only once the pool is shut down). Shut down with the application context.
 */
public final class TakeOvers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TakeOvers.class);

    private final Semaphore slots;
    private final ThreadPoolExecutor pool;

    public TakeOvers(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("take-overs need at least one thread, not " + size);
        }
        this.slots = new Semaphore(size);
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(size),
                r -> {
                    Thread t = new Thread(r, "lease-takeover-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** A free slot, reserved; empty when as many take-overs as allowed are running, or when shut down. */
    Optional<Slot> reserve() {
        if (pool.isShutdown() || !slots.tryAcquire()) {
            return Optional.empty();
        }
        return Optional.of(new Slot());
    }

    /** Take-overs running or about to (slots reserved). */
    int busy() {
        return pool.getMaximumPoolSize() - slots.availablePermits();
    }

    /** Stops taking tasks, lets running take-overs end for a few seconds, then interrupts them. */
    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                log.info("interrupting {} running take-over(s) at shut-down", pool.getActiveCount());
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** One reserved place for a take-over: {@link #run} a task on it, or {@link #close} frees it unused. */
    final class Slot implements AutoCloseable {
        private boolean used;

        /**
         * Runs {@code task} on a take-over thread, freeing the slot when it ends.
         *
         * @throws RejectedExecutionException when the pool is shut down (the slot is freed)
         */
        void run(Runnable task) {
            if (used) {
                throw new IllegalStateException("a take-over slot runs one task");
            }
            used = true;
            try {
                pool.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        slots.release();
                    }
                });
            } catch (RejectedExecutionException e) {
                slots.release();
                throw e;
            }
        }

        /** Frees the slot unless a task was run on it (that task frees it when it ends). */
        @Override
        public void close() {
            if (!used) {
                used = true;
                slots.release();
            }
        }
    }
}
