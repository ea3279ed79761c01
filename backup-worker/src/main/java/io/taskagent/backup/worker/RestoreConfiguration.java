package io.taskagent.backup.worker;

import io.taskagent.backup.model.messaging.Retry;
import io.taskagent.backup.worker.backup.BackupCatalog;
import io.taskagent.backup.worker.backup.BackupJobRunner;
import io.taskagent.backup.worker.job.EventOutbox;
import io.taskagent.backup.worker.job.JobIntake;
import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.job.LeaseKeeper;
import io.taskagent.backup.worker.restore.RestoreJobRunner;
import io.taskagent.backup.worker.backup.BackupCopies;
import io.taskagent.backup.worker.format.StoredFile;
import io.taskagent.backup.worker.restore.RestoreJobRunner.RestoreRefused;
import io.taskagent.backup.worker.storage.BackupStorage;
import io.taskagent.backup.worker.storage.Destinations;
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
    io.taskagent.backup.worker.restore.DrillJobRunner drillJobRunner(JobStore jobs, JobIntake intake,
            RestoreJobRunner restores, BackupCatalog catalog, io.taskagent.backup.worker.backup.PgDump pgDump,
            org.springframework.jdbc.core.simple.JdbcClient jdbc, EventOutbox outbox, Retry retry, LeaseKeeper leases,
            WorkerProperties properties, io.micrometer.core.instrument.MeterRegistry meters) {
        return new io.taskagent.backup.worker.restore.DrillJobRunner(jobs, intake, restores.backups(), restores, pgDump,
                jdbc, outbox, retry, leases, properties, meters, catalog::newestAvailable);
    }

    @Bean
    RestoreJobRunner restoreJobRunner(JobStore jobs, JobIntake intake, BackupCatalog catalog, BackupVerifier verifier,
                                      BackupJobRunner backups, Destinations destinations, BackupCopies copies,
                                      EventOutbox outbox,
                                      Retry retry, LeaseKeeper leases, WorkerProperties properties,
                                      io.taskagent.backup.worker.job.JobProgress.Factory progresses) {
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
            public StoredFile locate(UUID backupId, String destination) {
                BackupCatalog.StoredBackup backup = catalog.find(backupId)
                        .orElseThrow(() -> new RestoreRefused("no backup " + backupId + " in the catalog"));
                List<BackupCopies.Copy> held = copies.of(backupId).stream().filter(BackupCopies.Copy::available)
                        .sorted(java.util.Comparator.comparing((BackupCopies.Copy c) -> c.verifiedAt() == null)
                                .thenComparing(c -> !c.primary()))
                        .toList();
                if (destination != null) {
                    if (destinations.get(destination).isEmpty()) {
                        throw new RestoreRefused("destination '" + destination + "' is not configured on this worker");
                    }
                    held = held.stream().filter(c -> c.destination().equals(destination)).toList();
                    if (held.isEmpty()) {
                        throw new RestoreRefused("backup " + backup.fileName() + " has no available copy on '"
                                + destination + "'");
                    }
                }
                List<String> problems = new ArrayList<>();
                for (BackupCopies.Copy copy : held) {
                    java.util.Optional<BackupStorage> storage = destinations.get(copy.destination());
                    if (storage.isEmpty()) {
                        problems.add("copy on '" + copy.destination() + "': not configured on this worker");
                        continue;
                    }
                    List<String> found = new ArrayList<>();
                    // no pass over the file here: the restore's own read compares the manifest's row counts and table
                    // digests with the file's summary when it reaches it, before anything is committed
                    StoredFile file = verifier.checkBeforeRestore(backup, storage.get(), found);
                    if (file != null && found.isEmpty()) {
                        return file;
                    }
                    problems.add("copy on '" + copy.destination() + "': " + String.join("; ", found));
                }
                if (held.isEmpty()) {
                    problems.add("no copy of it is available");
                }
                throw new RestoreRefused("backup " + backup.fileName() + " failed verification: "
                        + String.join(" | ", problems));
            }

            @Override
            public String safetyBackup(String databaseName, WorkerProperties.Source database) throws Exception {
                return backups.safetyBackup(databaseName, database);
            }
        };
        return new RestoreJobRunner(jobs, intake, access, outbox, retry, leases, properties, progresses);
    }
}
