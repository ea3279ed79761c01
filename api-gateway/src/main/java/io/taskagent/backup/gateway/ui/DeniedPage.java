package io.taskagent.backup.gateway.ui;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Where a refused dashboard request lands (forwarded by the security chain, {@link DashboardSecurity}): 403, naming
 * the scope the request needs, or saying that the form expired (a missing or stale CSRF token).
 */
@Controller
class DeniedPage {

    static final String REQUIRED_SCOPE = DeniedPage.class.getName() + ".scope";

    @RequestMapping("/ui/denied")
    String denied(HttpServletRequest request, HttpServletResponse response, Model model) {
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        model.addAttribute("scope", request.getAttribute(REQUIRED_SCOPE));
        model.addAttribute("expired", request.getAttribute(WebAttributes.ACCESS_DENIED_403) instanceof CsrfException);
        return "ui/denied";
    }
}
