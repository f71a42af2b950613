package io.github.stytchmigration.sample.web;

import com.stytch.java.consumer.models.magiclinksemail.LoginOrCreateRequest;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import static io.github.stytchmigration.sample.web.Html.esc;

/**
 * {@code /login}: the email form (POST sends a Stytch magic link through login_or_create, with PKCE, or
 * with "Email me a code" a one-time code: {@link CodeLoginServlet}), the "Continue with Google" button and a
 * link to the frontend-SDK-style login ({@link FrontendStyleServlet}). MigrationFilter's failures come back here as {@code ?error=}.
 * Every POST answers with a 303 (post-redirect-get): {@code ?sent=1} shows "Check your email", and a
 * refused form comes back as {@code ?error=} with the typed address kept in the session.
 */
public final class LoginServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(LoginServlet.class.getName());
    /** The address of the last link sent from this browser, for "Check your email" and a refused form. */
    private static final String SESSION_EMAIL = "sample.loginEmail";

    /** The filter's error codes (failureUrl) and this form's own, in words. Codes not listed get a generic message. */
    private static final Map<String, String> ERRORS = Map.of(
            "invalid_token", "That login link has expired or was already used. Ask for a new one below.",
            "invalid_request", "That login link was incomplete. Ask for a new one below.",
            "account_conflict", "We could not match that login to exactly one account here."
                    + " Please contact support; nothing was changed.",
            "rate_limited", "Too many attempts. Please wait a minute and try again.",
            "stytch_unavailable", "The login service is not answering right now. Please try again in a minute.",
            "database_unavailable", "We cannot reach our database right now. Please try again in a minute.",
            "csrf", "Your form expired. Please try again.",
            "second_factor_failed", "Too many wrong authenticator codes. Please log in again.",
            "invalid_email", "Please enter an email address, like name@example.com.",
            "not_sent", "Stytch could not send a link to that address. Please check it and try again.");

    /**
     * A refused link in a browser that never asked for one (or whose visit ended since): the PKCE
     * verifier that binds a link to its browser was not here, so no link can work in this browser.
     */
    static final String OTHER_BROWSER = "That login link was asked for in another browser (or before this"
            + " browser's visit here ended), and a link only works in the browser where you asked for it."
            + " Open it in that browser, or ask for a new link here.";
    /** A refused link in the browser that asked for one: its own links share one verifier, so it was spent or old. */
    static final String SPENT = "That login link has expired or was already used: each link works once, within"
            + " an hour. Any other link you asked for in this browser still works, or ask for a new one below."
            + " (A link asked for in another browser only works there.)";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
        String error = request.getParameter("error");
        // after a refused callback the filter has dropped its verifier: the links still unused must keep working
        Pkce.restore(request);
        Long userId = SampleApp.currentUserId(request);
        if (userId != null) {
            if (error == null) {
                Html.seeOther(request, response, "/account");
            } else {
                alreadyLoggedIn(request, response, userId, error);
            }
            return;
        }
        if (error == null && request.getParameter("sent") != null && sentTo(request) != null) {
            checkYourEmail(request, response, sentTo(request));
            return;
        }
        String notice = null;
        if (error != null) {
            notice = "<div class=\"alert error\" role=\"alert\" id=\"login-error\" data-reason=\"" + esc(reason(request, error))
                    + "\">" + esc(message(request, error)) + "</div>";
        } else if (request.getParameter("logged_out") != null) {
            notice = Html.alert("info", "You are logged out.");
        } else if (request.getParameter("cancelled") != null) {
            notice = Html.alert("info", "Login cancelled: you are not logged in.");
        }
        String email = error != null && sentTo(request) != null ? sentTo(request) : "";
        form(request, response, error == null ? 200 : 400, notice, email);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.setCharacterEncoding("UTF-8");
        String email = request.getParameter("email");
        email = email == null ? "" : email.strip();
        if (!Csrf.valid(request)) {
            Html.seeOther(request, response, "/login?error=csrf");
            return;
        }
        // kept for the page the redirect leads to: the form comes back filled in, or "Check your email" names it
        request.getSession().setAttribute(SESSION_EMAIL, email.length() <= 254 ? email : email.substring(0, 254));
        if (!looksLikeEmail(email)) {
            Html.seeOther(request, response, "/login?error=invalid_email");
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
            Html.seeOther(request, response, "/login?error=" + (f.rejected() ? "not_sent" : "stytch_unavailable"));
            return;
        }
        Html.seeOther(request, response, "/login?sent=1");
    }

    /** {@code other_browser}, {@code spent} or the error code itself: the page's {@code data-reason}. */
    private static String reason(HttpServletRequest request, String error) {
        if (!"invalid_token".equals(error)) {
            return error;
        }
        // the filter tells the two apart from Stytch's error type: pkce_* (link=other_browser) or used/expired (link=used)
        String link = request.getParameter("link");
        if ("other_browser".equals(link)) {
            return "other_browser";
        }
        if ("used".equals(link)) {
            return "spent";
        }
        return Pkce.asked(request, "magic_links") || Pkce.asked(request, "oauth") ? "spent" : "other_browser";
    }

    private static String message(HttpServletRequest request, String error) {
        switch (reason(request, error)) {
            case "other_browser":
                return OTHER_BROWSER;
            case "spent":
                return SPENT;
            default:
                return ERRORS.getOrDefault(error, "Login failed. Please try again.");
        }
    }

    private static String sentTo(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session != null && session.getAttribute(SESSION_EMAIL) instanceof String s && !s.isEmpty() ? s : null;
    }

    private void checkYourEmail(HttpServletRequest request, HttpServletResponse response, String email) throws IOException {
        String inbox = SampleApp.of(getServletContext()).settings().devInboxUrl();
        Html.send(request, response, 200, "Check your email", "<h1>Check your email</h1>\n"
                + Html.alert("info", "We sent a login link to <strong class=\"long\" id=\"sent-to\">" + esc(email) + "</strong>.")
                + "<p>Open it <strong>in this browser</strong> within an hour: a link only works in the browser that"
                + " asked for it. If you are new here, the same link creates your account. Asked for more than one?"
                + " Each of them works, until you are logged in.</p>"
                + (inbox == null ? "" : "<p class=\"dev\">Development mode: the Stytch emulator does not send email."
                        + " Open the <a href=\"" + esc(inbox) + "\">dev inbox</a> and click the link there.</p>")
                + "<p><a href=\"" + esc(request.getContextPath()) + "/login\">Use another address</a></p>");
    }

    /** A link (used, spent or not needed) opened by someone already logged in here: say so, and offer a way on. */
    private void alreadyLoggedIn(HttpServletRequest request, HttpServletResponse response, long userId, String error)
            throws IOException, ServletException {
        Optional<Users.User> user;
        try {
            user = SampleApp.of(getServletContext()).users().find(userId);
        } catch (SQLException e) {
            throw new ServletException("could not read user " + userId, e);
        }
        String who = user.map(u -> u.email() != null ? u.email() : u.displayName()).orElse("your account");
        String ctx = esc(request.getContextPath());
        String why = "invalid_token".equals(error)
                ? "The login link you opened was not needed: it has expired, was already used, or was asked for in another browser."
                : ERRORS.getOrDefault(error, "That login did not go through.");
        Html.send(request, response, 200, "You are already logged in", "<h1>You are already logged in</h1>\n"
                + "<p id=\"already-logged-in\">You are logged in as <strong class=\"long\" id=\"logged-in-as\">" + esc(who)
                + "</strong>.</p>\n"
                + Html.alert("info", esc(why))
                + "<p><a class=\"button\" href=\"" + ctx + "/account\">Go to your account</a></p>\n"
                + "<p>To log in as someone else, log out first.</p>\n"
                + "<form method=\"post\" action=\"" + ctx + "/logout\">" + Csrf.field(request)
                + "<button type=\"submit\" class=\"secondary\">Log out</button></form>");
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
