package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Event: a worker claimed the job and started dumping.
 *
 * @param worker  the worker instance that runs it
 * @param attempt 1 for the first run, more when a job is taken over after a lost lease
 */
public record BackupStarted(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
                            String backupType, String worker, int attempt) implements BackupMessage {

    public BackupStarted {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.backupType(backupType);
        MessageValidation.require(worker != null && !worker.isBlank(), "worker is missing");
        MessageValidation.require(attempt >= 1, "attempt must be at least 1 but was " + attempt);
    }

    public static BackupStarted of(UUID jobId, String target, String backupType, String worker, int attempt) {
        return new BackupStarted(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION,
                backupType, worker, attempt);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_BACKUP_STARTED;
    }
}
