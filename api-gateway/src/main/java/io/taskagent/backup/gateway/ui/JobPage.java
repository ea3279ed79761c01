package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.audit.AuditLog;
import io.taskagent.backup.gateway.backup.BackupController;
import io.taskagent.backup.gateway.backup.CatalogQueries;
import io.taskagent.backup.gateway.backup.JobAttempt;
import io.taskagent.backup.gateway.backup.JobView;
import io.taskagent.backup.gateway.security.Caller;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

import java.util.List;
import java.util.UUID;

/**
 * One job ({@code GET /ui/jobs/{id}}, linked from the jobs table): its timeline ({@link JobTimeline}: requested,
 * started, every attempt and take-over, finished) and error, its attempts, and its progress bar while it runs. The
 * job is what {@code GET /api/backup/jobs/{id}} answers (the same controller: a worker job, a scheduler command, or a
 * command no one recorded yet); its attempts come from {@code worker.v1_job_attempts}. The status part
 * ({@code GET /ui/jobs/{id}/status}) is re-read on the job's events and every few seconds until it ends.
 */
@Controller
class JobPage {

    private final BackupController jobs;
    private final CatalogQueries catalog;

    JobPage(BackupController jobs, CatalogQueries catalog) {
        this.jobs = jobs;
        this.catalog = catalog;
    }

    @GetMapping("/ui/jobs/{id}")
    String page(Caller caller, Model model, @PathVariable UUID id) {
        status(caller, model, id);
        return "ui/job";
    }

    @GetMapping("/ui/jobs/{id}/status")
    String status(Caller caller, Model model, @PathVariable UUID id) {
        JobView job = jobs.job(caller, id);
        JobRow row = JobRow.of(job);
        // a scheduler command, or a job no worker has claimed, has no attempts
        List<JobAttempt> attempts = AuditLog.SCHEDULER_KIND.equals(job.kind()) || job.startedAt() == null ? List.of()
                : catalog.attempts(id);
        model.addAttribute("job", job);
        model.addAttribute("row", row);
        model.addAttribute("attempts", attempts);
        model.addAttribute("timeline", JobTimeline.of(job, attempts));
        return "ui/job :: status";
    }

}
