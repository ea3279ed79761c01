package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.alerts.AlertHistory;
import io.taskagent.backup.gateway.status.BackupStatus;
import io.taskagent.backup.gateway.status.StatusView;
import io.taskagent.backup.gateway.web.CatalogUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The overview ({@code GET /}): per target a large healthy / degraded / failing state with its reasons, time since
 * the last good backup, the next scheduled backup, the last drill and its recovery time, storage per destination and
 * the failures and alerts of the last 24 hours; and whether the scheduler runs. The verdict is {@code GET /api/backup/status}'s
 * ({@link BackupStatus}, one target at a time); a failing last backup turns it red with the backup's error. The
 * states are re-read ({@code GET /ui/overview/targets}) when an event says a job finished.
 */
@Controller
class OverviewPage {

    private static final Logger log = LoggerFactory.getLogger(OverviewPage.class);

    private final BackupStatus status;
    private final AlertHistory alerts;

    OverviewPage(BackupStatus status, AlertHistory alerts) {
        this.status = status;
        this.alerts = alerts;
    }

    /**
     * One target's card.
     *
     * @param state        healthy, degraded, or failing (the newest finished backup failed)
     * @param reasons      why it is not healthy, the failed backup's error first
     * @param lastFinished the newest finished backup (succeeded or failed)
     * @param failures24h  backups of the target that failed in the last 24 hours
     * @param scheduled    whether the scheduler backs this target up (the gateway's source)
     * @param alerts24h    what the alert service decided about the target in the last 24 hours; null when its
     *                     history cannot be read (the card still shows everything else)
     */
    record TargetCard(String name, String state, List<String> reasons, StatusView status,
                      StatusView.LastBackup lastFinished, long failures24h, boolean scheduled,
                      AlertHistory.Counts alerts24h) {
    }

    @GetMapping("/")
    String overview(Model model) {
        model.addAttribute("targets", cards());
        return "ui/overview";
    }

    @GetMapping("/ui/overview/targets")
    String targets(Model model) {
        model.addAttribute("targets", cards());
        return "ui/overview :: targets";
    }

    private List<TargetCard> cards() {
        Instant dayAgo = Instant.now().minus(Duration.ofHours(24));
        List<TargetCard> cards = new ArrayList<>();
        for (String target : status.targets()) {
            StatusView view = status.status(target);
            StatusView.LastBackup lastFinished = status.lastFinished(target).orElse(null);
            List<String> reasons = new ArrayList<>();
            boolean failing = view.problems().contains(BackupStatus.LAST_FAILED);
            if (failing && lastFinished != null) {
                reasons.add("The last backup failed: " + (lastFinished.errorMessage() == null ? "no reason recorded"
                        : lastFinished.errorMessage()));
            }
            view.problems().stream().filter(p -> !(failing && BackupStatus.LAST_FAILED.equals(p)))
                    .map(p -> Character.toUpperCase(p.charAt(0)) + p.substring(1))
                    .forEach(reasons::add);
            String state = failing ? "failing" : "healthy".equals(view.status()) ? "healthy" : "degraded";
            cards.add(new TargetCard(target, state, reasons, view, lastFinished,
                    status.failedSince(target, dayAgo), target.equals(status.source()), alerts(target, dayAgo)));
        }
        return cards;
    }

    private AlertHistory.Counts alerts(String target, Instant since) {
        try {
            return alerts.since(target, since);
        } catch (CatalogUnavailableException e) {
            log.warn("overview without alert counts: {} ({})", e.getMessage(), e.reason());
            return null;
        }
    }
}
