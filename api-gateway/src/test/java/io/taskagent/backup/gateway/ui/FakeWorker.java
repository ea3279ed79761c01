package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.model.BackupAnomaly;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.BackupProgress;
import io.taskagent.backup.model.BackupStarted;
import io.taskagent.backup.model.CleanupCompleted;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Plays the backup worker (and the scheduler) for the dashboard's browser test: writes what they would write into
 * their schemas of the test's catalog (through their own migrations' tables) and announces it with their events,
 * published straight to the tested gateway's own live-events queue (through the default exchange), so that no other
 * service on the shared broker receives a made-up event.
 */
final class FakeWorker implements AutoCloseable {

    /** The demo dataset's tables and rows, in restore order. */
    static final Map<String, Long> TABLES = new LinkedHashMap<>();

    static {
        TABLES.put("public.users", 1_000L);
        TABLES.put("public.projects", 5_000L);
        TABLES.put("public.goals", 20_000L);
        TABLES.put("public.tasks", 200_000L);
    }

    static long totalRows() {
        return TABLES.values().stream().mapToLong(Long::longValue).sum();
    }

    private final String catalog;
    private final String target;
    private final BrokerProbe broker;
    private String liveQueue;
    private String requester = "admin";

    FakeWorker(String catalog, String target) {
        this.catalog = catalog;
        this.target = target;
        this.broker = new BrokerProbe(Infrastructure.get());
    }

    /** Who the jobs it records from now on were requested by (the signed-in token's name). */
    void requester(String tokenName) {
        this.requester = tokenName;
    }

    /** Where the tested gateway listens for events (its exclusive queue). */
    void liveQueue(String queue) {
        this.liveQueue = queue;
    }

    private void announce(BackupMessage event) {
        broker.publishRaw("", liveQueue, MessageJson.write(event));
    }

    private void sql(String statement, Object... parameters) {
        try (Connection c = Infrastructure.get().connect(catalog); PreparedStatement st = c.prepareStatement(statement)) {
            for (int i = 0; i < parameters.length; i++) {
                Object p = parameters[i];
                st.setObject(i + 1, p instanceof Instant instant ? Timestamp.from(instant) : p);
            }
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
    }

    private static String json(Object value) {
        return MessageJson.mapper().writeValueAsString(value);
    }

    /** The scheduler's stored settings (running) and its schedules, as it stores them on its first start. */
    void schedulerStarted(Instant nextInterval) {
        sql("""
                INSERT INTO scheduler.settings (running, time_zone, interval_hours, interval_enabled, daily_time,
                    daily_enabled, weekly_day, weekly_enabled, monthly_enabled, cleanup_time, keep_hourly, keep_daily,
                    keep_weekly, keep_monthly, keep_manual, keep_pre_restore_days, max_backup_size_mb, version,
                    created_at, updated_at, updated_by)
                VALUES (true, 'UTC', 6, true, '02:00', true, 0, true, true, '03:00', 24, 30, 12, 12, 10, 7, 500, 1,
                        now(), now(), 'configuration')""");
        sql("""
                INSERT INTO scheduler.schedules (name, kind, spec, enabled, since, next_fire_at, updated_at)
                VALUES ('interval', 'interval', '6', true, now(), ?, now()),
                       ('daily', 'daily', '02:00', true, now(), ?, now()),
                       ('weekly', 'weekly', '0 02:00', true, now(), ?, now()),
                       ('monthly', 'monthly', '1 02:00', false, now(), NULL, now()),
                       ('cleanup', 'cleanup', '03:00', true, now(), ?, now())""",
                nextInterval, nextInterval.plus(Duration.ofHours(5)), nextInterval.plus(Duration.ofDays(3)),
                nextInterval.plus(Duration.ofHours(6)));
    }

    /** A command's outcome as the scheduler records it. */
    void schedulerApplied(UUID jobId, String command) {
        sql("""
                INSERT INTO scheduler.commands (message_id, job_id, command, requested_by, received_at, outcome)
                VALUES (?, ?, ?, ?, now(), 'APPLIED')""", UUID.randomUUID(), jobId, command, requester);
    }

    /** A finished backup, at {@code at}, of {@code rows} (scaled demo tables) and {@code size} bytes. */
    void pastBackup(UUID id, String type, Instant at, double scale, long size) {
        Map<String, Long> counts = new LinkedHashMap<>();
        TABLES.forEach((table, rows) -> counts.put(table, Math.round(rows * scale)));
        sql("""
                INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, started_at,
                                         finished_at, attempts, rows_done, rows_estimated, tables_done, table_count, phase)
                VALUES (?, 'backup', ?, ?, 'SUCCEEDED', 'scheduler', ?, ?, ?, 1, ?, ?, ?, ?, 'dumping')""",
                id, type, target, at, at, at.plusSeconds(4), counts.values().stream().mapToLong(Long::longValue).sum(),
                counts.values().stream().mapToLong(Long::longValue).sum(), counts.size(), counts.size());
        catalogued(id, type, at.plusSeconds(4), counts, size);
    }

    private String catalogued(UUID id, String type, Instant at, Map<String, Long> counts, long size) {
        String sha = String.format("%064x", new java.math.BigInteger(1, id.toString().getBytes()))
                .substring(0, 64);
        String file = type + "_backup_" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(at) + "_" + id.toString().substring(0, 8) + ".json.zst";
        sql("""
                INSERT INTO worker.backups (id, job_id, target, backup_type, file_name, size_bytes, sha256, compression,
                    format_version, row_counts, table_order, table_count, duration_ms, created_at, application_version)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'zstd', 3, CAST(? AS jsonb), CAST(? AS jsonb), ?, 3800, ?, 'flyway 7')""",
                id, id, target, type, file, size, sha, json(counts), json(counts.keySet()), counts.size(), at);
        sql("""
                INSERT INTO worker.backup_copies (backup_id, destination, status, is_primary, size_bytes, sha256,
                                                  copied_at, verified_at, attempts)
                VALUES (?, 'local', 'AVAILABLE', true, ?, ?, ?, ?, 1),
                       (?, 'offsite', 'AVAILABLE', false, ?, ?, ?, ?, 1)""",
                id, size, sha, at, at, id, size, sha, at.plusSeconds(20), at.plusSeconds(20));
        return file;
    }

    /** A drill of {@code backup} that passed, with its recovery time. */
    void pastDrill(UUID backup, Instant at, long recoveryMs) {
        sql("""
                INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, started_at,
                                         finished_at, attempts, subject_id, result)
                VALUES (?, 'drill', 'drill', ?, 'SUCCEEDED', 'scheduler', ?, ?, ?, 1, ?, CAST(? AS jsonb))""",
                UUID.randomUUID(), target, at, at, at.plusMillis(recoveryMs), backup,
                json(Map.of("backup_id", backup.toString(), "recovery_ms", recoveryMs, "tables", TABLES.size(),
                        "rows", totalRows(), "problems", java.util.List.of())));
    }

    /** The worker picked the job up: RUNNING, nothing dumped yet. */
    void started(UUID job, String type) {
        sql("""
                INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, started_at,
                                         attempts, lease_owner, lease_until, rows_done, rows_estimated, tables_done,
                                         table_count, phase)
                VALUES (?, 'backup', ?, ?, 'RUNNING', ?, now(), now(), 1, 'fake-worker',
                        now() + interval '2 minutes', 0, ?, 0, ?, 'dumping')""",
                job, type, target, requester, totalRows(), TABLES.size());
        announce(BackupStarted.of(job, target, type, "fake-worker", 1));
    }

    /** Rows and tables done so far, recorded and announced. */
    void progress(UUID job, String type, long rows, int tables) {
        sql("UPDATE worker.jobs SET rows_done = ?, tables_done = ?, updated_at = now() WHERE id = ?", rows, tables, job);
        announce(BackupProgress.of(job, target, "backup", type, rows, totalRows(), tables, TABLES.size(), "dumping"));
    }

    /** The backup is complete and catalogued. */
    void succeeded(UUID job, String type, long size) {
        Instant now = Instant.now();
        sql("""
                UPDATE worker.jobs SET status = 'SUCCEEDED', finished_at = ?, rows_done = ?, tables_done = ?,
                    lease_owner = NULL, lease_until = NULL WHERE id = ?""", now, totalRows(), TABLES.size(), job);
        String file = catalogued(job, type, now, TABLES, size);
        announce(BackupCompleted.of(job, target, type, file, size, "a".repeat(64), Map.copyOf(TABLES),
                3800));
    }

    /** A backup that failed with {@code reason}. */
    void failed(UUID job, String type, String reason) {
        sql("""
                INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, started_at,
                                         finished_at, attempts, error)
                VALUES (?, 'backup', ?, ?, 'FAILED', 'scheduler', now(), now(), now(), 3, ?)""",
                job, type, target, reason);
        announce(BackupFailed.of(job, target, type, reason, 3));
    }

    /** A verification of {@code backup} that found nothing wrong. */
    void verified(UUID job, UUID backup) {
        sql("""
                INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, started_at,
                                         finished_at, attempts, subject_id, result, rows_done, rows_estimated,
                                         tables_done, table_count, phase)
                VALUES (?, 'verify', 'verify', ?, 'SUCCEEDED', ?, now(), now(), now() + interval '1 second', 1, ?,
                        CAST(? AS jsonb), ?, ?, ?, ?, 'reading')""",
                job, target, requester, backup, json(Map.of("backup_id", backup.toString(), "problems",
                        java.util.List.of())), totalRows(), totalRows(), TABLES.size(), TABLES.size());
        announce(io.taskagent.backup.model.VerifyCompleted.of(job, target, backup, "verified.json.zst",
                Map.copyOf(TABLES)));
    }

    /** A drill of {@code backup} that passed in {@code recoveryMs}. */
    void drillPassed(UUID job, UUID backup, long recoveryMs) {
        sql("""
                INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, started_at,
                                         finished_at, attempts, subject_id, result)
                VALUES (?, 'drill', 'drill', ?, 'SUCCEEDED', ?, now(), now(), now(), 1, ?, CAST(? AS jsonb))""",
                job, target, requester, backup, json(Map.of("backup_id", backup.toString(), "recovery_ms", recoveryMs,
                        "tables", TABLES.size(), "rows", totalRows(), "problems", java.util.List.of())));
        announce(io.taskagent.backup.model.DrillPassed.of(job, target, backup, "drilled.json.zst", recoveryMs,
                Map.copyOf(TABLES)));
    }

    /** A dry run of a restore of {@code backup} into the target: the row counts compared, nothing written. */
    void dryRunDone(UUID job, UUID backup, Map<String, Long> current) {
        Map<String, Object> tables = new LinkedHashMap<>();
        TABLES.forEach((table, rows) -> tables.put(table, Map.of("backup", rows, "current",
                current.getOrDefault(table, 0L))));
        sql("""
                INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, started_at,
                                         finished_at, attempts, subject_id, result, rows_done, rows_estimated,
                                         tables_done, table_count, phase)
                VALUES (?, 'restore', 'dry_run', ?, 'SUCCEEDED', ?, now(), now(), now(), 1, ?,
                        CAST(? AS jsonb), 0, ?, 0, ?, 'checking')""",
                job, target, requester, backup, json(Map.of("backup_id", backup.toString(), "tables", tables)), totalRows(),
                TABLES.size());
        announce(RestoreCompleted.of(job, target, backup, target, true, Map.copyOf(TABLES), 900));
    }

    /** A restore running: loading rows. */
    void restoreLoading(UUID job, UUID backup, long rows, int tables) {
        sql("""
                INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, started_at,
                                         attempts, subject_id, rows_done, rows_estimated, tables_done, table_count, phase)
                VALUES (?, 'restore', 'restore', ?, 'RUNNING', ?, now(), now(), 1, ?, ?, ?, ?, ?, 'loading')""",
                job, target, requester, backup, rows, totalRows(), tables, TABLES.size());
        announce(BackupProgress.of(job, target, "restore", "restore", rows, totalRows(), tables, TABLES.size(),
                "loading"));
    }

    /** The restore committed, after the safety backup {@code safetyFile}. */
    void restored(UUID job, UUID backup, String safetyFile) {
        sql("""
                UPDATE worker.jobs SET status = 'SUCCEEDED', finished_at = now(), rows_done = ?, tables_done = ?,
                    phase = 'verifying', result = CAST(? AS jsonb) WHERE id = ?""",
                totalRows(), TABLES.size(), json(Map.of("backup_id", backup.toString(), "safety_backup", safetyFile,
                        "row_counts", TABLES)), job);
        announce(RestoreCompleted.of(job, target, backup, target, false, Map.copyOf(TABLES), 5200));
    }

    /**
     * A backup whose first worker died: claimed by {@code first}, its lease expired, taken over by {@code second},
     * failed there with {@code reason}. Written as the worker's JobStore writes it (one UPDATE per step), so that the
     * worker's own trigger records the attempts ({@code worker.job_attempts}).
     */
    void takenOverAndFailed(UUID job, String first, String second, String reason) {
        sql("""
                INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at)
                VALUES (?, 'backup', 'manual', ?, 'QUEUED', ?, now() - interval '5 minutes')""", job, target, requester);
        sql("""
                UPDATE worker.jobs SET status = 'RUNNING', attempts = attempts + 1, started_at = now(),
                    lease_owner = ?, lease_until = now() - interval '1 second', updated_at = now() WHERE id = ?""",
                first, job);
        sql("""
                UPDATE worker.jobs SET status = 'RUNNING', attempts = attempts + 1, started_at = now(),
                    lease_owner = ?, lease_until = now() + interval '2 minutes', updated_at = now() WHERE id = ?""",
                second, job);
        sql("""
                UPDATE worker.jobs SET status = 'FAILED', finished_at = now(), error = ?, lease_owner = NULL,
                    lease_until = NULL, updated_at = now() WHERE id = ?""", reason, job);
        announce(BackupFailed.of(job, target, "manual", reason, 2));
    }

    /** A backup job claimed by {@code owner} (the claim recorded as an attempt), running with no figures yet. */
    void claimed(UUID job, String owner) {
        sql("""
                INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at)
                VALUES (?, 'backup', 'manual', ?, 'QUEUED', ?, now())""", job, target, requester);
        sql("""
                UPDATE worker.jobs SET status = 'RUNNING', attempts = attempts + 1, started_at = now(),
                    lease_owner = ?, lease_until = now() + interval '2 minutes', rows_done = 0, rows_estimated = ?,
                    tables_done = 0, table_count = ?, phase = 'dumping', updated_at = now() WHERE id = ?""",
                owner, totalRows(), TABLES.size(), job);
        announce(BackupStarted.of(job, target, "manual", owner, 1));
    }

    /** The scheduler's retention decisions of a dry-run cleanup, as it stores them. */
    void retentionDecided(UUID job, List<CleanupCompleted.Decision> decisions) {
        long kept = decisions.stream().filter(CleanupCompleted.Decision::keep).count();
        long deleteBytes = decisions.stream().filter(d -> !d.keep()).mapToLong(CleanupCompleted.Decision::sizeBytes)
                .sum();
        sql("""
                INSERT INTO scheduler.cleanup_runs (job_id, target, dry_run, requested_by, decided_at, kept_count,
                                                    delete_count, delete_bytes, decisions)
                VALUES (?, ?, true, ?, now(), ?, ?, ?, CAST(? AS jsonb))""",
                job, target, requester, (int) kept, decisions.size() - (int) kept, deleteBytes, json(decisions));
    }

    /** The alert service found {@code backup} anomalous: its history row with the BackupAnomaly it published. */
    void anomalous(UUID backup, String type, String fileName, Instant completedAt, long size, long rows,
                   List<String> findings) {
        String anomaly = new String(MessageJson.write(BackupAnomaly.of(backup, target, type, fileName, findings)),
                java.nio.charset.StandardCharsets.UTF_8);
        sql("""
                INSERT INTO alerts.backup_history (job_id, message_id, target, backup_type, file_name, completed_at,
                    size_bytes, total_rows, row_counts, anomaly, anomaly_published_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST('{}' AS jsonb), ?, now())""",
                backup, UUID.randomUUID(), target, type, fileName, completedAt, size, rows, anomaly);
    }

    /** The file name {@link #pastBackup} gave a backup. */
    String fileOf(UUID backup) {
        try (Connection c = Infrastructure.get().connect(catalog); PreparedStatement st = c.prepareStatement(
                "SELECT file_name FROM worker.backups WHERE id = ?")) {
            st.setObject(1, backup);
            try (java.sql.ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A destination's space as the worker's health check records it ({@code freeBytes} null: unknown, S3). */
    void space(String destination, String type, Long freeBytes, Long quotaBytes) {
        sql("""
                INSERT INTO worker.destination_space (destination, type, target, free_bytes, quota_bytes, worker_id,
                                                      checked_at)
                VALUES (?, ?, ?, ?, ?, 'fake-worker', now())
                ON CONFLICT (destination) DO UPDATE SET free_bytes = excluded.free_bytes,
                    quota_bytes = excluded.quota_bytes, checked_at = excluded.checked_at""",
                destination, type, target, freeBytes, quotaBytes);
    }

    @Override
    public void close() {
        broker.close();
    }
}
