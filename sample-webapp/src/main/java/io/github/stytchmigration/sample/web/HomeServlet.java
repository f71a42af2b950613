package io.github.stytchmigration.sample.web;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The context root: to the account page when logged in, else to the login page. MigrationFilter's
 * {@code logoutPath} (the {@code /spa} page's logout) ends its 303 here, having ended the session: a browser
 * that still names a session the server no longer has gets the login page's "You are logged out", as after
 * the header's logout. (So does one whose session timed out, which is just as true.)
 */
public final class HomeServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        if (SampleApp.currentUserId(request) != null) {
            Html.seeOther(request, response, "/account");
        } else if (request.getRequestedSessionId() != null && !request.isRequestedSessionIdValid()) {
            Html.seeOther(request, response, "/login?logged_out=1");
        } else {
            Html.seeOther(request, response, "/login");
        }
    }
}
