package io.taskagent.backup.worker.restore;

import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.RestoreFailed;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.messaging.Retry;
import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.backup.BackupDumper;
import io.taskagent.backup.worker.format.BackupFileReader;
import io.taskagent.backup.worker.job.EventOutbox;
import io.taskagent.backup.worker.job.JobHandler;
import io.taskagent.backup.worker.job.JobIntake;
import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.job.LeaseKeeper;
import io.taskagent.backup.worker.format.StoredFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.postgresql.PGProperty;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * Runs restore jobs. Before anything touches the target: the backup is resolved through the catalog (by id, or by a
 * plain file name that must be catalogued and lie inside the storage directory), checked (size, SHA-256 and
 * manifest against the catalog: the file is exactly the one written), the target's
 * schema checked against the backup's (every difference listed), the target locked against concurrent backups and
 * restores, and a {@code pre_restore} safety backup of the target taken (unless skipped). Then
 * {@link RestoreEngine} loads it in one transaction. A dry run stops before the safety backup and reports the
 * target's current row counts beside the backup's.
 */
public class RestoreJobRunner implements JobHandler<RequestRestore> {

    private static final Logger log = LoggerFactory.getLogger(RestoreJobRunner.class);

    /** The text settings of a restore's sessions (the dumper's), under which loaded values are read back as text. */
    static final String SESSION_TEXT = "-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=postgres";

    /** What the worker offers a restore: catalog, verification and the safety backup. */
    public interface Backups {
        /** The catalogued backup with this id: file name and row counts, or empty. */
        Optional<Stored> byId(UUID id);

        /** The catalogued backup with this file name, or empty. */
        Optional<Stored> byFileName(String fileName);

        /**
         * The copy of the backup to read: the one on {@code destination} when named, else the first that passes a
         * quick verification (size, SHA-256 and manifest against the catalog: the file is exactly the one written),
         * verified copies first. No pass over the file: it carries what its manifest says of the rows
         * ({@link StoredFile#described()}), which the restore's own read compares with the file's summary when it
         * reaches it, so that a manifest that does not describe the file rolls the restore back.
         *
         * @throws RestoreRefused naming every copy tried and what is wrong with it
         */
        StoredFile locate(UUID backupId, String destination);

        /** Takes a pre_restore backup of {@code database} (the caller holds its lock); returns its file name. */
        String safetyBackup(String databaseName, WorkerProperties.Source database) throws Exception;
    }

    /** A catalogued backup. */
    public record Stored(UUID id, String fileName, String status, Map<String, Long> rowCounts) {
    }

    private final JobStore jobs;
    private final JobIntake intake;
    private final Backups backups;
    private final EventOutbox outbox;
    private final Retry retry;
    private final LeaseKeeper leases;
    private final WorkerProperties properties;

    public RestoreJobRunner(JobStore jobs, JobIntake intake, Backups backups,
                            EventOutbox outbox, Retry retry, LeaseKeeper leases, WorkerProperties properties,
                            io.taskagent.backup.worker.job.JobProgress.Factory progresses) {
        this.progresses = progresses;
        this.jobs = jobs;
        this.intake = intake;
        this.backups = backups;
        this.outbox = outbox;
        this.retry = retry;
        this.leases = leases;
        this.properties = properties;
    }

    private final io.taskagent.backup.worker.job.JobProgress.Factory progresses;

    /** The phases of a job that restores (a restore or a drill), reported as its progress. */
    Phases phasesOf(JobStore.Job job) {
        return new Phases(progresses.start(job));
    }

    /** What the worker offers restores: catalog, verification, safety backups (drills use them too). */
    public Backups backups() {
        return backups;
    }

    @Override
    public JobKind kind() {
        return JobKind.RESTORE;
    }

    @Override
    public Class<RequestRestore> commandType() {
        return RequestRestore.class;
    }

    /**
     * Records and claims the restore; its request parameters are kept in the job's result document (with the
     * record, while the job is queued), for a worker taking the job over.
     */
    @Override
    public Optional<JobStore.Job> accept(RequestRestore request) {
        String type = request.dryRun() ? "dry_run" : (request.skipSafetyBackup() ? "restore_unsafe" : "restore");
        String database = request.database() == null ? properties.source().target() : request.database();
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("backup_id", request.backupId());
        // a name with control characters (NUL cannot even be stored) is kept recognisable, and refused later
        parameters.put("backup_filename", request.backupFileName() == null ? null
                : request.backupFileName().replaceAll("\\p{Cntrl}", "?"));
        parameters.put("database", database);
        parameters.put("dry_run", request.dryRun());
        parameters.put("skip_safety_backup", request.skipSafetyBackup());
        parameters.put("mode", request.effectiveMode());
        parameters.put("create_database", request.createDatabase());
        parameters.put("destination", request.destination());
        String requestJson = MessageJson.mapper().writeValueAsString(Map.of("request", parameters));
        return intake.accept(new JobStore.NewJob(request.jobId(), JobKind.RESTORE, type, database,
                request.requestedBy(), request.occurredAt(), request.backupId()),
                () -> jobs.requestOf(request.jobId(), requestJson));
    }

    /** A restore whose lease expired too often: failed for good, and announced as RestoreFailed. */
    @Override
    public void giveUp(JobStore.Job job, String reason) {
        RestoreFailed failed = RestoreFailed.of(job.id(), properties.source().target(), job.subjectId(), job.target(),
                reason);
        if (outbox.finish("abandoning job " + job.id(), () -> jobs.abandon(job.id(), reason), failed)) {
            log.warn("restore job {} failed: {}", job.id(), reason);
        }
    }

    /** Runs a claimed restore job (also after a take-over: the request is kept in the job's result). */
    @Override
    public void execute(JobStore.Job job) {
        long started = System.nanoTime();
        Phases phases = phasesOf(job);
        phases.begin("checking");
        Map<String, Object> request = request(job.id());
        String database = job.target();
        boolean dryRun = "dry_run".equals(job.type());
        boolean safety = properties.restore().safetyBackup() && !"restore_unsafe".equals(job.type());
        UUID backupId = job.subjectId();
        try {
            Stored backup = resolve(backupId, (String) request.get("backup_filename"));
            backupId = backup.id();
            if (!"AVAILABLE".equals(backup.status())) {
                throw new RestoreRefused("backup " + backup.id() + " is " + backup.status().toLowerCase() + ", not available");
            }
            StoredFile file = backups.locate(backup.id(), (String) request.get("destination"));
            phases.done("verify_file");
            WorkerProperties.Source target = properties.restoreTarget(database)
                    .orElseThrow(() -> new RestoreRefused("unknown restore target '" + database + "': configure "
                            + "backup.restore.targets." + database));
            BackupFileReader content = BackupFileReader.header(file);
            Map<String, Long> backupRows = backup.rowCounts();
            phases.total(backupRows);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("request", request);
            result.put("backup_id", backup.id());
            result.put("file_name", backup.fileName());
            result.put("destination", file.where());
            result.put("phases_ms", phases.millis());
            String newDatabase = (String) request.get("create_database");
            boolean create = newDatabase != null || RequestRestore.CREATE.equals(request.get("mode"));
            if (create && content.schema() == null) {
                throw new RestoreRefused("backup " + backup.fileName() + " is format " + content.formatVersion()
                        + " (rows only, no schema): restore it in replace mode into a database that has its schema");
            }
            Map<String, Long> counts;
            if (newDatabase != null) {
                counts = intoNewDatabase(job.id(), target, newDatabase, file, content, backupRows, dryRun, result,
                        phases);
            } else {
                try (Connection connection = connect(target)) {
                    lock(connection, database);
                    refuseOlderServer(connection, content, database);
                    if (create) {
                        refuseMissingExtensions(connection, content, "the server of '" + database + "'");
                        List<String> present = RestoreEngine.existingRelations(connection, content.metadata());
                        if (!present.isEmpty()) {
                            throw new RestoreRefused("create mode needs a database without the backup's tables, but '"
                                    + database + "' has: " + String.join(", ", present));
                        }
                    } else {
                        List<String> differences = RestoreEngine.schemaDifferences(connection, content.metadata());
                        if (!differences.isEmpty()) {
                            throw new RestoreRefused("the target's schema does not match the backup: "
                                    + String.join("; ", differences));
                        }
                    }
                    if (dryRun) {
                        if (create) {
                            result.put("would_create", RestoreEngine.wouldCreate(content.schema()));
                        }
                        Map<String, Long> current = create ? Map.of()
                                : RestoreEngine.currentCounts(connection, RestoreEngine.tables(content.metadata()));
                        Map<String, Object> tables = new LinkedHashMap<>();
                        backupRows.forEach((table, rows) -> tables.put(table,
                                Map.of("backup", rows, "current", current.getOrDefault(table, 0L))));
                        result.put("tables", tables);
                        counts = backupRows;
                    } else {
                        if (safety && !create) {
                            phases.begin("safety_backup");
                            String safetyFile = backups.safetyBackup(database, target);
                            result.put("safety_backup", safetyFile);
                            phases.done("safety_backup");
                        }
                        counts = create
                                ? RestoreEngine.create(connection, file, content.metadata(), content.schema(), backupRows,
                                properties.restore().checkHelpers(), phases)
                                : RestoreEngine.load(connection, file, content.metadata(), backupRows,
                                properties.restore().checkHelpers(), phases);
                        result.put("row_counts", counts);
                        result.put("phases_ms", phases.millis());
                    }
                }
            }
            // reported done only once the connection, and with it the target's lock, is released: a backup or restore
            // asked for right after the answer is not refused as "running"
            succeed(job, backup, database, dryRun, counts, result, started);
        } catch (RestoreRefused e) {
            fail(job, backupId, database, e.getMessage());
        } catch (SQLException | IOException e) {
            fail(job, backupId, database, "restore into '" + database + "' rolled back, the target is unchanged: "
                    + e.getMessage());
        } catch (Exception e) {
            log.error("restore job {} failed unexpectedly", job.id(), e);
            fail(job, backupId, database, "restore into '" + database + "' failed: " + e);
        }
    }

    /**
     * {@code create_database}: refused before anything is created if the name exists on the target's server, the
     * target's user may not create databases, or the server is older than the backup's; else the database is created,
     * restored into in create mode, and dropped again if anything fails.
     */
    Map<String, Long> intoNewDatabase(UUID jobId, WorkerProperties.Source target, String name, StoredFile file,
                                              BackupFileReader content, Map<String, Long> backupRows, boolean dryRun,
                                              Map<String, Object> result, Phases phases)
            throws SQLException, IOException {
        return intoNewDatabase(jobId, target, name, "template0", file, content, backupRows, dryRun, result, phases);
    }

    /** {@code create_database} from {@code template} (a plain database name; a restore's is always template0). */
    Map<String, Long> intoNewDatabase(UUID jobId, WorkerProperties.Source target, String name, String template,
                                      StoredFile file, BackupFileReader content, Map<String, Long> backupRows,
                                      boolean dryRun, Map<String, Object> result, Phases phases)
            throws SQLException, IOException {
        String server = BackupDumper.describe(target);
        String mark = CREATED_BY + jobId;
        try (Connection admin = maintenance(target); Statement s = admin.createStatement()) {
            refuseOlderServer(admin, content, server);
            refuseMissingExtensions(admin, content, "the server of " + server);
            try (PreparedStatement exists = admin.prepareStatement("""
                    SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?""")) {
                exists.setString(1, name);
                ResultSet rs = exists.executeQuery();
                if (rs.next()) {
                    if (!mark.equals(rs.getString(1))) {
                        throw new RestoreRefused("database '" + name + "' already exists on the server of " + server
                                + ": choose another name, or restore into it with mode create if it is empty");
                    }
                    // this very job created it, and its worker stopped before finishing: half-built, it goes again
                    if (!dryRun) {
                        s.execute("DROP DATABASE \"" + name + "\" WITH (FORCE)");
                        log.info("dropped database '{}', left half-built by an earlier attempt of job {}", name, jobId);
                    }
                }
            }
            try (ResultSet rs = s.executeQuery(
                    "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    throw new RestoreRefused("the restore target's user '" + target.username() + "' may not create "
                            + "databases (it needs CREATEDB) on the server of " + server);
                }
            }
            result.put("create_database", name);
            if (dryRun) {
                result.put("would_create", RestoreEngine.wouldCreate(content.schema()));
                Map<String, Object> tables = new LinkedHashMap<>();
                backupRows.forEach((table, rows) -> tables.put(table, Map.of("backup", rows, "current", 0L)));
                result.put("tables", tables);
                return backupRows;
            }
            // the name is a plain identifier (Names.DATABASE_REGEX, checked in the command), quoted as reserved words
            // (user, order...) are plain identifiers too
            s.execute("CREATE DATABASE \"" + name + "\" TEMPLATE \"" + template + "\" ENCODING 'UTF8'");
            // marked as this job's: an attempt taking the job over after a crash may drop it and start again
            s.execute("COMMENT ON DATABASE \"" + name + "\" IS '" + mark + "'");
            // closed to others while being built (its work commits step by step): opened when complete
            s.execute("REVOKE CONNECT ON DATABASE \"" + name + "\" FROM PUBLIC");
            log.info("created database '{}' on the server of {} for a restore", name, server);
            phases.done("create_database");
            WorkerProperties.Source database = withDatabase(target, name);
            try {
                // all-or-nothing by the drop below: the work is spread over several connections
                Map<String, Long> counts = ParallelCreate.run(() -> connect(database),
                        properties.restore().connections(), file, content.metadata(), content.schema(), backupRows,
                        phases);
                result.put("row_counts", counts);
                result.put("phases_ms", phases.millis());
                s.execute("GRANT CONNECT ON DATABASE \"" + name + "\" TO PUBLIC"); // as any new database
                s.execute("COMMENT ON DATABASE \"" + name + "\" IS NULL"); // complete: no longer this job's to redo
                return counts;
            } catch (SQLException | IOException | RuntimeException e) {
                try {
                    s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
                    log.info("dropped database '{}' again: its restore failed", name);
                } catch (SQLException dropFailed) {
                    e.addSuppressed(dropFailed);
                    log.error("could not drop database '{}' after its failed restore: {}", name, dropFailed.getMessage());
                }
                throw e;
            }
        }
    }

    /**
     * A connection to the target's server for creating a database: through the target's own database, or, when that
     * one is gone (the incident a rebuild is for), through {@code postgres} or {@code template1}.
     */
    Connection maintenance(WorkerProperties.Source target) throws SQLException {
        SQLException missing = null;
        for (String database : new String[]{null, "postgres", "template1"}) {
            try {
                return connect(database == null ? target : withDatabase(target, database));
            } catch (SQLException e) {
                if (!"3D000".equals(e.getSQLState())) {
                    throw e;
                }
                missing = e;
            }
        }
        throw missing;
    }

    /** The comment a restore puts on the database it creates, followed by its job id. */
    static final String CREATED_BY = "being restored by taskagent-backup job ";

    /** {@code CREATE EXTENSION} statements of pg_dump's pre-data section: the extension's name, quoted or plain. */
    private static final java.util.regex.Pattern CREATE_EXTENSION = java.util.regex.Pattern.compile(
            "(?m)^CREATE EXTENSION (?:IF NOT EXISTS )?(\"(?:[^\"]|\"\")+\"|[^\\s;]+)");

    /** The extensions the backup's schema creates, as named in its pre-data section. */
    static List<String> extensions(String preData) {
        List<String> names = new java.util.ArrayList<>();
        java.util.regex.Matcher m = CREATE_EXTENSION.matcher(preData == null ? "" : preData);
        while (m.find()) {
            String name = m.group(1);
            names.add(name.startsWith("\"") ? name.substring(1, name.length() - 1).replace("\"\"", "\"") : name);
        }
        return names;
    }

    /**
     * A restore that creates the schema needs every extension the backup's schema creates to be installable on the
     * server ({@code pg_available_extensions}): refused up front, naming the missing ones, before anything is created.
     */
    private static void refuseMissingExtensions(Connection server, BackupFileReader content, String where)
            throws SQLException {
        List<String> needed = content.schema() == null ? List.of() : extensions(content.schema().preData());
        if (needed.isEmpty()) {
            return;
        }
        List<String> missing = new java.util.ArrayList<>(needed);
        try (PreparedStatement available = server.prepareStatement(
                "SELECT name FROM pg_available_extensions WHERE name = ANY (?)")) {
            available.setArray(1, server.createArrayOf("text", needed.toArray()));
            try (ResultSet rs = available.executeQuery()) {
                while (rs.next()) {
                    missing.remove(rs.getString(1));
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new RestoreRefused("the backup's schema needs the extension" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + ", which " + where + " does not have (not in "
                    + "pg_available_extensions): install " + (missing.size() > 1 ? "them" : "it") + " there first");
        }
    }

    /** A restore into an older major version than the backup's server is refused up front (newer is fine). */
    private static void refuseOlderServer(Connection target, BackupFileReader content, String where)
            throws SQLException {
        String backupVersion = content.metadata().serverVersion() == null ? "" : content.metadata().serverVersion();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)").matcher(backupVersion);
        if (!m.find()) {
            return;
        }
        int backupMajor = Integer.parseInt(m.group(1));
        try (Statement s = target.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            rs.next();
            if (rs.getInt(1) < backupMajor) {
                throw new RestoreRefused("the backup comes from PostgreSQL " + backupMajor + "; " + where + " runs "
                        + rs.getInt(1) + ": a restore into an older major version is refused");
            }
        }
    }

    /** {@code source} with its JDBC URL's database replaced by {@code database}. */
    static WorkerProperties.Source withDatabase(WorkerProperties.Source source, String database) {
        if (!source.url().matches("^jdbc:postgresql://[^/?]*/[^?]*(\\?.*)?$")) {
            throw new RestoreRefused("the restore target's URL names no database to replace "
                    + "(jdbc:postgresql://host[:port]/database expected): " + BackupDumper.describe(source));
        }
        String url = source.url().replaceFirst("^(jdbc:postgresql://[^/?]*/)[^?]*", "$1" + database);
        return new WorkerProperties.Source(source.target(), url, source.username(), source.password(),
                source.connectTimeout(), source.socketTimeout(), source.schemas(), source.includeTables(),
                source.excludeTables());
    }

    private Map<String, Object> request(UUID jobId) {
        Map<String, Object> request = new LinkedHashMap<>();
        String stored = retry.get("reading job request", () -> jobs.resultOf(jobId)).orElse(null);
        if (stored != null) {
            MessageJson.mapper().readTree(stored).path("request").properties()
                    .forEach(e -> request.put(e.getKey(), e.getValue().isNull() ? null
                            : e.getValue().isBoolean() ? e.getValue().asBoolean() : e.getValue().asString()));
        }
        return request;
    }

    private Stored resolve(UUID backupId, String fileName) {
        if (backupId != null) {
            return backups.byId(backupId).orElseThrow(() -> new RestoreRefused("no backup " + backupId + " in the catalog"));
        }
        if (fileName == null || !io.taskagent.backup.model.Names.isPlainFileName(fileName)) {
            throw new RestoreRefused("refused backup file name: not a plain backup file name: " + fileName);
        }
        return backups.byFileName(fileName)
                .orElseThrow(() -> new RestoreRefused("no catalogued backup file named " + fileName));
    }

    private static void lock(Connection connection, String database) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + BackupDumper.LOCK_KEY + ")")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                throw new RestoreRefused("a backup or another restore of '" + database + "' is running: restore refused");
            }
        }
    }

    private void succeed(JobStore.Job job, Stored backup, String database, boolean dryRun, Map<String, Long> counts,
                         Map<String, Object> result, long started) {
        long millis = (System.nanoTime() - started) / 1_000_000;
        result.put("duration_ms", millis);
        String json = MessageJson.mapper().writeValueAsString(result);
        RestoreCompleted completed = RestoreCompleted.of(job.id(), properties.source().target(), backup.id(), database,
                dryRun, counts, millis);
        if (outbox.finish(job.id(), "recording restore", () -> jobs.succeed(job.id(), leases.worker(), json),
                completed)) {
            log.info("{} of backup {} into '{}' done in {} ms", dryRun ? "dry run" : "restore", backup.fileName(),
                    database, millis);
        }
    }

    private void fail(JobStore.Job job, UUID backupId, String database, String reason) {
        log.warn("restore job {} failed: {}", job.id(), reason);
        RestoreFailed failed = RestoreFailed.of(job.id(), properties.source().target(), backupId, database, reason);
        outbox.finish(job.id(), "recording restore failure", () -> jobs.fail(job.id(), leases.worker(), reason),
                failed);
    }

    Connection connect(WorkerProperties.Source target) throws SQLException {
        Properties props = new Properties();
        props.setProperty(PGProperty.USER.getName(), target.username());
        if (target.password() != null && !target.password().isEmpty()) {
            props.setProperty(PGProperty.PASSWORD.getName(), target.password());
        }
        props.setProperty(PGProperty.CONNECT_TIMEOUT.getName(), String.valueOf(Math.max(1, target.connectTimeout().toSeconds())));
        props.setProperty(PGProperty.APPLICATION_NAME.getName(), "taskagent-backup-restore");
        String memory = properties.restore().memory();
        props.setProperty(PGProperty.OPTIONS.getName(), SESSION_TEXT
                + " -c maintenance_work_mem=" + memory + " -c work_mem=" + memory);
        try {
            return DriverManager.getConnection(target.url(), props);
        } catch (SQLException e) {
            throw new SQLException("cannot connect to restore target " + BackupDumper.describe(target) + ": "
                    + e.getMessage(), e.getSQLState(), e);
        }
    }

    /** A restore refused before the target was touched. */
    public static final class RestoreRefused extends RuntimeException {
        public RestoreRefused(String message) {
            super(message);
        }
    }

    static List<String> none() {
        return new ArrayList<>();
    }
}
