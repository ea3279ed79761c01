package io.taskagent.backup.gateway.audit;

import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.PublishException;
import org.springframework.stereotype.Component;

import java.util.Map;

/**
 * Every write of the API: a command published with the broker's confirm and recorded in the audit log, as
 * {@code ACCEPTED} with its job id once confirmed, or as {@code FAILED} with the reason (the {@link PublishException}
 * is rethrown, and answered 503).
 */
@Component
public class AuditedCommands {

    private final ConfirmingPublisher publisher;
    private final AuditLog audit;

    public AuditedCommands(ConfirmingPublisher publisher, AuditLog audit) {
        this.publisher = publisher;
        this.audit = audit;
    }

    public void publish(Caller caller, String action, Map<String, ?> parameters, BackupMessage command) {
        try {
            publisher.publishCommand(command);
        } catch (PublishException e) {
            audit.record(caller, action, parameters, "FAILED", null, e.getMessage());
            throw e;
        }
        // the detail names the command: one request may publish several under one job id (configure)
        audit.record(caller, action, parameters, "ACCEPTED", command.jobId(), command.getClass().getSimpleName());
    }
}
