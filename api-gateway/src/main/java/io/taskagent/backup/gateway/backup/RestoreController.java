package io.taskagent.backup.gateway.backup;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.audit.AuditLog;
import io.taskagent.backup.gateway.audit.AuditedCommands;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.CatalogUnavailableException;
import io.taskagent.backup.gateway.web.CommandAccepted;
import io.taskagent.backup.gateway.web.ConflictException;
import io.taskagent.backup.gateway.web.ValidationException;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.job.JobStatus;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.Names;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RequestVerify;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Restores and verifications ({@code /api/backup/restore}, {@code /api/backup/verify}). A backup is named by its
 * catalog id or by a plain file name; anything that looks like a path is refused here with 400, audited, and
 * nothing is published (the worker checks again). The web dashboard's restore, dry run and verify buttons call
 * {@link #restore} and {@link #verify} themselves ({@code ui.RestorePage}, {@code ui.BackupsPage}).
 */
@RestController
@RequestMapping("/api/backup")
public class RestoreController {

    private final AuditedCommands commands;
    private final AuditLog audit;
    private final JdbcClient jdbc;
    private final String source;
    private final java.nio.file.Path storage;

    RestoreController(AuditedCommands commands, AuditLog audit, JdbcClient jdbc, GatewayProperties properties,
                      io.taskagent.backup.gateway.status.OperationsProperties operations) {
        this.commands = commands;
        this.audit = audit;
        this.jdbc = jdbc;
        this.source = properties.target();
        this.storage = java.nio.file.Path.of(operations.backupDirectory()).toAbsolutePath().normalize();
    }

    /** True when the storage directory is visible here and {@code name} in it is a link leading outside it. */
    private boolean linksOutside(String name) {
        try {
            java.nio.file.Path file = storage.resolve(name);
            return java.nio.file.Files.isDirectory(storage) && java.nio.file.Files.isSymbolicLink(file)
                    && !file.toRealPath().startsWith(storage.toRealPath());
        } catch (java.io.IOException | RuntimeException e) {
            return true; // a dangling or unreadable link: refused as well
        }
    }

    /** True when the catalog lists an available copy of the backup on {@code destination}. */
    private boolean holdsCopy(UUID backupId, String destination) {
        return CatalogUnavailableException.reading(CatalogQueries.COPIES, () -> jdbc.sql("""
                        SELECT count(*) FROM worker.v1_backup_copies
                        WHERE backup_id = :id AND destination = :d AND status = 'AVAILABLE'""")
                .param("id", backupId).param("d", destination).query(Long.class).single() > 0);
    }

    /**
     * Body of {@code POST /api/backup/restore}.
     *
     * @param mode           {@code replace} (default): into the target's existing schema, rows replaced;
     *                       {@code create}: into an existing empty database, the schema created from the backup
     * @param createDatabase a new database to create on the target's server and restore into ({@code create} mode);
     *                       it is dropped again if anything fails
     * @param destination    the copy to read (a destination's name, e.g. {@code offsite}); default: the first copy
     *                       that verifies, verified ones first
     */
    public record RestoreRequest(String backupId, String backupFilename, String target, Boolean dryRun,
                          Boolean skipSafetyBackup, String mode, String createDatabase, String destination) {
    }

    /** Body of {@code POST /api/backup/verify}. */
    public record VerifyRequest(String backupId) {
    }

    @PostMapping("/restore")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public ResponseEntity<CommandAccepted> restore(Caller caller, @RequestBody RestoreRequest body) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("backup_id", body.backupId());
        parameters.put("backup_filename", body.backupFilename() == null ? null
                : body.backupFilename().replaceAll("\\p{Cntrl}", "?"));
        parameters.put("target", body.target());
        parameters.put("dry_run", Boolean.TRUE.equals(body.dryRun()));
        parameters.put("skip_safety_backup", Boolean.TRUE.equals(body.skipSafetyBackup()));
        parameters.put("mode", body.mode());
        parameters.put("create_database", body.createDatabase());
        parameters.put("destination", body.destination());
        Map<String, String> errors = new LinkedHashMap<>();
        UUID backupId = null;
        if ((body.backupId() == null) == (body.backupFilename() == null)) {
            errors.put("backup_id", "give exactly one of backup_id and backup_filename");
        }
        if (body.backupId() != null) {
            try {
                backupId = UUID.fromString(body.backupId());
            } catch (IllegalArgumentException e) {
                errors.put("backup_id", "must be a UUID");
            }
        }
        if (body.backupFilename() != null && !Names.isPlainFileName(body.backupFilename())) {
            errors.put("backup_filename", "must be a plain backup file name (letters, digits, '.', '_', '-'; no paths)");
        } else if (body.backupFilename() != null && linksOutside(body.backupFilename())) {
            errors.put("backup_filename", "is a symbolic link leading outside the storage directory");
        }
        if (body.mode() != null && !RequestRestore.REPLACE.equals(body.mode()) && !RequestRestore.CREATE.equals(body.mode())) {
            errors.put("mode", "must be replace or create but was '" + clip(body.mode()) + "'");
        }
        if (body.createDatabase() != null && !Names.isDatabase(body.createDatabase())) {
            errors.put("create_database", "must be a plain lowercase database name (" + Names.DATABASE_REGEX + ")");
        } else if (body.createDatabase() != null && RequestRestore.REPLACE.equals(body.mode())) {
            errors.put("create_database", "restores in create mode: leave mode out or say create");
        }
        if (body.destination() != null && !Names.isDestination(body.destination())) {
            errors.put("destination", "must be a destination name (" + Names.DESTINATION_REGEX + ")");
        } else if (body.destination() != null && backupId != null && !holdsCopy(backupId, body.destination())) {
            errors.put("destination", "backup " + backupId + " has no available copy on '" + body.destination() + "'");
        }
        String database = body.target() == null ? source : body.target();
        if (!Names.isTarget(database)) {
            errors.put("target", "must match " + Names.TARGET.pattern());
        }
        if (!errors.isEmpty()) {
            audit.record(caller, "backup.restore", parameters, "REJECTED", null, errors.toString());
            throw new ValidationException(errors);
        }
        if (!Boolean.TRUE.equals(body.dryRun()) && restoreRunning(database)) {
            audit.record(caller, "backup.restore", parameters, "REJECTED", null, "restore of " + database + " running");
            throw new ConflictException("a restore of '" + database + "' is already queued or running");
        }
        RequestRestore command = RequestRestore.of(UUID.randomUUID(), source, backupId, body.backupFilename(),
                database.equals(source) ? null : database, Boolean.TRUE.equals(body.dryRun()),
                Boolean.TRUE.equals(body.skipSafetyBackup()), body.mode(), body.createDatabase(), body.destination(),
                caller.name());
        return publish(caller, "backup.restore", parameters, command, JobKind.RESTORE.label(), database, body.dryRun());
    }

    @PostMapping("/verify")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public ResponseEntity<CommandAccepted> verify(Caller caller, @RequestBody VerifyRequest body) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("backup_id", body.backupId());
        UUID backupId;
        try {
            backupId = UUID.fromString(String.valueOf(body.backupId()));
        } catch (IllegalArgumentException e) {
            audit.record(caller, "backup.verify", parameters, "REJECTED", null, "backup_id is not a UUID");
            throw new ValidationException(Map.of("backup_id", "must be a UUID"));
        }
        RequestVerify command = RequestVerify.of(UUID.randomUUID(), source, backupId, caller.name());
        return publish(caller, "backup.verify", parameters, command, JobKind.VERIFY.label(), source, null);
    }

    /**
     * Whether a restore of {@code database} is running or queued: recorded by a worker and not finished, or accepted
     * here in the last ten minutes and not yet picked up by any worker (still in the broker's queue).
     */
    private boolean restoreRunning(String database) {
        return CatalogUnavailableException.reading(CatalogQueries.JOBS, () -> jdbc.sql("""
                        SELECT (SELECT count(*) FROM worker.v1_jobs WHERE kind = :restore AND type <> 'dry_run'
                                AND target = :t AND status IN (:active))
                             + (SELECT count(*) FROM gateway.audit_log a
                                WHERE a.action = 'backup.restore' AND a.outcome = 'ACCEPTED'
                                  AND a.at > now() - interval '10 minutes'
                                  AND coalesce(a.parameters ->> 'target', :source) = :t
                                  AND NOT coalesce((a.parameters ->> 'dry_run')::boolean, false)
                                  AND NOT EXISTS (SELECT 1 FROM worker.v1_jobs j WHERE j.id = a.job_id))""")
                .param("t", database).param("source", source).param("restore", JobKind.RESTORE.label())
                .param("active", Arrays.stream(JobStatus.values()).filter(st -> !st.isFinal()).map(Enum::name).toList())
                .query(Integer.class).single()) > 0;
    }

    private static String clip(String value) {
        String shown = value.replaceAll("\\p{Cntrl}", "?");
        return shown.length() > 40 ? shown.substring(0, 40) + "..." : shown;
    }

    private ResponseEntity<CommandAccepted> publish(Caller caller, String action, Map<String, Object> parameters,
                                                    BackupMessage command, String kind, String database,
                                                    Boolean dryRun) {
        commands.publish(caller, action, parameters, command);
        UUID jobId = command.jobId();
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/backup/jobs/" + jobId))
                .body(CommandAccepted.queued(jobId, kind, null, database, dryRun == null ? null : dryRun));
    }
}
