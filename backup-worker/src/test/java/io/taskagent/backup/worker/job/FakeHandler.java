package io.taskagent.backup.worker.job;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.DeleteBackups;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RequestVerify;
import io.taskagent.backup.model.job.JobKind;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A handler that records on which thread it ran each job, and holds {@code execute} until {@link #release}d. */
class FakeHandler<C extends BackupMessage> implements JobHandler<C> {

    private static final Map<JobKind, Class<? extends BackupMessage>> COMMANDS = Map.of(
            JobKind.BACKUP, RequestBackup.class, JobKind.VERIFY, RequestVerify.class,
            JobKind.RESTORE, RequestRestore.class, JobKind.CLEANUP, DeleteBackups.class);

    final JobKind kind;
    final Class<C> command;
    final Map<java.util.UUID, String> executedOn = new ConcurrentHashMap<>();
    final Map<java.util.UUID, String> gaveUpOn = new ConcurrentHashMap<>();
    private final CountDownLatch release = new CountDownLatch(1);

    FakeHandler(JobKind kind, Class<C> command) {
        this.kind = kind;
        this.command = command;
    }

    /** One handler for each kind, for its own command. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static List<FakeHandler<?>> forEveryKind() {
        List<FakeHandler<?>> all = new java.util.ArrayList<>();
        for (JobKind kind : JobKind.values()) {
            all.add(new FakeHandler(kind, COMMANDS.get(kind)));
        }
        return all;
    }

    void release() {
        release.countDown();
    }

    @Override
    public JobKind kind() {
        return kind;
    }

    @Override
    public Class<C> commandType() {
        return command;
    }

    @Override
    public Optional<JobStore.Job> accept(C c) {
        return Optional.empty();
    }

    @Override
    public void execute(JobStore.Job job) {
        executedOn.put(job.id(), Thread.currentThread().getName());
        try {
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void giveUp(JobStore.Job job, String reason) {
        gaveUpOn.put(job.id(), Thread.currentThread().getName() + ": " + reason);
    }
}
