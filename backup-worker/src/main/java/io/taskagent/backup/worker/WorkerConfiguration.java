package io.taskagent.backup.worker;

import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.job.LeaseKeeper;
import io.taskagent.backup.worker.job.TakeOvers;
import io.taskagent.backup.worker.format.Encryption;
import io.taskagent.backup.worker.storage.BackupStorage;
import io.taskagent.backup.worker.storage.Destinations;
import io.taskagent.backup.worker.storage.LocalStorage;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.InetAddress;

/** Beans of the worker that come from its settings. */
@Configuration(proxyBeanMethods = false)
class WorkerConfiguration {

    /**
     * The destinations of backup files; stale temporary files of a crashed run are removed from local ones here, at
     * start-up, and every destination is probed (a wrong bucket or credentials are logged by name; the health check
     * announces them).
     */
    @Bean(destroyMethod = "close")
    Destinations destinations(WorkerProperties properties) {
        Destinations destinations = Destinations.of(properties.storage());
        for (BackupStorage storage : destinations.all()) {
            if (storage instanceof LocalStorage local) {
                local.removeStaleTemporaryFiles();
            }
            String problem = io.taskagent.backup.worker.health.WorkerHealthCheck.storageProblem(storage);
            if (problem == null) {
                org.slf4j.LoggerFactory.getLogger(WorkerConfiguration.class).info("backup destination '{}' ({}, {}){}",
                        storage.name(), storage.type(), storage.location(),
                        storage == destinations.primary() ? ": primary" : "");
            } else {
                org.slf4j.LoggerFactory.getLogger(WorkerConfiguration.class).error("backup destination '{}': {}",
                        storage.name(), problem);
            }
        }
        return destinations;
    }

    /**
     * Encryption at rest: the keyset of {@code BACKUP_ENCRYPTION_KEYSET_FILE} or {@code BACKUP_ENCRYPTION_KEYSET};
     * none configured, files are written in the clear. A keyset that cannot be read stops the start-up, named.
     */
    @Bean
    Encryption encryption(WorkerProperties properties) {
        WorkerProperties.EncryptionSettings settings = properties.encryption();
        if (!settings.keysetFile().isBlank() && !settings.keyset().isBlank()) {
            throw new IllegalArgumentException("set BACKUP_ENCRYPTION_KEYSET_FILE or BACKUP_ENCRYPTION_KEYSET, not both");
        }
        Encryption encryption;
        if (!settings.keysetFile().isBlank()) {
            java.nio.file.Path file = java.nio.file.Path.of(settings.keysetFile());
            try {
                encryption = Encryption.of(java.nio.file.Files.readString(file), "BACKUP_ENCRYPTION_KEYSET_FILE " + file);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read the encryption keyset BACKUP_ENCRYPTION_KEYSET_FILE "
                        + file + ": " + e, e);
            }
        } else if (!settings.keyset().isBlank()) {
            encryption = Encryption.of(settings.keyset(), "BACKUP_ENCRYPTION_KEYSET");
        } else {
            encryption = Encryption.none();
        }
        org.slf4j.LoggerFactory.getLogger(WorkerConfiguration.class).info("backup files: {}", encryption);
        encryption.warmUp();
        return encryption;
    }

    @Bean
    WorkerIdentity workerIdentity(WorkerProperties properties) {
        String id = properties.worker().id();
        if (id == null || id.isBlank()) {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "worker";
            }
            id = host + "-" + ProcessHandle.current().pid();
        }
        return new WorkerIdentity(id);
    }

    @Bean
    LeaseKeeper leaseKeeper(JobStore jobs, WorkerIdentity identity, WorkerProperties properties) {
        return new LeaseKeeper(jobs, identity.id(), properties.worker().leaseDuration());
    }

    /**
     * The threads lease take-overs run on, off the scheduling thread: as many as the worker runs jobs at once
     * ({@code backup.worker.concurrency}); closed with the context.
     */
    @Bean(destroyMethod = "close")
    TakeOvers takeOvers(WorkerProperties properties) {
        return new TakeOvers(properties.worker().concurrency());
    }

    /** This worker's name in job leases. */
    record WorkerIdentity(String id) {
    }
}
