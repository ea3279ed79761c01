package io.taskagent.backup.worker.job;

import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.StartScheduler;
import io.taskagent.backup.model.job.JobKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class JobHandlersTest {

    @Test
    void findsEachHandlerByKindAndByCommand() {
        List<FakeHandler<?>> all = FakeHandler.forEveryKind();
        JobHandlers handlers = new JobHandlers(new ArrayList<>(all));
        for (FakeHandler<?> handler : all) {
            assertThat(handlers.forKind(handler.kind())).isSameAs(handler);
        }
        assertThat(handlers.forCommand(RequestBackup.newJob("taskagent", "manual", "test")))
                .hasValueSatisfying(h -> assertThat(h.kind()).isEqualTo(JobKind.BACKUP));
    }

    @Test
    void aCommandNoHandlerTakesFindsNone() {
        JobHandlers handlers = new JobHandlers(new ArrayList<>(FakeHandler.forEveryKind()));
        assertThat(handlers.forCommand(StartScheduler.of(java.util.UUID.randomUUID(), "taskagent", "test"))).isEmpty();
    }

    @Test
    void everyKindNeedsExactlyOneHandler() {
        List<JobHandler<?>> withoutCleanup = new ArrayList<>(FakeHandler.forEveryKind().stream()
                .filter(h -> h.kind() != JobKind.CLEANUP).toList());
        assertThatIllegalStateException().isThrownBy(() -> new JobHandlers(withoutCleanup))
                .withMessageContaining("no handler of cleanup jobs");

        List<JobHandler<?>> twice = new ArrayList<>(FakeHandler.forEveryKind());
        twice.add(new FakeHandler<>(JobKind.BACKUP, RequestBackup.class));
        assertThatIllegalStateException().isThrownBy(() -> new JobHandlers(twice))
                .withMessageContaining("two handlers of backup jobs");
    }
}
