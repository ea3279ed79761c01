package io.taskagent.backup.worker.format;

import io.taskagent.backup.model.MessageJson;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the writer writes, the reader reads: one layout, in every compression. */
class BackupFileWriterTest {

    @TempDir
    Path dir;

    private static final BackupMetadata.Column ID = new BackupMetadata.Column("id", "integer", "number", false, false,
            "always");

    static BackupMetadata metadata(Compression compression) {
        return new BackupMetadata(UUID.fromString("0badc0de-0000-0000-0000-000000000001"), "taskagent", "manual",
                Instant.parse("2026-11-28T10:00:00Z"), "15.20", compression,
                List.of(new BackupMetadata.Table("public", "a", List.of(ID), List.of("id"), List.of()),
                        new BackupMetadata.Table("public", "b", List.of(ID), List.of("id"), List.of("public.a")),
                        new BackupMetadata.Table("public", "c", List.of(ID), List.of(), List.of())),
                List.of(), List.of(), List.of(new BackupMetadata.Sequence("public", "a_id_seq", 3L, true, "public.a.id")),
                "flyway 7");
    }

    /** The rows of one piece as the dump's readers produce them: each on its own line, separated by commas. */
    private static List<byte[]> frames(Compression compression, String... rows) {
        byte[] text = ("\n" + String.join(",\n", rows)).getBytes(StandardCharsets.UTF_8);
        return List.of(compression.frame(text, 0, text.length, 3));
    }

    private static String tableDigest(String... rows) throws Exception {
        MessageDigest table = BackupFormat.sha256();
        for (String row : rows) {
            table.update(BackupFormat.sha256().digest(row.getBytes(StandardCharsets.UTF_8)));
        }
        return HexFormat.of().formatHex(table.digest());
    }

    static final SchemaSections SCHEMA = new SchemaSections(
            "CREATE TABLE public.a (\n    id integer NOT NULL,\n    note text DEFAULT 'it''s \"quoted\"'\n);\n",
            "ALTER TABLE ONLY public.a\n    ADD CONSTRAINT a_pkey PRIMARY KEY (id);\n", "pg_dump 15.20", false,
            List.of("\"Billing Dept\".order_totals"));

    @Test
    void aFormatOneFileWithoutSchemaStillReads() throws Exception {
        Path v2 = dir.resolve(BackupFormat.fileName("manual", Instant.parse("2026-11-28T10:00:00Z"), UUID.randomUUID(),
                Compression.NONE));
        try (OutputStream out = Files.newOutputStream(v2)) {
            BackupFileWriter writer = new BackupFileWriter(out, Compression.NONE, 1);
            writer.header(metadata(Compression.NONE), SCHEMA);
            writer.rows("public.a", frames(Compression.NONE, "{\"id\":1}"), 1);
            writer.finish(Map.of("public.a", tableDigest("{\"id\":1}")));
        }
        // what a worker of format 1 wrote: the same lines without the schema line
        String v1Text = Files.readString(v2).replace("\"format_version\":2,", "\"format_version\":1,")
                .replaceAll("(?m)^\"schema\":.*\n", "");
        Path v1 = dir.resolve("manual_backup_20261128_100000_00000001.json");
        Files.writeString(v1, v1Text);
        BackupFileReader read = BackupFileReader.read(v1);
        assertThat(read.formatVersion()).isEqualTo(1);
        assertThat(read.schema()).isNull();
        assertThat(read.rowCounts()).containsEntry("public.a", 1L);
        Files.writeString(v1, v1Text.replace("\"format_version\":1,", "\"format_version\":2,"));
        assertThatThrownBy(() -> BackupFileReader.read(v1)).hasMessageContaining("schema sections are missing");
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void aWrittenFileReadsBackWithItsRowsDigestsAndMetadata(Compression compression) throws Exception {
        Path file = dir.resolve(BackupFormat.fileName("manual", Instant.parse("2026-11-28T10:00:00Z"),
                UUID.randomUUID(), compression));
        Map<String, String> digests = new LinkedHashMap<>();
        digests.put("public.a", tableDigest("{\"id\":1}", "{\"id\":2}", "{\"id\":3}"));
        digests.put("public.b", tableDigest());
        digests.put("public.c", tableDigest("{\"id\":\"x,y\"}"));
        BackupFileWriter writer;
        try (OutputStream out = Files.newOutputStream(file)) {
            writer = new BackupFileWriter(out, compression, 3);
            writer.header(metadata(compression), SCHEMA);
            writer.rows("public.a", frames(compression, "{\"id\":1}", "{\"id\":2}"), 2);
            writer.rows("public.a", frames(compression, "{\"id\":3}"), 1); // a table's next chunk
            writer.rows("public.b", List.of(), 0);
            writer.rows("public.c", frames(compression, "{\"id\":\"x,y\"}"), 1);
            writer.finish(digests);
        }
        assertThat(writer.written()).isEqualTo(Files.size(file));
        assertThat(writer.sha256()).isEqualTo(HexFormat.of().formatHex(BackupFormat.sha256()
                .digest(Files.readAllBytes(file))));

        BackupFileReader read = BackupFileReader.read(file);
        assertThat(read.rowCounts()).containsExactly(Map.entry("public.a", 3L), Map.entry("public.b", 0L),
                Map.entry("public.c", 1L));
        assertThat(read.tableSha256()).isEqualTo(digests);
        assertThat(read.summary().totalRows()).isEqualTo(4);
        assertThat(read.summary().rowCounts()).isEqualTo(read.rowCounts());
        assertThat(read.metadata()).as("the records read back are the records written").isEqualTo(metadata(compression));
        assertThat(BackupFileReader.header(file).metadata()).isEqualTo(read.metadata());
        assertThat(read.formatVersion()).isEqualTo(2);
        // the names on disk are the documented ones (docs/backup-format.md), whatever the records' names
        StringBuilder text = new StringBuilder();
        try (BackupFileReader.Lines lines = BackupFileReader.lines(file)) {
            for (String line = lines.nextString(); line != null; line = lines.nextString()) {
                text.append(line).append('\n');
            }
        }
        assertThat(text.toString()).contains("\"compression\":\"" + compression.json() + "\"", "\"application_version\":\"flyway 7\"",
                "\"snapshot_isolation\":\"repeatable read, read only\"", "\"primary_key\":[\"id\"]",
                "\"references\":[\"public.a\"]", "\"last_value\":3,\"is_called\":true,\"owned_by\":\"public.a.id\"",
                "\"refresh_materialized_views\":", "\"pre_data\":", "\"total_rows\":4", "\"table_sha256\":");
        assertThat(read.schema()).isEqualTo(SCHEMA);
        assertThat(BackupFileReader.header(file).schema()).as("multi-line DDL with quotes survives").isEqualTo(SCHEMA);
    }

    /**
     * A restore reads the file once: its walk of the data section ends with the summary, which it compares with what
     * the manifest says of the rows (the file's {@code described}), so a manifest that does not describe the file is
     * caught on that one pass, before the restore commits.
     */
    @Test
    void aWalkOfTheDataEndsWithTheSummaryComparedWithTheManifest() throws Exception {
        Path file = dir.resolve("manual_backup_20261128_100000_0badc0de.json.zst");
        Map<String, String> digests = new LinkedHashMap<>();
        digests.put("public.a", tableDigest("{\"id\":1}", "{\"id\":2}"));
        digests.put("public.b", tableDigest());
        try (OutputStream out = Files.newOutputStream(file)) {
            BackupFileWriter writer = new BackupFileWriter(out, Compression.ZSTD, 3);
            writer.header(metadata(Compression.ZSTD), SCHEMA);
            writer.rows("public.a", frames(Compression.ZSTD, "{\"id\":1}", "{\"id\":2}"), 2);
            writer.rows("public.b", List.of(), 0);
            writer.finish(digests);
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("public.a", 2L);
        counts.put("public.b", 0L);
        StoredFile plain = StoredFile.of(file, Encryption.none());
        String manifest = file.getFileName() + BackupFormat.MANIFEST_SUFFIX;

        assertThat(walk(plain)).as("no manifest to compare with").isEqualTo(new Summary(counts, digests, 2));
        assertThat(walk(plain.describedBy(new StoredFile.Described(manifest, counts, digests))))
                .isEqualTo(new Summary(counts, digests, 2));
        assertThat(walk(plain.describedBy(new StoredFile.Described(manifest, null, null))))
                .as("an older manifest without counts or digests: nothing compared").isNotNull();

        Map<String, String> otherDigests = new LinkedHashMap<>(digests);
        otherDigests.put("public.b", "0".repeat(64));
        assertThatThrownBy(() -> walk(plain.describedBy(new StoredFile.Described(manifest, counts, otherDigests))))
                .isInstanceOf(java.io.IOException.class)
                .hasMessage("the manifest " + manifest + " does not describe this file: its table_sha256 of public.b "
                        + "differ from the file's summary");
        Map<String, Long> otherCounts = Map.of("public.a", 3L, "public.b", 0L, "public.x", 1L);
        assertThatThrownBy(() -> walk(plain.describedBy(new StoredFile.Described(manifest, otherCounts, null))))
                .hasMessageContaining("its row_counts of public.a, public.x differ from the file's summary");
    }

    /** Every table and row of the data section, as a restore walks it; the summary it ends with. */
    private static Summary walk(StoredFile file) throws Exception {
        try (BackupFileReader.Data data = BackupFileReader.data(file)) {
            while (data.nextTable() != null) {
                while (data.nextRow() != null) {
                    assertThat(data.summary()).as("read only at the end").isNull();
                }
            }
            assertThat(data.nextTable()).as("the end stays the end").isNull();
            return data.summary();
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void anEmptyBackupIsValidToo(Compression compression) throws Exception {
        Path file = dir.resolve("empty" + compression.extension());
        try (OutputStream out = Files.newOutputStream(file)) {
            BackupFileWriter writer = new BackupFileWriter(out, compression, 1);
            writer.header(new BackupMetadata(UUID.randomUUID(), "t", "manual", Instant.now(), "15", compression,
                    List.of(), List.of(), List.of(), List.of(), null), SCHEMA);
            writer.finish(Map.of());
        }
        assertThat(BackupFileReader.read(file).rowCounts()).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void theManifestNamesTheFileAsStored() {
        Manifest written = Manifest.of(metadata(Compression.GZIP), "manual_backup_20261128_100000_0badc0de.json.gz", 42,
                "ab".repeat(32), Map.of("public.a", 3L), Map.of("public.a", "cd".repeat(32)), Encryption.none());
        assertThat(Manifest.parse(written.toJson())).isEqualTo(written);
        JsonNode manifest = MessageJson.mapper().readTree(new String(written.toJson(), StandardCharsets.UTF_8));
        assertThat(manifest.path("format").asString()).isEqualTo(BackupFormat.FORMAT_NAME);
        assertThat(manifest.path("file_name").asString()).endsWith(".json.gz");
        assertThat(manifest.path("compression").asString()).isEqualTo("gzip");
        assertThat(manifest.path("size_bytes").asLong()).isEqualTo(42);
        assertThat(manifest.path("backup_id").asString()).isEqualTo("0badc0de-0000-0000-0000-000000000001");
        assertThat(manifest.path("row_counts").path("public.a").asLong()).isEqualTo(3);
        assertThat(manifest.path("format_version").asInt()).isEqualTo(BackupFormat.FORMAT_VERSION);
        assertThat(manifest.path("created_at").asString()).endsWith("Z");
    }
}
