package io.github.stytchmigration.sample.web;

import com.stytch.java.consumer.models.sessions.RevokeRequest;
import io.github.stytchmigration.MigrationFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code POST /logout}: ends the app session (or a login still waiting for its second factor) and, best effort, the Stytch session, and clears the frontend
 * SDK's session cookies so that a login made from them cannot come straight back. (The frontend-SDK-style
 * page logs out through the filter's own {@code logoutPath} instead, which does all of this too.)
 */
public final class LogoutServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(LogoutServlet.class.getName());

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession(false);
        if (session == null || !Csrf.valid(request)) {
            Html.seeOther(request, response, "/login");
            return;
        }
        // "Cancel login" on a login that waited for its second factor: the same clean-up, its own notice
        boolean cancelled = SampleApp.currentUserId(request) == null && SampleApp.loginPending(request);
        Object sessionId = session.getAttribute(MigrationFilter.SESSION_STYTCH_SESSION_ID);
        Object token = session.getAttribute(MigrationFilter.SESSION_STYTCH_SESSION_TOKEN);
        session.invalidate();
        for (String name : new String[] {FrontendStyleServlet.TOKEN_COOKIE, FrontendStyleServlet.JWT_COOKIE}) {
            response.addHeader("Set-Cookie", name + "=; Path=/; Max-Age=0; SameSite=Lax");
        }
        RevokeRequest revoke = sessionId instanceof String id && !id.isEmpty() ? new RevokeRequest(id, null, null)
                : token instanceof String t && !t.isEmpty() ? new RevokeRequest(null, t, null) : null;
        if (revoke != null) {
            try {
                StytchCalls.await(SampleApp.of(getServletContext()).stytch().getSessions().revokeCompletable(revoke));
            } catch (StytchCalls.Failure f) {
                // the app session is gone either way; the Stytch session expires on its own
                LOG.log(Level.INFO, "could not revoke the Stytch session: {0}", f.getMessage());
            }
        }
        Html.seeOther(request, response, cancelled ? "/login?cancelled=1" : "/login?logged_out=1");
    }
}
