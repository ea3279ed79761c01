package io.taskagent.backup.system;

import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.InvalidMessageException;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.Topology;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every payload of {@link PoisonMessages} is refused by the consumers' read, whatever its kind. */
class PoisonMessagesTest {

    @Test
    void everyPoisonIsRefusedByTheConsumersRead() {
        List<PoisonMessages.Poison> worker = PoisonMessages.of(RequestBackup.newJob("taskagent", "manual", "t"),
                Topology.WORKER_COMMAND_KEYS, 1000, 1);
        List<PoisonMessages.Poison> alerts = PoisonMessages.of(BackupFailed.of(UUID.randomUUID(), "taskagent",
                "manual", "r", 1), Topology.ALERT_EVENT_KEYS, 1000, 3);
        Map<String, Integer> kinds = new TreeMap<>();
        for (List<PoisonMessages.Poison> list : List.of(worker, alerts)) {
            assertThat(list).hasSize(1000);
            for (PoisonMessages.Poison p : list) {
                kinds.merge(p.kind().replaceAll("[0-9]+", "N"), 1, Integer::sum);
                assertThatThrownBy(() -> MessageJson.readReceived(p.body(), p.routingKey())).as(p.kind())
                        .isInstanceOf(InvalidMessageException.class);
            }
        }
        System.out.println("poison kinds: " + kinds);
        assertThat(kinds.keySet()).contains("random bytes", "cut short", "wrong type", "timestamp without zone",
                "not UTF-N", "nested N deep", "another routing key");
    }
}
