package io.github.stytchmigration.sample.web;

import com.stytch.java.consumer.models.totps.AuthenticateRequest;
import com.stytch.java.consumer.models.totps.AuthenticateResponse;
import com.stytch.java.consumer.models.totps.CreateRequest;
import com.stytch.java.consumer.models.totps.CreateResponse;
import io.github.stytchmigration.MigrationFilter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import static io.github.stytchmigration.sample.web.Html.esc;

/**
 * {@code /mfa/totp}: TOTP re-enrollment. MFA factors cannot be imported into Stytch, so a user whose
 * legacy account had TOTP registers it again once migrated: {@code totps.create} gives a secret (shown
 * as a QR code, its otpauth URI and the key itself) and the first code from the authenticator app proves
 * it through {@code totps.authenticate}; then {@code mfa_reenrolled_at} is set.
 *
 * <p>One registration per user until it is proven or expires: reloads, wrong codes, a second tab or a
 * later login all show the same secret, so a key already typed into the app stays the right one. The POST
 * answers with a 303 (post-redirect-get), a refused code as {@code ?error=<key>}.
 */
public final class TotpServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(TotpServlet.class.getName());
    private static final String ISSUER = "Acme Legacy";
    static final String PATH = "/mfa/totp";
    /** Asked of totps.create (Stytch's default too); a registration is offered again until shortly before. */
    static final int EXPIRATION_MINUTES = 1440;
    private static final Duration REUSE_MARGIN = Duration.ofMinutes(10);

    private static final Map<String, String> ERRORS = Map.of(
            "format", "Enter the 6-digit code your authenticator app shows.",
            "wrong_code", "That code did not match. Codes change every 30 seconds: check your device's clock and try the current one.",
            "unavailable", "The login service is not answering right now. Please try again in a minute.");

    /**
     * A registration created but not proven yet, by Stytch user id; kept so a new attempt (another session
     * too) does not start over. In this node's memory: the sample runs on one, and after a restart a new
     * registration simply replaces the lost one.
     */
    private final transient ConcurrentMap<String, Pending> pendingByUser = new ConcurrentHashMap<>();

    /** A registration created but not proven yet. */
    record Pending(String stytchUserId, String secret, String qrCode, List<String> recoveryCodes, Instant reuseUntil) {
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Optional<Users.User> user = userNeedingTotp(request, response);
        if (user.isEmpty()) {
            return;
        }
        Pending pending;
        try {
            pending = pending(user.get());
        } catch (StytchCalls.Failure f) {
            LOG.log(Level.WARNING, "totps.create failed: {0}", f.getMessage());
            Html.send(request, response, 503, "Try again later", "<h1>Set up your authenticator app</h1>"
                    + Html.alert("error", "The login service is not answering right now. Please reload this page in a minute."));
            return;
        }
        String error = request.getParameter("error");
        String problem = error == null ? null : ERRORS.get(error);
        if ("unavailable".equals(error)) {
            response.setHeader("Retry-After", "60");
        }
        page(request, response, problem == null ? 200 : "unavailable".equals(error) ? 503 : 400, user.get(), pending, problem);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Optional<Users.User> user = userNeedingTotp(request, response);
        if (user.isEmpty()) {
            return;
        }
        HttpSession session = request.getSession();
        Pending pending = pendingByUser.get(user.get().stytchUserId());
        if (pending == null || !Csrf.valid(request)) {
            Html.seeOther(request, response, PATH);
            return;
        }
        String code = Otp.normalise(request.getParameter("code"));
        if (code == null) {
            Html.seeOther(request, response, PATH + "?error=format");
            return;
        }
        SampleApp app = SampleApp.of(getServletContext());
        Object sessionToken = session.getAttribute(MigrationFilter.SESSION_STYTCH_SESSION_TOKEN);
        AuthenticateResponse answer;
        try {
            // with the session token, Stytch adds the TOTP factor to the user's current session
            answer = StytchCalls.await(app.stytch().getTotps().authenticateCompletable(new AuthenticateRequest(
                    pending.stytchUserId(), code, sessionToken instanceof String s && !s.isEmpty() ? s : null)));
        } catch (StytchCalls.Failure f) {
            if (!f.rejected()) {
                LOG.log(Level.WARNING, "totps.authenticate failed: {0}", f.getMessage());
            }
            Html.seeOther(request, response, PATH + (f.rejected() ? "?error=wrong_code" : "?error=unavailable"));
            return;
        }
        try {
            app.users().markTotpReenrolled(user.get().id());
        } catch (SQLException e) {
            throw new ServletException("could not record the TOTP re-enrollment of user " + user.get().id(), e);
        }
        pendingByUser.remove(pending.stytchUserId(), pending);
        if (answer.getSessionToken() != null && !answer.getSessionToken().isEmpty()) {
            session.setAttribute(MigrationFilter.SESSION_STYTCH_SESSION_TOKEN, answer.getSessionToken());
            session.setAttribute(MigrationFilter.SESSION_STYTCH_SESSION_JWT, answer.getSessionJWT());
        }
        Html.seeOther(request, response, "/account?totp=1");
    }

    /** The logged-in user when they still have to re-enroll; otherwise answers with a redirect. */
    private Optional<Users.User> userNeedingTotp(HttpServletRequest request, HttpServletResponse response)
            throws ServletException {
        Long userId = SampleApp.currentUserId(request);
        if (userId == null) {
            Html.seeOther(request, response, "/login");
            return Optional.empty();
        }
        Optional<Users.User> user;
        try {
            user = SampleApp.of(getServletContext()).users().find(userId);
        } catch (SQLException e) {
            throw new ServletException("could not read user " + userId, e);
        }
        if (user.isEmpty() || !user.get().needsTotpReenrollment()) {
            Html.seeOther(request, response, "/account");
            return Optional.empty();
        }
        return user;
    }

    private Pending pending(Users.User user) throws StytchCalls.Failure {
        Pending pending = pendingByUser.get(user.stytchUserId());
        if (pending != null && Instant.now().isBefore(pending.reuseUntil())) {
            return pending;
        }
        // two tabs at once may both get here: the first registration stored wins, the other just expires
        CreateResponse created = StytchCalls.await(SampleApp.of(getServletContext()).stytch().getTotps()
                .createCompletable(new CreateRequest(user.stytchUserId(), EXPIRATION_MINUTES)));
        Pending fresh = new Pending(user.stytchUserId(), created.getSecret(), created.getQrCode(),
                created.getRecoveryCodes() == null ? List.of() : List.copyOf(created.getRecoveryCodes()),
                Instant.now().plus(Duration.ofMinutes(EXPIRATION_MINUTES)).minus(REUSE_MARGIN));
        return pendingByUser.merge(user.stytchUserId(), fresh,
                (old, neu) -> Instant.now().isBefore(old.reuseUntil()) ? old : neu);
    }

    private void page(HttpServletRequest request, HttpServletResponse response, int status, Users.User user,
                      Pending pending, String error) throws IOException {
        String account = user.email() != null ? user.email() : user.displayName();
        String uri = "otpauth://totp/" + enc(ISSUER + ":" + account) + "?secret=" + enc(pending.secret())
                + "&issuer=" + enc(ISSUER);
        // Stytch's own image when it sends one; else (the emulator) one drawn here from the same URI as the link
        String qr = pending.qrCode() != null && pending.qrCode().startsWith("data:image/") ? pending.qrCode() : Qr.svgDataUri(uri);
        StringBuilder main = new StringBuilder();
        main.append("<h1>Set up your authenticator app again</h1>\n");
        if (error != null) {
            main.append(Html.alert("error", esc(error)));
        }
        main.append("<p>Your old account was protected by an authenticator app. Our new login provider cannot"
                + " copy that setup over, so please add it once more. It takes a minute.</p>\n<ol class=\"steps\">\n"
                + "<li><p>In your authenticator app, add an account")
                .append(" by scanning this code:</p><img class=\"qr\" id=\"totp-qr\" src=\"").append(esc(qr))
                .append("\" alt=\"QR code holding the setup key below\" width=\"200\" height=\"200\"><p>or")
                .append(" <a href=\"").append(esc(uri)).append("\" id=\"otpauth-uri\">this setup link</a>, or type this setup key:</p>\n")
                .append("<p><code class=\"secret\" id=\"totp-secret\" data-secret=\"").append(esc(pending.secret())).append("\">")
                .append(esc(group(pending.secret()))).append("</code></p></li>\n")
                .append("<li><form method=\"post\" action=\"").append(esc(request.getContextPath())).append(PATH).append("\" class=\"stack\">\n")
                .append(Csrf.field(request))
                .append(Html.codeField("6-digit code from the app",
                        " aria-describedby=\"code-help\"" + (error != null ? " aria-invalid=\"true\" autofocus" : "")))
                .append("<p id=\"code-help\" class=\"help\">The code changes every 30 seconds.</p>\n")
                .append("<button type=\"submit\">Verify and finish</button>\n</form></li>\n</ol>\n");
        if (!pending.recoveryCodes().isEmpty()) {
            main.append("<details><summary>Recovery codes</summary><p>Keep these somewhere safe: each one lets you in"
                    + " once if you lose your device.</p><ul class=\"codes\">");
            pending.recoveryCodes().forEach(c -> main.append("<li><code>").append(esc(c)).append("</code></li>"));
            main.append("</ul></details>\n");
        }
        Html.send(request, response, status, "Set up your authenticator app", main.toString());
    }

    private static String group(String secret) {
        return secret.replaceAll("(.{4})(?!$)", "$1 ");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
