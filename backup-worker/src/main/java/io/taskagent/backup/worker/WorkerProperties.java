package io.taskagent.backup.worker;

import io.taskagent.backup.model.Names;
import io.taskagent.backup.model.ScheduleBounds;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the backup worker ({@code backup.*}).
 *
 * @param source  the database to protect
 * @param storage where backup files are written
 * @param worker  how this worker runs jobs
 */
@Validated
@ConfigurationProperties("backup")
public record WorkerProperties(@Valid @NotNull @DefaultValue Source source, @Valid @NotNull @DefaultValue Storage storage,
                               @Valid @NotNull @DefaultValue Worker worker,
                               @Valid @NotNull @DefaultValue Restore restore,
                               @Valid @NotNull @DefaultValue Schema schema) {

    /**
     * How a backup captures the schema of what it holds ({@code pg_dump --schema-only} in the backup's snapshot).
     *
     * @param pgDump     the {@code pg_dump} to run ({@code BACKUP_SCHEMA_PG_DUMP}); empty: the newest under
     *                   {@code /usr/lib/postgresql/<major>/bin}, else {@code pg_dump} on the {@code PATH}. It must be
     *                   of at least the source server's major version
     * @param keepOwners keep owners and grants in the schema sections (default: left out, as
     *                   {@code --no-owner --no-privileges})
     */
    public record Schema(@NotNull @DefaultValue("") String pgDump, @DefaultValue("false") boolean keepOwners) {
    }

    /**
     * Restores.
     *
     * @param safetyBackup take a {@code pre_restore} backup of the target before overwriting it (a request may skip it)
     * @param targets      further databases a restore may write into, by name (restore tests, migrations); the
     *                     source database is always a target under its own target name
     */
    public record Restore(@DefaultValue("true") boolean safetyBackup,
                          @NotNull @DefaultValue java.util.Map<String, @Valid Source> targets,
                          @NotNull @DefaultValue("256MB") @jakarta.validation.constraints.Pattern(
                                  regexp = "[1-9][0-9]{0,6}(kB|MB|GB)",
                                  message = "must be a PostgreSQL memory size such as 256MB (kB, MB or GB)") String memory,
                          @DefaultValue("0") @jakarta.validation.constraints.PositiveOrZero int parallelism) {

        /**
         * Connections a {@code create_database} restore works on: {@code parallelism}, or one per core up to 4 when 0
         * (each session may use {@code memory} on the server, for each sort or hash).
         */
        public int connections() {
            return parallelism > 0 ? parallelism : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        }
    }

    /** The connection settings of restore target {@code name}: the source under its target name, or a configured one. */
    public java.util.Optional<Source> restoreTarget(String name) {
        if (name == null || name.equals(source.target())) {
            return java.util.Optional.of(source);
        }
        return java.util.Optional.ofNullable(restore.targets().get(name));
    }

    /**
     * The database to protect.
     *
     * @param target         its logical name in messages and the catalog
     * @param url            JDBC URL ({@code BACKUP_SOURCE_URL})
     * @param username       user ({@code BACKUP_SOURCE_USERNAME})
     * @param password       password ({@code BACKUP_SOURCE_PASSWORD}); never logged
     * @param connectTimeout how long to wait for a connection
     * @param socketTimeout  longest silence from the server during a dump before the backup fails
     * @param schemas        schemas to back up (empty: every non-system schema)
     * @param includeTables  {@code schema.table} names or {@code *} patterns to back up (empty: all)
     * @param excludeTables  {@code schema.table} names or {@code *} patterns to leave out
     */
    public record Source(
            @NotNull @Pattern(regexp = Names.TARGET_REGEX) @DefaultValue("taskagent") String target,
            @NotBlank @Pattern(regexp = "jdbc:postgresql:.+", message = "must be a jdbc:postgresql: URL")
            @DefaultValue("jdbc:postgresql://localhost:5432/taskagent") String url,
            @NotBlank @DefaultValue("postgres") String username,
            String password,
            @NotNull @DefaultValue("10s") Duration connectTimeout,
            @NotNull @DefaultValue("5m") Duration socketTimeout,
            @NotNull @DefaultValue List<String> schemas,
            @NotNull @DefaultValue List<String> includeTables,
            @NotNull @DefaultValue List<String> excludeTables) {

        @Override
        public String toString() {
            return "Source[target=" + target + ", url=" + url + ", username=" + username + ", password=***]";
        }
    }

    /**
     * @param dir         directory of backup files ({@code BACKUP_STORAGE_DIR})
     * @param compression {@code zstd} (default), {@code gzip} or {@code none}
     * @param zstdLevel   zstd level, 1 (fast) to 19 (small)
     * @param maxBackupSizeMb a bigger backup is kept but announced with BackupOversized
     */
    public record Storage(@NotNull @DefaultValue("./backups") Path dir,
                          @NotNull @Pattern(regexp = "zstd|gzip|none", message = "must be zstd, gzip or none")
                          @DefaultValue("zstd") String compression,
                          @Min(1) @Max(19) @DefaultValue("1") int zstdLevel,
                          @Min(1) @Max(ScheduleBounds.MAX_BACKUP_SIZE_MB_MAX) @DefaultValue("500") int maxBackupSizeMb) {
    }

    /**
     * @param id            this worker's name in job records (default: host and process id)
     * @param concurrency   jobs this worker runs at once
     * @param parallelism   connections (sharing one snapshot) and threads reading one dump; 0 (default): as many as
     *                      the machine has cores, at least 2 (see {@link #readers()})
     * @param leaseDuration how long a claimed job stays this worker's without a heartbeat; after that another
     *                      worker takes it over
     * @param maxAttempts   attempts of a job (take-overs included) before it is failed
     * @param progressInterval least time between two progress reports of a job
     */
    public record Worker(String id,
                         @Min(1) @Max(16) @DefaultValue("1") int concurrency,
                         @Min(0) @Max(32) @DefaultValue("0") int parallelism,
                         @NotNull @DefaultValue("2m") Duration leaseDuration,
                         @Min(1) @Max(100) @DefaultValue("3") int maxAttempts,
                         @NotNull @DefaultValue("5s") Duration progressInterval) {

        /**
         * Readers of one dump. Measured on 2 cores: one reader per core beats more (each reader's server process
         * needs the cores too, and more readers only add switching and memory).
         */
        public int readers() {
            return parallelism > 0 ? parallelism : Math.max(2, Runtime.getRuntime().availableProcessors());
        }
    }
}
