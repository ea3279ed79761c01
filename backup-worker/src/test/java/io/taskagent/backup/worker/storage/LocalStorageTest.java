package io.taskagent.backup.worker.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local destination: atomic, private files; refuses names that are not plain and links leading out. */
class LocalStorageTest {

    @TempDir
    Path tmp;

    @Test
    void aFileIsInvisibleUnderItsFinalNameUntilCommitted() throws Exception {
        LocalStorage storage = new LocalStorage("local", tmp.resolve("backups"));
        try (BackupStorage.Upload pending = storage.create("a.json")) {
            OutputStream out = pending.stream();
            out.write("{}".getBytes());
            out.close();
            assertThat(tmp.resolve("backups/a.json")).doesNotExist();
            assertThat(storage.list()).as("a temporary file is not listed").isEmpty();
            assertThat(storage.stat("a.json")).isEmpty();
            pending.commit();
        }
        assertThat(storage.stat("a.json").orElseThrow().sizeBytes()).isEqualTo(2);
        assertThat(storage.list()).extracting(BackupStorage.StoredObject::fileName).containsExactly("a.json");
        try (var in = storage.open("a.json")) {
            assertThat(new String(in.readAllBytes())).isEqualTo("{}");
        }
        assertThat(tmp.resolve("backups/a.json")).hasContent("{}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("backups/a.json"))))
                .isEqualTo("rw-r-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("backups"))))
                .isEqualTo("rwxr-x---");
    }

    @Test
    void anUncommittedFileIsRemovedOnClose() throws Exception {
        LocalStorage storage = new LocalStorage("local", tmp);
        try (BackupStorage.Upload pending = storage.create("b.json")) {
            pending.stream().write(1);
            try (var files = Files.list(tmp)) {
                assertThat(files.count()).as("the temporary file").isEqualTo(1);
            }
        }
        try (var files = Files.list(tmp)) {
            assertThat(files.count()).as("nothing left").isZero();
        }
    }

    @Test
    void staleTemporaryFilesOfACrashAreRemovedButNothingElse() throws Exception {
        Files.writeString(tmp.resolve(".manual_backup_x.json.zst.tmp-0123abcd"), "partial");
        Files.writeString(tmp.resolve("manual_backup_y.json.zst"), "kept");
        LocalStorage storage = new LocalStorage("local", tmp);
        assertThat(storage.removeStaleTemporaryFiles()).isEqualTo(1);
        assertThat(tmp.resolve(".manual_backup_x.json.zst.tmp-0123abcd")).doesNotExist();
        assertThat(tmp.resolve("manual_backup_y.json.zst")).exists();
    }

    @Test
    void refusesNamesThatAreNotPlainFileNames() {
        LocalStorage storage = new LocalStorage("local", tmp);
        for (String bad : new String[]{"../x", "/etc/passwd", "a/b", "..", ".hidden", "a\0b", ""}) {
            assertThatThrownBy(() -> storage.resolve(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> storage.open(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aLinkLeadingOutOfTheDirectoryIsNotReadAndAMissingFileIsNamed() throws Exception {
        Path outside = Files.createTempFile("outside", ".json");
        Files.createSymbolicLink(tmp.resolve("l.json"), outside);
        LocalStorage storage = new LocalStorage("local", tmp);
        assertThatThrownBy(() -> storage.open("l.json")).hasMessageContaining("symbolic link leading outside");
        assertThatThrownBy(() -> storage.open("none.json")).isInstanceOf(java.nio.file.NoSuchFileException.class)
                .hasMessageContaining("none.json is missing from " + tmp);
        assertThat(storage.delete("none.json")).isFalse();
    }

    @Test
    void neverOverwritesAnExistingBackup() throws Exception {
        Files.writeString(tmp.resolve("c.json"), "old");
        LocalStorage storage = new LocalStorage("local", tmp);
        assertThatThrownBy(() -> storage.create("c.json")).hasMessageContaining("exists already");
    }

    @Test
    void aWriteBeyondTheQuotaFailsAsAFullDiskNamingTheDestinationAndLeavesNothing() throws Exception {
        LocalStorage storage = new LocalStorage("local", tmp.resolve("quota"), 1000);
        try (BackupStorage.Upload pending = storage.create("old.json")) {
            pending.stream().write(new byte[600]);
            pending.commit();
        }
        assertThat(storage.freeBytes()).hasValue(400);
        try (BackupStorage.Upload pending = storage.create("new.json")) {
            OutputStream out = pending.stream();
            out.write(new byte[300]);
            assertThatThrownBy(() -> out.write(new byte[200]))
                    .isInstanceOf(StorageFullException.class)
                    .hasMessageContaining("backup storage 'local'").hasMessageContaining("is full")
                    .hasMessageContaining("quota")
                    .satisfies(e -> assertThat(((StorageFullException) e).freeBytes()).isEqualTo(100));
        }
        assertThat(storage.list()).extracting(BackupStorage.StoredObject::fileName).containsExactly("old.json");
        try (var files = Files.list(tmp.resolve("quota"))) {
            assertThat(files).as("no temporary file left").hasSize(1);
        }
        assertThat(storage.freeBytes()).hasValue(400);
    }
}
