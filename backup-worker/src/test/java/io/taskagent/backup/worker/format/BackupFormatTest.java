package io.taskagent.backup.worker.format;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class BackupFormatTest {

    @Test
    void fileNameCarriesTypeUtcTimeShortIdAndCompression() {
        UUID id = UUID.fromString("5d1c7e0a-3b9f-4c52-8e0f-2a6b7c8d9e10");
        Instant at = Instant.parse("2026-11-28T23:05:09Z");
        assertThat(BackupFormat.fileName("manual", at, id, Compression.ZSTD))
                .isEqualTo("manual_backup_20261128_230509_5d1c7e0a.json.zst");
        assertThat(BackupFormat.fileName("daily", at, id, Compression.GZIP)).endsWith(".json.gz");
        assertThat(BackupFormat.fileName("daily", at, id, Compression.NONE)).endsWith("_5d1c7e0a.json");
    }

    @org.junit.jupiter.api.Test
    void materializedViewsAreRefreshedInTheOrderPgDumpCreatesThem() {
        SchemaSections sections = new SchemaSections("""
                CREATE MATERIALIZED VIEW s.newer AS
                 SELECT 1 AS x;
                CREATE MATERIALIZED VIEW "S 2".older AS
                 SELECT x FROM s.newer;
                """, "", "pg_dump 15", false, List.of());
        // the older view (by oid) reads the newer one: it is refreshed after it, as pg_dump creates it after it
        assertThat(sections.withRefresh(List.of("\"S 2\".older", "s.unknown", "s.newer"))
                .refresh()).containsExactly("s.newer", "\"S 2\".older", "s.unknown");
    }
}
