package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.backup.BackupController;
import io.taskagent.backup.gateway.backup.JobView;
import io.taskagent.backup.gateway.scheduler.SchedulerCatalog;
import io.taskagent.backup.gateway.scheduler.SchedulerConfigView;
import io.taskagent.backup.gateway.scheduler.SchedulerController;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.CommandAccepted;
import io.taskagent.backup.gateway.web.ValidationException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The scheduler ({@code GET /ui/scheduler}): running or stopped with start / stop (scope {@code scheduler:admin}),
 * every schedule with its next fire, and the configuration form. The form posts a {@code ConfigureSchedule} (and
 * {@code ConfigureAlerts}) through the REST API's controller ({@code POST /api/backup/scheduler/configure}: the
 * same rules, the same audit); the API's problems are shown next to their fields. The outcome of a sent change
 * (applied, or rejected by the scheduler) is re-read until it is known. The retention preview (a dry-run cleanup's
 * decisions) is {@link RetentionPreview}'s.
 */
@Controller
class SchedulerPage {

    private final SchedulerCatalog catalog;
    private final SchedulerController scheduler;
    private final BackupController jobs;
    private final String target;
    private final RetentionPreview retention;

    SchedulerPage(SchedulerCatalog catalog, SchedulerController scheduler, BackupController jobs,
                  GatewayProperties properties, RetentionPreview retention) {
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.jobs = jobs;
        this.target = properties.target();
        this.retention = retention;
    }

    @GetMapping("/ui/scheduler")
    String page(Caller caller, Model model, @RequestParam(required = false) UUID job,
                @RequestParam(required = false) UUID preview) {
        SchedulerConfigView config = catalog.config().orElse(null);
        if (preview != null) {
            retention.show(caller, model, preview);
        }
        return render(caller, model, config, ScheduleForm.values(config), Map.of(), job);
    }

    private String render(Caller caller, Model model, SchedulerConfigView config, Map<String, String> values,
                          Map<String, String> problems, UUID job) {
        model.addAttribute("config", config);
        model.addAttribute("state", catalog.state().orElse(null));
        model.addAttribute("schedules", catalog.schedules());
        model.addAttribute("fields", ScheduleForm.FIELDS);
        model.addAttribute("fieldNames", ScheduleForm.FIELDS.stream().map(ScheduleForm.Field::name).toList());
        model.addAttribute("groups", ScheduleForm.GROUPS);
        model.addAttribute("weekdays", ScheduleForm.WEEKDAYS);
        model.addAttribute("values", values);
        model.addAttribute("errors", ScheduleForm.byField(problems));
        model.addAttribute("problemCount", problems.size());
        if (job != null) {
            outcome(caller, model, job);
        }
        return "ui/scheduler";
    }

    /** A sent change's outcome: QUEUED until the scheduler (and the alert service) recorded it. */
    @GetMapping("/ui/scheduler/jobs/{id}")
    String outcome(Caller caller, Model model, @PathVariable UUID id) {
        JobView job = jobs.job(caller, id);
        model.addAttribute("job", job);
        return "ui/scheduler :: outcome";
    }

    @PostMapping("/ui/scheduler/start")
    String start(Caller caller, RedirectAttributes redirect) {
        CommandAccepted accepted = scheduler.start(caller).getBody();
        redirect.addFlashAttribute("note", "Start requested: job " + accepted.jobId() + ".");
        return "redirect:/ui/scheduler?job=" + accepted.jobId();
    }

    @PostMapping("/ui/scheduler/stop")
    String stop(Caller caller, RedirectAttributes redirect) {
        CommandAccepted accepted = scheduler.stop(caller).getBody();
        redirect.addFlashAttribute("note", "Stop requested: job " + accepted.jobId() + ".");
        return "redirect:/ui/scheduler?job=" + accepted.jobId();
    }

    @PostMapping("/ui/scheduler/configure")
    String configure(Caller caller, Model model, HttpServletResponse response, RedirectAttributes redirect,
                     @RequestParam MultiValueMap<String, String> form) {
        SchedulerConfigView config = catalog.config().orElse(null);
        Map<String, String> submitted = ScheduleForm.submitted(form);
        ScheduleForm.Parsed parsed = ScheduleForm.parse(submitted, ScheduleForm.values(config));
        Map<String, String> problems = new TreeMap<>(parsed.errors());
        if (problems.isEmpty() && parsed.changed().isEmpty()) {
            redirect.addFlashAttribute("note", "Nothing changed.");
            return "redirect:/ui/scheduler";
        }
        if (problems.isEmpty()) {
            try {
                CommandAccepted accepted = scheduler.configure(caller, parsed.request()).getBody();
                redirect.addFlashAttribute("note", "Configuration sent (" + String.join(", ", parsed.changed())
                        + "): job " + accepted.jobId() + ".");
                return "redirect:/ui/scheduler?job=" + accepted.jobId();
            } catch (ValidationException e) {
                problems.putAll(e.errors());
            }
        } else {
            // a field that is not a number: nothing is sent; the other fields' problems are shown with it
            parsed.request().problems(UUID.randomUUID(), target, caller.name()).forEach(problems::putIfAbsent);
        }
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        model.addAttribute("note", "Not sent: " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + " below.");
        model.addAttribute("noteFailed", true);
        return render(caller, model, config, submitted, problems, null);
    }
}
