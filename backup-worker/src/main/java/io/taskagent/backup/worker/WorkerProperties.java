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
                               @Valid @NotNull @DefaultValue Schema schema,
                               @Valid @NotNull @DefaultValue EncryptionSettings encryption,
                               @Valid @NotNull @DefaultValue Drill drill) {

    /**
     * Restore drills ({@code backup.drill}).
     *
     * @param url      JDBC URL of a database on the drill server ({@code BACKUP_DRILL_URL}); empty: the source's server.
     *                 The drill creates its throw-away database there, so the user needs CREATEDB
     * @param username its user ({@code BACKUP_DRILL_USERNAME}); empty: the source's
     * @param password its password ({@code BACKUP_DRILL_PASSWORD}); never logged
     * @param checks   smoke checks by name ({@code backup.drill.checks.<name>}): SQL run in the drill database that
     *                 must return true, e.g. {@code SELECT NOT EXISTS (SELECT 1 FROM tasks WHERE goal_id IS NULL)}
     * @param template the template the drill database is created from ({@code BACKUP_DRILL_TEMPLATE}, default
     *                 {@code template0}: nothing but PostgreSQL's own objects). Another one only where the drill server's
     *                 administrator prepared it, e.g. with extensions the drill's user may not create; whatever it
     *                 holds is part of the drill database, and a drill finds anything in it that changes rows or schema
     */
    public record Drill(@NotNull @DefaultValue("") String url, @NotNull @DefaultValue("") String username,
                        @NotNull @DefaultValue("") String password,
                        @NotNull @DefaultValue java.util.Map<String, String> checks,
                        @NotNull @DefaultValue("template0") String template) {

        public Drill {
            if (template != null && !io.taskagent.backup.model.Names.isDatabase(template)) {
                throw new IllegalArgumentException("backup.drill.template: not a database name: " + template);
            }
        }

        /** The drill server's connection: the configured one, else the source's. */
        public Source server(Source source) {
            if (url.isBlank()) {
                return source;
            }
            return new Source(source.target(), url, username.isBlank() ? source.username() : username,
                    username.isBlank() ? source.password() : password, source.connectTimeout(), source.socketTimeout(),
                    List.of(), List.of(), List.of());
        }

        @Override
        public String toString() {
            return "Drill[url=" + url + ", username=" + username + ", password=***, checks=" + checks.keySet()
                    + ", template=" + template + "]";
        }
    }

    /**
     * Encryption at rest ({@code backup.encryption}): with a keyset, every new backup file is encrypted (see
     * {@link io.taskagent.backup.worker.format.Encryption}); without one, files are written in the clear and an
     * encrypted one cannot be read.
     *
     * @param keysetFile a file holding a Tink JSON keyset ({@code BACKUP_ENCRYPTION_KEYSET_FILE})
     * @param keyset     the keyset itself ({@code BACKUP_ENCRYPTION_KEYSET}); never logged
     */
    public record EncryptionSettings(@NotNull @DefaultValue("") String keysetFile, @NotNull @DefaultValue("") String keyset) {
        @Override
        public String toString() {
            return "EncryptionSettings[keysetFile=" + keysetFile + ", keyset=" + (keyset.isEmpty() ? "" : "***") + "]";
        }
    }

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

        /**
         * The server's parallel workers a one-transaction restore ({@code replace}, {@code create}) lets read its
         * rows back beside its backend: one fewer than {@link #connections()}.
         */
        public int checkHelpers() {
            return connections() - 1;
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
     * @param dir         directory of backup files ({@code BACKUP_STORAGE_DIR}): the one destination, named
     *                    {@code local}, when no destination is configured
     * @param compression {@code zstd} (default), {@code gzip} or {@code none}
     * @param zstdLevel   zstd level, 1 (fast) to 19 (small)
     * @param maxBackupSizeMb a bigger backup is kept but announced with BackupOversized
     * @param destinations named destinations ({@code BACKUP_STORAGE_DESTINATIONS_<NAME>_TYPE=local|s3}, ...)
     * @param primary     the destination a dump is written to ({@code BACKUP_STORAGE_PRIMARY}); empty: the only one
     * @param copies      destinations a backup is copied to after it succeeded ({@code BACKUP_STORAGE_COPIES})
     * @param copyAttempts attempts of one copy before it is given up (each failure is announced)
     * @param copyBackoff wait before the second attempt of a copy, doubled after each failure
     * @param quota       the most the files of the storage directory ({@code dir}) may hold ({@code BACKUP_STORAGE_QUOTA},
     *                    e.g. {@code 50GB}); a write beyond it fails as a full disk would; 0 (default): no quota
     */
    public record Storage(@NotNull @DefaultValue("./backups") Path dir,
                          @NotNull @Pattern(regexp = "zstd|gzip|none", message = "must be zstd, gzip or none")
                          @DefaultValue("zstd") String compression,
                          @Min(1) @Max(19) @DefaultValue("1") int zstdLevel,
                          @Min(1) @Max(ScheduleBounds.MAX_BACKUP_SIZE_MB_MAX) @DefaultValue("500") int maxBackupSizeMb,
                          @NotNull @DefaultValue java.util.Map<String, @Valid Destination> destinations,
                          @NotNull @DefaultValue("") String primary,
                          @NotNull @DefaultValue List<String> copies,
                          @Min(1) @Max(1000) @DefaultValue("8") int copyAttempts,
                          @NotNull @DefaultValue("30s") Duration copyBackoff,
                          @NotNull @DefaultValue("0B") org.springframework.util.unit.DataSize quota) {
    }

    /**
     * One named destination ({@code backup.storage.destinations.<name>}).
     *
     * @param type            {@code local} or {@code s3}
     * @param path            local: the directory
     * @param bucket          s3: the bucket
     * @param prefix          s3: the key prefix (a "folder"), may be empty
     * @param endpoint        s3: the endpoint URL for S3-compatible servers (MinIO, Ceph, R2, Wasabi, Garage); empty: AWS
     * @param region          s3: the region
     * @param pathStyle       s3: path-style requests ({@code endpoint/bucket/key}), as most S3-compatible servers need
     * @param accessKeyId     s3: credentials; empty: the SDK's default chain (environment, profile, instance role)
     * @param secretAccessKey s3: never logged
     * @param storageClass    s3: e.g. {@code STANDARD_IA}, {@code GLACIER_IR}; empty: the bucket's default
     * @param serverSideEncryption s3: {@code AES256} or {@code aws:kms}; empty: none requested
     * @param partSizeMb      s3: multipart part size, 5 to 512 MB; memory per upload is at most three parts
     * @param quota           local: the most the directory's files may hold ({@code ..._<NAME>_QUOTA}, e.g.
     *                        {@code 50GB}); a write beyond it fails as a full disk would; 0 or empty: no quota
     */
    public record Destination(@NotNull @Pattern(regexp = "local|s3", message = "must be local or s3") String type,
                              String path, String bucket, @DefaultValue("") String prefix, String endpoint,
                              @DefaultValue("us-east-1") String region, @DefaultValue("false") boolean pathStyle,
                              String accessKeyId, String secretAccessKey, String storageClass,
                              String serverSideEncryption, @Min(5) @Max(512) @DefaultValue("8") int partSizeMb,
                              org.springframework.util.unit.DataSize quota) {
        @Override
        public String toString() {
            return "Destination[type=" + type + ", path=" + path + ", bucket=" + bucket + ", prefix=" + prefix
                    + ", endpoint=" + endpoint + ", region=" + region + ", pathStyle=" + pathStyle + ", accessKeyId="
                    + (accessKeyId == null ? null : "***") + ", secretAccessKey=***]";
        }
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
     * @param retryDelay    wait before a backup that failed on its destination is tried again (doubled per attempt)
     * @param shutdownGrace on SIGTERM, how long a running job may still finish before it is handed back to the other
     *                      workers ({@code WorkerShutdown}; the listener containers wait that and 5 s more)
     */
    public record Worker(String id,
                         @Min(1) @Max(16) @DefaultValue("1") int concurrency,
                         @Min(0) @Max(32) @DefaultValue("0") int parallelism,
                         @NotNull @DefaultValue("2m") Duration leaseDuration,
                         @Min(1) @Max(100) @DefaultValue("3") int maxAttempts,
                         @NotNull @DefaultValue("5s") Duration progressInterval,
                         @NotNull @DefaultValue("30s") Duration retryDelay,
                         @NotNull @DefaultValue("30s") Duration shutdownGrace) {

        /**
         * Readers of one dump. Measured on 2 cores: one reader per core beats more (each reader's server process
         * needs the cores too, and more readers only add switching and memory).
         */
        public int readers() {
            return parallelism > 0 ? parallelism : Math.max(2, Runtime.getRuntime().availableProcessors());
        }
    }
}
