package io.taskagent.backup.worker.job;

import org.springframework.stereotype.Component;

/**
 * Runs a claimed job of any kind through its kind's {@link JobHandler}, for the command listener and for a
 * take-over alike. The job's lease is renewed from here until the job is recorded as finished and announced, so a
 * slow step after the work itself (the catalog, the broker's confirm) cannot let another worker take a job over
 * that is all but done.
 */
@Component
public class JobExecutor {

    private final LeaseKeeper leases;
    private final JobHandlers handlers;

    JobExecutor(LeaseKeeper leases, JobHandlers handlers) {
        this.leases = leases;
        this.handlers = handlers;
    }

    /** Fails a job that used up its attempts, announcing it with its own kind's failure event. */
    void giveUp(JobStore.Job job, String reason) {
        handlers.forKind(job.kind()).giveUp(job, reason);
    }

    void run(JobStore.Job job) {
        try (LeaseKeeper.Heartbeat ignored = leases.keep(job.id())) {
            handlers.forKind(job.kind()).execute(job);
        }
    }
}
