package io.github.stytchmigration.bench;

import com.stytch.java.common.OptionalClientConfig;
import com.stytch.java.common.StytchResult;
import com.stytch.java.consumer.StytchClient;
import com.stytch.java.consumer.models.magiclinks.AuthenticateRequest;
import com.stytch.java.consumer.models.magiclinks.AuthenticateResponse;
import io.github.stytchmigration.MigrationFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import javax.sql.DataSource;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.concurrent.TimeUnit;

/** The servlets of the benchmark apps. */
final class BenchServlets {
    private BenchServlets() {
    }

    static void write(HttpServletResponse res, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        res.setStatus(status);
        res.setContentType("text/plain;charset=utf-8");
        res.setContentLength(bytes.length);
        res.getOutputStream().write(bytes);
    }

    /** The trivial app page behind both pass-through contexts. */
    static final class Hello extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            write(res, 200, "ok\n");
        }
    }

    /**
     * The app behind the filter: answers the outcome the filter set. It then ends the session, as if the
     * user logged out at once, so Jetty's session store stays flat over 100 000 logins and the heap
     * figures show the filter, not the container's sessions.
     */
    static final class App extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            Object outcome = req.getAttribute(MigrationFilter.ATTR_OUTCOME);
            HttpSession session = req.getSession(false);
            if (session != null) {
                session.invalidate();
            }
            write(res, 200, outcome == null ? "ok\n" : outcome + "\n");
        }
    }

    /**
     * The floor: what a hand-written callback cannot avoid. One SDK magic-link authenticate call (bounded
     * by the same timeout, the SDK's OkHttp per-host limit lifted the same way) and one
     * {@code INSERT … ON CONFLICT DO NOTHING} on the same table through a pool of the same size.
     */
    static final class Floor extends HttpServlet {
        private static final long serialVersionUID = 1L;
        static final String INSERT = "INSERT INTO users (email, stytch_user_id) VALUES (?, ?) ON CONFLICT (stytch_user_id) DO NOTHING";

        private final transient StytchClient client;
        private final transient DataSource dataSource;
        private final long timeoutMillis;

        Floor(String baseUrl, String projectId, String secret, DataSource dataSource, long timeoutMillis) {
            this.client = new StytchClient(projectId, secret, new OptionalClientConfig(baseUrl));
            raisePerHostLimit(client, 64);
            this.dataSource = dataSource;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            String token = req.getParameter("token");
            if (token == null) {
                write(res, 400, "invalid_request\n");
                return;
            }
            AuthenticateRequest request = new AuthenticateRequest(token, null, null, null, 60, null,
                    Collections.emptyMap(), null, null);
            StytchResult<AuthenticateResponse> result;
            try {
                result = client.getMagicLinks().authenticateCompletable(request).get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                write(res, 503, "stytch_unavailable\n");
                return;
            }
            if (!(result instanceof StytchResult.Success)) {
                write(res, 401, "invalid_token\n");
                return;
            }
            AuthenticateResponse auth = ((StytchResult.Success<AuthenticateResponse>) result).getValue();
            String email = auth.getUser().getEmails().isEmpty() ? null : auth.getUser().getEmails().get(0).getEmail();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
                ps.setQueryTimeout(5);
                ps.setString(1, email);
                ps.setString(2, auth.getUserId());
                ps.executeUpdate();
            } catch (SQLException e) {
                write(res, 503, "database_unavailable\n");
                return;
            }
            write(res, 200, "ok\n");
        }

        @Override
        public void destroy() {
            client.close();
        }

        /** The same reflection as the filter's OkHttpConcurrency (package-private there). */
        private static void raisePerHostLimit(StytchClient client, int limit) {
            try {
                Field field = StytchClient.class.getDeclaredField("httpClient");
                field.setAccessible(true);
                Object sdkHttpClient = field.get(client);
                Field okHttp = sdkHttpClient.getClass().getDeclaredField("client");
                okHttp.setAccessible(true);
                Object okHttpClient = okHttp.get(sdkHttpClient);
                Method dispatcherMethod = okHttpClient.getClass().getMethod("dispatcher");
                Object dispatcher = dispatcherMethod.invoke(okHttpClient);
                dispatcher.getClass().getMethod("setMaxRequests", int.class).invoke(dispatcher, limit);
                dispatcher.getClass().getMethod("setMaxRequestsPerHost", int.class).invoke(dispatcher, limit);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot raise the SDK's OkHttp per-host limit", e);
            }
        }
    }
}
