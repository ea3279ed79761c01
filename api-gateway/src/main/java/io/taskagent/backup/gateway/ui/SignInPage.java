package io.taskagent.backup.gateway.ui;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The sign-in page ({@code GET /ui/sign-in}): one field, the API token. The form posts to the same path, where the
 * security chain checks it ({@link TokenSignIn}); a wrong token comes back here with {@code ?failed}, told only that
 * the sign-in failed.
 */
@Controller
class SignInPage {

    @GetMapping(DashboardSecurity.SIGN_IN)
    String signIn() {
        return "ui/sign-in";
    }
}
