package io.taskagent.backup.worker.job;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.job.JobKind;

import java.util.Optional;

/**
 * What the worker does with the jobs of one kind, from the command that asks for one to its end. The command
 * listener finds a handler by the command's class, the executor and the lease reaper by the job's kind
 * ({@link JobHandlers}); every kind has exactly one.
 *
 * @param <C> the command that asks for a job of this kind
 */
public interface JobHandler<C extends BackupMessage> {

    /** The kind of the jobs this handler runs. */
    JobKind kind();

    /** The command that asks for such a job. */
    Class<C> commandType();

    /**
     * Records the job the command asks for and claims it under a lease, through {@link JobIntake#accept} (the one
     * implementation of insert-then-claim); empty when the job is finished or another worker runs it (a redelivered
     * or duplicate command).
     */
    Optional<JobStore.Job> accept(C command);

    /** Runs a claimed job (also one taken over after its lease expired) and records and announces its outcome. */
    void execute(JobStore.Job job);

    /** Fails, for good, a job whose lease expired too often, and announces it as a failure of this kind. */
    void giveUp(JobStore.Job job, String reason);
}
