package io.github.stytchmigration.sample.web;

import com.stytch.java.consumer.models.otp.AuthenticateResponse;
import io.github.stytchmigration.MigrationLogin;
import io.github.stytchmigration.MigrationLoginException;
import io.github.stytchmigration.MigrationResult;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import static io.github.stytchmigration.sample.web.Html.esc;

/**
 * {@code /login/code}: "Email me a code", done by this app's backend. POST with {@code email} sends a
 * code through the app's own StytchClient; POST with {@code code} checks it, and hands the Stytch session
 * it started to the filter with {@link MigrationLogin#login}: the same link-or-create, session rotation and
 * outcome as a magic link, without a redirect through Stytch. Both POSTs answer with a 303 to the code
 * form (post-redirect-get), so Back and reload never send a form again.
 */
public final class CodeLoginServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(CodeLoginServlet.class.getName());
    static final String FLOW = "code";
    private static final String PATH = "/login/code";

    // post-redirect-get: a refused code comes back here as ?error=<key>, never with the code typed
    private static final Map<String, String> ERRORS = Map.of(
            "format", "Enter the 6-digit code from the email.",
            "wrong_code", "That code is not right, or it expired. Check the email and try again.",
            "unavailable", "The login service is not answering right now. Please try again in a minute.");

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String email = Otp.pendingEmail(request, FLOW);
        if (email == null) {
            Html.seeOther(request, response, "/login");
            return;
        }
        String error = request.getParameter("error");
        String problem = error == null ? null : ERRORS.get(error);
        if (problem == null) {
            codeForm(request, response, 200, null, email);
        } else if ("unavailable".equals(error)) {
            response.setHeader("Retry-After", "60");
            codeForm(request, response, 503, problem, email);
        } else {
            codeForm(request, response, 400, problem, email);
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
        request.setCharacterEncoding("UTF-8");
        if (!Csrf.valid(request)) {
            Html.seeOther(request, response, "/login?error=csrf");
            return;
        }
        SampleApp app = SampleApp.of(getServletContext());
        if (request.getParameter("code") == null) {
            String email = request.getParameter("email") == null ? "" : request.getParameter("email").strip();
            if (!LoginServlet.looksLikeEmail(email)) {
                Html.seeOther(request, response, "/login?error=invalid_email");
                return;
            }
            try {
                Otp.send(app, request, FLOW, email);
            } catch (StytchCalls.Failure f) {
                LOG.log(Level.WARNING, "otps.email.login_or_create failed: {0}", f.getMessage());
                Html.seeOther(request, response, "/login?error=" + (f.rejected() ? "invalid_email" : "stytch_unavailable"));
                return;
            }
            Html.seeOther(request, response, PATH);
            return;
        }
        verify(app, request, response);
    }

    private void verify(SampleApp app, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        String email = Otp.pendingEmail(request, FLOW);
        String code = Otp.normalise(request.getParameter("code"));
        if (email == null) {
            Html.seeOther(request, response, "/login");
            return;
        }
        if (code == null) {
            Html.seeOther(request, response, PATH + "?error=format");
            return;
        }
        AuthenticateResponse stytch;
        try {
            stytch = Otp.verify(app, request, FLOW, code);
        } catch (StytchCalls.Failure f) {
            if (!f.rejected()) {
                LOG.log(Level.WARNING, "otps.authenticate failed: {0}", f.getMessage());
            }
            Html.seeOther(request, response, PATH + (f.rejected() ? "?error=wrong_code" : "?error=unavailable"));
            return;
        }
        MigrationResult result;
        try {
            // the filter links or creates our user, rotates the session id and logs them in
            result = MigrationLogin.login(request, response, stytch.getSessionToken());
        } catch (MigrationLoginException e) {
            if (e.retryAfterSeconds() >= 0) {
                response.setHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
            }
            Html.seeOther(request, response, "/login?error=" + e.errorCode().code());
            return;
        }
        request.getSession().setAttribute(SampleApp.SESSION_OUTCOME, result.outcome().name());
        Pkce.end(request.getSession()); // logged in: links asked for before this no longer log in here
        if (result.secondFactorRequired()) {
            // not logged in yet: the row had TOTP, so the second-factor page comes first
            Html.seeOther(request, response, SecondFactorServlet.PATH);
            return;
        }
        Html.seeOther(request, response, needsTotp(app, result) ? "/mfa/totp" : "/account");
    }

    private static boolean needsTotp(SampleApp app, MigrationResult result) throws ServletException {
        try {
            return app.users().find(Long.valueOf(result.userId())).map(Users.User::needsTotpReenrollment).orElse(false);
        } catch (SQLException e) {
            throw new ServletException("could not read user " + result.userId(), e);
        }
    }

    private void codeForm(HttpServletRequest request, HttpServletResponse response, int status, String problem, String email)
            throws IOException {
        String ctx = esc(request.getContextPath());
        String inbox = SampleApp.of(getServletContext()).settings().devInboxUrl();
        Html.send(request, response, status, "Enter your code", "<h1>Enter your code</h1>\n"
                + (problem == null ? Html.alert("info", "We emailed a 6-digit code to <strong>" + esc(email) + "</strong>.")
                        : Html.alert("error", esc(problem)))
                + "<form method=\"post\" action=\"" + ctx + "/login/code\" class=\"stack\">\n" + Csrf.field(request)
                + Html.codeField("6-digit code from the email",
                        ERRORS.get("unavailable").equals(problem) || problem == null ? " autofocus" : " autofocus aria-invalid=\"true\"")
                + "<button type=\"submit\">Log in</button>\n</form>\n"
                + (inbox == null ? "" : "<p class=\"dev\">Development mode: the code is in the <a href=\"" + esc(inbox)
                        + "\">dev inbox</a>.</p>")
                + "<p><a href=\"" + ctx + "/login\">Use another address</a></p>");
    }
}
