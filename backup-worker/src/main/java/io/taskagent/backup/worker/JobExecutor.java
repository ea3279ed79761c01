package io.taskagent.backup.worker;

import io.taskagent.backup.worker.cleanup.CleanupExecutor;
import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.job.LeaseKeeper;
import io.taskagent.backup.worker.restore.RestoreJobRunner;
import org.springframework.stereotype.Component;

/**
 * Runs a claimed job of any kind, for the command listener and for a take-over alike. The job's lease is renewed
 * from here until the job is recorded as finished and announced, so a slow step after the work itself (the catalog,
 * the broker's confirm) cannot let another worker take a job over that is all but done.
 */
@Component
class JobExecutor {

    private final LeaseKeeper leases;
    private final BackupJobRunner backups;
    private final VerifyJobRunner verifications;
    private final RestoreJobRunner restores;
    private final CleanupExecutor cleanups;

    JobExecutor(LeaseKeeper leases, BackupJobRunner backups, VerifyJobRunner verifications, RestoreJobRunner restores,
                CleanupExecutor cleanups) {
        this.leases = leases;
        this.backups = backups;
        this.verifications = verifications;
        this.restores = restores;
        this.cleanups = cleanups;
    }

    /** Fails a job that used up its attempts, announcing it with its own kind's failure event. */
    void giveUp(JobStore.Job job, String reason) {
        switch (job.kind()) {
            case "verify" -> verifications.giveUp(job, reason);
            case "restore" -> restores.giveUp(job, reason);
            case "cleanup" -> cleanups.giveUp(job, reason);
            default -> backups.giveUp(job, reason);
        }
    }

    void run(JobStore.Job job) {
        try (LeaseKeeper.Heartbeat ignored = leases.keep(job.id())) {
            switch (job.kind()) {
                case "verify" -> verifications.execute(job);
                case "restore" -> restores.execute(job);
                case "cleanup" -> cleanups.execute(job);
                default -> backups.execute(job);
            }
        }
    }
}
