package io.taskagent.backup.worker;

import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.storage.StorageDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.Optional;
import java.util.UUID;

/**
 * Takes over jobs whose worker died: every few seconds, each running job whose lease expired is claimed by this
 * worker (atomically: one worker wins) and run again from the start, up to {@code backup.worker.max-attempts};
 * after that it is failed and announced. Temporary files that nobody has written to for two leases are removed.
 */
@Component
class LeaseReaper {

    private static final Logger log = LoggerFactory.getLogger(LeaseReaper.class);

    private final JobStore jobs;
    private final BackupJobRunner backups;
    private final JobExecutor executor;
    private final StorageDirectory storage;
    private final WorkerProperties properties;

    LeaseReaper(JobStore jobs, BackupJobRunner backups, JobExecutor executor, StorageDirectory storage,
                WorkerProperties properties) {
        this.jobs = jobs;
        this.backups = backups;
        this.executor = executor;
        this.storage = storage;
        this.properties = properties;
    }

    @Scheduled(fixedDelayString = "${backup.worker.reaper-interval-ms:5000}", initialDelay = 2000)
    void reap() {
        try {
            storage.removeTemporaryFilesIdleFor(properties.worker().leaseDuration().multipliedBy(2));
            for (UUID id : jobs.expiredLeases()) {
                Optional<JobStore.Job> job = jobs.find(id);
                if (job.isEmpty()) {
                    continue;
                }
                if (job.get().attempts() >= properties.worker().maxAttempts()) {
                    executor.giveUp(job.get(), "gave up after " + job.get().attempts()
                            + " attempts: the worker running it stopped renewing its lease each time");
                    continue;
                }
                Optional<JobStore.Job> claimed = backups.claim(id);
                if (claimed.isPresent()) {
                    log.info("taking over {} job {} (attempt {}): its lease expired", claimed.get().kind(), id,
                            claimed.get().attempts());
                    executor.run(claimed.get());
                }
            }
        } catch (RuntimeException e) {
            log.warn("lease check failed, will retry: {}", e.toString());
        }
    }
}
