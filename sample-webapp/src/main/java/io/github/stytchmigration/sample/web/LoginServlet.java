package io.github.stytchmigration.sample.web;

import com.stytch.java.consumer.models.magiclinksemail.LoginOrCreateRequest;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import static io.github.stytchmigration.sample.web.Html.esc;

/**
 * {@code /login}: the email form (POST sends a Stytch magic link through login_or_create, with PKCE, or
 * with "Email me a code" a one-time code: {@link CodeLoginServlet}), the "Continue with Google" button and a
 * link to the frontend-SDK-style login ({@link FrontendStyleServlet}). MigrationFilter's failures come back here as {@code ?error=}.
 */
public final class LoginServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(LoginServlet.class.getName());

    /** The filter's error codes (failureUrl) in words. Codes not listed get a generic message. */
    private static final Map<String, String> ERRORS = Map.of(
            "invalid_token", "That login link has expired, was already used, or was opened in another browser"
                    + " than the one that asked for it. Ask for a new one below.",
            "invalid_request", "That login link was incomplete. Ask for a new one below.",
            "account_conflict", "We could not match that login to exactly one account here."
                    + " Please contact support; nothing was changed.",
            "rate_limited", "Too many attempts. Please wait a minute and try again.",
            "stytch_unavailable", "The login service is not answering right now. Please try again in a minute.",
            "database_unavailable", "We cannot reach our database right now. Please try again in a minute.",
            "csrf", "Your form expired. Please try again.",
            "second_factor_failed", "Too many wrong authenticator codes. Please log in again.",
            "invalid_email", "Please enter an email address, like name@example.com.");

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (SampleApp.currentUserId(request) != null && request.getParameter("error") == null) {
            Html.seeOther(request, response, "/account");
            return;
        }
        String error = request.getParameter("error");
        String notice = null;
        if (error != null) {
            notice = Html.alert("error", esc(ERRORS.getOrDefault(error, "Login failed. Please try again.")));
        } else if (request.getParameter("logged_out") != null) {
            notice = Html.alert("info", "You are logged out.");
        }
        form(request, response, error == null ? 200 : 400, notice, "");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.setCharacterEncoding("UTF-8");
        String email = request.getParameter("email");
        email = email == null ? "" : email.strip();
        if (!Csrf.valid(request)) {
            form(request, response, 400, Html.alert("error", esc(ERRORS.get("csrf"))), email);
            return;
        }
        if (!looksLikeEmail(email)) {
            form(request, response, 400, Html.alert("error", "Please enter an email address, like name@example.com."), email);
            return;
        }
        SampleApp app = SampleApp.of(getServletContext());
        String callback = app.absoluteUrl(request, "/authenticate");
        String challenge = Pkce.start(request, "magic_links");
        try {
            StytchCalls.await(app.stytch().getMagicLinks().getEmail().loginOrCreateCompletable(new LoginOrCreateRequest(
                    email, callback, callback, null, null, null, null, null, null, challenge)));
        } catch (StytchCalls.Failure f) {
            LOG.log(Level.WARNING, "login_or_create failed: {0}", f.getMessage());
            String message = f.rejected()
                    ? "Stytch could not send a link to that address. Please check it and try again."
                    : "The login service is not answering right now. Please try again in a minute.";
            form(request, response, f.rejected() ? 400 : 503, Html.alert("error", esc(message)), email);
            return;
        }
        String inbox = app.settings().devInboxUrl();
        Html.send(request, response, 200, "Check your email", "<h1>Check your email</h1>\n"
                + Html.alert("info", "We sent a login link to <strong>" + esc(email) + "</strong>.")
                + "<p>Open it in this browser within an hour. If you are new here, the same link creates your account.</p>"
                + (inbox == null ? "" : "<p class=\"dev\">Development mode: the Stytch emulator does not send email."
                        + " Open the <a href=\"" + esc(inbox) + "\">dev inbox</a> and click the link there.</p>")
                + "<p><a href=\"" + esc(request.getContextPath()) + "/login\">Use another address</a></p>");
    }

    private void form(HttpServletRequest request, HttpServletResponse response, int status, String notice, String email)
            throws IOException {
        SampleApp app = SampleApp.of(getServletContext());
        String ctx = esc(request.getContextPath());
        String inbox = app.settings().devInboxUrl();
        String google = app.settings().publicToken() == null ? ""
                : "<p class=\"or\">or</p>\n<p><a class=\"button secondary\" href=\"" + ctx + "/login/google\">Continue with Google</a></p>\n";
        Html.send(request, response, status, "Log in", "<h1>Log in</h1>\n"
                + (notice == null ? "" : notice)
                + "<p>We no longer use passwords. Enter the email address of your account and we will send you"
                + " a login link. Existing customers keep their account: it moves to Stytch the first time"
                + " you log in.</p>\n"
                + "<form method=\"post\" action=\"" + ctx + "/login\" class=\"stack\">\n"
                + Csrf.field(request)
                + "<label for=\"email\">Email address</label>\n"
                + "<input id=\"email\" name=\"email\" type=\"email\" required autocomplete=\"email\" maxlength=\"254\""
                + " value=\"" + esc(email) + "\" autofocus>\n"
                + "<button type=\"submit\">Email me a login link</button>\n"
                + "<button type=\"submit\" class=\"secondary\" formaction=\"" + ctx + "/login/code\">Email me a code</button>\n"
                + "</form>\n"
                + google
                + "<p class=\"or\">or try the <a href=\"" + ctx + "/spa\">frontend SDK style</a> login</p>\n"
                + (inbox == null ? "" : "<p class=\"dev\">Development mode (Stytch emulator): login emails land in the"
                        + " <a href=\"" + esc(inbox) + "\">dev inbox</a>.</p>"));
    }

    static boolean looksLikeEmail(String s) {
        int at = s.indexOf('@');
        return s.length() <= 254 && at > 0 && at == s.lastIndexOf('@') && at < s.length() - 1
                && s.chars().noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
    }
}
