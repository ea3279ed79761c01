package io.taskagent.backup.worker.backup;

import io.taskagent.backup.worker.WorkerProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Finding pg_dump and checking its version against the server's, with stand-in binaries. */
class PgDumpTest {

    @TempDir
    Path dir;

    private PgDump pgDump(String binary) {
        return new PgDump(new WorkerProperties(
                new WorkerProperties.Source("t", "jdbc:postgresql://localhost/t", "u", null, Duration.ofSeconds(1),
                        Duration.ofSeconds(1), List.of(), List.of(), List.of()),
                new WorkerProperties.Storage(dir, "zstd", 1, 500, Map.of(), "", java.util.List.of(), 8, Duration.ofSeconds(30),
                        org.springframework.util.unit.DataSize.ofBytes(0)),
                new WorkerProperties.Worker("me", 1, 0, Duration.ofMinutes(2), 3, Duration.ofSeconds(5), Duration.ofSeconds(30),
                        Duration.ofSeconds(30)),
                new WorkerProperties.Restore(true, Map.of(), "256MB", 0), new WorkerProperties.Schema(binary, false),
                new WorkerProperties.EncryptionSettings("", ""), new WorkerProperties.Drill("", "", "", Map.of(), "template0")));
    }

    private Path fake(String printed) throws Exception {
        Path script = dir.resolve("pg_dump");
        Files.writeString(script, "#!/bin/sh\necho '" + printed + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    void aPgDumpOfTheServersMajorOrNewerIsAccepted() throws Exception {
        Path binary = fake("pg_dump (PostgreSQL) 17.2 (Debian 17.2-1.pgdg120+1)");
        PgDump.Found found = pgDump(binary.toString()).check(15);
        assertThat(found.major()).isEqualTo(17);
        assertThat(found.version()).isEqualTo("17.2");
        assertThat(found.binary()).isEqualTo(binary);
    }

    @Test
    void anOlderPgDumpIsRefusedNamingTheVersionFoundAndTheOneNeeded() throws Exception {
        Path binary = fake("pg_dump (PostgreSQL) 13.9");
        assertThatThrownBy(() -> pgDump(binary.toString()).check(15)).isInstanceOf(DumpException.class)
                .hasMessageContaining("pg_dump 13.9").hasMessageContaining("PostgreSQL 15")
                .hasMessageContaining("install pg_dump 15 or newer");
    }

    @Test
    void aMissingOrUnrecognisablePgDumpIsAClearError() throws Exception {
        assertThatThrownBy(() -> pgDump(dir.resolve("nowhere").toString()).find()).isInstanceOf(DumpException.class)
                .hasMessageContaining("no pg_dump found").hasMessageContaining("BACKUP_SCHEMA_PG_DUMP");
        Path impostor = fake("hello");
        assertThatThrownBy(() -> pgDump(impostor.toString()).find()).isInstanceOf(DumpException.class)
                .hasMessageContaining("not a pg_dump version");
    }

    @Test
    void theInstalledPgDumpIsFoundWhenNoneIsConfigured() throws Exception {
        // this machine (and the worker's image) has PostgreSQL's binaries under /usr/lib/postgresql/<major>/bin
        PgDump.Found found = pgDump("").find();
        assertThat(found.binary().toString()).endsWith("pg_dump");
        assertThat(found.major()).isGreaterThanOrEqualTo(15);
    }
}
