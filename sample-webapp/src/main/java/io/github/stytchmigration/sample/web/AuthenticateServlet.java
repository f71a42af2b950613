package io.github.stytchmigration.sample.web;

import io.github.stytchmigration.MigrationFilter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Optional;

/**
 * {@code /authenticate}, behind MigrationFilter: by the time a request gets here the filter has
 * authenticated the Stytch token, linked or created the user and logged them in. This page only
 * remembers the outcome and sends the browser on with a 303, so the one-time token leaves the
 * address bar: to TOTP re-enrollment when the legacy account had TOTP, else to the account page.
 * (With the sample's {@code secondFactorCondition} such a login never gets here: the filter sends it to
 * {@link SecondFactorServlet} first; the branch stays for a web.xml without it.)
 */
public final class AuthenticateServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Object outcome = request.getAttribute(MigrationFilter.ATTR_OUTCOME);
        Long userId = SampleApp.currentUserId(request);
        if (outcome == null || userId == null) {
            // not through the filter (it answers every callback itself): nothing to do here
            Html.seeOther(request, response, "/login");
            return;
        }
        request.getSession().setAttribute(SampleApp.SESSION_OUTCOME, outcome.toString());
        Pkce.end(request.getSession()); // logged in: links asked for before this no longer log in here
        Optional<Users.User> user;
        try {
            user = SampleApp.of(getServletContext()).users().find(userId);
        } catch (SQLException e) {
            throw new ServletException("could not read user " + userId, e);
        }
        boolean totp = user.map(Users.User::needsTotpReenrollment).orElse(false);
        Html.seeOther(request, response, totp ? "/mfa/totp" : "/account");
    }
}
