package io.taskagent.backup.worker.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StorageDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void aFileIsInvisibleUnderItsFinalNameUntilCommitted() throws Exception {
        StorageDirectory storage = new StorageDirectory(tmp.resolve("backups"));
        try (StorageDirectory.PendingFile pending = storage.create("a.json")) {
            try (OutputStream out = pending.open()) {
                out.write("{}".getBytes());
            }
            assertThat(tmp.resolve("backups/a.json")).doesNotExist();
            assertThat(pending.temporaryPath()).exists();
            pending.commit();
        }
        assertThat(tmp.resolve("backups/a.json")).hasContent("{}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("backups/a.json"))))
                .isEqualTo("rw-r-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("backups"))))
                .isEqualTo("rwxr-x---");
    }

    @Test
    void anUncommittedFileIsRemovedOnClose() throws Exception {
        StorageDirectory storage = new StorageDirectory(tmp);
        Path temp;
        try (StorageDirectory.PendingFile pending = storage.create("b.json")) {
            temp = pending.temporaryPath();
            try (OutputStream out = pending.open()) {
                out.write(1);
            }
        }
        assertThat(temp).doesNotExist();
        assertThat(tmp.resolve("b.json")).doesNotExist();
    }

    @Test
    void staleTemporaryFilesOfACrashAreRemovedButNothingElse() throws Exception {
        Files.writeString(tmp.resolve(".manual_backup_x.json.zst.tmp-0123abcd"), "partial");
        Files.writeString(tmp.resolve("manual_backup_y.json.zst"), "kept");
        StorageDirectory storage = new StorageDirectory(tmp);
        assertThat(storage.removeStaleTemporaryFiles()).isEqualTo(1);
        assertThat(tmp.resolve(".manual_backup_x.json.zst.tmp-0123abcd")).doesNotExist();
        assertThat(tmp.resolve("manual_backup_y.json.zst")).exists();
    }

    @Test
    void refusesNamesThatAreNotPlainFileNames() {
        StorageDirectory storage = new StorageDirectory(tmp);
        for (String bad : new String[]{"../x", "/etc/passwd", "a/b", "..", ".hidden", "a\0b", ""}) {
            assertThatThrownBy(() -> storage.resolve(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void neverOverwritesAnExistingBackup() throws Exception {
        Files.writeString(tmp.resolve("c.json"), "old");
        StorageDirectory storage = new StorageDirectory(tmp);
        assertThatThrownBy(() -> storage.create("c.json")).hasMessageContaining("exists already");
    }
}
