package io.taskagent.backup.model;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageJsonTest {

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void roundTripsEveryField() {
        BackupCompleted completed = BackupCompleted.of(java.util.UUID.randomUUID(), "taskagent", "manual",
                "manual_backup_20260101_000000_abcdef12.json.zst", 42, "a".repeat(64),
                Map.of("public.users", 3L, "public.tasks", 7L), 12);
        BackupMessage read = MessageJson.read(MessageJson.write(completed));
        assertThat(read).isEqualTo(completed);
        assertThat(((BackupCompleted) read).totalRows()).isEqualTo(10);
    }

    @Test
    void toleratesUnknownFields() {
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "admin");
        String json = new String(MessageJson.write(request), StandardCharsets.UTF_8)
                .replaceFirst("\\{", "{\"addedInAFutureVersion\":{\"x\":1},");
        assertThat(MessageJson.read(bytes(json))).isEqualTo(request);
    }

    @Test
    void rejectsGarbageWithAClearReason() {
        assertThatThrownBy(() -> MessageJson.read(bytes("this is not json")))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("unparseable message");
        assertThatThrownBy(() -> MessageJson.read(new byte[0]))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> MessageJson.read(bytes("{\"type\":\"NoSuchMessage\"}")))
                .isInstanceOf(InvalidMessageException.class);
    }

    @Test
    void rejectsAMessageThatBreaksItsContractNamingTheField() {
        String noJobId = """
                {"type":"RequestBackup","messageId":"0b8f5a52-1d0e-4f7c-9a51-6f0d2f7b9c01",
                 "target":"taskagent","occurredAt":"2026-11-28T10:00:00Z","version":1,
                 "backupType":"manual","requestedBy":"admin"}""";
        assertThatThrownBy(() -> MessageJson.read(bytes(noJobId)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("jobId");
        String badTarget = noJobId.replace("\"target\":\"taskagent\"",
                "\"jobId\":\"5d1c7e0a-3b9f-4c52-8e0f-2a6b7c8d9e10\",\"target\":\"../etc\"");
        assertThatThrownBy(() -> MessageJson.read(bytes(badTarget)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("target");
        String future = noJobId.replace("\"version\":1",
                "\"jobId\":\"5d1c7e0a-3b9f-4c52-8e0f-2a6b7c8d9e10\",\"version\":99");
        assertThatThrownBy(() -> MessageJson.read(bytes(future)))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("version 99");
    }

    @Test
    void readsTheExpectedKindOrSaysWhatItGot() {
        byte[] failed = MessageJson.write(BackupFailed.of(java.util.UUID.randomUUID(), "taskagent", "manual", "boom", 1));
        assertThatThrownBy(() -> MessageJson.read(failed, RequestBackup.class))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("expected RequestBackup but got BackupFailed");
    }

    @Test
    void everyMessageKnowsWhereItIsPublished() {
        assertThat(RequestBackup.newJob("taskagent", "manual", "a").exchange()).isEqualTo(Topology.COMMANDS_EXCHANGE);
        assertThat(BackupFailed.of(java.util.UUID.randomUUID(), "t", "manual", "r", 1).routingKey())
                .isEqualTo(Topology.RK_BACKUP_FAILED);
    }

    @org.junit.jupiter.api.Test
    void aMessageIsReadOnlyUnderItsOwnRoutingKey() {
        RequestBackup backup = RequestBackup.newJob("taskagent", "manual", "test");
        byte[] body = MessageJson.write(backup);
        org.assertj.core.api.Assertions.assertThat(MessageJson.readReceived(body, Topology.RK_BACKUP_REQUEST)).isEqualTo(backup);
        org.assertj.core.api.Assertions.assertThat(MessageJson.readReceived(body, null)).isEqualTo(backup);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MessageJson.readReceived(body, Topology.RK_RESTORE_REQUEST))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("RequestBackup").hasMessageContaining("'restore.request'")
                .hasMessageContaining("'backup.request'");
    }
}
