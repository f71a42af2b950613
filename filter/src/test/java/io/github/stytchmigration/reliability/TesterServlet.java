package io.github.stytchmigration.reliability;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;

/**
 * The app behind the filter in reliability tests: {@code /start} opens a session; every other path
 * prints, as {@code key=value} lines, what the filter left in the request and the session.
 *
 * <p>Attribute names are literals, not {@code MigrationFilter} constants, so that this class (loaded
 * from the test class path) never links to a {@code MigrationFilter} of another class loader.
 */
public class TesterServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain;charset=UTF-8");
        if (req.getServletPath().endsWith("/start")) {
            HttpSession session = req.getSession(true);
            resp.getWriter().print("session=" + session.getId() + "\n");
            return;
        }
        HttpSession session = req.getSession(false);
        StringBuilder out = new StringBuilder();
        out.append("path=").append(req.getServletPath()).append('\n');
        out.append("outcome=").append(req.getAttribute("stytchMigration.outcome")).append('\n');
        out.append("userId=").append(req.getAttribute("stytchMigration.userId")).append('\n');
        out.append("stytchUserId=").append(req.getAttribute("stytchMigration.stytchUserId")).append('\n');
        out.append("sessionUserId=").append(session == null ? null : session.getAttribute("stytchMigration.userId")).append('\n');
        resp.getWriter().print(out);
    }
}
