package io.taskagent.backup.worker.job;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.job.JobKind;
import org.springframework.stereotype.Component;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The handlers of this worker, one per {@link JobKind}, found by command class (the listener) or by kind (the
 * executor, the lease reaper). Built from every {@link JobHandler} bean; a kind without a handler, or two handlers
 * for one kind or one command, stops the start-up.
 */
@Component
public class JobHandlers {

    private final Map<JobKind, JobHandler<?>> byKind = new EnumMap<>(JobKind.class);
    private final Map<Class<?>, JobHandler<?>> byCommand = new HashMap<>();

    public JobHandlers(List<JobHandler<?>> handlers) {
        for (JobHandler<?> handler : handlers) {
            JobHandler<?> sameKind = byKind.put(handler.kind(), handler);
            if (sameKind != null) {
                throw new IllegalStateException("two handlers of " + handler.kind().label() + " jobs: "
                        + sameKind.getClass().getName() + " and " + handler.getClass().getName());
            }
            JobHandler<?> sameCommand = byCommand.put(handler.commandType(), handler);
            if (sameCommand != null) {
                throw new IllegalStateException("two handlers of " + handler.commandType().getSimpleName() + ": "
                        + sameCommand.getClass().getName() + " and " + handler.getClass().getName());
            }
        }
        for (JobKind kind : JobKind.values()) {
            if (!byKind.containsKey(kind)) {
                throw new IllegalStateException("no handler of " + kind.label() + " jobs");
            }
        }
    }

    /** The handler of jobs of this kind. */
    public JobHandler<?> forKind(JobKind kind) {
        return byKind.get(kind);
    }

    /** The handler of this command, or empty when it is not a command for the worker. */
    public Optional<JobHandler<?>> forCommand(BackupMessage command) {
        return Optional.ofNullable(byCommand.get(command.getClass()));
    }

    /** Hands {@code command} (of the handler's command type) to {@code handler}'s {@link JobHandler#accept}. */
    static <C extends BackupMessage> Optional<JobStore.Job> accept(JobHandler<C> handler, BackupMessage command) {
        return handler.accept(handler.commandType().cast(command));
    }
}
