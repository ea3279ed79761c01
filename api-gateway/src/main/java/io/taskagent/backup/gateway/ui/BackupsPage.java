package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.alerts.BackupAnomalies;
import io.taskagent.backup.gateway.backup.BackupView;
import io.taskagent.backup.gateway.backup.CatalogQueries;
import io.taskagent.backup.gateway.backup.DrillController;
import io.taskagent.backup.gateway.backup.HistoryEntry;
import io.taskagent.backup.gateway.backup.JobView;
import io.taskagent.backup.gateway.backup.RestoreController;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.CommandAccepted;
import io.taskagent.backup.gateway.web.NotFoundException;
import io.taskagent.backup.gateway.web.ValidationException;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.job.JobStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The backups ({@code GET /ui/backups}): the history with filters (type, status) and pages, charts of size and rows
 * and of the dump's duration over time, with the backups the alert service found anomalous
 * ({@code alerts.v1_backup_anomalies}) marked on them and listed with their findings; and one backup
 * ({@code GET /ui/backups/{id}}): its tables with row counts, manifest, copies, and the
 * verifications, drills and restores of it, with buttons to verify ({@code backup:write}), drill and restore
 * ({@code backup:restore}). The buttons call the REST API's own controllers (same validation, confirm, audit).
 */
@Controller
class BackupsPage {

    static final int PAGE_SIZE = 25;
    static final int CHART_POINTS = 200;

    private final CatalogQueries catalog;
    private final RestoreController restores;
    private final DrillController drills;
    private final JsonMapper json;
    private final BackupAnomalies anomalies;

    BackupsPage(CatalogQueries catalog, RestoreController restores, DrillController drills, JsonMapper json,
                BackupAnomalies anomalies) {
        this.catalog = catalog;
        this.restores = restores;
        this.drills = drills;
        this.json = json;
        this.anomalies = anomalies;
    }

    /**
     * One point of the charts: when, how big, how many rows, how long the dump took, and what the alert service found
     * anomalous about it (null: nothing).
     */
    record Point(Instant at, UUID jobId, long sizeBytes, long rows, double durationSeconds, String type,
                 List<String> anomaly) {
    }

    @GetMapping("/ui/backups")
    String backups(Model model, @RequestParam(required = false) String type,
                   @RequestParam(required = false) String status, @RequestParam(defaultValue = "0") int page) {
        List<String> types = catalog.backupTypes();
        String t = types.contains(type) ? type : null;
        String s = JobsPage.STATUSES.contains(status) ? status : null;
        int p = Math.max(0, Math.min(page, 10_000));
        List<HistoryEntry> entries = catalog.history(PAGE_SIZE + 1, p * PAGE_SIZE, s, t, null);
        model.addAttribute("entries", entries.subList(0, Math.min(PAGE_SIZE, entries.size())));
        model.addAttribute("hasNext", entries.size() > PAGE_SIZE);
        model.addAttribute("page", p);
        model.addAttribute("type", t);
        model.addAttribute("status", s);
        model.addAttribute("types", types);
        model.addAttribute("statuses", JobsPage.STATUSES);
        List<JobView> charted = catalog.jobs(CHART_POINTS, JobStatus.SUCCEEDED.name(), JobKind.BACKUP.label()).stream()
                .filter(job -> job.backup() != null && (t == null || t.equals(job.type()))).toList();
        Map<UUID, BackupAnomalies.Anomaly> anomalies = this.anomalies.of(charted.stream().map(JobView::jobId).toList());
        List<Point> points = new ArrayList<>();
        for (JobView job : charted) {
            BackupAnomalies.Anomaly anomaly = anomalies.get(job.jobId());
            points.add(new Point(job.backup().createdAt(), job.jobId(), job.backup().sizeBytes(),
                    job.backup().rowCounts().values().stream().mapToLong(Long::longValue).sum(),
                    job.backup().durationSeconds(), job.type(), anomaly == null ? null : anomaly.findings()));
        }
        points.sort(Comparator.comparing(Point::at));
        model.addAttribute("chart", json.writeValueAsString(points));
        model.addAttribute("chartPoints", points.size());
        model.addAttribute("anomalies", anomalies.values().stream()
                .sorted(Comparator.comparing(BackupAnomalies.Anomaly::completedAt).reversed()).toList());
        return "ui/backups";
    }

    @GetMapping("/ui/backups/{id}")
    String backup(Model model, @PathVariable UUID id) {
        Optional<BackupView> backup = catalog.backup(id);
        Optional<JobView> job = catalog.job(id);
        if (backup.isEmpty() && (job.isEmpty() || !JobKind.BACKUP.label().equals(job.get().kind()))) {
            throw new NotFoundException("no backup " + id);
        }
        model.addAttribute("id", id);
        model.addAttribute("backup", backup.orElse(null));
        model.addAttribute("job", job.orElse(null));
        model.addAttribute("tables", backup.map(b -> b.manifest().rowCounts()).orElse(Map.of()));
        model.addAttribute("totalRows", backup.map(b -> b.manifest().rowCounts().values().stream()
                .mapToLong(Long::longValue).sum()).orElse(0L));
        model.addAttribute("related", catalog.jobsOn(id, 50).stream().map(Related::of).toList());
        model.addAttribute("available", backup.map(b -> "AVAILABLE".equals(b.status())).orElse(false));
        return "ui/backup";
    }

    /** The verifications, drills and restores of a backup, re-read by its page when a job ends. */
    @GetMapping("/ui/backups/{id}/checks")
    String checks(Model model, @PathVariable UUID id) {
        model.addAttribute("id", id);
        model.addAttribute("related", catalog.jobsOn(id, 50).stream().map(Related::of).toList());
        return "ui/backup :: checks";
    }

    /**
     * A job that worked on the backup and what it found: a drill's recovery time, a verification's or drill's
     * problems (from the job's result document).
     */
    record Related(JobRow job, Long recoveryMs, List<String> problems) {

        static Related of(JobView job) {
            Long recovery = job.result() != null && job.result().hasNonNull("recovery_ms")
                    ? job.result().get("recovery_ms").asLong() : null;
            List<String> problems = job.result() == null || !job.result().has("problems") ? List.of()
                    : job.result().get("problems").valueStream().map(n -> n.asString()).toList();
            return new Related(JobRow.of(job), recovery, problems);
        }
    }

    @PostMapping("/ui/backups/{id}/verify")
    String verify(Caller caller, @PathVariable UUID id, RedirectAttributes redirect) {
        return note(redirect, id, () -> restores.verify(caller, new RestoreController.VerifyRequest(id.toString()))
                .getBody(), "Verification");
    }

    @PostMapping("/ui/backups/{id}/drill")
    String drill(Caller caller, @PathVariable UUID id, RedirectAttributes redirect) {
        return note(redirect, id, () -> drills.start(caller, new DrillController.DrillRequest(id.toString()))
                .getBody(), "Restore drill");
    }

    private static String note(RedirectAttributes redirect, UUID id,
                               java.util.function.Supplier<CommandAccepted> command, String what) {
        try {
            CommandAccepted accepted = command.get();
            redirect.addFlashAttribute("note", what + " requested: job " + accepted.jobId() + ".");
        } catch (ValidationException e) {
            redirect.addFlashAttribute("note", what + " refused: " + e.errors());
            redirect.addFlashAttribute("noteFailed", true);
        }
        return "redirect:/ui/backups/" + id;
    }
}
