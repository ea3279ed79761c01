package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.alerts.AlertHistory;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The alert history ({@code GET /ui/alerts}): every event the alert service decided about, newest first, with its
 * outcome (sent on which channels, not delivered, or suppressed and why) and the suppressed counts an alert reported;
 * filters by target and outcome, paging; the counts of the last 24 hours on top.
 */
@Controller
class AlertsPage {

    static final int PAGE_SIZE = 50;

    private final AlertHistory history;

    AlertsPage(AlertHistory history) {
        this.history = history;
    }

    @GetMapping("/ui/alerts")
    String alerts(Model model, @RequestParam(required = false) String target,
                  @RequestParam(required = false) String outcome, @RequestParam(defaultValue = "0") int page) {
        String t = target == null || target.isBlank() ? null : target.strip();
        String o = "ALERT".equals(outcome) || "SUPPRESSED".equals(outcome) ? outcome : null;
        int p = Math.max(0, Math.min(page, 10_000));
        List<AlertHistory.Entry> entries = history.recent(t, o, PAGE_SIZE + 1, p * PAGE_SIZE);
        model.addAttribute("entries", entries.subList(0, Math.min(PAGE_SIZE, entries.size())));
        model.addAttribute("hasNext", entries.size() > PAGE_SIZE);
        model.addAttribute("page", p);
        model.addAttribute("target", t);
        model.addAttribute("outcome", o);
        model.addAttribute("day", history.since(t, Instant.now().minus(Duration.ofHours(24))));
        return "ui/alerts";
    }
}
