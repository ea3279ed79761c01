package io.taskagent.backup.gateway.alerts;

import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.ValidationException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/backup/alerts}: the alert history, newest first ({@link AlertHistory}); filters {@code target} and
 * {@code outcome} ({@code ALERT} | {@code SUPPRESSED}), paging with {@code limit} (1..500, default 50) and
 * {@code offset}.
 */
@RestController
class AlertHistoryController {

    private final AlertHistory history;

    AlertHistoryController(AlertHistory history) {
        this.history = history;
    }

    @GetMapping("/api/backup/alerts")
    List<AlertHistory.Entry> alerts(Caller caller, @RequestParam(required = false) String target,
                                    @RequestParam(required = false) String outcome,
                                    @RequestParam(defaultValue = "50") int limit,
                                    @RequestParam(defaultValue = "0") int offset) {
        if (outcome != null && !outcome.equals("ALERT") && !outcome.equals("SUPPRESSED")) {
            throw new ValidationException(Map.of("outcome", "must be ALERT or SUPPRESSED"));
        }
        if (limit < 1 || limit > 500) {
            throw new ValidationException(Map.of("limit", "must be 1 to 500 but was " + limit));
        }
        if (offset < 0) {
            throw new ValidationException(Map.of("offset", "must be 0 or more but was " + offset));
        }
        return history.recent(target, outcome, limit, offset);
    }
}
