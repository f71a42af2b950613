package io.github.stytchmigration.testing;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import java.io.IOException;

/**
 * The legacy app behind the filter, as {@code key=value} lines ({@link Browser#field}).
 * <ul>
 * <li>{@code /start} opens a session before login, with a {@code cart} attribute that must survive the
 * session rotation: {@code session=ID};
 * <li>{@code /pkce/TYPE} starts a PKCE flow of that token type as an app does: keeps Stytch's test
 * verifier in the session where the filter looks for that flow's verifier, and prints its {@code challenge=};
 * <li>{@code /stytch-session}, with a session: the Stytch session token and JWT the filter kept
 * ({@code sessionToken=}, {@code sessionJwt=}), so that a test can search the logs for them;
 * <li>{@code /app-login}, a POST with {@code credential}: the app's own backend handing a Stytch session
 * token or JWT to {@code MigrationLogin.login}; then the lines below, or on failure the error's status and
 * {@code error=CODE}, {@code retryAfter=SECONDS};
 * <li>any other path: {@code path}, {@code outcome}, {@code userId}, {@code stytchUserId} from the request,
 * and with a session {@code sessionUserId}, {@code cart}, {@code hasStytchSession}, {@code loginSource},
 * {@code stytchSessionId}. Without a session those lines are absent (a field reads as null, not as the
 * text "null").
 * </ul>
 *
 * <p>Attribute names are literals, not {@code MigrationFilter} constants, so that this class (loaded
 * from the test class path) never links to a {@code MigrationFilter} of another class loader, such as
 * one in a webapp's own WEB-INF/lib; {@code MigrationLogin} is reached by reflection through the class
 * loader of the filter registered in the ServletContext, for the same reason.
 */
public class AppServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** Stytch's PKCE test vector: the verifier and its S256 challenge. */
    public static final String PKCE_TEST_VERIFIER = "00000000000000000000000000000000";
    public static final String PKCE_TEST_CHALLENGE = "hODA6vqpWjTCk_J4rFLkXOU3urXnUqAOaVmhOuEDtlo";

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain;charset=UTF-8");
        String path = req.getServletPath();
        if (path.endsWith("/start")) {
            HttpSession session = req.getSession(true);
            session.setAttribute("cart", "kept-across-login");
            resp.getWriter().print("session=" + session.getId() + "\n");
            return;
        }
        if (path.startsWith("/pkce/")) {
            String type = path.substring("/pkce/".length());
            req.getSession(true).setAttribute("stytchMigration.pkceCodeVerifier." + type, PKCE_TEST_VERIFIER);
            resp.getWriter().print("challenge=" + PKCE_TEST_CHALLENGE + "\n");
            return;
        }
        if (path.endsWith("/app-login") && !appLogin(req, resp)) {
            return;
        }
        HttpSession session = req.getSession(false);
        if (path.endsWith("/stytch-session") && session != null) {
            resp.getWriter().print("sessionToken=" + session.getAttribute("stytchMigration.stytchSessionToken")
                    + "\nsessionJwt=" + session.getAttribute("stytchMigration.stytchSessionJwt") + "\n");
            return;
        }
        StringBuilder out = new StringBuilder();
        out.append("path=").append(path).append('\n');
        out.append("outcome=").append(req.getAttribute("stytchMigration.outcome")).append('\n');
        out.append("userId=").append(req.getAttribute("stytchMigration.userId")).append('\n');
        out.append("stytchUserId=").append(req.getAttribute("stytchMigration.stytchUserId")).append('\n');
        if (session != null) {
            out.append("sessionUserId=").append(session.getAttribute("stytchMigration.userId")).append('\n');
            out.append("cart=").append(session.getAttribute("cart")).append('\n');
            Object token = session.getAttribute("stytchMigration.stytchSessionToken");
            out.append("hasStytchSession=").append(token instanceof String s && !s.isEmpty()).append('\n');
            out.append("loginSource=").append(session.getAttribute("stytchMigration.loginSource")).append('\n');
            out.append("stytchSessionId=").append(session.getAttribute("stytchMigration.stytchSessionId")).append('\n');
        }
        resp.getWriter().print(out);
    }

    // MigrationLogin.login(req, resp, credential); false when it failed and the failure was answered
    private static boolean appLogin(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Object filter = req.getServletContext().getAttribute("io.github.stytchmigration.MigrationFilter");
        if (filter == null) {
            resp.sendError(500, "no MigrationFilter registered");
            return false;
        }
        try {
            Class<?> api = Class.forName("io.github.stytchmigration.MigrationLogin", true, filter.getClass().getClassLoader());
            api.getMethod("login", HttpServletRequest.class, HttpServletResponse.class, String.class)
                    .invoke(null, req, resp, req.getParameter("credential"));
            return true;
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable failure = e.getCause();
            try {
                Object code = failure.getClass().getMethod("errorCode").invoke(failure);
                resp.setStatus((int) code.getClass().getMethod("status").invoke(code));
                resp.setContentType("text/plain;charset=UTF-8");
                resp.getWriter().print("error=" + code.getClass().getMethod("code").invoke(code) + "\nretryAfter="
                        + failure.getClass().getMethod("retryAfterSeconds").invoke(failure) + "\n");
                return false;
            } catch (ReflectiveOperationException notALoginFailure) {
                throw new IOException(failure);
            }
        } catch (ReflectiveOperationException e) {
            throw new IOException(e);
        }
    }
}
