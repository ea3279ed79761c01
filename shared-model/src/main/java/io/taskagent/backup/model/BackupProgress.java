package io.taskagent.backup.model;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.OptBoolean;
import io.taskagent.backup.model.job.JobKind;

import java.time.Instant;
import java.util.UUID;

/**
 * Event: how far a running job got, at most once every few seconds (and at each change of phase). Published by the
 * worker for backups, restores and verifications alike; nothing is lost when one goes missing (the job record holds
 * the same figures).
 *
 * @param backupType    the job's type: the backup type of a backup, {@code restore}, {@code dry_run},
 *                      {@code restore_unsafe} or {@code verify} otherwise
 * @param rowsDone      rows written (backup), loaded (restore) or read (verify) so far
 * @param rowsEstimated all rows: the planner's estimate for a backup (pg_class.reltuples), the backup's row counts
 *                      for a restore or verify; 0 when unknown
 * @param tablesDone    tables finished
 * @param tableCount    tables in all
 * @param kind          the job's kind ({@code backup}, {@code restore}, {@code verify}); null in messages written
 *                      before it existed: a backup
 *                      (may be absent: added to version 1 later, like the other optional fields)
 * @param phase         what the job does now, e.g. {@code dumping}; a restore's {@code checking},
 *                      {@code safety_backup}, {@code loading}, {@code keys}, {@code verifying}; a verification's
 *                      {@code reading}; null when not told
 */
public record BackupProgress(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        String backupType, long rowsDone, long rowsEstimated, int tablesDone, int tableCount,
        @JacksonInject(value = "BackupProgress.kind", optional = OptBoolean.TRUE, useInput = OptBoolean.TRUE) String kind,
        @JacksonInject(value = "BackupProgress.phase", optional = OptBoolean.TRUE, useInput = OptBoolean.TRUE)
        String phase) implements BackupMessage {

    public BackupProgress {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.backupType(backupType);
        MessageValidation.require(rowsDone >= 0, "rowsDone must not be negative");
        MessageValidation.require(rowsEstimated >= 0, "rowsEstimated must not be negative");
        MessageValidation.require(tablesDone >= 0, "tablesDone must not be negative");
        MessageValidation.require(tableCount >= 0, "tableCount must not be negative");
        MessageValidation.require(kind == null || isKind(kind), "kind is not a job kind: " + kind);
        MessageValidation.require(phase == null || phase.matches("[a-z_]{1,40}"),
                "phase must be lower-case letters and underscores");
    }

    private static boolean isKind(String label) {
        for (JobKind k : JobKind.values()) {
            if (k.label().equals(label)) {
                return true;
            }
        }
        return false;
    }

    public static BackupProgress of(UUID jobId, String target, String kind, String type, long rowsDone,
                                    long rowsEstimated, int tablesDone, int tableCount, String phase) {
        return new BackupProgress(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, type, rowsDone,
                rowsEstimated, tablesDone, tableCount, kind, phase);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_BACKUP_PROGRESS;
    }
}
