package io.taskagent.backup.worker.format;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Encryption at rest through the file format: an encrypted file reads back exactly with its key (and any keyset
 * that still holds it), its digest covers the stored bytes, a wrong key, an altered byte or a renamed file fail with
 * a clear error, and the decrypt command turns it back into the compressed file or the JSON by hand.
 */
class EncryptionTest {

    @TempDir
    Path tmp;
    static KeysetHandle key;

    @BeforeAll
    static void keys() throws Exception {
        StreamingAeadConfig.register();
        key = KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB);
    }

    static BackupMetadata metadata() {
        return BackupFileWriterTest.metadata(Compression.ZSTD);
    }

    Path write(Encryption encryption, String name, int rows) throws Exception {
        Path file = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            BackupFileWriter writer = new BackupFileWriter(out, Compression.ZSTD, 1, encryption, name);
            writer.header(metadata(), BackupFileWriterTest.SCHEMA);
            StringBuilder rowsJson = new StringBuilder();
            for (int i = 0; i < rows; i++) {
                rowsJson.append(i == 0 ? "\n" : ",\n").append("{\"id\":").append(i).append(",\"title\":\"secret task ")
                        .append(i).append("\"}");
            }
            byte[] bytes = rowsJson.toString().getBytes(StandardCharsets.UTF_8);
            writer.rows("public.a", List.of(Compression.ZSTD.frame(bytes, 0, bytes.length, 1)), rows);
            writer.finish(Map.of("public.a", "x"));
            out.flush();
            assertThat(writer.written()).as("counted as stored").isEqualTo(Files.size(file));
            assertThat(writer.sha256()).as("digest of the stored bytes").isEqualTo(java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
        }
        return file;
    }

    @Test
    void anEncryptedFileReadsBackWithItsKeyAndHoldsNothingReadable() throws Exception {
        Encryption encryption = Encryption.of(Encryption.toJson(key), "test");
        String name = encryption.storedName("manual_backup_20261201_000000_0badc0de.json.zst");
        assertThat(name).endsWith(".json.zst.enc");
        Path file = write(encryption, name, 300_000); // several 1 MB segments
        assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                .doesNotContain("taskagent-backup").doesNotContain("public.a");
        BackupFileReader read = BackupFileReader.read(StoredFile.of(file, encryption));
        assertThat(read.rowCounts()).containsEntry("public.a", 300_000L);
        assertThat(read.metadata()).isEqualTo(metadata());

        KeysetHandle rotated = KeysetHandle.newBuilder(key).addEntry(KeysetHandle.generateEntryFromParameters(
                PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB).withRandomId().makePrimary()).build();
        Encryption withRotated = Encryption.of(Encryption.toJson(rotated), "rotated");
        assertThat(withRotated.primaryKeyId()).isNotEqualTo(encryption.primaryKeyId());
        assertThat(BackupFileReader.read(StoredFile.of(file, withRotated)).rowCounts()).containsEntry("public.a", 300_000L);
    }

    @Test
    void aWrongKeyAnAlteredByteARenamedFileOrNoKeyFailNamingTheProblem() throws Exception {
        Encryption encryption = Encryption.of(Encryption.toJson(key), "test");
        String name = "manual_backup_20261201_000000_0badc0de.json.zst.enc";
        Path file = write(encryption, name, 1000);
        Encryption other = Encryption.of(Encryption.toJson(
                KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB)), "BACKUP_ENCRYPTION_KEYSET");
        assertThatThrownBy(() -> BackupFileReader.header(StoredFile.of(file, other)))
                .hasMessageContaining("cannot decrypt " + name).hasMessageContaining("BACKUP_ENCRYPTION_KEYSET")
                .hasMessageContaining("no key of it matches");
        assertThatThrownBy(() -> BackupFileReader.header(StoredFile.of(file, Encryption.none())))
                .hasMessageContaining("is encrypted and this worker has no key");

        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 40] ^= 1;
        Path altered = tmp.resolve("altered").resolve(name);
        Files.createDirectories(altered.getParent());
        Files.write(altered, bytes);
        assertThatThrownBy(() -> BackupFileReader.read(StoredFile.of(altered, encryption)))
                .hasMessageContaining("cannot decrypt");

        Path renamed = tmp.resolve("manual_backup_20261201_000000_feedface.json.zst.enc");
        Files.copy(file, renamed);
        assertThatThrownBy(() -> BackupFileReader.header(StoredFile.of(renamed, encryption)))
                .hasMessageContaining("cannot decrypt");
        assertThatThrownBy(() -> Encryption.of("{not a keyset", "BACKUP_ENCRYPTION_KEYSET_FILE /k.json"))
                .hasMessageContaining("BACKUP_ENCRYPTION_KEYSET_FILE /k.json").hasMessageContaining("not a Tink JSON keyset");
    }

    @Test
    void theDecryptCommandGivesBackTheCompressedFileOrItsJson() throws Exception {
        Encryption encryption = Encryption.of(Encryption.toJson(key), "test");
        String name = "manual_backup_20261201_000000_0badc0de.json.zst.enc";
        Path file = write(encryption, name, 10);
        Path keyset = tmp.resolve("keyset.json");
        Files.writeString(keyset, Encryption.toJson(key));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path zst = tmp.resolve("out.json.zst");
        assertThat(DecryptCommand.run(List.of("--keyset-file", keyset.toString(), file.toString(), zst.toString()),
                System.out, new PrintStream(err))).as(err.toString()).isZero();
        assertThat(BackupFileReader.read(zst).rowCounts()).containsEntry("public.a", 10L);
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        assertThat(DecryptCommand.run(List.of("--keyset-file", keyset.toString(), "--decompress", file.toString()),
                new PrintStream(json), new PrintStream(err))).isZero();
        assertThat(json.toString(StandardCharsets.UTF_8)).startsWith("{\"format\":\"taskagent-backup\"")
                .contains("secret task 9");
        assertThat(DecryptCommand.run(List.of(file.toString()), System.out, new PrintStream(err))).isEqualTo(2);
    }

    @Test
    void theKeysetCommandMakesAKeysetAndRotatesItKeepingTheOldKey() throws Exception {
        ByteArrayOutputStream made = new ByteArrayOutputStream();
        assertThat(KeysetCommand.run(List.of("new"), new PrintStream(made), System.err)).isZero();
        Path first = tmp.resolve("k1.json");
        Files.writeString(first, made.toString(StandardCharsets.UTF_8));
        Encryption one = Encryption.of(Files.readString(first), "k1");
        Path file = write(one, "manual_backup_20261201_000000_0badc0de.json.zst.enc", 5);
        ByteArrayOutputStream rotated = new ByteArrayOutputStream();
        assertThat(KeysetCommand.run(List.of("rotate", first.toString()), new PrintStream(rotated), System.err)).isZero();
        Encryption two = Encryption.of(rotated.toString(StandardCharsets.UTF_8), "k2");
        assertThat(two.primaryKeyId()).isNotEqualTo(one.primaryKeyId());
        assertThat(BackupFileReader.read(StoredFile.of(file, two)).rowCounts()).containsEntry("public.a", 5L);
        assertThat(KeysetCommand.run(List.of("rotate", tmp.resolve("none.json").toString()), System.out,
                new PrintStream(new ByteArrayOutputStream()))).isEqualTo(1);
    }
}
