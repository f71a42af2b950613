package io.github.stytchmigration.sample.web;

import com.stytch.java.common.OptionalClientConfig;
import com.stytch.java.consumer.StytchClient;
import io.github.stytchmigration.MigrationConfig;
import io.github.stytchmigration.MigrationFilter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.logging.Logger;

/**
 * Starts the app: reads its settings, looks up the container's DataSource, creates and seeds the
 * {@code users} table when missing (before MigrationFilter's init checks it), and opens the app's own
 * Stytch client (for login_or_create, TOTP and session revocation). Declared in web.xml.
 */
public final class SampleApp implements ServletContextListener {
    private static final String ATTRIBUTE = SampleApp.class.getName();
    private static final Logger LOG = Logger.getLogger(SampleApp.class.getName());

    /** Session attribute: the outcome of the last login (CREATED, LINKED, ALREADY_LINKED). */
    static final String SESSION_OUTCOME = "sample.outcome";

    private Settings settings;
    private Users users;
    private StytchClient stytch;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        settings = Settings.from(context);
        DataSource dataSource;
        try {
            dataSource = (DataSource) new InitialContext().lookup(settings.dataSourceJndiName());
        } catch (NamingException e) {
            throw new IllegalStateException("no DataSource at " + settings.dataSourceJndiName(), e);
        }
        try {
            int seeded = Schema.createAndSeed(dataSource);
            if (seeded > 0) {
                LOG.info("created the users table and seeded " + seeded + " legacy users");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the users table: " + e.getMessage(), e);
        }
        users = new Users(dataSource);
        stytch = settings.apiBaseUrl() == null
                ? new StytchClient(settings.projectId(), settings.secret())
                : new StytchClient(settings.projectId(), settings.secret(), new OptionalClientConfig(settings.apiBaseUrl()));
        context.setAttribute(ATTRIBUTE, this);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        event.getServletContext().removeAttribute(ATTRIBUTE);
        if (stytch != null) {
            stytch.close();
        }
    }

    static SampleApp of(ServletContext context) {
        return (SampleApp) context.getAttribute(ATTRIBUTE);
    }

    Settings settings() {
        return settings;
    }

    Users users() {
        return users;
    }

    StytchClient stytch() {
        return stytch;
    }

    /** The internal user id MigrationFilter put in the session, or null when nobody is logged in. */
    static Long currentUserId(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        Object id = session == null ? null : session.getAttribute(MigrationConfig.SESSION_USER_ID_ATTRIBUTE.defaultValue());
        if (id == null) {
            return null;
        }
        try {
            return Long.valueOf(id.toString());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** True while a login waits for its second factor in this session ({@link SecondFactorServlet}). */
    static boolean loginPending(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session != null && session.getAttribute(MigrationFilter.SESSION_PENDING_USER_ID) != null;
    }

    /** This app's absolute URL for a path: the configured base URL, else the one the browser used. */
    String absoluteUrl(HttpServletRequest request, String path) {
        if (settings.appBaseUrl() != null) {
            return settings.appBaseUrl() + path;
        }
        StringBuilder url = new StringBuilder(request.getScheme()).append("://").append(request.getServerName());
        int port = request.getServerPort();
        boolean defaultPort = ("http".equals(request.getScheme()) && port == 80)
                || ("https".equals(request.getScheme()) && port == 443);
        if (!defaultPort) {
            url.append(':').append(port);
        }
        return url.append(request.getContextPath()).append(path).toString();
    }
}
