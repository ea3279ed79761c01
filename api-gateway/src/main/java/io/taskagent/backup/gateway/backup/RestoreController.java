package io.taskagent.backup.gateway.backup;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.audit.AuditLog;
import io.taskagent.backup.gateway.audit.AuditedCommands;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.security.Scopes;
import io.taskagent.backup.gateway.web.ConflictException;
import io.taskagent.backup.gateway.web.ValidationException;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RequestVerify;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Restores and verifications ({@code /api/backup/restore}, {@code /api/backup/verify}). A backup is named by its
 * catalog id or by a plain file name; anything that looks like a path is refused here with 400, audited, and
 * nothing is published (the worker checks again).
 */
@RestController
@RequestMapping("/api/backup")
class RestoreController {

    private static final Pattern PLAIN_FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}");
    private static final Pattern TARGET = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

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

    /** Body of {@code POST /api/backup/restore}. */
    record RestoreRequest(String backupId, String backupFilename, String target, Boolean dryRun,
                          Boolean skipSafetyBackup) {
    }

    /** Body of {@code POST /api/backup/verify}. */
    record VerifyRequest(String backupId) {
    }

    @PostMapping("/restore")
    ResponseEntity<Map<String, Object>> restore(@RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller caller,
                                                @RequestBody RestoreRequest body) {
        caller.require(Scopes.BACKUP_RESTORE);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("backup_id", body.backupId());
        parameters.put("backup_filename", body.backupFilename() == null ? null
                : body.backupFilename().replaceAll("\\p{Cntrl}", "?"));
        parameters.put("target", body.target());
        parameters.put("dry_run", Boolean.TRUE.equals(body.dryRun()));
        parameters.put("skip_safety_backup", Boolean.TRUE.equals(body.skipSafetyBackup()));
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
        if (body.backupFilename() != null && (!PLAIN_FILE_NAME.matcher(body.backupFilename()).matches()
                || body.backupFilename().contains(".."))) {
            errors.put("backup_filename", "must be a plain backup file name (letters, digits, '.', '_', '-'; no paths)");
        } else if (body.backupFilename() != null && linksOutside(body.backupFilename())) {
            errors.put("backup_filename", "is a symbolic link leading outside the storage directory");
        }
        String database = body.target() == null ? source : body.target();
        if (!TARGET.matcher(database).matches()) {
            errors.put("target", "must match " + TARGET.pattern());
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
                Boolean.TRUE.equals(body.skipSafetyBackup()), caller.name());
        return publish(caller, "backup.restore", parameters, command);
    }

    @PostMapping("/verify")
    ResponseEntity<Map<String, Object>> verify(@RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller caller,
                                               @RequestBody VerifyRequest body) {
        caller.require(Scopes.BACKUP_WRITE);
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
        return publish(caller, "backup.verify", parameters, command);
    }

    /**
     * Whether a restore of {@code database} is running or queued: recorded by a worker and not finished, or accepted
     * here in the last ten minutes and not yet picked up by any worker (still in the broker's queue).
     */
    private boolean restoreRunning(String database) {
        return jdbc.sql("""
                        SELECT (SELECT count(*) FROM worker.jobs WHERE kind = 'restore' AND type <> 'dry_run'
                                AND target = :t AND status IN ('QUEUED', 'RUNNING'))
                             + (SELECT count(*) FROM gateway.audit_log a
                                WHERE a.action = 'backup.restore' AND a.outcome = 'ACCEPTED'
                                  AND a.at > now() - interval '10 minutes'
                                  AND coalesce(a.parameters ->> 'target', :source) = :t
                                  AND NOT coalesce((a.parameters ->> 'dry_run')::boolean, false)
                                  AND NOT EXISTS (SELECT 1 FROM worker.jobs j WHERE j.id = a.job_id))""")
                .param("t", database).param("source", source).query(Integer.class).single() > 0;
    }

    private ResponseEntity<Map<String, Object>> publish(Caller caller, String action, Map<String, Object> parameters,
                                                        BackupMessage command) {
        commands.publish(caller, action, parameters, command);
        UUID jobId = command.jobId();
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("job_id", jobId);
        response.put("status", "QUEUED");
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/backup/jobs/" + jobId)).body(response);
    }
}
