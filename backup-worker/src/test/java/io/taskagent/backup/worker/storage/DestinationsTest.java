package io.taskagent.backup.worker.storage;

import io.taskagent.backup.worker.WorkerProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Destinations from settings: the documented environment names, the default, and settings that cannot work. */
class DestinationsTest {

    @TempDir
    Path tmp;

    WorkerProperties.Storage storage(Map<String, WorkerProperties.Destination> destinations, String primary,
                                     List<String> copies) {
        return new WorkerProperties.Storage(tmp.resolve("default"), "zstd", 1, 500, destinations, primary, copies, 8,
                Duration.ofSeconds(30), org.springframework.util.unit.DataSize.ofBytes(0));
    }

    static WorkerProperties.Destination local(Path path) {
        return new WorkerProperties.Destination("local", path.toString(), null, "", null, "us-east-1", false, null,
                null, null, null, 8, null);
    }

    @Test
    void theDocumentedEnvironmentVariablesBecomeTheDestinationsSettings() {
        Map<String, Object> properties = DestinationEnvironment.properties(Map.of(
                "BACKUP_STORAGE_DESTINATIONS_OFFSITE_TYPE", "s3",
                "BACKUP_STORAGE_DESTINATIONS_OFFSITE_PATH_STYLE", "true",
                "BACKUP_STORAGE_DESTINATIONS_OFFSITE_SECRET_ACCESS_KEY", "s",
                "BACKUP_STORAGE_DESTINATIONS_OFFSITE_ACCESS_KEY_ID", "a",
                "BACKUP_STORAGE_DESTINATIONS_COLD_ARCHIVE_STORAGE_CLASS", "GLACIER_IR",
                "BACKUP_STORAGE_DESTINATIONS_LOCAL_PATH", "/var/lib/backups",
                "BACKUP_STORAGE_DIR", "/x", "OTHER", "y"));
        assertThat(properties).containsOnly(
                Map.entry("backup.storage.destinations.offsite.type", "s3"),
                Map.entry("backup.storage.destinations.offsite.path-style", "true"),
                Map.entry("backup.storage.destinations.offsite.secret-access-key", "s"),
                Map.entry("backup.storage.destinations.offsite.access-key-id", "a"),
                Map.entry("backup.storage.destinations.cold-archive.storage-class", "GLACIER_IR"),
                Map.entry("backup.storage.destinations.local.path", "/var/lib/backups"));
    }

    @Test
    void withNothingConfiguredTheStorageDirectoryIsTheOneDestinationNamedLocal() {
        Destinations d = Destinations.of(storage(Map.of(), "", List.of()));
        assertThat(d.primary().name()).isEqualTo("local");
        assertThat(d.primary().location()).isEqualTo(tmp.resolve("default").toString());
        assertThat(d.copies()).isEmpty();
    }

    @Test
    void aPrimaryAndCopiesAreNamedAndTheOnlyDestinationIsThePrimary() {
        Destinations one = Destinations.of(storage(Map.of("disk", local(tmp.resolve("a"))), "", List.of()));
        assertThat(one.primary().name()).isEqualTo("disk");
        Destinations two = Destinations.of(storage(Map.of("a", local(tmp.resolve("a")), "b", local(tmp.resolve("b"))),
                "a", List.of("b")));
        assertThat(two.primary().name()).isEqualTo("a");
        assertThat(two.copies()).extracting(BackupStorage::name).containsExactly("b");
        assertThat(two.all()).extracting(BackupStorage::name).containsExactly("a", "b");
    }

    @Test
    void settingsThatCannotWorkAreRefusedNamingTheSetting() {
        Map<String, WorkerProperties.Destination> two = Map.of("a", local(tmp.resolve("a")), "b", local(tmp.resolve("b")));
        assertThatThrownBy(() -> Destinations.of(storage(two, "", List.of())))
                .hasMessageContaining("backup.storage.primary must name one of");
        assertThatThrownBy(() -> Destinations.of(storage(two, "c", List.of())))
                .hasMessageContaining("backup.storage.primary names 'c'");
        assertThatThrownBy(() -> Destinations.of(storage(two, "a", List.of("a"))))
                .hasMessageContaining("the primary destination");
        assertThatThrownBy(() -> Destinations.of(storage(two, "a", List.of("nowhere"))))
                .hasMessageContaining("backup.storage.copies names 'nowhere'");
        assertThatThrownBy(() -> Destinations.of(storage(Map.of(), "", List.of("offsite"))))
                .hasMessageContaining("no destinations are configured");
        assertThatThrownBy(() -> Destinations.of(storage(Map.of("Bad_Name", local(tmp)), "", List.of())))
                .hasMessageContaining("destination name 'Bad_Name'");
        assertThatThrownBy(() -> Destinations.of(storage(Map.of("x", new WorkerProperties.Destination("s3", null,
                null, "", null, "us-east-1", true, null, null, null, null, 8, null)), "", List.of())))
                .hasMessageContaining("backup.storage.destinations.x.bucket is required");
        assertThatThrownBy(() -> Destinations.of(storage(Map.of("x", new WorkerProperties.Destination("local", null,
                null, "", null, "us-east-1", true, null, null, null, null, 8, null)), "", List.of())))
                .hasMessageContaining("backup.storage.destinations.x.path is required");
    }
}
