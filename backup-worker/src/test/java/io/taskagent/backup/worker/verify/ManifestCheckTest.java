package io.taskagent.backup.worker.verify;

import io.taskagent.backup.worker.backup.BackupCatalog;
import io.taskagent.backup.worker.format.BackupMetadata;
import io.taskagent.backup.worker.format.Compression;
import io.taskagent.backup.worker.format.Manifest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A manifest that says anything else than the catalog or the file about the backup is damaged: every field is
 * compared, not only size and SHA-256 (before, a manifest naming another backup, target, type, compression, counts
 * or key passed a quick verification, and with it the check before a restore).
 */
class ManifestCheckTest {

    static final UUID ID = UUID.fromString("b9895d2a-4b26-4382-8779-a8443837f90b");
    static final Instant CREATED = Instant.parse("2026-12-07T07:34:07.123Z");
    static final String SHA = "ab".repeat(32);
    static final Map<String, Long> COUNTS = Map.of("public.a", 3L, "public.b", 0L);
    static final Map<String, String> DIGESTS = Map.of("public.a", "01".repeat(32), "public.b", "02".repeat(32));

    static final BackupCatalog.StoredBackup CLEAR = new BackupCatalog.StoredBackup(ID, "taskagent",
            "manual_backup_20261207_073407_b9895d2a.json.zst", 1234, SHA, "zstd", COUNTS, "manual", 2, null, null);
    static final BackupCatalog.StoredBackup ENCRYPTED = new BackupCatalog.StoredBackup(ID, "taskagent",
            "manual_backup_20261207_073407_b9895d2a.json.zst.enc", 1234, SHA, "zstd", COUNTS, "manual", 2,
            "tink-streaming-aead", 77L);

    static Manifest clear() {
        return new Manifest("taskagent-backup", 2, CLEAR.fileName(), 1234, SHA, Compression.ZSTD, ID, "taskagent",
                "manual", CREATED, COUNTS, DIGESTS, null, null);
    }

    static Manifest encrypted() {
        return new Manifest("taskagent-backup", 2, ENCRYPTED.fileName(), 1234, SHA, Compression.ZSTD, ID, "taskagent",
                "manual", CREATED, Map.of(), Map.of(), "tink-streaming-aead", 77);
    }

    static BackupMetadata metadata() {
        return new BackupMetadata(ID, "taskagent", "manual", CREATED, "15.4", Compression.ZSTD, List.of(), List.of(),
                List.of(), List.of(), null);
    }

    static List<String> problems(Manifest m, BackupCatalog.StoredBackup backup) {
        List<String> problems = new ArrayList<>();
        BackupVerifier.compareWithCatalog(m, backup, problems);
        BackupVerifier.compareWithFile(m, 2, metadata(), problems);
        return problems;
    }

    static Manifest with(Manifest m, UnaryOperator<Object[]> change) {
        Object[] f = {m.format(), m.formatVersion(), m.fileName(), m.sizeBytes(), m.sha256(), m.compression(),
                m.backupId(), m.target(), m.backupType(), m.createdAt(), m.rowCounts(), m.tableSha256(), m.encryption(),
                m.keyId()};
        f = change.apply(f);
        @SuppressWarnings("unchecked")
        Manifest changed = new Manifest((String) f[0], (int) f[1], (String) f[2], (long) f[3], (String) f[4],
                (Compression) f[5], (UUID) f[6], (String) f[7], (String) f[8], (Instant) f[9],
                (Map<String, Long>) f[10], (Map<String, String>) f[11], (String) f[12], (Integer) f[13]);
        return changed;
    }

    static UnaryOperator<Object[]> set(int field, Object value) {
        return f -> {
            f[field] = value;
            return f;
        };
    }

    @Test
    void theManifestsAsWrittenPass() {
        assertThat(problems(clear(), CLEAR)).isEmpty();
        assertThat(problems(encrypted(), ENCRYPTED)).isEmpty();
    }

    @Test
    void everyFieldOfAClearFilesManifestIsCompared() {
        Object[][] changes = {
                {0, "pg_dump", "format"}, {1, 1, "format_version"}, {2, "other.json.zst", "file_name"},
                {3, 1233L, "size"}, {4, "cd".repeat(32), "sha256"}, {5, Compression.GZIP, "compression"},
                {6, UUID.randomUUID(), "backup_id"}, {7, "elsewhere", "target"}, {8, "interval", "backup_type"},
                {9, CREATED.plusSeconds(1), "created_at"}, {10, Map.of("public.a", 3L), "row_counts"},
                {11, Map.of("public.a", "01".repeat(32)), "table_sha256"},
                {11, Map.of("public.a", "01".repeat(32), "public.b", "XYZ"), "table_sha256 of public.b"},
                {12, "tink-streaming-aead", "encryption"}, {13, 1, "key_id"}};
        for (Object[] change : changes) {
            assertThat(problems(with(clear(), set((int) change[0], change[1])), CLEAR)).as((String) change[2])
                    .isNotEmpty().anySatisfy(p -> assertThat(p).contains("manifest's " + change[2]));
        }
    }

    // ------------------------------------------------------------------------------- manifests of older workers

    static final BackupCatalog.StoredBackup FORMAT_ONE = new BackupCatalog.StoredBackup(ID, "taskagent",
            "manual_backup_20261207_073407_b9895d2a.json.zst", 1234, SHA, "zstd", COUNTS, "manual", 1, null, null);

    /** The manifest as JSON (as the worker writes it), less {@code dropped}, and with {@code changes}. */
    static byte[] json(Manifest m, java.util.Collection<String> dropped, Map<String, Object> changes) {
        @SuppressWarnings("unchecked")
        Map<String, Object> json = io.taskagent.backup.worker.format.BackupFormat.json()
                .readValue(m.toJson(), java.util.LinkedHashMap.class);
        json.keySet().removeAll(dropped);
        json.putAll(changes);
        return io.taskagent.backup.worker.format.BackupFormat.json().writeValueAsBytes(json);
    }

    /** The problems the verifier finds in the manifest {@code json} (as read from storage) of a file of {@code version}. */
    static List<String> problems(byte[] json, BackupCatalog.StoredBackup backup, int version) {
        Manifest m = Manifest.parse(json);
        java.util.Set<String> fields = Manifest.fieldsOf(json);
        List<String> problems = new ArrayList<>();
        BackupVerifier.compareWithCatalog(m, fields, backup, problems);
        BackupVerifier.compareWithFile(m, fields, version, metadata(), problems);
        return problems;
    }

    @Test
    void aFormatOneManifestOfAnOlderWorkerIsComparedByTheFieldsItHolds() {
        Manifest v1 = with(clear(), set(1, 1));
        // what format 1 workers wrote: no encryption fields (and, for an older one, without type or time)
        byte[] written = json(v1, List.of("encryption", "key_id"), Map.of());
        assertThat(problems(written, FORMAT_ONE, 1)).isEmpty();
        byte[] older = json(v1, List.of("encryption", "key_id", "backup_type", "created_at", "compression"), Map.of());
        assertThat(problems(older, FORMAT_ONE, 1)).as("a format 1 manifest is held to the file's identity only")
                .isEmpty();
        // what it holds is compared all the same
        assertThat(problems(json(v1, List.of("backup_type", "created_at"), Map.of("target", "elsewhere")), FORMAT_ONE,
                1)).hasSize(2).allSatisfy(p -> assertThat(p).contains("manifest's target elsewhere differs from the"));
        assertThat(problems(json(v1, List.of(), Map.of("table_sha256", Map.of("public.a", "01".repeat(32)))),
                FORMAT_ONE, 1)).singleElement().asString().contains("manifest's table_sha256 names");
        // and its identity is required
        for (String field : Manifest.IDENTITY) {
            assertThat(problems(json(v1, List.of(field), Map.of()), FORMAT_ONE, 1)).as(field)
                    .anySatisfy(p -> assertThat(p).isEqualTo("the manifest lacks " + field
                            + ", which a format 1 manifest holds"));
        }
    }

    @Test
    void aFormatTwoManifestFromBeforeEncryptionAtRestPassesButOneLackingAFieldOfItsFormatDoesNot() {
        // the manifests of format 2 written before encryption at rest hold neither encryption nor key_id
        assertThat(problems(json(clear(), List.of("encryption", "key_id"), Map.of()), CLEAR, 2)).isEmpty();
        assertThat(problems(json(clear(), List.of(), Map.of()), CLEAR, 2)).as("as written now").isEmpty();
        for (String field : Manifest.required(2, false)) {
            assertThat(problems(json(clear(), List.of(field), Map.of()), CLEAR, 2)).as(field)
                    .contains("the manifest lacks " + field + ", which a format 2 manifest holds");
        }
        // an encrypted file's manifest always held them
        for (String field : Manifest.ENCRYPTION_FIELDS) {
            assertThat(problems(json(encrypted(), List.of(field), Map.of()), ENCRYPTED, 2)).as(field)
                    .contains("the manifest lacks " + field + ", which an encrypted file's manifest holds");
        }
        // and it names no table: without row_counts and table_sha256 it reads the same (empty), and passes
        assertThat(problems(json(encrypted(), Manifest.ROWS, Map.of()), ENCRYPTED, 2)).isEmpty();
        for (String field : Manifest.DESCRIPTION) {
            assertThat(problems(json(encrypted(), List.of(field), Map.of()), ENCRYPTED, 2)).as(field)
                    .contains("the manifest lacks " + field + ", which a format 2 manifest holds");
        }
        // a field held as null is held: compared
        assertThat(problems(json(clear(), List.of(), Map.of("encryption", "tink-streaming-aead")), CLEAR, 2))
                .anySatisfy(p -> assertThat(p).contains("manifest's encryption"));
        java.util.Map<String, Object> nullType = new java.util.HashMap<>();
        nullType.put("backup_type", null);
        assertThat(problems(json(clear(), List.of(), nullType), CLEAR, 2))
                .anySatisfy(p -> assertThat(p).contains("manifest's backup_type null"));
    }

    @Test
    void anEncryptedFilesManifestNamesNoTableAndItsKey() {
        assertThat(problems(with(encrypted(), set(13, 78)), ENCRYPTED)).anySatisfy(p -> assertThat(p).contains("key_id"));
        assertThat(problems(with(encrypted(), set(12, null)), ENCRYPTED))
                .anySatisfy(p -> assertThat(p).contains("encryption"));
        assertThat(problems(with(encrypted(), set(10, COUNTS)), ENCRYPTED))
                .anySatisfy(p -> assertThat(p).contains("holds row counts or table digests"));
    }
}
