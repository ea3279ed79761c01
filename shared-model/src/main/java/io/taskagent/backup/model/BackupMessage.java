package io.taskagent.backup.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.time.Instant;
import java.util.UUID;

/**
 * Every message on the broker: commands (imperative names) and events (past tense).
 * <p>
 * Each carries a unique {@code messageId} (consumers de-duplicate by it), the {@code jobId} it belongs to,
 * the logical {@code target} database, when it happened, and the contract {@code version}. The JSON
 * property {@code type} names the record, so one queue can carry several kinds of message.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RequestBackup.class, name = "RequestBackup"),
        @JsonSubTypes.Type(value = BackupStarted.class, name = "BackupStarted"),
        @JsonSubTypes.Type(value = BackupProgress.class, name = "BackupProgress"),
        @JsonSubTypes.Type(value = BackupCompleted.class, name = "BackupCompleted"),
        @JsonSubTypes.Type(value = BackupFailed.class, name = "BackupFailed"),
        @JsonSubTypes.Type(value = BackupOversized.class, name = "BackupOversized"),
        @JsonSubTypes.Type(value = RequestVerify.class, name = "RequestVerify"),
        @JsonSubTypes.Type(value = VerifyCompleted.class, name = "VerifyCompleted"),
        @JsonSubTypes.Type(value = VerifyFailed.class, name = "VerifyFailed"),
        @JsonSubTypes.Type(value = RequestRestore.class, name = "RequestRestore"),
        @JsonSubTypes.Type(value = RestoreCompleted.class, name = "RestoreCompleted"),
        @JsonSubTypes.Type(value = RestoreFailed.class, name = "RestoreFailed"),
        @JsonSubTypes.Type(value = BackupStale.class, name = "BackupStale"),
        @JsonSubTypes.Type(value = DiskSpaceLow.class, name = "DiskSpaceLow"),
        @JsonSubTypes.Type(value = HealthCheckFailed.class, name = "HealthCheckFailed"),
        @JsonSubTypes.Type(value = BackupAnomaly.class, name = "BackupAnomaly"),
        @JsonSubTypes.Type(value = AlertSent.class, name = "AlertSent"),
        @JsonSubTypes.Type(value = StartScheduler.class, name = "StartScheduler"),
        @JsonSubTypes.Type(value = StopScheduler.class, name = "StopScheduler"),
        @JsonSubTypes.Type(value = ConfigureSchedule.class, name = "ConfigureSchedule"),
        @JsonSubTypes.Type(value = ScheduleRejected.class, name = "ScheduleRejected"),
        @JsonSubTypes.Type(value = SchedulerStateChanged.class, name = "SchedulerStateChanged"),
        @JsonSubTypes.Type(value = RequestCleanup.class, name = "RequestCleanup"),
        @JsonSubTypes.Type(value = DeleteBackups.class, name = "DeleteBackups"),
        @JsonSubTypes.Type(value = CleanupCompleted.class, name = "CleanupCompleted"),
        @JsonSubTypes.Type(value = ConfigureAlerts.class, name = "ConfigureAlerts"),
        @JsonSubTypes.Type(value = AlertSettingsChanged.class, name = "AlertSettingsChanged"),
        @JsonSubTypes.Type(value = BackupReplicated.class, name = "BackupReplicated"),
        @JsonSubTypes.Type(value = ReplicationFailed.class, name = "ReplicationFailed"),
        @JsonSubTypes.Type(value = RequestDrill.class, name = "RequestDrill"),
        @JsonSubTypes.Type(value = DrillPassed.class, name = "DrillPassed"),
        @JsonSubTypes.Type(value = DrillFailed.class, name = "DrillFailed"),
        @JsonSubTypes.Type(value = DrillOverdue.class, name = "DrillOverdue")
})
public sealed interface BackupMessage permits RequestBackup, BackupStarted, BackupProgress, BackupCompleted,
        BackupFailed, BackupOversized, RequestVerify, VerifyCompleted, VerifyFailed, RequestRestore, RestoreCompleted,
        RestoreFailed, BackupStale, DiskSpaceLow, HealthCheckFailed, BackupAnomaly, AlertSent, StartScheduler,
        StopScheduler, ConfigureSchedule, ScheduleRejected, SchedulerStateChanged, RequestCleanup, DeleteBackups,
        CleanupCompleted, ConfigureAlerts, AlertSettingsChanged, BackupReplicated, ReplicationFailed, RequestDrill, DrillPassed,
        DrillFailed, DrillOverdue {

    /** The contract version this code writes; it reads every version from 1 up to this one. */
    int CURRENT_VERSION = 1;

    UUID messageId();

    UUID jobId();

    String target();

    Instant occurredAt();

    int version();

    /** The exchange this message is published to. */
    @JsonIgnore
    String exchange();

    /** The routing key this message is published with. */
    @JsonIgnore
    String routingKey();
}
