package io.taskagent.backup.worker.restore;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.taskagent.backup.model.DrillFailed;
import io.taskagent.backup.model.DrillPassed;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestDrill;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.messaging.Retry;
import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.backup.BackupDumper;
import io.taskagent.backup.worker.backup.DumpException;
import io.taskagent.backup.worker.backup.PgDump;
import io.taskagent.backup.worker.format.BackupFileReader;
import io.taskagent.backup.worker.format.SchemaSections;
import io.taskagent.backup.worker.format.StoredFile;
import io.taskagent.backup.worker.job.EventOutbox;
import io.taskagent.backup.worker.job.JobHandler;
import io.taskagent.backup.worker.job.JobIntake;
import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.job.LeaseKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restore drills: proves a backup rebuilds its database exactly, and measures how long that takes. A drill picks the
 * backup (named, or the target's newest available one) and a copy of it that passes a quick verification, records
 * its throw-away database {@code drill_<target>_<short job id>} in {@code worker.drill_databases}, restores the
 * backup into it on the drill server with {@code create_database} semantics (every row read back and compared
 * with the file, counts with the catalog), then compares the drill database's schema ({@code pg_dump --schema-only},
 * both sections) with the backup's schema sections and runs the smoke checks ({@code backup.drill.checks.*}, each
 * must return true). The recovery time (RTO) is the wall time from the drill's start to the usable database. The
 * database is dropped afterwards, passed or failed; one left by a worker that died is dropped by the next drill.
 * {@link DrillPassed} or {@link DrillFailed} announces the outcome; metrics {@code backup.drill.duration} (RTO,
 * tagged outcome), {@code backup.drill.last.success.seconds} (per target).
 */
public class DrillJobRunner implements JobHandler<RequestDrill> {

    private static final Logger log = LoggerFactory.getLogger(DrillJobRunner.class);

    private final JobStore jobs;
    private final JobIntake intake;
    private final RestoreJobRunner.Backups backups;
    private final RestoreJobRunner restores;
    private final PgDump pgDump;
    private final JdbcClient catalog;
    private final EventOutbox outbox;
    private final Retry retry;
    private final LeaseKeeper leases;
    private final WorkerProperties properties;
    private final MeterRegistry meters;
    private final java.util.function.Function<String, Optional<UUID>> newest;
    private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();

    public DrillJobRunner(JobStore jobs, JobIntake intake, RestoreJobRunner.Backups backups, RestoreJobRunner restores,
                          PgDump pgDump, JdbcClient catalog, EventOutbox outbox, Retry retry, LeaseKeeper leases,
                          WorkerProperties properties, MeterRegistry meters,
                          java.util.function.Function<String, Optional<UUID>> newest) {
        this.jobs = jobs;
        this.intake = intake;
        this.backups = backups;
        this.restores = restores;
        this.pgDump = pgDump;
        this.catalog = catalog;
        this.outbox = outbox;
        this.retry = retry;
        this.leases = leases;
        this.properties = properties;
        this.meters = meters;
        this.newest = newest;
    }

    @Override
    public JobKind kind() {
        return JobKind.DRILL;
    }

    @Override
    public Class<RequestDrill> commandType() {
        return RequestDrill.class;
    }

    @Override
    public Optional<JobStore.Job> accept(RequestDrill request) {
        return intake.accept(new JobStore.NewJob(request.jobId(), JobKind.DRILL, JobKind.DRILL.label(),
                request.target(), request.requestedBy(), request.occurredAt(), request.backupId()));
    }

    @Override
    public void giveUp(JobStore.Job job, String reason) {
        DrillFailed failed = DrillFailed.of(job.id(), job.target(), job.subjectId(), null, List.of(reason));
        if (outbox.finish("abandoning job " + job.id(), () -> jobs.abandon(job.id(), reason), failed)) {
            log.warn("drill job {} failed: {}", job.id(), reason);
        }
    }

    /** The drill database's name: {@code drill_<target>_<first 8 hex of the job id>} (a plain identifier). */
    static String databaseName(String target, UUID jobId) {
        String t = target.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return ("drill_" + t).substring(0, Math.min(("drill_" + t).length(), 50)) + "_"
                + jobId.toString().substring(0, 8);
    }

    @Override
    public void execute(JobStore.Job job) {
        long started = System.nanoTime();
        Phases phases = restores.phasesOf(job);
        phases.begin("checking");
        Map<String, Object> result = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        WorkerProperties.Source server = properties.drill().server(properties.source());
        String database = databaseName(job.target(), job.id());
        RestoreJobRunner.Stored backup = null;
        Map<String, Long> counts = Map.of();
        long recoveryMillis = -1;
        dropOrphans(job.id(), server);
        try {
            UUID backupId = job.subjectId() != null ? job.subjectId()
                    : retry.get("reading the newest backup", () -> newest.apply(job.target()))
                    .orElseThrow(() -> new RestoreJobRunner.RestoreRefused("no available backup of '"
                            + job.target() + "' to drill"));
            backup = backups.byId(backupId)
                    .orElseThrow(() -> new RestoreJobRunner.RestoreRefused("no backup " + backupId + " in the catalog"));
            if (!"AVAILABLE".equals(backup.status())) {
                throw new RestoreJobRunner.RestoreRefused("backup " + backup.id() + " is "
                        + backup.status().toLowerCase() + ", not available");
            }
            result.put("backup_id", backup.id());
            result.put("file_name", backup.fileName());
            phases.total(backup.rowCounts());
            StoredFile file = backups.locate(backup.id(), null);
            result.put("destination", file.where());
            BackupFileReader content = BackupFileReader.header(file);
            if (content.schema() == null) {
                throw new RestoreJobRunner.RestoreRefused("backup " + backup.fileName() + " is format "
                        + content.formatVersion() + " (rows only, no schema): it cannot be drilled from nothing");
            }
            phases.done("verify_file");
            result.put("database", database);
            result.put("server", BackupDumper.describe(server));
            String where = BackupDumper.describe(server);
            retry.run("recording drill database " + database, () -> catalog.sql("""
                            INSERT INTO drill_databases (job_id, database, server) VALUES (:job, :db, :server)
                            ON CONFLICT (job_id) DO UPDATE SET database = :db, server = :server, dropped_at = NULL""")
                    .param("job", job.id()).param("db", database).param("server", where).update());
            try {
                counts = restores.intoNewDatabase(job.id(), server, database, properties.drill().template(), file,
                        content, backup.rowCounts(), false, new LinkedHashMap<>(), phases);
                recoveryMillis = (System.nanoTime() - started) / 1_000_000;
                result.put("recovery_ms", recoveryMillis);
                result.put("row_counts", counts);
                result.put("tables", counts.size());
                result.put("rows", counts.values().stream().mapToLong(Long::longValue).sum());
                WorkerProperties.Source drilled = RestoreJobRunner.withDatabase(server, database);
                phases.begin("schema_check");
                problems.addAll(schemaDifferences(drilled, content));
                phases.done("schema_check");
                Map<String, Object> checks = new LinkedHashMap<>();
                problems.addAll(smokeChecks(drilled, checks));
                result.put("checks", checks);
                phases.done("smoke_checks");
            } finally {
                drop(server, database, job.id());
                phases.done("drop");
            }
        } catch (RestoreJobRunner.RestoreRefused e) {
            problems.add(e.getMessage());
        } catch (SQLException | IOException | DumpException e) {
            problems.add("the drill's restore failed: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("drill job {} failed unexpectedly", job.id(), e);
            problems.add("the drill failed: " + e);
        }
        result.put("problems", problems);
        result.put("phases_ms", phases.millis());
        finish(job, backup, counts, recoveryMillis, problems, result);
    }

    private void finish(JobStore.Job job, RestoreJobRunner.Stored backup, Map<String, Long> counts, long recoveryMillis,
                        List<String> problems, Map<String, Object> result) {
        String json = MessageJson.mapper().writeValueAsString(result);
        boolean passed = problems.isEmpty();
        Timer timer = meters.timer("backup.drill.duration", "target", job.target(), "outcome", passed ? "passed" : "failed");
        if (recoveryMillis >= 0) {
            timer.record(recoveryMillis, TimeUnit.MILLISECONDS);
        }
        if (passed) {
            DrillPassed event = DrillPassed.of(job.id(), job.target(), backup.id(), backup.fileName(), recoveryMillis,
                    counts);
            if (outbox.finish("recording drill " + job.id(), () -> jobs.succeed(job.id(), leases.worker(), json), event)) {
                lastSuccessGauge(job.target()).set(System.currentTimeMillis() / 1000);
                log.info("drill of {} passed: recovery in {} ms", backup.fileName(), recoveryMillis);
            }
        } else {
            String reason = String.join("; ", problems);
            DrillFailed event = DrillFailed.of(job.id(), job.target(), backup == null ? null : backup.id(),
                    backup == null ? null : backup.fileName(), problems);
            if (outbox.finish("recording drill " + job.id(), () -> jobs.fail(job.id(), leases.worker(), reason, json),
                    event)) {
                log.warn("drill job {} failed: {}", job.id(), reason);
            }
        }
    }

    private AtomicLong lastSuccessGauge(String target) {
        return lastSuccess.computeIfAbsent(target, t -> {
            AtomicLong at = new AtomicLong();
            Gauge.builder("backup.drill.last.success.seconds", at, AtomicLong::get).tag("target", t)
                    .description("when a drill of this target last passed (epoch seconds)").register(meters);
            return at;
        });
    }

    /**
     * After a start the gauge of every target with a passed drill starts from the catalog (any worker's drills), so
     * "time since the last passed drill" and its alert rule work from the first scrape; unread, it starts empty.
     */
    @org.springframework.context.event.EventListener(org.springframework.boot.context.event.ApplicationReadyEvent.class)
    void initialiseLastSuccess() {
        try {
            catalog.sql("""
                            SELECT target, extract(epoch FROM max(finished_at))::bigint FROM jobs
                            WHERE kind = 'drill' AND status = 'SUCCEEDED' GROUP BY target""")
                    .query(rs -> {
                        lastSuccessGauge(rs.getString(1)).accumulateAndGet(rs.getLong(2), Math::max);
                    });
        } catch (RuntimeException e) {
            log.warn("last passed drills not read, backup.drill.last.success.seconds starts empty: {}", e.toString());
        }
    }

    /**
     * The drill database's schema against the backup's sections, both as {@code pg_dump --schema-only} writes
     * them (comments, {@code SET} lines and blank lines aside): every statement only in one of them.
     */
    private List<String> schemaDifferences(WorkerProperties.Source drilled, BackupFileReader content)
            throws DumpException {
        SchemaSections recorded = content.schema();
        // with the schema filter the backups are made with (an explicit --schema also dumps that schema's own
        // CREATE SCHEMA, which a whole-database dump leaves to the database)
        SchemaSections rebuilt = pgDump.dump(pgDump.find(), drilled, null, properties.source().schemas(), List.of(),
                List.of());
        List<String> differences = new ArrayList<>();
        compare("pre-data", recorded.preData(), rebuilt.preData(), differences);
        compare("post-data", recorded.postData(), rebuilt.postData(), differences);
        return differences;
    }

    static void compare(String section, String recorded, String rebuilt, List<String> differences) {
        Set<String> a = statements(recorded);
        Set<String> b = statements(rebuilt);
        int shown = 0;
        for (String s : a) {
            if (!b.contains(s) && shown++ < 10) {
                differences.add("schema " + section + ": in the backup, not in the drill database: " + clip(s));
            }
        }
        for (String s : b) {
            if (!a.contains(s) && shown++ < 10) {
                differences.add("schema " + section + ": in the drill database, not in the backup: " + clip(s));
            }
        }
        if (shown > 10) {
            differences.add("schema " + section + ": " + (shown - 10) + " more differences");
        }
    }

    /** The statements of a pg_dump script, each as one line, without comments, SET lines and blank lines. */
    static Set<String> statements(String script) {
        Set<String> statements = new LinkedHashSet<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--") || trimmed.startsWith("SET ")
                    || trimmed.startsWith("SELECT pg_catalog.set_config") || trimmed.startsWith("\\restrict")
                    || trimmed.startsWith("\\unrestrict")) {
                continue;
            }
            current.append(current.isEmpty() ? "" : "\n").append(line.stripTrailing());
            if (trimmed.endsWith(";")) {
                statements.add(current.toString());
                current.setLength(0);
            }
        }
        if (!current.isEmpty()) {
            statements.add(current.toString());
        }
        return statements;
    }

    private static String clip(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() > 200 ? one.substring(0, 200) + "..." : one;
    }

    /** Runs each smoke check in the drill database; every one not returning true is a problem. */
    private List<String> smokeChecks(WorkerProperties.Source drilled, Map<String, Object> outcomes) {
        List<String> problems = new ArrayList<>();
        if (properties.drill().checks().isEmpty()) {
            return problems;
        }
        try (Connection c = restores.connect(drilled)) {
            for (Map.Entry<String, String> check : new java.util.TreeMap<>(properties.drill().checks()).entrySet()) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(check.getValue())) {
                    Object value = rs.next() ? rs.getObject(1) : null;
                    outcomes.put(check.getKey(), String.valueOf(value));
                    if (!Boolean.TRUE.equals(value)) {
                        problems.add("smoke check '" + check.getKey() + "' returned " + value);
                    }
                } catch (SQLException e) {
                    outcomes.put(check.getKey(), "error");
                    problems.add("smoke check '" + check.getKey() + "' failed: " + e.getMessage());
                }
            }
        } catch (SQLException e) {
            problems.add("smoke checks not run: " + e.getMessage());
        }
        return problems;
    }

    /** Drops the drill database (it is recorded) and marks it dropped. */
    private void drop(WorkerProperties.Source server, String database, UUID jobId) {
        try (Connection admin = restores.maintenance(server); Statement s = admin.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
            retry.run("recording drill database " + database + " dropped", () -> catalog.sql(
                    "UPDATE drill_databases SET dropped_at = now() WHERE job_id = :job").param("job", jobId).update());
        } catch (SQLException e) {
            log.error("could not drop drill database '{}' (the next drill drops it): {}", database, e.getMessage());
        }
    }

    /**
     * Drops the databases of drills whose worker died (recorded, not dropped, their job no longer running), on the
     * drill server; nothing else.
     */
    private void dropOrphans(UUID self, WorkerProperties.Source server) {
        List<Map<String, Object>> orphans;
        try {
            orphans = catalog.sql("""
                            SELECT d.job_id, d.database FROM drill_databases d JOIN jobs j ON j.id = d.job_id
                            WHERE d.dropped_at IS NULL AND (d.job_id = :self OR j.status <> 'RUNNING'
                                                            OR j.lease_until < now())""")
                    .param("self", self).query().listOfRows();
        } catch (RuntimeException e) {
            log.warn("cannot read left-over drill databases: {}", e.getMessage());
            return;
        }
        for (Map<String, Object> orphan : orphans) {
            String database = (String) orphan.get("database");
            if (!io.taskagent.backup.model.Names.isDatabase(database) || !database.startsWith("drill_")) {
                continue;
            }
            log.info("dropping drill database '{}' left by drill job {}", database, orphan.get("job_id"));
            drop(server, database, (UUID) orphan.get("job_id"));
        }
    }
}
