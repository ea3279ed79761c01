package io.taskagent.backup.system;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import io.taskagent.backup.model.MessageJson;
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
}
