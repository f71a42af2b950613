package io.github.stytchmigration.sample.web;

import io.github.stytchmigration.MigrationFilter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;

import static io.github.stytchmigration.sample.web.Html.esc;

/** {@code /account}: the logged-in user's own row, how this login went, and their Stytch user id. */
public final class AccountServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'");

    private static final Map<String, String> OUTCOMES = Map.of(
            "CREATED", "New here: Stytch did not know this address and neither did we, so your account was created just now.",
            "LINKED", "Welcome back: your existing account was found by its verified email and linked to Stytch. This was your migration.",
            "ALREADY_LINKED", "Welcome back: your account was already on Stytch.");

    private static final Map<String, String> SOURCES = Map.of(
            "callback", "a link or Google, redirected back through Stytch",
            "app", "a code checked by this app's backend",
            "cookie", "the frontend SDK's session cookies",
            "bearer", "a Bearer session JWT");

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Long userId = SampleApp.currentUserId(request);
        if (userId == null) {
            Html.seeOther(request, response, "/login");
            return;
        }
        Optional<Users.User> found;
        try {
            found = SampleApp.of(getServletContext()).users().find(userId);
        } catch (SQLException e) {
            throw new ServletException("could not read user " + userId, e);
        }
        if (found.isEmpty()) { // deleted meanwhile
            request.getSession().invalidate();
            Html.seeOther(request, response, "/login");
            return;
        }
        Users.User u = found.get();
        HttpSession session = request.getSession();
        // a login from the frontend SDK's cookies happens on this very request: the filter says so here
        Object justNow = request.getAttribute(MigrationFilter.ATTR_OUTCOME);
        if (justNow != null) {
            session.setAttribute(SampleApp.SESSION_OUTCOME, justNow.toString());
        }
        String outcome = (String) session.getAttribute(SampleApp.SESSION_OUTCOME);
        Object source = session.getAttribute(MigrationFilter.SESSION_LOGIN_SOURCE);
        Object stytchUserId = session.getAttribute(MigrationFilter.SESSION_STYTCH_USER_ID);
        String ctx = esc(request.getContextPath());

        StringBuilder main = new StringBuilder();
        main.append("<h1>Hello, ").append(esc(u.displayName())).append("</h1>\n");
        if (request.getParameter("totp") != null && u.mfaReenrolledAt() != null) {
            main.append(Html.alert("info", "Your authenticator app is set up with Stytch."));
        }
        if (outcome != null) {
            main.append("<section aria-labelledby=\"login-h\"><h2 id=\"login-h\">This login</h2>\n")
                    .append("<p>Outcome: <strong class=\"outcome\" id=\"outcome\">").append(esc(outcome)).append("</strong></p>\n")
                    .append("<p>").append(esc(OUTCOMES.getOrDefault(outcome, ""))).append("</p>\n")
                    .append("<p>Stytch user id: <code id=\"stytch-user-id\">").append(esc(stytchUserId)).append("</code></p>\n")
                    .append("<p>Signed in through: <strong id=\"login-source\">").append(esc(SOURCES.getOrDefault(
                            String.valueOf(source), String.valueOf(source)))).append("</strong></p></section>\n");
        }
        if (u.needsTotpReenrollment()) {
            main.append(Html.alert("warn", "Your old account used an authenticator app. <a href=\"" + ctx
                    + "/mfa/totp\">Set it up again</a> to keep your second factor."));
        }
        main.append("<section aria-labelledby=\"row-h\"><h2 id=\"row-h\">Your row in our users table</h2>\n")
                .append("<table class=\"kv\" id=\"user-row\"><tbody>\n");
        row(main, "id", u.id());
        row(main, "email", u.email());
        row(main, "phone", u.phone());
        row(main, "display_name", u.displayName());
        row(main, "origin", u.origin());
        row(main, "created_at", when(u.createdAt()));
        row(main, "stytch_user_id", u.stytchUserId());
        row(main, "legacy_totp", u.legacyTotp());
        row(main, "mfa_reenrolled_at", when(u.mfaReenrolledAt()));
        main.append("</tbody></table></section>\n");
        main.append("<p><a href=\"").append(ctx).append("/migration\">See how the migration is going</a></p>\n");
        Html.send(request, response, 200, "Your account", main.toString());
    }

    private static void row(StringBuilder out, String name, Object value) {
        out.append("<tr><th scope=\"row\">").append(esc(name)).append("</th><td data-column=\"").append(esc(name))
                .append("\">").append(value == null ? "<span class=\"null\">null</span>" : esc(value)).append("</td></tr>\n");
    }

    static String when(OffsetDateTime t) {
        return t == null ? null : WHEN.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }
}
