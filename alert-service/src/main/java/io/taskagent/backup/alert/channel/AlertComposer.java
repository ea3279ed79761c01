package io.taskagent.backup.alert.channel;

import io.taskagent.backup.model.BackupAnomaly;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.BackupOversized;
import io.taskagent.backup.model.BackupStale;
import io.taskagent.backup.model.DiskSpaceLow;
import io.taskagent.backup.model.HealthCheckFailed;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.RestoreFailed;
import io.taskagent.backup.model.VerifyFailed;
import org.springframework.stereotype.Component;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns an event into the {@link Alert} a person reads: subject, headline, the facts, the details. */
@Component
public class AlertComposer {

    private final String host;

    public AlertComposer() {
        this(localHostName());
    }

    private AlertComposer(String host) {
        this.host = host;
    }

    /** A composer that names {@code host} as where alerts are reported from. */
    public static AlertComposer reportingFrom(String host) {
        return new AlertComposer(host);
    }

    /**
     * @param suppressedCount similar alerts suppressed since the previous one went out
     * @param suppressedSince when the previous one went out (null when none were suppressed)
     * @throws IllegalArgumentException for an event that is not alerted about (e.g. BackupCompleted)
     */
    public Alert compose(BackupMessage event, Severity severity, int suppressedCount, Instant suppressedSince) {
        Builder b = new Builder(event, severity);
        if (event instanceof BackupFailed e) {
            b.subject("FAILED: " + e.backupType() + " backup of " + e.target())
                    .headline("A backup failed.")
                    .field("Backup type", e.backupType()).job().field("Attempt", String.valueOf(e.attempt())).time()
                    .field("Reason", e.reason()).jobLink();
        } else if (event instanceof BackupOversized e) {
            b.subject("OVERSIZED: " + e.backupType() + " backup of " + e.target() + " is " + bytes(e.sizeBytes())
                            + " (limit " + bytes(e.limitBytes()) + ")")
                    .headline("A backup is larger than its limit; the file is kept.")
                    .field("Backup type", e.backupType()).job().field("File", e.fileName())
                    .field("Size", bytes(e.sizeBytes()) + " (" + e.sizeBytes() + " bytes)")
                    .field("Limit", bytes(e.limitBytes()) + " (" + e.limitBytes() + " bytes)").time().jobLink();
        } else if (event instanceof RestoreFailed e) {
            b.subject("RESTORE FAILED: " + e.target() + " into database " + e.database())
                    .headline("A restore failed; the database is as it was before.")
                    .field("Database", e.database())
                    .field("Backup", e.backupId() == null ? "(not resolved)" : e.backupId().toString())
                    .job().time().field("Reason", e.reason()).jobLink();
        } else if (event instanceof RestoreCompleted e) {
            b.subject((e.dryRun() ? "RESTORE DRY RUN OK: " : "RESTORED: ") + e.target() + " into database "
                            + e.database())
                    .headline(e.dryRun() ? "A restore dry run completed; nothing was written." : "A restore completed.")
                    .field("Database", e.database()).field("Backup", e.backupId().toString()).job()
                    .field("Dry run", e.dryRun() ? "yes" : "no")
                    .field("Rows", String.valueOf(e.rowCounts().values().stream().mapToLong(Long::longValue).sum()))
                    .field("Duration", duration(Duration.ofMillis(e.durationMillis()))).time()
                    .details("Rows per table", rows(e.rowCounts())).jobLink();
        } else if (event instanceof VerifyFailed e) {
            b.subject("VERIFY FAILED: backup " + e.fileName() + " of " + e.target())
                    .headline("A backup does not match its manifest: it may not restore.")
                    .field("Backup", e.backupId().toString()).field("File", e.fileName()).job().time()
                    .details("Problems", e.problems()).jobLink();
        } else if (event instanceof BackupStale e) {
            String window = duration(Duration.ofSeconds(e.windowSeconds()));
            b.subject("STALE: no successful backup of " + e.target() + " within " + window)
                    .headline("No backup of this target succeeded within the staleness window.")
                    .field("Last success", e.lastSuccessAt() == null ? "never" : Alert.TIME.format(e.lastSuccessAt()))
                    .field("Window", window).field("Check", e.jobId().toString()).time();
        } else if (event instanceof io.taskagent.backup.model.DrillOverdue e) {
            String window = duration(Duration.ofSeconds(e.windowSeconds()));
            b.subject("DRILL OVERDUE: no restore drill of " + e.target() + " passed within " + window)
                    .headline("Nothing has proved lately that this target's backups rebuild its database.")
                    .field("Last passed drill", e.lastPassedAt() == null ? "never" : Alert.TIME.format(e.lastPassedAt()))
                    .field("Window", window).field("Check", e.jobId().toString()).time();
        } else if (event instanceof DiskSpaceLow e) {
            b.subject("DISK LOW: " + bytes(e.freeBytes()) + " free for backups of " + e.target())
                    .headline("Free space of the backup storage is below the threshold: the next backups may fail.")
                    .field("Path", e.path()).field("Free", bytes(e.freeBytes()) + " (" + e.freeBytes() + " bytes)")
                    .field("Threshold", bytes(e.thresholdBytes()) + " (" + e.thresholdBytes() + " bytes)")
                    .field("Check", e.jobId().toString()).time();
        } else if (event instanceof HealthCheckFailed e) {
            b.subject("UNHEALTHY: " + e.component() + " of " + e.target())
                    .headline("A health check failed.")
                    .field("Component", e.component()).field("Check", e.jobId().toString()).time()
                    .field("Detail", e.detail());
        } else if (event instanceof BackupAnomaly e) {
            b.subject("ANOMALY: " + e.backupType() + " backup of " + e.target()
                            + " departs from its history (possible data loss)")
                    .headline("A backup succeeded but departs from this target's recent backups: data may have been lost.")
                    .field("Backup type", e.backupType()).job().field("File", e.fileName()).time()
                    .details("Findings", e.findings()).jobLink();
        } else if (event instanceof io.taskagent.backup.model.DrillFailed e) {
            b.subject("DRILL FAILED: " + (e.fileName() == null ? "no backup" : "backup " + e.fileName()) + " of "
                            + e.target())
                    .headline("A restore drill found that a backup does not rebuild its database as recorded.")
                    .field("Backup", e.backupId() == null ? "(none chosen)" : e.backupId().toString()).job().time()
                    .details("Problems", e.problems()).jobLink();
        } else if (event instanceof io.taskagent.backup.model.ReplicationFailed e) {
            b.subject((e.finalAttempt() ? "COPY GIVEN UP: " : "COPY FAILED: ") + "backup " + e.fileName() + " of "
                            + e.target() + " to " + e.destination())
                    .headline(e.finalAttempt()
                            ? "Copying a backup to a destination failed for the last time: that copy does not exist."
                            : "Copying a backup to a destination failed; the backup is safe where it is and the copy is retried.")
                    .field("Destination", e.destination()).field("File", e.fileName()).job()
                    .field("Attempt", String.valueOf(e.attempt()))
                    .field("Next attempt", e.nextAttemptAt() == null ? "none" : Alert.TIME.format(e.nextAttemptAt()))
                    .time().field("Reason", e.reason()).jobLink();
        } else {
            throw new IllegalArgumentException("no alert for " + event.getClass().getSimpleName());
        }
        if (suppressedCount > 0) {
            b.subject = b.subject + " (+" + suppressedCount + " suppressed)";
        }
        return new Alert(event, severity, "[backup] " + b.subject, b.headline, b.fields, b.detailsTitle, b.details,
                suppressedCount, suppressedCount > 0 ? suppressedSince : null, host, b.link);
    }

    /** 1536 -> "1.5 KiB". */
    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** 43200 s -> "12h", 90 s -> "1m 30s". */
    static String duration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder s = new StringBuilder();
        if (d.toDays() > 0) {
            s.append(d.toDays()).append("d ");
        }
        if (d.toHoursPart() > 0) {
            s.append(d.toHoursPart()).append("h ");
        }
        if (d.toMinutesPart() > 0) {
            s.append(d.toMinutesPart()).append("m ");
        }
        if (d.toSecondsPart() > 0 || s.length() == 0) {
            s.append(d.toSecondsPart() > 0 ? d.toSecondsPart() + "s" : d.toMillisPart() + "ms");
        }
        return s.toString().trim();
    }

    private static List<String> rows(Map<String, Long> counts) {
        List<String> lines = new ArrayList<>();
        counts.forEach((table, n) -> lines.add(table + ": " + n));
        return lines;
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown host";
        }
    }

    private static final class Builder {
        final BackupMessage event;
        final List<Alert.Field> fields = new ArrayList<>();
        String subject;
        String headline;
        String detailsTitle;
        List<String> details = List.of();
        String link;

        Builder(BackupMessage event, Severity severity) {
            this.event = event;
            field("Event", event.getClass().getSimpleName());
            field("Severity", severity.label());
            field("Target", event.target());
        }

        Builder subject(String subject) {
            this.subject = subject;
            return this;
        }

        Builder headline(String headline) {
            this.headline = headline;
            return this;
        }

        Builder field(String label, String value) {
            fields.add(new Alert.Field(label, value));
            return this;
        }

        Builder job() {
            return field("Job", event.jobId().toString());
        }

        Builder time() {
            return field("Time", Alert.TIME.format(event.occurredAt()));
        }

        Builder details(String title, List<String> lines) {
            this.detailsTitle = title;
            this.details = lines;
            return this;
        }

        Builder jobLink() {
            this.link = "Job details: GET /api/backup/jobs/" + event.jobId();
            return this;
        }
    }
}
