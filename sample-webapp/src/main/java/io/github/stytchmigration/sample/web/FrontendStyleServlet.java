package io.github.stytchmigration.sample.web;

import com.stytch.java.consumer.models.otp.AuthenticateResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import static io.github.stytchmigration.sample.web.Html.esc;

/**
 * {@code /spa}: what an app built on Stytch's frontend SDK looks like to the server. The real SDK runs in
 * the browser and talks to Stytch itself (it cannot reach the offline emulator), so this page plays its
 * part: it sends and checks an email code, then leaves the session where the SDK leaves it, in the
 * {@code stytch_session} and {@code stytch_session_jwt} cookies (readable by JavaScript, {@code SameSite=Lax},
 * {@code Path=/}), and touches nothing else. It never calls the filter: on the next request MigrationFilter,
 * with {@code sessionSources=cookie}, verifies the JWT, links or creates the user and logs them in. Its
 * logout button POSTs to the filter's {@code logoutPath}.
 */
public final class FrontendStyleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(FrontendStyleServlet.class.getName());
    static final String FLOW = "spa";
    private static final String PATH = "/spa";
    static final String TOKEN_COOKIE = "stytch_session";
    static final String JWT_COOKIE = "stytch_session_jwt";

    // post-redirect-get: every POST answers with a 303 here, a refused one with ?error=<key>
    private static final Map<String, String> ERRORS = Map.of(
            "csrf", "Your form expired. Please try again.",
            "invalid_email", "Please enter an email address, like name@example.com.",
            "format", "Enter the 6-digit code from the email.",
            "rejected", "That did not work: check the address or the code and try again.",
            "unavailable", "The login service is not answering right now. Please try again in a minute.");

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String error = request.getParameter("error");
        String problem = error == null ? null : ERRORS.get(error);
        if ("unavailable".equals(error)) {
            response.setHeader("Retry-After", "60");
        }
        page(request, response, problem == null ? 200 : "unavailable".equals(error) ? 503 : 400, problem);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.setCharacterEncoding("UTF-8");
        if (!Csrf.valid(request)) {
            Html.seeOther(request, response, PATH + "?error=csrf");
            return;
        }
        SampleApp app = SampleApp.of(getServletContext());
        try {
            if (request.getParameter("code") == null) {
                String email = request.getParameter("email") == null ? "" : request.getParameter("email").strip();
                if (!LoginServlet.looksLikeEmail(email)) {
                    Html.seeOther(request, response, PATH + "?error=invalid_email");
                    return;
                }
                Otp.send(app, request, FLOW, email);
                Html.seeOther(request, response, PATH);
                return;
            }
            String code = Otp.normalise(request.getParameter("code"));
            if (code == null) {
                Html.seeOther(request, response, PATH + "?error=format");
                return;
            }
            AuthenticateResponse session = Otp.verify(app, request, FLOW, code);
            Instant expires = session.getSession() == null ? null : session.getSession().getExpiresAt();
            long maxAge = expires == null ? 3600 : Math.max(0, Duration.between(Instant.now(), expires).getSeconds());
            setCookie(request, response, TOKEN_COOKIE, session.getSessionToken(), maxAge);
            setCookie(request, response, JWT_COOKIE, session.getSessionJWT(), maxAge);
            // the filter takes it from here, on the request this redirect causes
            Html.seeOther(request, response, "/account");
        } catch (StytchCalls.Failure f) {
            if (!f.rejected()) {
                LOG.log(Level.WARNING, "OTP call failed: {0}", f.getMessage());
            }
            Html.seeOther(request, response, PATH + (f.rejected() ? "?error=rejected" : "?error=unavailable"));
        }
    }

    // As the frontend SDK writes them (js-cookie): not HttpOnly, SameSite=Lax, Secure except on plain http.
    private static void setCookie(HttpServletRequest request, HttpServletResponse response, String name, String value,
                                  long maxAge) {
        response.addHeader("Set-Cookie", name + "=" + value + "; Path=/; Max-Age=" + maxAge + "; SameSite=Lax"
                + (request.isSecure() ? "; Secure" : ""));
    }

    private void page(HttpServletRequest request, HttpServletResponse response, int status, String problem)
            throws IOException {
        String ctx = esc(request.getContextPath());
        String inbox = SampleApp.of(getServletContext()).settings().devInboxUrl();
        String pending = Otp.pendingEmail(request, FLOW);
        boolean loggedIn = SampleApp.currentUserId(request) != null;
        StringBuilder main = new StringBuilder("<h1>Frontend SDK style</h1>\n<p>Here the browser holds the Stytch"
                + " session, as with Stytch's frontend SDK (pre-built UI, OTP, passkeys, One Tap). The server only"
                + " sees the <code>stytch_session</code> and <code>stytch_session_jwt</code> cookies; the filter"
                + " logs you in from them.</p>\n");
        if (problem != null) {
            main.append(Html.alert("error", esc(problem)));
        }
        if (loggedIn) {
            main.append(Html.alert("info", "You are logged in. Log out the way the frontend SDK's app does:"
                    + " the filter's logout path revokes the Stytch session and clears both cookies."))
                    .append("<form method=\"post\" action=\"").append(ctx).append("/spa/logout\" class=\"stack\">")
                    .append("<button type=\"submit\">Log out (frontend SDK)</button></form>\n");
        } else if (pending != null) {
            main.append(Html.alert("info", "We emailed a 6-digit code to <strong>" + esc(pending) + "</strong>."))
                    .append("<form method=\"post\" action=\"").append(ctx).append("/spa\" class=\"stack\">\n")
                    .append(Csrf.field(request))
                    .append(Html.codeField("6-digit code from the email",
                            ERRORS.get("unavailable").equals(problem) || problem == null ? " autofocus"
                                    : " autofocus aria-invalid=\"true\""))
                    .append("<button type=\"submit\">Log in</button>\n</form>\n");
        } else {
            main.append("<form method=\"post\" action=\"").append(ctx).append("/spa\" class=\"stack\">\n")
                    .append(Csrf.field(request))
                    .append("<label for=\"email\">Email address</label>\n<input id=\"email\" name=\"email\" type=\"email\""
                            + " required autocomplete=\"email\" maxlength=\"254\" autofocus>\n")
                    .append("<button type=\"submit\">Email me a code</button>\n</form>\n");
        }
        if (inbox != null && !loggedIn) {
            main.append("<p class=\"dev\">Development mode: codes land in the <a href=\"").append(esc(inbox))
                    .append("\">dev inbox</a>.</p>");
        }
        Html.send(request, response, status, "Frontend SDK style", main.toString());
    }
}
