package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.backup.BackupController;
import io.taskagent.backup.gateway.backup.JobView;
import io.taskagent.backup.gateway.cleanup.CleanupController;
import io.taskagent.backup.gateway.cleanup.CleanupRunQueries;
import io.taskagent.backup.gateway.cleanup.CleanupRunView;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.CommandAccepted;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import java.util.UUID;

/**
 * The scheduler page's retention preview: "Preview retention" ({@code POST /ui/retention-preview}, scope
 * {@code backup:write} as {@code POST /api/backup/cleanup} needs) requests a dry-run cleanup through the REST API's
 * own controller (published with the broker's confirm, audited); the scheduler decides and stores its decisions
 * without deleting anything. The page then re-reads {@code GET /ui/retention-preview/{id}} until the decisions are
 * stored ({@code scheduler.v1_cleanup_runs}, as {@code GET /api/backup/cleanup/{id}} answers them) or the scheduler
 * refused the request, and shows each backup kept or to delete with the rules that decided it.
 */
@Controller
class RetentionPreview {

    private final CleanupController cleanup;
    private final CleanupRunQueries runs;
    private final BackupController jobs;

    RetentionPreview(CleanupController cleanup, CleanupRunQueries runs, BackupController jobs) {
        this.cleanup = cleanup;
        this.runs = runs;
        this.jobs = jobs;
    }

    @PostMapping("/ui/retention-preview")
    String request(Caller caller, RedirectAttributes redirect) {
        CommandAccepted accepted = cleanup.request(caller, new CleanupController.CleanupRequest(true)).getBody();
        redirect.addFlashAttribute("note", "Retention preview requested (dry run, nothing is deleted): job "
                + accepted.jobId() + ".");
        return "redirect:/ui/scheduler?preview=" + accepted.jobId() + "#retention";
    }

    @GetMapping("/ui/retention-preview/{id}")
    String preview(Caller caller, Model model, @PathVariable UUID id) {
        show(caller, model, id);
        return "ui/scheduler :: retention";
    }

    /** The preview's state for the scheduler page's retention section. */
    void show(Caller caller, Model model, UUID id) {
        CleanupRunView run = runs.find(id).orElse(null);
        JobView job = run == null ? jobs.job(caller, id) : null;
        boolean refused = job != null && "FAILED".equals(job.status());
        model.addAttribute("preview", new Preview(id, run, refused ? job.errorMessage() : null,
                run == null && !refused));
    }

    /**
     * A requested preview.
     *
     * @param run     the decisions, once stored
     * @param refused why the scheduler refused the request
     * @param waiting neither yet: re-read
     */
    record Preview(UUID jobId, CleanupRunView run, String refused, boolean waiting) {
    }
}
