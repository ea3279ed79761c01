package io.taskagent.backup.model;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Event: a restore drill rebuilt the backup's database exactly (every row and the schema as recorded, every smoke
 * check true) on the drill server, and dropped it again.
 *
 * @param jobId          the drill job
 * @param recoveryMillis wall time from the drill's start to a usable database (the recovery time, RTO)
 * @param rowCounts      rows per table, as restored and checked
 */
public record DrillPassed(UUID messageId, UUID jobId, String target, Instant occurredAt, int version, UUID backupId,
        String fileName, long recoveryMillis, Map<String, Long> rowCounts) implements BackupMessage {

    public DrillPassed {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(backupId != null, "backupId is missing");
        MessageValidation.fileName(fileName);
        MessageValidation.require(recoveryMillis >= 0, "recoveryMillis must not be negative");
        rowCounts = rowCounts == null ? Map.of() : Map.copyOf(rowCounts);
    }

    public static DrillPassed of(UUID jobId, String target, UUID backupId, String fileName, long recoveryMillis,
                                 Map<String, Long> rowCounts) {
        return new DrillPassed(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupId, fileName,
                recoveryMillis, rowCounts);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_DRILL_PASSED;
    }
}
