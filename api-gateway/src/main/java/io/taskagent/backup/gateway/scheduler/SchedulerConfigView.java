package io.taskagent.backup.gateway.scheduler;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/backup/scheduler/config}: the settings in force, in the names {@code POST /configure} takes (the
 * seed's {@code BackupConfig} names where it has one), so a client reads back what it configured. The alert
 * settings are null where they were never set through the API: then the alert service's configuration applies
 * ({@code ALERT_MAIL_RECIPIENTS}, e-mail on, alerts on failure on).
 *
 * @param running   whether the scheduler fires schedules ({@code /start}, {@code /stop})
 * @param version   the settings' version, raised by every applied change
 * @param updatedBy who made the last change (a token name, or {@code configuration})
 */
public record SchedulerConfigView(boolean running, String timeZone, int backupIntervalHours, boolean intervalEnabled,
                                  String dailyBackupTime, boolean dailyEnabled, int weeklyBackupDay,
                                  boolean weeklyEnabled, boolean monthlyEnabled, Map<String, String> cronSchedules,
                                  String cleanupTime, int keepHourlyBackups, int keepDailyBackups,
                                  int keepWeeklyBackups, int keepMonthlyBackups, int keepManual, int keepPreRestoreDays,
                                  int maxBackupSizeMb, boolean compressionEnabled, List<String> emailRecipients,
                                  Boolean emailAlertsEnabled, Boolean alertOnFailure, long version, Instant updatedAt,
                                  String updatedBy) {
}
