package io.github.stytchmigration;

import io.github.stytchmigration.internal.CallbackLogic;
import io.github.stytchmigration.internal.CallbackRequest;
import io.github.stytchmigration.internal.CallbackResult;
import io.github.stytchmigration.internal.Components;
import io.github.stytchmigration.internal.Logins;
import io.github.stytchmigration.internal.MetricsJmx;
import io.github.stytchmigration.internal.MigrationMetrics;
import io.github.stytchmigration.internal.jwt.SessionJwtVerifier;
import io.github.stytchmigration.internal.jwt.StytchUrls;
import io.github.stytchmigration.internal.session.HttpSessionLogin;
import io.github.stytchmigration.internal.session.SessionLogic;
import io.github.stytchmigration.internal.session.SessionRequest;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.ObjectName;
import java.io.IOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Migrates users to Stytch one login at a time. Declared in {@code web.xml} (public no-arg
 * constructor, init-params) or built in code with {@link #MigrationFilter(MigrationConfig)}.
 *
 * <p>On a request to a callback path carrying {@code stytch_token_type} and {@code token}, it
 * authenticates the token with Stytch, links or creates the app's own user, stores the internal id in
 * the HttpSession, rotates the session id, then passes the request on (or redirects to
 * {@code successUrl}). With {@code sessionSources}, a request carrying a Stytch session made elsewhere
 * (the frontend SDK's cookies, a Bearer JWT) logs in the same way on its first request and passes on;
 * the app's own backend logins go through {@link MigrationLogin}. Without {@code sessionSources}, every
 * other request costs one set lookup and {@code chain.doFilter}.
 *
 * <p>Each instance publishes its metrics as an MBean, {@code io.github.stytchmigration:type=MigrationFilter,
 * context=<context path>,name=<filter name>}, from init to destroy; {@link MigrationMeterBinder} binds them to a
 * Micrometer registry.
 *
 * <p>WARNING: map this filter before any filter that requires a logged-in user, and on
 * {@code REQUEST} dispatch only; with {@code sessionSources}, map it to every path that needs the
 * login ({@code /*}). The Stytch user id column must carry a UNIQUE index: init fails without one,
 * printing the DDL to run.
 */
public class MigrationFilter implements Filter {
    /** Request attribute: {@code CREATED}, {@code LINKED} or {@code ALREADY_LINKED}. */
    public static final String ATTR_OUTCOME = "stytchMigration.outcome";
    /** Request attribute: the internal user id, as a String. */
    public static final String ATTR_USER_ID = "stytchMigration.userId";
    /** Request attribute: the Stytch user id. */
    public static final String ATTR_STYTCH_USER_ID = "stytchMigration.stytchUserId";
    /** Session attribute: the Stytch user id of the logged-in user. */
    public static final String SESSION_STYTCH_USER_ID = "stytchMigration.stytchUserId";
    /** Session attribute: the opaque Stytch session token. Server-side only: never render or log it. */
    public static final String SESSION_STYTCH_SESSION_TOKEN = "stytchMigration.stytchSessionToken";
    /** Session attribute: the Stytch session JWT. Server-side only: never render or log it. */
    public static final String SESSION_STYTCH_SESSION_JWT = "stytchMigration.stytchSessionJwt";
    /** Session attribute: the id of the Stytch session the login came from (not a secret: it cannot log in). */
    public static final String SESSION_STYTCH_SESSION_ID = "stytchMigration.stytchSessionId";
    /**
     * Session attribute: how the login came: {@code callback}, {@code cookie}, {@code bearer} or {@code app}.
     * A {@code cookie} or {@code bearer} login ends with the Stytch session behind it.
     */
    public static final String SESSION_LOGIN_SOURCE = "stytchMigration.loginSource";
    /**
     * ServletContext attribute under which an initialised filter registers itself, for
     * {@link MigrationLogin}. The first filter of a web application to initialise holds it.
     */
    public static final String CONTEXT_ATTRIBUTE = MigrationFilter.class.getName();
    /**
     * Prefix of the session attributes where an app that starts a PKCE flow itself keeps the code
     * verifier, one per flow: see {@link #pkceCodeVerifierAttribute(String)}.
     */
    public static final String SESSION_PKCE_CODE_VERIFIER_PREFIX = "stytchMigration.pkceCodeVerifier.";

    /**
     * Session attribute of a login that waits for its second factor ({@code secondFactorCondition}): the
     * internal user id, kept apart from {@code sessionUserIdAttribute} until the app calls
     * {@link #completeSecondFactor(HttpServletRequest)}.
     */
    public static final String SESSION_PENDING_USER_ID = "stytchMigration.pendingUserId";
    /** Request attribute: {@code "true"} when the login waits for its second factor. */
    public static final String ATTR_SECOND_FACTOR_REQUIRED = "stytchMigration.secondFactorRequired";
    // where completeSecondFactor puts the pending id: the filter's sessionUserIdAttribute
    static final String SESSION_PENDING_USER_ID_ATTRIBUTE = "stytchMigration.pendingUserIdAttribute";
    // the pending login's outcome, for the request attributes completeSecondFactor sets
    static final String SESSION_PENDING_OUTCOME = "stytchMigration.pendingOutcome";

    private static final Logger LOG = LoggerFactory.getLogger(MigrationFilter.class);

    /**
     * For the app's second-factor page, once the user proved the factor: turns the pending login
     * ({@link #SESSION_PENDING_USER_ID}) into a full one under the filter's {@code sessionUserIdAttribute},
     * and rotates the session id. Like a login the filter completes itself, it sets the request
     * attributes {@link #ATTR_OUTCOME} (the pending login's outcome), {@link #ATTR_USER_ID} and
     * {@link #ATTR_STYTCH_USER_ID} on this request. Returns the internal user id, or null when no login
     * was pending.
     */
    public static String completeSecondFactor(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session == null) {
            return null;
        }
        Object userId = session.getAttribute(SESSION_PENDING_USER_ID);
        Object attribute = session.getAttribute(SESSION_PENDING_USER_ID_ATTRIBUTE);
        if (!(userId instanceof String) || !(attribute instanceof String)) {
            return null;
        }
        // a new id for the new privilege level, as at any login
        request.changeSessionId();
        session = request.getSession(false);
        Object outcome = session.getAttribute(SESSION_PENDING_OUTCOME);
        session.removeAttribute(SESSION_PENDING_USER_ID);
        session.removeAttribute(SESSION_PENDING_USER_ID_ATTRIBUTE);
        session.removeAttribute(SESSION_PENDING_OUTCOME);
        session.setAttribute((String) attribute, userId);
        if (outcome instanceof String) {
            request.setAttribute(ATTR_OUTCOME, outcome);
        }
        request.setAttribute(ATTR_USER_ID, userId);
        request.setAttribute(ATTR_STYTCH_USER_ID, session.getAttribute(SESSION_STYTCH_USER_ID));
        return (String) userId;
    }

    /**
     * The session attribute of the PKCE code verifier of one flow, e.g.
     * {@code stytchMigration.pkceCodeVerifier.magic_links} or {@code …oauth}. The filter sends it only
     * with a callback of that token type, and removes it once the flow is over (logged in, or the
     * token spent or refused), so an abandoned flow of one kind never breaks the other.
     *
     * @param tokenType {@code magic_links} or {@code oauth}
     */
    public static String pkceCodeVerifierAttribute(String tokenType) {
        return SESSION_PKCE_CODE_VERIFIER_PREFIX + tokenType;
    }

    private final MigrationConfig programmaticConfig;
    private volatile Components components;
    private volatile CallbackLogic logic;
    private volatile Responder responder;
    private volatile Set<String> callbackPaths = Set.of();
    private volatile String sessionUserIdAttribute;
    private volatile SessionLogic sessions;
    private volatile SessionRequests sessionRequests;
    private volatile SessionRequests logoutRequests;
    private volatile boolean sessionSources;
    private volatile String logoutPath;
    private volatile ServletContext registeredIn;
    private final MigrationMetrics metrics = new MigrationMetrics();
    private volatile String filterName;
    private volatile ObjectName mbeanName;

    /** For web.xml: the configuration comes from init-params. */
    public MigrationFilter() {
        this.programmaticConfig = null;
    }

    /** For code (embedded Jetty, Spring Boot): init-params are then not allowed. */
    public MigrationFilter(MigrationConfig config) {
        this.programmaticConfig = Objects.requireNonNull(config, "config");
    }

    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        String name = filterConfig.getFilterName();
        MigrationConfig config;
        Components parts;
        try {
            config = programmaticConfig != null ? checkNoInitParams(filterConfig) : fromInitParams(filterConfig);
            parts = Components.create(config);
        } catch (RuntimeException e) {
            // messages name the param and never contain a secret; the cause of a config error adds nothing
            throw new ServletException("MigrationFilter [" + name + "]: " + e.getMessage(),
                    e instanceof IllegalArgumentException ? null : e);
        }
        this.components = parts;
        Logins logins = new Logins(config, parts.stytch(), parts.store(), metrics);
        this.logic = new CallbackLogic(config, parts.stytch(), logins);
        this.sessions = new SessionLogic(config, SessionJwtVerifier.create(config.stytchProjectId(),
                StytchUrls.apiBaseUrl(config.stytchProjectId(), config.stytchApiBaseUrl()), config.stytchTimeoutMillis(),
                config.sessionJwtMaxAgeSeconds()), parts.sessions(), logins, Clock.systemUTC());
        this.responder = new Responder(config);
        this.sessionRequests = new SessionRequests(config);
        this.logoutRequests = SessionRequests.forLogout(config);
        this.sessionUserIdAttribute = config.sessionUserIdAttribute();
        this.logoutPath = config.logoutPath();
        this.sessionSources = !config.sessionSources().isEmpty();
        this.callbackPaths = config.callbackPaths();
        register(filterConfig.getServletContext(), name);
        this.filterName = name;
        this.mbeanName = MetricsJmx.register(metrics, filterConfig.getServletContext() == null ? null
                : filterConfig.getServletContext().getContextPath(), name);
        LOG.info("MigrationFilter [{}] ready: {}", name, config);
    }

    // For MigrationLogin. A second filter in the same web application leaves the first one registered.
    private void register(ServletContext context, String name) {
        if (context == null) {
            return;
        }
        Object other = context.getAttribute(CONTEXT_ATTRIBUTE);
        if (other != null && other != this) {
            LOG.warn("MigrationFilter [{}]: another MigrationFilter of this web application already serves MigrationLogin",
                    name);
            return;
        }
        context.setAttribute(CONTEXT_ATTRIBUTE, this);
        registeredIn = context;
    }

    private MigrationConfig checkNoInitParams(FilterConfig filterConfig) {
        if (filterConfig.getInitParameterNames().hasMoreElements()) {
            throw new IllegalArgumentException("init-params are not allowed when the filter was built with a MigrationConfig");
        }
        return programmaticConfig;
    }

    private static MigrationConfig fromInitParams(FilterConfig filterConfig) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String name : Collections.list(filterConfig.getInitParameterNames())) {
            params.put(name, filterConfig.getInitParameter(name));
        }
        return MigrationConfig.fromInitParams(params);
    }

    /** Parse, decide, respond: every decision is in the logic, every servlet write in the responder. */
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest)) {
            chain.doFilter(req, res);
            return;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        String path = pathOf(request);
        if (callbackPaths.contains(path)) {
            CallbackRequest callback = parse(request, sessionUserIdAttribute);
            responder.respond(request, (HttpServletResponse) res, chain, callback, logic.handle(callback));
        } else if (path.equals(logoutPath)) {
            logout(request, (HttpServletResponse) res);
        } else if (sessionSources) {
            SessionRequest session = sessionRequests.parse(request);
            responder.respondSession(request, (HttpServletResponse) res, chain, sessions.handle(session));
        } else {
            chain.doFilter(req, res);
        }
    }

    private void logout(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!"POST".equals(request.getMethod())) {
            Responder.methodNotAllowed(response);
            return;
        }
        // browsers label a form another site made them POST; a missing header (old browsers, curl) is let through
        if ("cross-site".equals(request.getHeader("Sec-Fetch-Site"))) {
            Responder.crossSite(response);
            return;
        }
        SessionRequest credentials = logoutRequests.parse(request);
        sessions.logout(credentials.current(), credentials.jwt(), credentials.sessionToken());
        responder.loggedOut(request, response);
    }

    /**
     * {@link MigrationLogin#login}: the same login as a callback's, from a session the app's own backend
     * got from Stytch. Nothing is written when it fails.
     */
    MigrationResult loginForApp(HttpServletRequest request, HttpServletResponse response, String sessionTokenOrJwt)
            throws MigrationLoginException {
        SessionLogic logic = sessions;
        if (logic == null) {
            throw new IllegalStateException("MigrationFilter is not initialised");
        }
        CallbackResult result = logic.loginForApp(sessionTokenOrJwt, SessionRequests.current(request, sessionUserIdAttribute));
        if (!result.isSuccess()) {
            throw new MigrationLoginException(result.error(), result.retryAfterSeconds(), result.incidentId());
        }
        response.setHeader("Cache-Control", "no-store");
        responder.applyLogin(request, response, result, HttpSessionLogin.SOURCE_APP, -1);
        return result.result();
    }

    // Decoded and normalised by the container, so "/a/../authenticate" and "%2F" tricks cannot slip past.
    static String pathOf(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        if (pathInfo == null) {
            return servletPath;
        }
        // Hot path (benchmark): behind a servlet mapped to "/*" the servlet path is empty; take the path
        // info as is rather than build a new String on every request that is not a callback.
        return servletPath.isEmpty() ? pathInfo : servletPath + pathInfo;
    }

    /**
     * Reads what the logic needs without creating a session: every value of the two parameters, the
     * PKCE verifier kept for this flow, and who the HttpSession is logged in as.
     */
    static CallbackRequest parse(HttpServletRequest request, String sessionUserIdAttribute) {
        List<String> types;
        List<String> tokens;
        try {
            types = values(request.getParameterValues("stytch_token_type"));
            tokens = values(request.getParameterValues("token"));
        } catch (RuntimeException e) {
            // bad percent-encoding or charset: the container refused to parse the parameters
            types = List.of();
            tokens = List.of();
        }
        HttpSession session = request.getSession(false);
        if (session == null) {
            return new CallbackRequest(request.getMethod(), types, tokens, null);
        }
        String verifier = types.size() == 1 && MigrationConfig.SUPPORTED_TOKEN_TYPES.contains(types.get(0))
                ? string(session.getAttribute(pkceCodeVerifierAttribute(types.get(0)))) : null;
        Object userId = session.getAttribute(sessionUserIdAttribute);
        if (userId == null) {
            // a login still waiting for its second factor belongs to that user as much
            userId = session.getAttribute(SESSION_PENDING_USER_ID);
        }
        // only a Stytch session the filter created is revoked once replaced; one handed to it belongs to its holder
        Object source = session.getAttribute(SESSION_LOGIN_SOURCE);
        boolean owned = source == null || HttpSessionLogin.SOURCE_CALLBACK.equals(source);
        return new CallbackRequest(request.getMethod(), types, tokens, verifier,
                userId == null ? null : userId.toString(), owned ? string(session.getAttribute(SESSION_STYTCH_SESSION_TOKEN)) : null);
    }

    private static String string(Object value) {
        return value instanceof String && !((String) value).isEmpty() ? (String) value : null;
    }

    private static List<String> values(String[] values) {
        return values == null ? List.of() : Arrays.asList(values);
    }

    /** This instance's counters and timers, live; for {@link MigrationMeterBinder}. */
    MigrationMetrics metrics() {
        return metrics;
    }

    /** The filter name given at init; null before. */
    String filterName() {
        return filterName;
    }

    @Override
    public void destroy() {
        ServletContext context = registeredIn;
        registeredIn = null;
        if (context != null && context.getAttribute(CONTEXT_ATTRIBUTE) == this) {
            context.removeAttribute(CONTEXT_ATTRIBUTE);
        }
        ObjectName bean = mbeanName;
        mbeanName = null;
        MetricsJmx.unregister(bean);
        Components parts = components;
        components = null;
        if (parts != null) {
            parts.close();
        }
        LOG.info("MigrationFilter stopped");
    }
}
