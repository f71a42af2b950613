package io.github.stytchmigration.sample.web;

import com.stytch.java.consumer.models.sessions.RevokeRequest;
import com.stytch.java.consumer.models.totps.AuthenticateRequest;
import com.stytch.java.consumer.models.totps.AuthenticateResponse;
import io.github.stytchmigration.MigrationFilter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import static io.github.stytchmigration.sample.web.Html.esc;

/**
 * {@code /mfa/verify}, the filter's {@code secondFactorUrl}: a login whose row had TOTP waits here, not
 * logged in (its id under {@link MigrationFilter#SESSION_PENDING_USER_ID}), until the user proves a
 * second factor. Before re-enrolling with Stytch that is the legacy authenticator, checked against the
 * legacy secret, so that the mailbox alone cannot enroll a new one; afterwards it is the Stytch TOTP
 * code, through {@code totps.authenticate}. Then {@link MigrationFilter#completeSecondFactor} logs in.
 */
public final class SecondFactorServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(SecondFactorServlet.class.getName());
    static final String PATH = "/mfa/verify";
    private static final String SESSION_FAILURES = "sample.secondFactorFailures";
    /** Wrong codes before the pending login is thrown away: a 6-digit code must not be guessable. */
    static final int MAX_FAILURES = 5;

    // post-redirect-get: a failed POST comes back here as ?error=<key>, never with the code typed
    private static final Map<String, String> ERRORS = Map.of(
            "wrong_code", "That code did not match. Codes change every 30 seconds: check your device's clock and try the current one.",
            "format", "Enter the 6-digit code your authenticator app shows.",
            "unavailable", "The login service is not answering right now. Please try again in a minute.");

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Optional<Users.User> user = pendingUser(request, response);
        if (user.isEmpty()) {
            return;
        }
        String error = request.getParameter("error");
        page(request, response, user.get(), error == null ? null : ERRORS.get(error));
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Optional<Users.User> found = pendingUser(request, response);
        if (found.isEmpty()) {
            return;
        }
        if (!Csrf.valid(request)) {
            Html.seeOther(request, response, PATH);
            return;
        }
        Users.User user = found.get();
        String code = Otp.normalise(request.getParameter("code"));
        if (code == null) {
            Html.seeOther(request, response, PATH + "?error=format");
            return;
        }
        SampleApp app = SampleApp.of(getServletContext());
        boolean proven;
        if (user.mfaReenrolledAt() != null) {
            try {
                proven = stytchTotp(app, request.getSession(), user, code);
            } catch (StytchCalls.Failure f) {
                LOG.log(Level.WARNING, "totps.authenticate failed: {0}", f.getMessage());
                Html.seeOther(request, response, PATH + "?error=unavailable");
                return;
            }
        } else {
            String secret;
            try {
                secret = app.users().legacyTotpSecret(user.id());
            } catch (SQLException e) {
                throw new ServletException("could not read the legacy TOTP secret of user " + user.id(), e);
            }
            proven = secret != null && LegacyTotp.matches(secret, code, Instant.now());
        }
        HttpSession session = request.getSession();
        if (!proven) {
            int failures = session.getAttribute(SESSION_FAILURES) instanceof Integer n ? n + 1 : 1;
            if (failures >= MAX_FAILURES) {
                LOG.log(Level.INFO, "user {0}: {1} wrong second-factor codes, pending login dropped",
                        new Object[] {user.id(), failures});
                abandon(app, session);
                Html.seeOther(request, response, "/login?error=second_factor_failed");
                return;
            }
            session.setAttribute(SESSION_FAILURES, failures);
            Html.seeOther(request, response, PATH + "?error=wrong_code");
            return;
        }
        session.removeAttribute(SESSION_FAILURES);
        if (MigrationFilter.completeSecondFactor(request) == null) {
            // another tab completed or dropped this login meanwhile
            Html.seeOther(request, response, SampleApp.currentUserId(request) != null ? "/account" : "/login");
            return;
        }
        // the pending login's outcome, set on this request by completeSecondFactor: for the account page's "This login"
        Object outcome = request.getAttribute(MigrationFilter.ATTR_OUTCOME);
        if (outcome != null) {
            request.getSession().setAttribute(SampleApp.SESSION_OUTCOME, outcome.toString());
        }
        Pkce.end(request.getSession()); // logged in: links asked for before this no longer log in here
        // the legacy factor proven: now the user may enroll a new one with Stytch
        Html.seeOther(request, response, user.needsTotpReenrollment() ? "/mfa/totp" : "/account");
    }

    /** Stytch's check of the code; with the session token Stytch adds the TOTP factor to that session. */
    private static boolean stytchTotp(SampleApp app, HttpSession session, Users.User user, String code)
            throws StytchCalls.Failure {
        Object sessionToken = session.getAttribute(MigrationFilter.SESSION_STYTCH_SESSION_TOKEN);
        AuthenticateResponse answer;
        try {
            answer = StytchCalls.await(app.stytch().getTotps().authenticateCompletable(new AuthenticateRequest(
                    user.stytchUserId(), code, sessionToken instanceof String s && !s.isEmpty() ? s : null)));
        } catch (StytchCalls.Failure f) {
            if (f.rejected()) {
                return false;
            }
            throw f;
        }
        if (answer.getSessionToken() != null && !answer.getSessionToken().isEmpty()) {
            session.setAttribute(MigrationFilter.SESSION_STYTCH_SESSION_TOKEN, answer.getSessionToken());
            session.setAttribute(MigrationFilter.SESSION_STYTCH_SESSION_JWT, answer.getSessionJWT());
        }
        return true;
    }

    /** Too many wrong codes: the HttpSession and the Stytch session behind the pending login both end. */
    private static void abandon(SampleApp app, HttpSession session) {
        Object sessionId = session.getAttribute(MigrationFilter.SESSION_STYTCH_SESSION_ID);
        session.invalidate();
        if (sessionId instanceof String id && !id.isEmpty()) {
            try {
                StytchCalls.await(app.stytch().getSessions().revokeCompletable(new RevokeRequest(id, null, null)));
            } catch (StytchCalls.Failure f) {
                // the pending login is gone either way; the Stytch session expires on its own
                LOG.log(Level.INFO, "could not revoke the Stytch session: {0}", f.getMessage());
            }
        }
    }

    /** The user whose login waits for its second factor; otherwise answers with a redirect. */
    private Optional<Users.User> pendingUser(HttpServletRequest request, HttpServletResponse response)
            throws ServletException {
        HttpSession session = request.getSession(false);
        Object id = session == null ? null : session.getAttribute(MigrationFilter.SESSION_PENDING_USER_ID);
        if (id == null) {
            Html.seeOther(request, response, SampleApp.currentUserId(request) != null ? "/account" : "/login");
            return Optional.empty();
        }
        Optional<Users.User> user;
        try {
            user = SampleApp.of(getServletContext()).users().find(Long.parseLong(id.toString()));
        } catch (NumberFormatException e) {
            user = Optional.empty();
        } catch (SQLException e) {
            throw new ServletException("could not read user " + id, e);
        }
        if (user.isEmpty()) { // deleted meanwhile
            session.invalidate();
            Html.seeOther(request, response, "/login");
        }
        return user;
    }

    private void page(HttpServletRequest request, HttpServletResponse response, Users.User user, String error)
            throws ServletException, IOException {
        SampleApp app = SampleApp.of(getServletContext());
        boolean stytch = user.mfaReenrolledAt() != null;
        String ctx = esc(request.getContextPath());
        StringBuilder main = new StringBuilder("<h1>Enter the code from your authenticator app</h1>\n");
        if (error != null) {
            main.append(Html.alert("error", esc(error)));
        }
        String devCode = null;
        if (stytch) {
            main.append("<p id=\"second-factor-kind\" data-kind=\"stytch\">Your account is protected by the authenticator"
                    + " app you set up with us. Enter the code it shows to finish logging in.</p>\n");
        } else {
            String secret;
            try {
                secret = app.users().legacyTotpSecret(user.id());
            } catch (SQLException e) {
                throw new ServletException("could not read the legacy TOTP secret of user " + user.id(), e);
            }
            if (secret == null) {
                // fail closed: without the legacy secret nobody can prove the factor here
                Html.send(request, response, 409, "Contact support", main
                        + Html.alert("error", "Your old account was protected by an authenticator app, but we cannot"
                        + " check it here. Please contact support; nothing was changed.") + logoutForm(request));
                return;
            }
            main.append("<p id=\"second-factor-kind\" data-kind=\"legacy\">Your old account is protected by an"
                    + " authenticator app. Enter the code it shows for Acme Legacy, so that we know it is you before"
                    + " you set it up with our new login provider.</p>\n");
            if (app.settings().devMode()) {
                devCode = LegacyTotp.code(secret, Instant.now());
            }
        }
        main.append("<form method=\"post\" action=\"").append(ctx).append(PATH).append("\" class=\"stack\">\n")
                .append(Csrf.field(request))
                .append(Html.codeField("6-digit code", error != null ? " autofocus aria-invalid=\"true\"" : " autofocus"))
                .append("<button type=\"submit\">Verify</button>\n</form>\n");
        if (devCode != null) {
            // emulator mode only: nobody holds the seeded users' old authenticators
            main.append("<p class=\"dev\">Development mode: nobody has this seeded user's old authenticator app;"
                    + " it would show <code id=\"dev-legacy-code\">").append(devCode).append("</code> now.</p>\n");
        }
        main.append(logoutForm(request));
        Html.send(request, response, 200, "Second factor", main.toString());
    }

    private static String logoutForm(HttpServletRequest request) {
        return "<form method=\"post\" action=\"" + esc(request.getContextPath()) + "/logout\" class=\"inline\">"
                + Csrf.field(request) + "<button type=\"submit\" class=\"link\">Cancel login</button></form>\n";
    }
}
