package io.taskagent.backup.worker.storage;

import io.taskagent.backup.testsupport.S3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The S3 destination against a real S3-protocol server (s3rver, its own process): a file of several parts streams
 * up and reads back byte for byte, is invisible until complete, an aborted upload leaves nothing, wrong bucket and
 * credentials are named, and a server that dies mid-upload fails the upload with nothing left behind.
 */
class S3StorageIT {

    static S3Server s3;

    @BeforeAll
    static void start() {
        s3 = S3Server.start("backups");
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    static S3Storage storage(String bucket, String prefix, String secret) {
        return storage(bucket, prefix, S3Server.ACCESS_KEY, secret);
    }

    static S3Storage storage(String bucket, String prefix, String accessKey, String secret) {
        return new S3Storage("offsite", new S3Storage.Settings(bucket, prefix, s3.endpoint(), "us-east-1", true,
                accessKey, secret, null, null, 5));
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void aFileOfSeveralPartsIsStreamedUpAndReadBackExactly() throws Exception {
        try (S3Storage storage = storage("backups", "/prod/db/", S3Server.SECRET_KEY)) {
            storage.probe();
            byte[] content = random(12 * 1024 * 1024 + 12345, 1); // three parts of 5 MB
            try (BackupStorage.Upload upload = storage.create("manual_backup_a.json.zst")) {
                OutputStream out = upload.stream();
                for (int off = 0; off < content.length; off += 100_000) {
                    out.write(content, off, Math.min(100_000, content.length - off));
                }
                assertThat(storage.stat("manual_backup_a.json.zst")).as("not visible before completion").isEmpty();
                assertThat(storage.list()).isEmpty();
                upload.commit();
            }
            assertThat(storage.stat("manual_backup_a.json.zst").orElseThrow().sizeBytes()).isEqualTo(content.length);
            try (InputStream in = storage.open("manual_backup_a.json.zst")) {
                assertThat(in.readAllBytes()).isEqualTo(content);
            }
            try (BackupStorage.Upload upload = storage.create("manual_backup_a.json.zst.manifest.json")) {
                upload.stream().write("{}".getBytes());
                upload.commit();
            }
            assertThat(storage.list()).extracting(BackupStorage.StoredObject::fileName)
                    .containsExactlyInAnyOrder("manual_backup_a.json.zst", "manual_backup_a.json.zst.manifest.json");
            assertThat(Files.exists(s3.bucketDirectory("backups").resolve("prod/db"))).as("under the prefix").isTrue();
            assertThatThrownBy(() -> storage.create("manual_backup_a.json.zst")).hasMessageContaining("exists already");
            assertThat(storage.delete("manual_backup_a.json.zst")).isTrue();
            assertThat(storage.delete("manual_backup_a.json.zst")).isFalse();
            assertThatThrownBy(() -> storage.open("manual_backup_a.json.zst")).isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining("is missing from s3://backups/prod/db/");
            assertThat(storage.freeBytes()).isEmpty();
        }
    }

    @Test
    void closingTheStreamEndsTheWritingAndOnlyCommitPublishesAsForALocalFile() throws Exception {
        try (S3Storage storage = storage("backups", "contract", S3Server.SECRET_KEY)) {
            byte[] content = random(7 * 1024 * 1024, 4);
            try (BackupStorage.Upload upload = storage.create("d.json.zst")) {
                OutputStream out = upload.stream();
                out.write(content);
                out.close();
                assertThat(storage.stat("d.json.zst")).isEmpty();
                assertThatThrownBy(() -> out.write(1)).hasMessageContaining("closed");
                upload.commit();
            }
            try (InputStream in = storage.open("d.json.zst")) {
                assertThat(in.readAllBytes()).isEqualTo(content);
            }
            BackupStorage.Upload aborted = storage.create("e.json.zst");
            aborted.stream().write(content);
            aborted.close();
            assertThatThrownBy(aborted::commit).hasMessageContaining("aborted");
            assertThat(storage.stat("e.json.zst")).isEmpty();
            try (InputStream in = storage.open("d.json.zst")) {
                assertThat(in.read()).isEqualTo(content[0] & 0xff); // closed early: the rest is not downloaded
            }
        }
    }

    @Test
    void anUploadClosedWithoutCommitLeavesNothing() throws Exception {
        try (S3Storage storage = storage("backups", "aborted", S3Server.SECRET_KEY)) {
            try (BackupStorage.Upload upload = storage.create("b.json.zst")) {
                upload.stream().write(random(11 * 1024 * 1024, 2)); // two parts sent, the third pending
            }
            assertThat(storage.stat("b.json.zst")).isEmpty();
            assertThat(storage.list()).isEmpty();
        }
    }

    @Test
    void aWrongBucketOrWrongCredentialsAreNamedAndNoSecretIsShown() {
        try (S3Storage storage = storage("no-such-bucket", "", S3Server.SECRET_KEY)) {
            assertThatThrownBy(storage::probe).hasMessageContaining("bucket 'no-such-bucket' does not exist")
                    .hasMessageContaining("'offsite'");
        }
        // s3rver checks the access key id (not SigV4 signatures): an unknown key is refused with 403
        try (S3Storage storage = storage("backups", "", "AKIAWRONGKEY", "wrong-secret-value")) {
            assertThatThrownBy(storage::probe).hasMessageContaining("'offsite'")
                    .hasMessageContaining("check the destination's credentials")
                    .satisfies(e -> assertThat(e.getMessage()).contains("403").doesNotContain("wrong-secret-value"));
        }
        assertThat(new S3Storage.Settings("b", "", "", "", true, "AKIA-VISIBLE", "the-secret", null, null, 8).toString())
                .doesNotContain("the-secret").doesNotContain("AKIA-VISIBLE");
    }

    @Test
    void aServerThatDiesMidUploadFailsTheUploadAndLeavesNoObject() throws Exception {
        try (S3Storage storage = storage("backups", "crash", S3Server.SECRET_KEY)) {
            byte[] part = random(5 * 1024 * 1024, 3);
            BackupStorage.Upload upload = storage.create("c.json.zst");
            OutputStream out = upload.stream();
            out.write(part);
            s3.stop();
            try {
                assertThatThrownBy(() -> {
                    for (int i = 0; i < 4; i++) {
                        out.write(part);
                    }
                    upload.commit();
                }).hasMessageContaining("'offsite'").hasMessageContaining("c.json.zst");
                upload.close();
            } finally {
                s3.start();
            }
            assertThat(storage.stat("c.json.zst")).isEmpty();
            try (Stream<java.nio.file.Path> files = Files.walk(s3.bucketDirectory("backups"))) {
                assertThat(files.filter(p -> p.toString().contains("c.json.zst"))).isEmpty();
            }
        }
    }

    @Test
    void settingsThatCannotWorkAreRefusedByName() {
        assertThatThrownBy(() -> new S3Storage("x", new S3Storage.Settings("", "", null, null, true, null, null, null,
                null, 8))).hasMessageContaining("'x'").hasMessageContaining("bucket");
        assertThatThrownBy(() -> new S3Storage("x", new S3Storage.Settings("b", "", null, null, true, "id", null, null,
                null, 8))).hasMessageContaining("secret access key");
        assertThatThrownBy(() -> new S3Storage("x", new S3Storage.Settings("b", "", null, null, true, null, null, null,
                null, 4))).hasMessageContaining("part size");
    }
}
