package io.github.stytchmigration.e2e;

import io.github.stytchmigration.MigrationFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;

/**
 * The "legacy app" behind the filter in end-to-end tests: {@code /start} opens a session before
 * login; every other path prints what the filter left in the request and the session.
 */
public class ShowLoginServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain;charset=UTF-8");
        if (req.getServletPath().endsWith("/start")) {
            HttpSession session = req.getSession(true);
            session.setAttribute("cart", "kept-across-login");
            resp.getWriter().print("session=" + session.getId());
            return;
        }
        HttpSession session = req.getSession(false);
        if (req.getServletPath().endsWith("/stytch-session") && session != null) {
            // test-only: lets the test search the logs for the Stytch session the filter kept
            resp.getWriter().print("sessionToken=" + session.getAttribute(MigrationFilter.SESSION_STYTCH_SESSION_TOKEN)
                    + "\nsessionJwt=" + session.getAttribute(MigrationFilter.SESSION_STYTCH_SESSION_JWT) + "\n");
            return;
        }
        StringBuilder out = new StringBuilder();
        out.append("path=").append(req.getServletPath()).append('\n');
        out.append("outcome=").append(req.getAttribute(MigrationFilter.ATTR_OUTCOME)).append('\n');
        out.append("userId=").append(req.getAttribute(MigrationFilter.ATTR_USER_ID)).append('\n');
        out.append("stytchUserId=").append(req.getAttribute(MigrationFilter.ATTR_STYTCH_USER_ID)).append('\n');
        if (session != null) {
            out.append("sessionUserId=").append(session.getAttribute("stytchMigration.userId")).append('\n');
            out.append("cart=").append(session.getAttribute("cart")).append('\n');
            Object token = session.getAttribute(MigrationFilter.SESSION_STYTCH_SESSION_TOKEN);
            out.append("hasStytchSession=").append(token instanceof String && !((String) token).isEmpty()).append('\n');
        }
        resp.getWriter().print(out);
    }
}
