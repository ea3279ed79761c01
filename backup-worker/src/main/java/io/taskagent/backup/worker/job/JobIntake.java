package io.taskagent.backup.worker.job;

import io.taskagent.backup.model.messaging.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.Optional;

/**
 * Insert-then-claim, the one way a job starts on this worker: the job is recorded {@code QUEUED} unless it is known
 * already ({@code ON CONFLICT DO NOTHING}), together with whatever else its handler keeps for it (in the same
 * transaction), then claimed under this worker's lease. Each step is retried while the catalog is unreachable.
 */
@Component
public class JobIntake {

    private static final Logger log = LoggerFactory.getLogger(JobIntake.class);

    private final JobStore jobs;
    private final LeaseKeeper leases;
    private final Retry retry;
    private final TransactionTemplate tx;

    JobIntake(JobStore jobs, LeaseKeeper leases, Retry retry, TransactionTemplate tx) {
        this.jobs = jobs;
        this.leases = leases;
        this.retry = retry;
        this.tx = tx;
    }

    /** Records and claims {@code job}; empty when it is finished or another worker runs it. */
    public Optional<JobStore.Job> accept(JobStore.NewJob job) {
        return accept(job, () -> {
        });
    }

    /**
     * Records {@code job} and, in the same transaction, runs {@code alongside} (the handler's own records of the
     * request, written only where the job is still queued), then claims it.
     *
     * @return the claimed job; empty when it is finished or another worker runs it
     */
    public Optional<JobStore.Job> accept(JobStore.NewJob job, Runnable alongside) {
        retry.run("recording " + job.kind().label() + " job " + job.id(), () -> tx.executeWithoutResult(status -> {
            jobs.insertIfAbsent(job);
            alongside.run();
        }));
        Optional<JobStore.Job> claimed = retry.get("claiming job " + job.id(),
                () -> jobs.claim(job.id(), leases.worker(), leases.lease()));
        if (claimed.isEmpty()) {
            log.info("{} job {} is finished or running on another worker: nothing to do", job.kind().label(), job.id());
        }
        return claimed;
    }
}
