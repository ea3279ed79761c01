package io.taskagent.backup.worker;

import io.taskagent.backup.model.messaging.Retry;
import io.taskagent.backup.worker.backup.BackupCatalog;
import io.taskagent.backup.worker.backup.BackupJobRunner;
import io.taskagent.backup.worker.job.EventOutbox;
import io.taskagent.backup.worker.job.JobIntake;
import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.job.LeaseKeeper;
import io.taskagent.backup.worker.restore.RestoreJobRunner;
import io.taskagent.backup.worker.storage.StorageDirectory;
import io.taskagent.backup.worker.verify.BackupVerifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Gives the restore package what it needs of the worker: the catalog, verification and safety backups. */
@Configuration(proxyBeanMethods = false)
class RestoreConfiguration {

    @Bean
    RestoreJobRunner restoreJobRunner(JobStore jobs, JobIntake intake, BackupCatalog catalog, BackupVerifier verifier,
                                      BackupJobRunner backups, StorageDirectory storage, EventOutbox outbox,
                                      Retry retry, LeaseKeeper leases, WorkerProperties properties) {
        RestoreJobRunner.Backups access = new RestoreJobRunner.Backups() {
            @Override
            public Optional<RestoreJobRunner.Stored> byId(UUID id) {
                return catalog.find(id).map(b -> new RestoreJobRunner.Stored(b.backupId(), b.fileName(),
                        catalog.status(id).orElse("UNKNOWN"), b.rowCounts()));
            }

            @Override
            public Optional<RestoreJobRunner.Stored> byFileName(String fileName) {
                return catalog.idOf(fileName).flatMap(this::byId);
            }

            @Override
            public List<String> verify(UUID backupId) {
                List<String> problems = new ArrayList<>();
                catalog.find(backupId).ifPresentOrElse(b -> verifier.check(b, problems, false),
                        () -> problems.add("no backup " + backupId + " in the catalog"));
                return problems;
            }

            @Override
            public String safetyBackup(String databaseName, WorkerProperties.Source database) throws Exception {
                return backups.safetyBackup(databaseName, database);
            }
        };
        return new RestoreJobRunner(jobs, intake, access, storage, outbox, retry, leases, properties);
    }
}
