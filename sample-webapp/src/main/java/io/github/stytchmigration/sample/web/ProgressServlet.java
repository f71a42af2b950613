package io.github.stytchmigration.sample.web;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static io.github.stytchmigration.sample.web.Html.esc;

/**
 * {@code /migration}: how far the rolling migration has come, from the filter's own {@code MigrationReport}.
 * Logged-in users only (a real app would ask for its admin role too).
 */
public final class ProgressServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        if (SampleApp.currentUserId(request) == null) {
            Html.seeOther(request, response, "/login");
            return;
        }
        Users.Progress p;
        List<Users.User> all;
        try {
            SampleApp app = SampleApp.of(getServletContext());
            Users users = app.users();
            p = users.progress(app.settings());
            all = users.all();
        } catch (SQLException e) {
            throw new ServletException("could not read the users table", e);
        }
        long legacy = p.linked() + p.notMigrated();
        long percent = legacy == 0 ? 100 : Math.round(100.0 * p.linked() / legacy);
        StringBuilder main = new StringBuilder();
        main.append("<h1>Migration progress</h1>\n")
                .append("<p>Every login moves one more person to Stytch. Nobody was imported up front.</p>\n")
                .append("<dl class=\"stats\">\n")
                .append(stat("linked", "Legacy users linked to Stytch", p.linked()))
                .append(stat("created", "New users created at first login", p.created()))
                .append(stat("not-migrated", "Not yet migrated", p.notMigrated()))
                .append(stat("mfa-pending", "Still to re-enroll TOTP", p.mfaPending()))
                .append("</dl>\n")
                .append("<p><label for=\"progress\">Legacy users migrated: ").append(percent).append("%</label>\n")
                .append("<progress id=\"progress\" max=\"").append(Math.max(legacy, 1)).append("\" value=\"")
                .append(p.linked()).append("\">").append(percent).append("%</progress></p>\n")
                .append("<details><summary>The filter's progress report</summary><pre id=\"report\">")
                .append(esc(p.report())).append("</pre></details>\n")
                // narrow screens scroll the table inside its box; wide ones wrap long values in their cells
                .append("<div class=\"table-scroll\">\n<table class=\"users\" id=\"users\">\n<caption>All ").append(p.total()).append(" users</caption>\n")
                .append("<thead><tr><th scope=\"col\">id</th><th scope=\"col\">Name</th><th scope=\"col\">Email</th>"
                        + "<th scope=\"col\">Phone</th><th scope=\"col\">Origin</th><th scope=\"col\">Status</th>"
                        + "<th scope=\"col\">TOTP</th><th scope=\"col\">Created</th></tr></thead>\n<tbody>\n");
        for (Users.User u : all) {
            String totp = !u.legacyTotp() ? "" : u.mfaReenrolledAt() != null ? "re-enrolled" : "to re-enroll";
            // short values stay on one line (class "nowrap"); names and addresses wrap inside their cells
            main.append("<tr><td class=\"nowrap\">").append(u.id()).append("</td><td>").append(esc(u.displayName()))
                    .append("</td><td>").append(esc(u.email())).append("</td><td class=\"nowrap\">").append(esc(u.phone()))
                    .append("</td><td class=\"nowrap\">").append(esc(u.origin())).append("</td><td>").append(esc(u.status()))
                    .append("</td><td class=\"nowrap\">").append(esc(totp)).append("</td><td class=\"nowrap\">")
                    .append(created(u.createdAt())).append("</td></tr>\n");
        }
        main.append("</tbody></table>\n</div>\n");
        Html.send(request, response, 200, "Migration progress", main.toString());
    }

    /** The day only, so that the column stays narrow; the minute is in its tooltip and on the account page. */
    private static String created(OffsetDateTime at) {
        if (at == null) {
            return "";
        }
        OffsetDateTime utc = at.withOffsetSameInstant(ZoneOffset.UTC);
        return "<time datetime=\"" + utc.toInstant() + "\" title=\"" + esc(AccountServlet.when(at)) + "\">"
                + utc.toLocalDate() + "</time>";
    }

    private static String stat(String id, String label, long value) {
        return "<div><dt>" + esc(label) + "</dt><dd id=\"count-" + id + "\">" + value + "</dd></div>\n";
    }
}
