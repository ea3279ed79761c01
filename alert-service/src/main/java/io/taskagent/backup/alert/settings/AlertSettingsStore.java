package io.taskagent.backup.alert.settings;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.model.ConfigureAlerts;
import io.taskagent.backup.model.MessageJson;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

/**
 * The one row of {@code alerts.settings} (written only by this service): the settings set through the API, each
 * null while it was not. Read for every alert (one primary-key row), so every replica applies a change from its next
 * alert on; nothing is cached.
 */
@Repository
public class AlertSettingsStore {

    /** The stored row: a null value was not set through the API. */
    record Stored(List<String> emailRecipients, Boolean emailAlertsEnabled, Boolean alertOnFailure, long version,
                  String updatedBy) {
    }

    private static final TypeReference<List<String>> ADDRESSES = new TypeReference<>() {
    };
    private static final String COLUMNS =
            "email_recipients::text, email_alerts_enabled, alert_on_failure, version, updated_by";

    private final JdbcClient jdbc;
    private final AlertSettings configured;

    AlertSettingsStore(JdbcClient jdbc, AlertProperties properties) {
        this.jdbc = jdbc;
        this.configured = AlertSettings.fromConfiguration(properties);
    }

    /** The settings in force: those set through the API, the configuration for the others. */
    public AlertSettings current() {
        return inForce(jdbc.sql("SELECT " + COLUMNS + " FROM settings WHERE id = 1")
                .query((rs, n) -> stored(rs)).single());
    }

    /** The stored row, locked until the end of the transaction (one command at a time, across replicas). */
    Stored lock() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM settings WHERE id = 1 FOR UPDATE")
                .query((rs, n) -> stored(rs)).single();
    }

    /** Stores the values {@code command} sets (its nulls keep the stored ones); returns the new version. */
    long apply(Stored before, ConfigureAlerts command, Instant now) {
        List<String> recipients = command.emailRecipients() != null ? command.emailRecipients()
                : before.emailRecipients();
        Boolean email = command.emailAlertsEnabled() != null ? command.emailAlertsEnabled()
                : before.emailAlertsEnabled();
        Boolean failures = command.alertOnFailure() != null ? command.alertOnFailure() : before.alertOnFailure();
        return jdbc.sql("""
                        UPDATE settings SET email_recipients = CAST(:recipients AS jsonb),
                               email_alerts_enabled = :email, alert_on_failure = :failures,
                               version = version + 1, updated_at = :at, updated_by = :by
                        WHERE id = 1
                        RETURNING version""")
                .param("recipients", recipients == null ? null : MessageJson.mapper().writeValueAsString(recipients),
                        Types.VARCHAR)
                .param("email", email, Types.BOOLEAN)
                .param("failures", failures, Types.BOOLEAN)
                .param("at", Timestamp.from(now))
                .param("by", command.requestedBy())
                .query(Long.class).single();
    }

    private AlertSettings inForce(Stored stored) {
        return new AlertSettings(
                stored.emailRecipients() != null ? stored.emailRecipients() : configured.emailRecipients(),
                stored.emailAlertsEnabled() != null ? stored.emailAlertsEnabled() : configured.emailAlertsEnabled(),
                stored.alertOnFailure() != null ? stored.alertOnFailure() : configured.alertOnFailure(),
                stored.version(), stored.updatedBy());
    }

    private static Stored stored(ResultSet rs) throws SQLException {
        String recipients = rs.getString(1);
        return new Stored(recipients == null ? null : MessageJson.mapper().readValue(recipients, ADDRESSES),
                (Boolean) rs.getObject(2), (Boolean) rs.getObject(3), rs.getLong(4), rs.getString(5));
    }
}
