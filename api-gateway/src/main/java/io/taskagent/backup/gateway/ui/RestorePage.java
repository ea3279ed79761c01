package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.backup.BackupController;
import io.taskagent.backup.gateway.backup.CatalogQueries;
import io.taskagent.backup.gateway.backup.HistoryEntry;
import io.taskagent.backup.gateway.backup.JobView;
import io.taskagent.backup.gateway.backup.RestoreController;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.CommandAccepted;
import io.taskagent.backup.gateway.web.ConflictException;
import io.taskagent.backup.gateway.web.ValidationException;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.job.JobStatus;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.BindParam;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Restores (scope {@code backup:restore} for every page and action): choose a backup, a target and a mode
 * ({@code GET /ui/restore}); a dry run first ({@code POST /ui/restore/dry-run}) whose table comparison (rows in the
 * backup, rows in the target now) the job's page shows ({@code GET /ui/restore/jobs/{id}}); then the restore itself
 * ({@code POST /ui/restore/run}), only when the target's name is typed to confirm it. The job's page shows its
 * progress and, once done, the safety backup taken first. Both go through the REST API's controller (the same checks,
 * the broker's confirm, the audit log).
 */
@Controller
class RestorePage {

    /** The type the worker records a dry run under. */
    static final String DRY_RUN = "dry_run";

    private final CatalogQueries catalog;
    private final RestoreController restores;
    private final BackupController jobs;
    private final String source;

    RestorePage(CatalogQueries catalog, RestoreController restores, BackupController jobs,
                GatewayProperties properties) {
        this.catalog = catalog;
        this.restores = restores;
        this.jobs = jobs;
        this.source = properties.target();
    }

    /**
     * What the restore form holds, bound from the form's fields (and carried in the job page's address).
     *
     * @param mode              replace (default) or create
     * @param createDatabase    a new database to create on the target's server (create mode), or empty
     * @param skipSafetyBackup  no safety backup of the target first (it is taken by default)
     * @param destination       the copy to read (a destination's name); empty: the first copy that verifies
     */
    record RestoreForm(@BindParam("backup_id") String backupId, String target, String mode,
                       @BindParam("create_database") String createDatabase,
                       @BindParam("skip_safety_backup") Boolean skipSafetyBackup, String destination) {

        RestoreForm {
            skipSafetyBackup = Boolean.TRUE.equals(skipSafetyBackup); // an unchecked box sends nothing
            backupId = blankToNull(backupId);
            target = blankToNull(target);
            mode = blankToNull(mode);
            createDatabase = blankToNull(createDatabase);
            destination = blankToNull(destination);
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value.strip();
        }

        public String targetOr(String source) {
            return target == null ? source : target;
        }

        RestoreController.RestoreRequest request(boolean dryRun) {
            return new RestoreController.RestoreRequest(backupId == null ? "" : backupId, null, target, dryRun,
                    skipSafetyBackup ? Boolean.TRUE : null, mode, createDatabase, destination);
        }

        /** The job page's address, carrying the form for the confirmation. */
        String jobPage(UUID jobId, boolean dryRun) {
            return UriComponentsBuilder.fromPath("/ui/restore/jobs/{id}")
                    .queryParamIfPresent("dry_run", java.util.Optional.ofNullable(dryRun ? "true" : null))
                    .queryParamIfPresent("backup_id", java.util.Optional.ofNullable(backupId))
                    .queryParamIfPresent("target", java.util.Optional.ofNullable(target))
                    .queryParamIfPresent("mode", java.util.Optional.ofNullable(mode))
                    .queryParamIfPresent("create_database", java.util.Optional.ofNullable(createDatabase))
                    .queryParamIfPresent("skip_safety_backup",
                            java.util.Optional.ofNullable(skipSafetyBackup ? "true" : null))
                    .queryParamIfPresent("destination", java.util.Optional.ofNullable(destination))
                    .buildAndExpand(jobId).encode().toUriString();
        }
    }

    @GetMapping("/ui/restore")
    String restore(Model model, @ModelAttribute("form") RestoreForm form) {
        return form(model, form, Map.of());
    }

    private String form(Model model, RestoreForm form, Map<String, String> errors) {
        model.addAttribute("form", form);
        model.addAttribute("errors", errors);
        List<HistoryEntry> backups = catalog.history(50, 0, JobStatus.SUCCEEDED.name(), null, null);
        model.addAttribute("backups", backups);
        // a backup chosen elsewhere (its page) that is older than the list: offered as well
        model.addAttribute("chosenUnlisted", form.backupId() != null && backups.stream()
                .noneMatch(b -> b.jobId().toString().equals(form.backupId())));
        LinkedHashSet<String> targets = new LinkedHashSet<>();
        targets.add(source);
        targets.addAll(catalog.jobTargets());
        model.addAttribute("targets", targets);
        // the destinations holding an available copy of the chosen backup (every one the catalog knows otherwise)
        model.addAttribute("destinations", catalog.destinations(parseOrNull(form.backupId())));
        return "ui/restore";
    }

    private static UUID parseOrNull(String id) {
        try {
            return id == null ? null : UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @PostMapping("/ui/restore/dry-run")
    String dryRun(Caller caller, Model model, HttpServletResponse response, @ModelAttribute("form") RestoreForm form) {
        try {
            CommandAccepted accepted = restores.restore(caller, form.request(true)).getBody();
            return "redirect:" + form.jobPage(accepted.jobId(), true);
        } catch (ValidationException e) {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            return form(model, form, e.errors());
        }
    }

    @PostMapping("/ui/restore/run")
    String run(Caller caller, Model model, HttpServletResponse response, @ModelAttribute("form") RestoreForm form,
               @RequestParam(name = "confirm", defaultValue = "") String confirm,
               @RequestParam(name = "dry_run_job", required = false) UUID dryRunJob) {
        String expected = form.targetOr(source);
        Map<String, String> errors = new LinkedHashMap<>();
        if (!expected.equals(confirm.trim())) {
            errors.put("confirm", "type the target's name, " + expected + ", to confirm the restore");
        } else {
            try {
                CommandAccepted accepted = restores.restore(caller, form.request(false)).getBody();
                return "redirect:" + form.jobPage(accepted.jobId(), false);
            } catch (ValidationException e) {
                errors.putAll(e.errors());
            } catch (ConflictException e) {
                errors.put("confirm", e.getMessage());
            }
        }
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        if (dryRunJob != null) {
            model.addAttribute("confirmErrors", errors);
            return job(caller, model, dryRunJob, true, form);
        }
        return form(model, form, errors);
    }

    @GetMapping("/ui/restore/jobs/{id}")
    String job(Caller caller, Model model, @PathVariable UUID id,
               @RequestParam(name = "dry_run", defaultValue = "false") boolean dryRun,
               @ModelAttribute("form") RestoreForm form) {
        model.addAttribute("form", form);
        model.addAttribute("expected", form.targetOr(source));
        if (!model.containsAttribute("confirmErrors")) {
            model.addAttribute("confirmErrors", Map.of());
        }
        status(caller, model, id, dryRun);
        return "ui/restore-job";
    }

    /** The job's state, re-read by the page while the job runs. */
    @GetMapping("/ui/restore/jobs/{id}/status")
    String status(Caller caller, Model model, @PathVariable UUID id,
                  @RequestParam(name = "dry_run", defaultValue = "false") boolean dryRun) {
        JobView job = jobs.job(caller, id);
        if (!JobKind.RESTORE.label().equals(job.kind())) {
            throw new io.taskagent.backup.gateway.web.NotFoundException("no restore job " + id);
        }
        model.addAttribute("job", job);
        model.addAttribute("row", JobRow.of(job));
        // a queued job's type is unknown until a worker records it: then the page's own word
        model.addAttribute("dryRun", job.type() == null ? dryRun : DRY_RUN.equals(job.type()));
        List<String> order = job.backupId() == null || job.result() == null ? List.of()
                : catalog.backup(job.backupId()).map(b -> List.copyOf(b.manifest().rowCounts().keySet()))
                .orElse(List.of());
        model.addAttribute("comparison", comparison(job.result(), order));
        model.addAttribute("safetyBackup", job.result() != null && job.result().hasNonNull("safety_backup")
                ? job.result().get("safety_backup").asString() : null);
        Map<String, Long> restored = new java.util.TreeMap<>(byOrder(order));
        restored.putAll(rowCounts(job.result()));
        model.addAttribute("restoredRows", restored);
        return "ui/restore-job :: status";
    }

    /**
     * One table of a dry run's comparison.
     *
     * @param backupRows  rows the backup holds
     * @param currentRows rows the target holds now (all replaced by the restore)
     */
    record TableComparison(String table, long backupRows, long currentRows) {

        public long difference() {
            return backupRows - currentRows;
        }
    }

    /** Tables in the backup's (restore) order; a table the backup does not list comes last, by name. */
    private static java.util.Comparator<String> byOrder(List<String> order) {
        return java.util.Comparator.comparingInt((String table) -> order.indexOf(table) < 0 ? Integer.MAX_VALUE
                : order.indexOf(table)).thenComparing(java.util.Comparator.naturalOrder());
    }

    /** A dry run's comparison, in the backup's (restore) order of tables. */
    private static List<TableComparison> comparison(JsonNode result, List<String> order) {
        List<TableComparison> tables = new ArrayList<>();
        if (result != null && result.has("tables") && result.get("tables").isObject()) {
            for (Map.Entry<String, JsonNode> table : result.get("tables").properties()) {
                tables.add(new TableComparison(table.getKey(), table.getValue().path("backup").asLong(),
                        table.getValue().path("current").asLong()));
            }
        }
        tables.sort(java.util.Comparator.comparing(TableComparison::table, byOrder(order)));
        return tables;
    }

    private static Map<String, Long> rowCounts(JsonNode result) {
        Map<String, Long> counts = new LinkedHashMap<>();
        if (result != null && result.has("row_counts") && result.get("row_counts").isObject()) {
            for (Map.Entry<String, JsonNode> table : result.get("row_counts").properties()) {
                counts.put(table.getKey(), table.getValue().asLong());
            }
        }
        return counts;
    }
}
