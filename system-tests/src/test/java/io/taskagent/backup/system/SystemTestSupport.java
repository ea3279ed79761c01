package io.taskagent.backup.system;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.sun.net.httpserver.HttpServer;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import jakarta.mail.internet.MimeMessage;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/** What several system tests ask of the running system: catalog rows, a job's end through the API, mails. */
final class SystemTestSupport {

    /** A {@code GET} on the gateway's API: its answer. */
    interface ApiGet {
        HttpResponse<String> get(String path) throws Exception;
    }

    private SystemTestSupport() {
    }

    /** The rows of {@code sql} on database {@code database}, each row's columns joined by a space. */
    static List<String> rows(Infrastructure infra, String database, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = infra.connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(i > 1 ? " " : "").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    /** Polls {@code GET /api/backup/jobs/{id}} until the job succeeded or failed (within {@code atMost}); its last answer. */
    static JsonNode awaitFinished(ApiGet api, String id, String what, Duration atMost) {
        JsonNode[] job = new JsonNode[1];
        await(what + " " + id + " finished").atMost(atMost).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    HttpResponse<String> r = api.get("/api/backup/jobs/" + id);
                    if (r.statusCode() != 200) {
                        return false;
                    }
                    job[0] = MessageJson.mapper().readTree(r.body());
                    String status = job[0].path("status").asString();
                    return status.equals("SUCCEEDED") || status.equals("FAILED");
                });
        return job[0];
    }

    /** Mails {@code smtp} received, per target among {@code targets} a mail names (none while it is down). */
    static Map<String, Integer> mailsFor(GreenMail smtp, List<String> targets) {
        Map<String, Integer> mails = new TreeMap<>();
        if (smtp == null || !smtp.isRunning()) {
            return mails;
        }
        for (MimeMessage message : smtp.getReceivedMessages()) {
            String whole = GreenMailUtil.getWholeMessage(message);
            for (String target : targets) {
                if (whole.contains(target)) {
                    mails.merge(target, 1, Integer::sum);
                }
            }
        }
        return mails;
    }

    /**
     * The job's status, attempts and number of catalogued backups from the worker's catalog behind {@code catalog}
     * (empty when there is no such job).
     */
    static Map<String, Object> jobRow(Connection catalog, String id) throws SQLException {
        try (Statement s = catalog.createStatement();
             ResultSet rs = s.executeQuery("SELECT status, attempts, (SELECT count(*) FROM worker.backups b "
                     + "WHERE b.job_id = j.id) FROM worker.jobs j WHERE id = '" + UUID.fromString(id) + "'")) {
            if (!rs.next()) {
                return Map.of();
            }
            return Map.of("status", rs.getString(1), "attempts", rs.getInt(2), "backups", rs.getInt(3));
        }
    }

    /** The events of {@code type} {@code broker} captured for job {@code jobId}. */
    static <T extends BackupMessage> List<T> events(BrokerProbe broker, Class<T> type, String jobId) {
        return broker.events().stream().filter(type::isInstance).map(type::cast)
                .filter(e -> e.jobId().toString().equals(jobId)).toList();
    }

    /**
     * Stops what a test started, in this order, skipping what it never started (null): services and probes (closed),
     * collections of them, GreenMail and a webhook receiver (stopped). Every part is stopped even when one fails; the
     * first failure is thrown, with the others suppressed in it.
     */
    static void closeAll(Object... parts) throws Exception {
        Exception first = null;
        for (Object part : parts) {
            try {
                if (part instanceof Iterable<?> many) {
                    for (Object one : many) {
                        closeAll(one);
                    }
                } else if (part instanceof GreenMail smtp) {
                    smtp.stop();
                } else if (part instanceof HttpServer server) {
                    server.stop(0);
                } else if (part instanceof AutoCloseable closeable) {
                    closeable.close();
                } else if (part != null) {
                    throw new IllegalArgumentException("cannot stop a " + part.getClass().getName());
                }
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
