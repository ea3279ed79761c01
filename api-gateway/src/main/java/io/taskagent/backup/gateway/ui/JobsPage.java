package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.audit.AuditLog;
import io.taskagent.backup.gateway.backup.BackupController;
import io.taskagent.backup.gateway.backup.CatalogQueries;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.CommandAccepted;
import io.taskagent.backup.gateway.web.ValidationException;
import io.taskagent.backup.model.ScheduleBounds;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.job.JobStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Running and recent jobs ({@code GET /ui/jobs}), with progress bars that move without a reload: the page follows
 * the gateway's server-sent events ({@code /ui/events}, {@code BackupProgress}) and re-reads its table
 * ({@code GET /ui/jobs/table}) when a job starts or ends, and every few seconds as a fallback. "Start backup"
 * ({@code POST /ui/jobs/backup}, scope {@code backup:write}) issues exactly what {@code POST /api/backup/create} does
 * (the same controller: validated, published with the broker's confirm, audited).
 */
@Controller
class JobsPage {

    static final int LIMIT = 50;
    static final List<String> KINDS = Arrays.stream(JobKind.values()).map(JobKind::label).sorted().toList();
    static final List<String> STATUSES = Arrays.stream(JobStatus.values()).map(Enum::name).toList();

    private final CatalogQueries catalog;
    private final AuditLog audit;
    private final BackupController backups;
    private final String source;

    JobsPage(CatalogQueries catalog, AuditLog audit, BackupController backups, GatewayProperties properties) {
        this.catalog = catalog;
        this.audit = audit;
        this.backups = backups;
        this.source = properties.target();
    }

    @GetMapping("/ui/jobs")
    String jobs(Model model, @RequestParam(required = false) String kind,
                @RequestParam(required = false) String status) {
        table(model, kind, status);
        model.addAttribute("kinds", KINDS);
        model.addAttribute("statuses", STATUSES);
        model.addAttribute("backupTypes", ScheduleBounds.ON_DEMAND_TYPES);
        return "ui/jobs";
    }

    @GetMapping("/ui/jobs/table")
    String table(Model model, @RequestParam(required = false) String kind,
                 @RequestParam(required = false) String status) {
        String k = KINDS.contains(kind) ? kind : null;
        String s = STATUSES.contains(status) ? status : null;
        List<JobRow> rows = new ArrayList<>();
        if (s == null || JobStatus.QUEUED.name().equals(s)) {
            // confirmed by the broker, not yet picked up by a worker: shown at once as queued
            audit.pendingJobs(Instant.now().minus(Duration.ofMinutes(15)), LIMIT).stream()
                    .filter(p -> k == null || k.equals(p.kind()))
                    .map(p -> JobRow.of(p, source)).forEach(rows::add);
        }
        Set<java.util.UUID> seen = new HashSet<>(rows.stream().map(JobRow::jobId).toList());
        catalog.jobs(LIMIT, s, k).stream().filter(j -> !seen.contains(j.jobId())).map(JobRow::of).forEach(rows::add);
        model.addAttribute("rows", rows);
        model.addAttribute("kind", k);
        model.addAttribute("status", s);
        return "ui/jobs :: jobs";
    }

    /** Starts a backup; htmx gets the refreshed table and a note, a plain form post a redirect to the page. */
    @PostMapping("/ui/jobs/backup")
    String start(Caller caller, Model model, RedirectAttributes redirect,
                 @RequestParam(name = "backup_type", defaultValue = "manual") String backupType,
                 @RequestHeader(name = "HX-Request", required = false) String htmx) {
        String note;
        boolean failed = false;
        try {
            CommandAccepted accepted = backups.create(caller, new BackupController.CreateBackupRequest(backupType))
                    .getBody();
            note = "Backup requested (" + backupType + "): job " + accepted.jobId() + ".";
        } catch (ValidationException e) {
            note = "Not started: backup_type " + e.errors().getOrDefault("backup_type", "is invalid");
            failed = true;
        }
        if (htmx == null) {
            redirect.addFlashAttribute("note", note);
            redirect.addFlashAttribute("noteFailed", failed);
            return "redirect:/ui/jobs";
        }
        model.addAttribute("note", note);
        model.addAttribute("noteFailed", failed);
        table(model, null, null);
        return "ui/jobs-started";
    }
}
