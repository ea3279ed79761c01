package io.taskagent.backup.worker.health;

import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.backup.DumpException;
import io.taskagent.backup.worker.backup.PgDump;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;

/**
 * Health component {@code pgDump}: the pg_dump a backup runs to capture the schema exists and is of at least the
 * source server's major version (details: its path and version, the server's). Checked at start-up too, where a
 * missing or too old pg_dump is logged as an error naming the version found and the one needed.
 */
@Component("pgDumpHealthIndicator")
class PgDumpHealth implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(PgDumpHealth.class);

    private final PgDump pgDump;
    private final WorkerProperties.Source source;

    PgDumpHealth(PgDump pgDump, WorkerProperties properties) {
        this.pgDump = pgDump;
        this.source = properties.source();
    }

    @EventListener(ApplicationReadyEvent.class)
    void checkAtStartUp() {
        Health health = health();
        if (!"UP".equals(health.getStatus().getCode())) {
            log.error("backups cannot capture the schema: {}", health.getDetails().get("error"));
        } else {
            log.info("schema capture: {}", health.getDetails());
        }
    }

    @Override
    public Health health() {
        PgDump.Found found;
        try {
            found = pgDump.find();
        } catch (DumpException e) {
            return Health.down().withDetail("error", e.getMessage()).build();
        }
        Health.Builder health = Health.up().withDetail("binary", found.binary().toString())
                .withDetail("version", found.version());
        int serverMajor;
        try {
            serverMajor = serverMajor();
        } catch (Exception e) {
            // the source's own health says why it cannot be reached; the tool itself is there
            return health.withDetail("serverVersion", "unknown (source not reachable)").build();
        }
        health.withDetail("serverVersion", serverMajor);
        try {
            pgDump.check(serverMajor);
            return health.build();
        } catch (DumpException e) {
            return Health.down().withDetail("binary", found.binary().toString()).withDetail("version", found.version())
                    .withDetail("serverVersion", serverMajor).withDetail("error", e.getMessage()).build();
        }
    }

    private int serverMajor() throws Exception {
        Properties connection = new Properties();
        connection.setProperty("user", source.username());
        if (source.password() != null) {
            connection.setProperty("password", source.password());
        }
        connection.setProperty("connectTimeout", String.valueOf(Math.max(1, source.connectTimeout().toSeconds())));
        connection.setProperty("socketTimeout", String.valueOf(Math.max(1, source.connectTimeout().toSeconds())));
        try (Connection c = DriverManager.getConnection(source.url(), connection); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
