package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.audit.AuditLog;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import java.util.List;

/** The audit log ({@code GET /ui/audit}): every write asked of the gateway, by whom, with what, and what came of it. */
@Controller
class AuditPage {

    static final int PAGE_SIZE = 50;

    private final AuditLog audit;

    AuditPage(AuditLog audit) {
        this.audit = audit;
    }

    @GetMapping("/ui/audit")
    String audit(Model model, @RequestParam(defaultValue = "0") int page) {
        int p = Math.max(0, Math.min(page, 10_000));
        List<AuditLog.Entry> entries = audit.recent(PAGE_SIZE + 1, p * PAGE_SIZE);
        model.addAttribute("entries", entries.subList(0, Math.min(PAGE_SIZE, entries.size())));
        model.addAttribute("hasNext", entries.size() > PAGE_SIZE);
        model.addAttribute("page", p);
        return "ui/audit";
    }
}
