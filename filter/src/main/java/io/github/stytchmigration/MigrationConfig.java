package io.github.stytchmigration;

import io.github.stytchmigration.internal.Masking;
import io.github.stytchmigration.internal.Placeholders;
import io.github.stytchmigration.internal.jdbc.NamedParameterSql;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The filter's configuration: built once (from web.xml init-params or the {@link Builder}),
 * validated, then never mutated. Every validation failure names the param and the broken
 * condition, and never echoes a secret.
 *
 * <p>Each init-param is described once, as a {@link Param} row of this class (name, default, parser,
 * validator, secret flag, one-line doc). The known set, the parsing of init-params, the builder's
 * validation and the masked {@link #toString()} all derive from those rows; adding a param is the
 * row, its getter and its builder setter.
 */
public final class MigrationConfig {
    // The table. Rows register themselves in declaration order: TABLE must be declared first.
    private static final List<Param<?>> TABLE = new ArrayList<>();

    // An unquoted SQL identifier; PostgreSQL's limit is 63 bytes. Quoted identifiers are not supported.
    private static final Pattern SQL_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@/%-]*");
    private static final Pattern JNDI_NAME = Pattern.compile("[A-Za-z0-9_./:-]+");
    private static final Pattern PROJECT_ID = Pattern.compile("[A-Za-z0-9_-]{1,200}");
    // RFC 6265 cookie-name: an RFC 7230 token
    private static final Pattern COOKIE_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}");
    private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");

    /** The {@code stytch_token_type} values this filter knows how to authenticate. */
    public static final Set<String> SUPPORTED_TOKEN_TYPES =
            Collections.unmodifiableSet(new LinkedHashSet<>(List.of("magic_links", "oauth")));
    /** {@code sessionSources} value: the frontend SDK's session cookies. */
    public static final String SOURCE_COOKIE = "cookie";
    /** {@code sessionSources} value: {@code Authorization: Bearer <session JWT>}. */
    public static final String SOURCE_BEARER = "bearer";
    /** The {@code sessionSources} values this filter knows. */
    public static final Set<String> SUPPORTED_SESSION_SOURCES =
            Collections.unmodifiableSet(new LinkedHashSet<>(List.of(SOURCE_COOKIE, SOURCE_BEARER)));

    // --- the init-params (contract names) ---

    /** Required. Stytch project id. */
    public static final Param<String> STYTCH_PROJECT_ID = Param.text("stytchProjectId", null,
            "Stytch project id").required().check((p, v) -> matches(p, v, PROJECT_ID,
            "must look like project-test-<uuid> or project-live-<uuid>"));
    /** Required. Stytch secret; never logged. */
    public static final Param<String> STYTCH_SECRET = Param.text("stytchSecret", null,
            "Stytch secret").required().secret();
    /** Another API base URL (the emulator, a custom domain); default: by project id. */
    public static final Param<String> STYTCH_API_BASE_URL = Param.text("stytchApiBaseUrl", null,
            "another Stytch API base URL").check(MigrationConfig::baseUrl).display(Masking::url);
    /** Hard bound on each Stytch call; default 10000, 100..120000. */
    public static final Param<Long> STYTCH_TIMEOUT_MILLIS = Param.number("stytchTimeoutMillis", 10_000L, 100, 120_000,
            "hard bound on each Stytch call, ms");
    /** Context-relative exact path(s), comma-separated; default {@code /authenticate}. */
    public static final Param<Set<String>> CALLBACK_PATH = Param.list("callbackPath", "/authenticate",
            "callback path(s)").check(MigrationConfig::callbackPaths);
    /** Accepted {@code stytch_token_type} values; default {@code magic_links,oauth}. */
    public static final Param<Set<String>> TOKEN_TYPES = Param.list("tokenTypes", "magic_links,oauth",
            "accepted stytch_token_type values").check(MigrationConfig::tokenTypes);
    /** Stytch session length to request; default 60, 5..527040. */
    public static final Param<Long> SESSION_DURATION_MINUTES = Param.number("sessionDurationMinutes", 60L, 5, 527_040,
            "Stytch session length, minutes");
    /** The container's DataSource, e.g. {@code java:comp/env/jdbc/users}. */
    public static final Param<String> DATA_SOURCE_JNDI_NAME = Param.text("dataSourceJndiName", null,
            "container DataSource").check((p, v) -> matches(p, v, JNDI_NAME, "is not a JNDI name like java:comp/env/jdbc/users"));
    /** Or: the JDBC URL of a HikariCP pool owned by the filter. */
    public static final Param<String> JDBC_URL = Param.text("jdbcUrl", null,
            "JDBC URL of the filter's own pool").check(MigrationConfig::jdbcUrl).display(Masking::url);
    /** User of the filter's own pool. */
    public static final Param<String> JDBC_USERNAME = Param.text("jdbcUsername", null, "user of the filter's own pool");
    /** Password of the filter's own pool; never logged. */
    public static final Param<String> JDBC_PASSWORD = Param.text("jdbcPassword", null,
            "password of the filter's own pool").secret();
    /** Size of the filter's own pool; default 10, 1..1000. */
    public static final Param<Long> JDBC_MAXIMUM_POOL_SIZE = Param.number("jdbcMaximumPoolSize", 10L, 1, 1000,
            "size of the filter's own pool");
    /** Wait for a connection of the filter's own pool; default 3000, 250..60000. */
    public static final Param<Long> JDBC_CONNECTION_TIMEOUT_MILLIS = Param.number("jdbcConnectionTimeoutMillis",
            3_000L, 250, 60_000, "wait for a pooled connection, ms");
    /** The users table, may be schema-qualified; default {@code users}. */
    public static final Param<String> USER_TABLE = Param.text("userTable", "users", "users table")
            .check((p, v) -> identifier(p, v, true));
    /** Internal primary key column; default {@code id}. */
    public static final Param<String> USER_ID_COLUMN = Param.text("userIdColumn", "id", "primary key column")
            .check((p, v) -> identifier(p, v, false));
    /** Email column, matched case-insensitively; default {@code email}. */
    public static final Param<String> EMAIL_COLUMN = Param.text("emailColumn", "email", "email column")
            .check((p, v) -> identifier(p, v, false));
    /** E.164 phone column; phone matching is off without it. */
    public static final Param<String> PHONE_COLUMN = Param.text("phoneColumn", null, "phone column")
            .check((p, v) -> identifier(p, v, false));
    /** Column that receives the Stytch user id (UNIQUE index); default {@code stytch_user_id}. */
    public static final Param<String> STYTCH_USER_ID_COLUMN = Param.text("stytchUserIdColumn", "stytch_user_id",
            "Stytch user id column").check((p, v) -> identifier(p, v, false));
    /** INSERT template with named params; default: a generated INSERT. */
    public static final Param<String> CREATE_USER_SQL = Param.text("createUserSql", null, "INSERT template")
            .check(MigrationConfig::createUserSql).display(v -> "(custom)");
    /** A matched row linked to another Stytch user: {@code reject} (default) or {@code relink}. */
    public static final Param<ConflictPolicy> CONFLICT_POLICY = new Param<>("conflictPolicy", ConflictPolicy.REJECT,
            "reject or relink", MigrationConfig::conflictPolicy).display(ConflictPolicy::paramValue);
    /**
     * SQL boolean expression over the user table's columns (e.g. {@code status = 'active' AND deleted_at IS NULL});
     * a login whose row does not satisfy it is refused with {@code account_disabled}. Default: none.
     */
    public static final Param<String> ACTIVE_USER_CONDITION = Param.text("activeUserCondition", null,
            "SQL condition an active user's row satisfies").check(MigrationConfig::sqlCondition);
    /**
     * SQL boolean expression over the user table's columns that marks a row as needing a second factor
     * before its login counts (e.g. {@code legacy_totp}); requires {@code secondFactorUrl}. Default: none.
     */
    public static final Param<String> SECOND_FACTOR_CONDITION = Param.text("secondFactorCondition", null,
            "SQL condition of a row that needs a second factor").check(MigrationConfig::sqlCondition);
    /** Context-relative page where such a login goes, pending, to prove the second factor. */
    public static final Param<String> SECOND_FACTOR_URL = Param.text("secondFactorUrl", null,
            "where a login that needs a second factor goes").check(MigrationConfig::contextRelativeUrl);
    /** Context-relative redirect after success; default: pass the request on. */
    public static final Param<String> SUCCESS_URL = Param.text("successUrl", null, "redirect after success")
            .check(MigrationConfig::contextRelativeUrl);
    /** Context-relative redirect after failure ({@code ?error=code}); default: answer directly. */
    public static final Param<String> FAILURE_URL = Param.text("failureUrl", null, "redirect after failure")
            .check(MigrationConfig::contextRelativeUrl);
    /** HttpSession attribute of the internal user id; default {@code stytchMigration.userId}. */
    public static final Param<String> SESSION_USER_ID_ATTRIBUTE = Param.text("sessionUserIdAttribute",
            "stytchMigration.userId", "HttpSession attribute of the user id");
    /**
     * Callbacks in flight at once per filter; beyond that an immediate 503; default 64 (the Stytch calls
     * the filter runs at once), 1..10000.
     */
    public static final Param<Long> MAX_CONCURRENT_CALLBACKS = Param.number("maxConcurrentCallbacks", 64L, 1, 10_000,
            "callbacks in flight at once");
    /** Render a confirmation page on GET, spend the token only on its POST; default false. */
    public static final Param<Boolean> CONFIRM_PAGE = Param.bool("confirmPage", false, "confirmation page on GET");
    /** Also log in Stytch sessions made elsewhere: {@code cookie}, {@code bearer}; default none (callbacks only). */
    public static final Param<Set<String>> SESSION_SOURCES = Param.list("sessionSources", null,
            "session sources: cookie, bearer").check(MigrationConfig::sessionSources);
    /** Cookie that carries the session JWT; default {@code stytch_session_jwt}. */
    public static final Param<String> SESSION_JWT_COOKIE = Param.text("sessionJwtCookie", "stytch_session_jwt",
            "session JWT cookie").check(MigrationConfig::cookieName);
    /** Cookie that carries the opaque session token; default {@code stytch_session}. */
    public static final Param<String> SESSION_TOKEN_COOKIE = Param.text("sessionTokenCookie", "stytch_session",
            "session token cookie").check(MigrationConfig::cookieName);
    /** A session JWT older than this (by {@code iat}) is re-checked with Stytch; default 300, 1..3600. */
    public static final Param<Long> SESSION_JWT_MAX_AGE_SECONDS = Param.number("sessionJwtMaxAgeSeconds", 300L, 1, 3600,
            "trust a session JWT this long after iat, s");
    /** Write the refreshed JWT cookie HttpOnly (Stytch's HttpOnly cookie mode); default false. */
    public static final Param<Boolean> SESSION_JWT_COOKIE_HTTP_ONLY = Param.bool("sessionJwtCookieHttpOnly", false,
            "refreshed JWT cookie is HttpOnly");
    /** How long past sessionJwtMaxAgeSeconds a logged-in session survives a Stytch outage; default 300, 0..3600. */
    public static final Param<Long> SESSION_OUTAGE_GRACE_SECONDS = Param.number("sessionOutageGraceSeconds", 300L, 0, 3600,
            "keep a logged-in session this long while Stytch cannot re-check it, s");
    /** Context-relative path whose POST logs out (Stytch session, cookies, HttpSession); default none. */
    public static final Param<String> LOGOUT_PATH = Param.text("logoutPath", null, "logout path")
            .check(MigrationConfig::exactPath);

    /**
     * After a login, make the Stytch user's {@code external_id} equal to the internal user id ({@code users.update})
     * when it is not already: in the background, never failing the login; a failure is retried at the user's next
     * login. Default false.
     */
    public static final Param<Boolean> WRITE_EXTERNAL_ID = Param.bool("writeExternalId", false,
            "set the Stytch user's external_id to the internal id");
    /**
     * Link-or-create rule 1 with external ids: before matching by email or phone, link a Stytch user whose
     * {@code external_id} equals a row's internal id (users imported into Stytch ahead of time). Default false.
     */
    public static final Param<Boolean> LINK_BY_EXTERNAL_ID = Param.bool("linkByExternalId", false,
            "link the row whose id is the Stytch user's external_id first");
    /**
     * A {@link MigrationListener} by class name, made once at init through its public no-arg constructor and
     * loaded by the webapp's class loader (e.g. an audit trail). Default: none.
     */
    public static final Param<String> LISTENER_CLASS = Param.text("listenerClass", null,
            "MigrationListener class with a public no-arg constructor")
            .check((p, v) -> matches(p, v, CLASS_NAME, "is not a Java class name like com.example.AuditListener"));

    /** Every init-param the filter accepts, in table order; any other is fatal at init. */
    public static final Set<String> KNOWN_PARAMS;

    static {
        Set<String> names = new LinkedHashSet<>();
        for (Param<?> p : TABLE) {
            names.add(p.name);
        }
        KNOWN_PARAMS = Collections.unmodifiableSet(names);
    }

    private final Map<Param<?>, Object> values;
    private final DataSource dataSource;
    private final MigrationListener listener;

    private MigrationConfig(Builder b) {
        Map<Param<?>, Object> checked = new IdentityHashMap<>();
        for (Param<?> p : TABLE) {
            checked.put(p, p.validate(b.values.get(p)));
        }
        this.values = checked;
        this.dataSource = b.dataSource;
        if (b.listener != null && value(LISTENER_CLASS) != null) {
            throw new IllegalArgumentException(LISTENER_CLASS + " and a programmatic listener: set one of them");
        }
        checkCombinations();
        this.listener = b.listener != null ? b.listener
                : value(LISTENER_CLASS) != null ? newListener(value(LISTENER_CLASS)) : MigrationListener.NONE;
    }

    // Rules that span params; each single value was checked by its row.
    private void checkCombinations() {
        int sources = (value(DATA_SOURCE_JNDI_NAME) != null ? 1 : 0) + (value(JDBC_URL) != null ? 1 : 0)
                + (dataSource != null ? 1 : 0);
        if (sources != 1) {
            throw new IllegalArgumentException("exactly one of " + DATA_SOURCE_JNDI_NAME + " / " + JDBC_URL
                    + (dataSource != null || sources == 0 ? " / a programmatic DataSource" : "")
                    + " must be set, found " + sources);
        }
        if ((value(SECOND_FACTOR_CONDITION) == null) != (value(SECOND_FACTOR_URL) == null)) {
            throw new IllegalArgumentException(SECOND_FACTOR_CONDITION + " and " + SECOND_FACTOR_URL + " go together: set both or neither");
        }
        if (value(CONFIRM_PAGE) && value(SUCCESS_URL) == null) {
            // the page's POST would otherwise reach the app's callback servlet, which may implement GET only,
            // after the token was spent
            throw new IllegalArgumentException(CONFIRM_PAGE + "=true requires " + SUCCESS_URL
                    + " (where to send the browser after the confirming POST)");
        }
        if (value(LOGOUT_PATH) != null && value(CALLBACK_PATH).contains(value(LOGOUT_PATH))) {
            throw new IllegalArgumentException(LOGOUT_PATH + " [" + value(LOGOUT_PATH) + "] must differ from every "
                    + CALLBACK_PATH);
        }
        if (value(SESSION_JWT_COOKIE).equals(value(SESSION_TOKEN_COOKIE))) {
            throw new IllegalArgumentException(SESSION_JWT_COOKIE + " and " + SESSION_TOKEN_COOKIE + " must differ, both are ["
                    + value(SESSION_JWT_COOKIE) + "]");
        }
        if (value(JDBC_URL) == null) {
            for (Param<String> credential : List.of(JDBC_USERNAME, JDBC_PASSWORD)) {
                if (value(credential) != null) {
                    throw new IllegalArgumentException(credential + " requires " + JDBC_URL);
                }
            }
        }
    }

    /** A builder with every default of the contract. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds the config from init-params (web.xml), resolving {@code ${env:…}} / {@code ${sys:…}}
     * placeholders from the process environment and system properties.
     *
     * @throws IllegalArgumentException an unknown param, a missing essential or a bad value, naming the param
     */
    public static MigrationConfig fromInitParams(Map<String, String> params) {
        return fromInitParams(params, Placeholders.fromProcess());
    }

    static MigrationConfig fromInitParams(Map<String, String> params, Placeholders placeholders) {
        Map<String, Param<?>> byName = new LinkedHashMap<>();
        for (Param<?> p : TABLE) {
            byName.put(p.name, p);
        }
        Builder b = builder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            Param<?> param = byName.get(e.getKey());
            if (param == null) {
                throw new IllegalArgumentException("unknown init-param [" + e.getKey() + "]; known init-params are " + KNOWN_PARAMS);
            }
            b.parse(param, placeholders.resolve(param.name, e.getValue()));
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private <T> T value(Param<T> param) {
        return (T) values.get(param);
    }

    public String stytchProjectId() {
        return value(STYTCH_PROJECT_ID);
    }

    /** The Stytch secret. Never log it. */
    public String stytchSecret() {
        return value(STYTCH_SECRET);
    }

    /** Null: derive from the project id (test or live). No trailing slash. */
    public String stytchApiBaseUrl() {
        return value(STYTCH_API_BASE_URL);
    }

    public long stytchTimeoutMillis() {
        return value(STYTCH_TIMEOUT_MILLIS);
    }

    public Set<String> callbackPaths() {
        return value(CALLBACK_PATH);
    }

    public Set<String> tokenTypes() {
        return value(TOKEN_TYPES);
    }

    public int sessionDurationMinutes() {
        return value(SESSION_DURATION_MINUTES).intValue();
    }

    public String dataSourceJndiName() {
        return value(DATA_SOURCE_JNDI_NAME);
    }

    public String jdbcUrl() {
        return value(JDBC_URL);
    }

    public String jdbcUsername() {
        return value(JDBC_USERNAME);
    }

    /** Never log it. */
    public String jdbcPassword() {
        return value(JDBC_PASSWORD);
    }

    public int jdbcMaximumPoolSize() {
        return value(JDBC_MAXIMUM_POOL_SIZE).intValue();
    }

    public long jdbcConnectionTimeoutMillis() {
        return value(JDBC_CONNECTION_TIMEOUT_MILLIS);
    }

    /** A DataSource handed over programmatically (not closed by the filter), or null. */
    public DataSource dataSource() {
        return dataSource;
    }

    public String userTable() {
        return value(USER_TABLE);
    }

    public String userIdColumn() {
        return value(USER_ID_COLUMN);
    }

    public String emailColumn() {
        return value(EMAIL_COLUMN);
    }

    /** Null when phone matching is off. */
    public String phoneColumn() {
        return value(PHONE_COLUMN);
    }

    public String stytchUserIdColumn() {
        return value(STYTCH_USER_ID_COLUMN);
    }

    /** Null for the generated INSERT. */
    public String createUserSql() {
        return value(CREATE_USER_SQL);
    }

    public ConflictPolicy conflictPolicy() {
        return value(CONFLICT_POLICY);
    }

    /** The SQL condition an active user's row satisfies, or null when every row counts as active. */
    public String activeUserCondition() {
        return value(ACTIVE_USER_CONDITION);
    }

    /** The SQL condition of a row whose login needs a second factor; null when none does. */
    public String secondFactorCondition() {
        return value(SECOND_FACTOR_CONDITION);
    }

    /** Where a login that needs a second factor goes, pending; null when none does. */
    public String secondFactorUrl() {
        return value(SECOND_FACTOR_URL);
    }

    /** Context-relative, or null to pass the request on. */
    public String successUrl() {
        return value(SUCCESS_URL);
    }

    /** Context-relative, or null to answer the failure directly. */
    public String failureUrl() {
        return value(FAILURE_URL);
    }

    public String sessionUserIdAttribute() {
        return value(SESSION_USER_ID_ATTRIBUTE);
    }

    /**
     * When true, a GET on the callback only renders a confirmation page whose button POSTs; only the
     * POST consumes the token. Protects one-time links from email link scanners. Default false.
     */
    public boolean confirmPage() {
        return value(CONFIRM_PAGE);
    }

    /**
     * The bulkhead: how many callbacks may wait on Stytch and the database at once. One more answers
     * 503 at once, so a login storm against a slow Stytch cannot take every container thread.
     */
    public int maxConcurrentCallbacks() {
        return value(MAX_CONCURRENT_CALLBACKS).intValue();
    }

    /** {@code cookie} and/or {@code bearer}; empty when only callbacks log in. */
    public Set<String> sessionSources() {
        Set<String> sources = value(SESSION_SOURCES);
        return sources == null ? Set.of() : sources;
    }

    public String sessionJwtCookie() {
        return value(SESSION_JWT_COOKIE);
    }

    public String sessionTokenCookie() {
        return value(SESSION_TOKEN_COOKIE);
    }

    /**
     * How long after its {@code iat} a session JWT is trusted without asking Stytch. A revoked Stytch
     * session keeps logging in at most this long.
     */
    public long sessionJwtMaxAgeSeconds() {
        return value(SESSION_JWT_MAX_AGE_SECONDS);
    }

    /**
     * Whether the JWT cookie the filter refreshes is HttpOnly. Off by default: the frontend SDK reads
     * its cookies from JavaScript, unless the project uses Stytch's HttpOnly cookie mode.
     */
    public boolean sessionJwtCookieHttpOnly() {
        return value(SESSION_JWT_COOKIE_HTTP_ONLY);
    }

    /**
     * How long beyond {@link #sessionJwtMaxAgeSeconds()} an HttpSession already logged in from a Stytch
     * session stays logged in while Stytch cannot be reached to re-check it. Never applies to a session
     * Stytch reported revoked or expired.
     */
    public long sessionOutageGraceSeconds() {
        return value(SESSION_OUTAGE_GRACE_SECONDS);
    }

    /** Null when there is no logout path. */
    public String logoutPath() {
        return value(LOGOUT_PATH);
    }

    /** {@link MigrationListener#NONE} unless one was set, programmatically or by {@link #LISTENER_CLASS}. */
    public MigrationListener listener() {
        return listener;
    }

    /** See {@link #WRITE_EXTERNAL_ID}; default false. */
    public boolean writeExternalId() {
        return value(WRITE_EXTERNAL_ID);
    }

    /** See {@link #LINK_BY_EXTERNAL_ID}; default false. */
    public boolean linkByExternalId() {
        return value(LINK_BY_EXTERNAL_ID);
    }

    /** The class name of {@link #LISTENER_CLASS}, or null. */
    public String listenerClass() {
        return value(LISTENER_CLASS);
    }

    // The webapp's class loader is the thread's context loader during init (Servlet spec); the filter's own
    // loader is the fallback for code that builds the config elsewhere.
    private static MigrationListener newListener(String className) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        Class<?> type;
        try {
            type = Class.forName(className, true, context != null ? context : MigrationConfig.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(LISTENER_CLASS + " [" + className + "] could not be loaded by the webapp's"
                    + " class loader (" + e.getClass().getSimpleName() + ")");
        }
        if (!MigrationListener.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(LISTENER_CLASS + " [" + className + "] does not implement "
                    + MigrationListener.class.getName());
        }
        java.lang.reflect.Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(LISTENER_CLASS + " [" + className + "] has no public no-arg constructor");
        }
        try {
            return (MigrationListener) constructor.newInstance();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
            throw new IllegalArgumentException(LISTENER_CLASS + " [" + className + "] could not be constructed ("
                    + cause.getClass().getName() + ")");
        }
    }

    /** The effective configuration for the init log line: secrets masked, credentials in URLs masked. */
    @Override
    public String toString() {
        List<String> shown = new ArrayList<>();
        for (Param<?> p : TABLE) {
            Object v = values.get(p);
            if (v != null) {
                shown.add(p.name + "=" + p.show(v));
            }
        }
        if (dataSource != null) {
            shown.add("dataSource=(programmatic)");
        }
        return "MigrationConfig{" + String.join(", ", shown) + "}";
    }

    // --- validators: each returns the normalised value or throws naming the param ---

    private static IllegalArgumentException invalid(Param<?> param, String value, String condition) {
        return new IllegalArgumentException(param.name + " [" + (param.secret ? Masking.MASK : value) + "] " + condition);
    }

    private static String matches(Param<String> p, String v, Pattern pattern, String condition) {
        if (!pattern.matcher(v).matches()) {
            throw invalid(p, v, condition);
        }
        return v;
    }

    private static String baseUrl(Param<String> p, String v) {
        if (!(v.startsWith("https://") || v.startsWith("http://")) || v.contains("?") || v.contains("#")
                || v.chars().anyMatch(c -> c <= ' ')) {
            throw invalid(p, Masking.url(v), "must be an http(s) URL without query, e.g. https://test.stytch.com");
        }
        // the SDK concatenates "$baseUrl$path": a trailing slash would produce //v1/...
        String url = v;
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        return url;
    }

    private static String jdbcUrl(Param<String> p, String v) {
        if (!v.startsWith("jdbc:")) {
            // the URL may embed a password: name the rule, not the value
            throw new IllegalArgumentException(p + " must start with 'jdbc:'");
        }
        return v;
    }

    private static Set<String> callbackPaths(Param<Set<String>> p, Set<String> paths) {
        for (String path : paths) {
            exactPath(p, path);
        }
        return paths;
    }

    // callbackPath and logoutPath: matched exactly against the container's decoded path
    private static String exactPath(Param<?> p, String path) {
        if (!path.startsWith("/")) {
            throw invalid(p, path, "must start with '/'");
        }
        if (path.contains("*") || !PATH.matcher(path).matches()) {
            throw invalid(p, path, "must be an exact context-relative path without wildcards or query");
        }
        return path;
    }

    private static Set<String> sessionSources(Param<Set<String>> p, Set<String> sources) {
        for (String source : sources) {
            if (!SUPPORTED_SESSION_SOURCES.contains(source)) {
                throw invalid(p, source, "is not supported; supported are " + SUPPORTED_SESSION_SOURCES);
            }
        }
        return sources;
    }

    private static String cookieName(Param<String> p, String v) {
        return matches(p, v, COOKIE_NAME, "must be a cookie name (letters, digits and !#$%&'*+-.^_`|~)");
    }

    private static Set<String> tokenTypes(Param<Set<String>> p, Set<String> types) {
        for (String type : types) {
            if (!SUPPORTED_TOKEN_TYPES.contains(type)) {
                throw invalid(p, type, "is not supported; supported are " + SUPPORTED_TOKEN_TYPES);
            }
        }
        return types;
    }

    private static String identifier(Param<String> p, String v, boolean schemaQualified) {
        String[] parts = v.split("\\.", -1);
        boolean ok = parts.length == 1 || (schemaQualified && parts.length == 2);
        for (String part : parts) {
            ok &= SQL_IDENTIFIER.matcher(part).matches();
        }
        if (!ok) {
            throw invalid(p, v, schemaQualified ? "must be a SQL identifier, optionally schema-qualified (letters, digits, _)"
                    : "must be a SQL identifier (letters, digits, _)");
        }
        return v;
    }

    // Parsed here once so that a malformed template fails init; the store parses it again, trusting it.
    private static String createUserSql(Param<String> p, String v) {
        NamedParameterSql parsed = NamedParameterSql.parse(v, NamedParameterSql.CREATE_USER_SQL_PARAMETERS);
        if (!parsed.parameterNames().contains("stytch_user_id")) {
            throw new IllegalArgumentException(p + " must bind :stytch_user_id");
        }
        return v;
    }

    // The store wraps the condition as CASE WHEN (condition) THEN 1 ELSE 0 END: it must stay inside its
    // parentheses and be one expression. The database checks the rest when the filter prepares it at init.
    private static String sqlCondition(Param<String> p, String v) {
        if (!isOneCondition(v)) {
            throw invalid(p, v, CONDITION_RULE);
        }
        return v;
    }

    private static final String CONDITION_RULE = "must be one SQL boolean expression over the user table's columns"
            + " (no ';', '?', comments, or unbalanced quotes or parentheses)";

    /** The rule of {@link #ACTIVE_USER_CONDITION} for another condition, e.g. the report's; throws naming {@code name}. */
    static String checkCondition(String name, String v) {
        if (!isOneCondition(v)) {
            throw new IllegalArgumentException(name + " [" + v + "] " + CONDITION_RULE);
        }
        return v;
    }

    private static boolean isOneCondition(String v) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            char next = i + 1 < v.length() ? v.charAt(i + 1) : 0;
            if (quote != 0) {
                if (c == quote) {
                    quote = 0; // a doubled quote closes and reopens: same result
                }
            } else if (c == '\'' || c == '"' || c == '`') {
                quote = c;
            } else if (c == ';' || c == '?' || c == '#' || (c == '-' && next == '-') || (c == '/' && next == '*')) {
                depth = -1;
                break;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth < 0) {
                break;
            }
        }
        return depth == 0 && quote == 0;
    }

    private static ConflictPolicy conflictPolicy(Param<ConflictPolicy> p, String v) {
        for (ConflictPolicy policy : ConflictPolicy.values()) {
            if (policy.paramValue().equals(v.toLowerCase(Locale.ROOT))) {
                return policy;
            }
        }
        throw invalid(p, v, "must be one of reject, relink");
    }

    // Open redirects: only same-origin, context-relative paths are accepted.
    private static String contextRelativeUrl(Param<String> p, String v) {
        if (!v.startsWith("/") || v.startsWith("//") || v.contains("\\") || v.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            throw invalid(p, v, "must be a context-relative path starting with a single '/'");
        }
        return v;
    }

    /**
     * One init-param: its web.xml name, default, how its text is parsed, how its value is checked,
     * whether it is a secret (masked in every message and log line) and a one-line description.
     *
     * @param <T> the value type once parsed
     */
    public static final class Param<T> {
        private final String name;
        private final T defaultValue;
        private final String description;
        private final Parser<T> parser;
        private Checker<T> checker = (p, v) -> v;
        private Function<T, String> display = String::valueOf;
        private boolean required;
        private boolean secret;

        private Param(String name, T defaultValue, String description, Parser<T> parser) {
            this.name = name;
            this.defaultValue = defaultValue;
            this.description = description;
            this.parser = parser;
            TABLE.add(this);
        }

        static Param<String> text(String name, String defaultValue, String description) {
            return new Param<>(name, defaultValue, description, (p, v) -> v);
        }

        static Param<Set<String>> list(String name, String defaultValue, String description) {
            return new Param<>(name, defaultValue == null ? null : split(defaultValue), description, (p, v) -> split(v))
                    .display(v -> String.join(",", v));
        }

        static Param<Long> number(String name, long defaultValue, long min, long max, String description) {
            Param<Long> param = new Param<>(name, defaultValue, description, (p, v) -> {
                try {
                    return Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw invalid(p, v, "must be an integer");
                }
            });
            return param.check((p, v) -> {
                if (v < min || v > max) {
                    throw invalid(p, Long.toString(v), "must be between " + min + " and " + max);
                }
                return v;
            });
        }

        static Param<Boolean> bool(String name, boolean defaultValue, String description) {
            return new Param<>(name, defaultValue, description, (p, v) -> {
                if ("true".equalsIgnoreCase(v) || "false".equalsIgnoreCase(v)) {
                    return Boolean.parseBoolean(v);
                }
                throw invalid(p, v, "must be true or false");
            });
        }

        private static Set<String> split(String value) {
            Set<String> items = new LinkedHashSet<>();
            for (String raw : value.split(",")) {
                if (!raw.trim().isEmpty()) {
                    items.add(raw.trim());
                }
            }
            return Collections.unmodifiableSet(items);
        }

        Param<T> check(Checker<T> checker) {
            this.checker = checker;
            return this;
        }

        Param<T> display(Function<T, String> display) {
            this.display = display;
            return this;
        }

        Param<T> required() {
            this.required = true;
            return this;
        }

        Param<T> secret() {
            this.secret = true;
            return this;
        }

        /** The init-param name, e.g. {@code callbackPath}. */
        public String name() {
            return name;
        }

        /** The value when the param is absent; null when it has none. */
        public T defaultValue() {
            return defaultValue;
        }

        /** A one-line description. */
        public String description() {
            return description;
        }

        /** Whether the value is masked in every message and log line. */
        public boolean isSecret() {
            return secret;
        }

        @SuppressWarnings("unchecked")
        private T validate(Object raw) {
            T value = raw == null ? defaultValue : (T) raw;
            if (value == null || value instanceof Set && ((Set<?>) value).isEmpty()) {
                if (required || value != null) {
                    throw new IllegalArgumentException(name + " is required");
                }
                return null;
            }
            return checker.check(this, value);
        }

        @SuppressWarnings("unchecked")
        private String show(Object value) {
            return secret ? Masking.MASK : display.apply((T) value);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Turns an init-param's text (trimmed, not empty) into a value; throws naming the param. */
    interface Parser<T> {
        T parse(Param<T> param, String text);
    }

    /** Checks and normalises a value; throws naming the param. */
    interface Checker<T> {
        T check(Param<T> param, T value);
    }

    /**
     * Builds a {@link MigrationConfig} in code (embedded Jetty, Spring Boot). Starts with every
     * default of the contract; {@link #build()} validates exactly as the init-params are validated.
     * Empty or blank strings count as absent.
     */
    public static final class Builder {
        private final Map<Param<?>, Object> values = new IdentityHashMap<>();
        private DataSource dataSource;
        private MigrationListener listener;

        private Builder() {
        }

        private <T> Builder set(Param<T> param, T value) {
            if (value == null) {
                values.remove(param);
            } else {
                values.put(param, value);
            }
            return this;
        }

        private <T> Builder parse(Param<T> param, String text) {
            String v = text == null ? null : text.trim();
            return set(param, v == null || v.isEmpty() ? null : param.parser.parse(param, v));
        }

        /** Required. */
        public Builder stytchProjectId(String v) {
            return parse(STYTCH_PROJECT_ID, v);
        }

        /** Required. */
        public Builder stytchSecret(String v) {
            return parse(STYTCH_SECRET, v);
        }

        /** Default: derived from the project id. */
        public Builder stytchApiBaseUrl(String v) {
            return parse(STYTCH_API_BASE_URL, v);
        }

        /** Default 10000; 100..120000. */
        public Builder stytchTimeoutMillis(long v) {
            return set(STYTCH_TIMEOUT_MILLIS, v);
        }

        /** Comma-separated exact context-relative paths; default {@code /authenticate}. */
        public Builder callbackPath(String v) {
            return parse(CALLBACK_PATH, v);
        }

        /** Comma-separated; default {@code magic_links,oauth}. */
        public Builder tokenTypes(String v) {
            return parse(TOKEN_TYPES, v);
        }

        /** Default 60; 5..527040. */
        public Builder sessionDurationMinutes(int v) {
            return set(SESSION_DURATION_MINUTES, (long) v);
        }

        public Builder dataSourceJndiName(String v) {
            return parse(DATA_SOURCE_JNDI_NAME, v);
        }

        public Builder jdbcUrl(String v) {
            return parse(JDBC_URL, v);
        }

        public Builder jdbcUsername(String v) {
            return parse(JDBC_USERNAME, v);
        }

        public Builder jdbcPassword(String v) {
            return parse(JDBC_PASSWORD, v);
        }

        /** Default 10; 1..1000. */
        public Builder jdbcMaximumPoolSize(int v) {
            return set(JDBC_MAXIMUM_POOL_SIZE, (long) v);
        }

        /** How long a callback waits for a pooled connection; default 3000; 250..60000. */
        public Builder jdbcConnectionTimeoutMillis(long v) {
            return set(JDBC_CONNECTION_TIMEOUT_MILLIS, v);
        }

        /** An application-owned DataSource (e.g. Spring's); the filter never closes it. */
        public Builder dataSource(DataSource v) {
            this.dataSource = v;
            return this;
        }

        public Builder userTable(String v) {
            return parse(USER_TABLE, v);
        }

        public Builder userIdColumn(String v) {
            return parse(USER_ID_COLUMN, v);
        }

        public Builder emailColumn(String v) {
            return parse(EMAIL_COLUMN, v);
        }

        /** Null (default) turns phone matching off. */
        public Builder phoneColumn(String v) {
            return parse(PHONE_COLUMN, v);
        }

        public Builder stytchUserIdColumn(String v) {
            return parse(STYTCH_USER_ID_COLUMN, v);
        }

        /** Null (default) for the generated INSERT. */
        public Builder createUserSql(String v) {
            return parse(CREATE_USER_SQL, v);
        }

        public Builder conflictPolicy(ConflictPolicy v) {
            return set(CONFLICT_POLICY, v);
        }

        /** Null (default): every row counts as active. See {@link MigrationConfig#ACTIVE_USER_CONDITION}. */
        public Builder activeUserCondition(String v) {
            return parse(ACTIVE_USER_CONDITION, v);
        }

        /** With {@link #secondFactorUrl}: see {@link MigrationConfig#SECOND_FACTOR_CONDITION}. */
        public Builder secondFactorCondition(String v) {
            return parse(SECOND_FACTOR_CONDITION, v);
        }

        /** With {@link #secondFactorCondition}: see {@link MigrationConfig#SECOND_FACTOR_URL}. */
        public Builder secondFactorUrl(String v) {
            return parse(SECOND_FACTOR_URL, v);
        }

        public Builder successUrl(String v) {
            return parse(SUCCESS_URL, v);
        }

        public Builder failureUrl(String v) {
            return parse(FAILURE_URL, v);
        }

        public Builder sessionUserIdAttribute(String v) {
            return parse(SESSION_USER_ID_ATTRIBUTE, v);
        }

        /** Default 64; 1..10000: see {@link MigrationConfig#maxConcurrentCallbacks()}. */
        public Builder maxConcurrentCallbacks(int v) {
            return set(MAX_CONCURRENT_CALLBACKS, (long) v);
        }

        /** Default false: see {@link MigrationConfig#confirmPage()}. */
        public Builder confirmPage(boolean v) {
            return set(CONFIRM_PAGE, v);
        }

        /** Comma-separated {@code cookie}, {@code bearer}; default none: see {@link MigrationConfig#sessionSources()}. */
        public Builder sessionSources(String v) {
            return parse(SESSION_SOURCES, v);
        }

        /** Default {@code stytch_session_jwt}. */
        public Builder sessionJwtCookie(String v) {
            return parse(SESSION_JWT_COOKIE, v);
        }

        /** Default {@code stytch_session}. */
        public Builder sessionTokenCookie(String v) {
            return parse(SESSION_TOKEN_COOKIE, v);
        }

        /** Default 300; 1..3600: see {@link MigrationConfig#sessionJwtMaxAgeSeconds()}. */
        public Builder sessionJwtMaxAgeSeconds(long v) {
            return set(SESSION_JWT_MAX_AGE_SECONDS, v);
        }

        /** Default false: see {@link MigrationConfig#sessionJwtCookieHttpOnly()}. */
        public Builder sessionJwtCookieHttpOnly(boolean v) {
            return set(SESSION_JWT_COOKIE_HTTP_ONLY, v);
        }

        /** Default 300; 0..3600: see {@link MigrationConfig#sessionOutageGraceSeconds()}. */
        public Builder sessionOutageGraceSeconds(long v) {
            return set(SESSION_OUTAGE_GRACE_SECONDS, v);
        }

        /** Default none: see {@link MigrationConfig#logoutPath()}. */
        public Builder logoutPath(String v) {
            return parse(LOGOUT_PATH, v);
        }

        /** Default false: see {@link MigrationConfig#WRITE_EXTERNAL_ID}. */
        public Builder writeExternalId(boolean v) {
            return set(WRITE_EXTERNAL_ID, v);
        }

        /** Default false: see {@link MigrationConfig#LINK_BY_EXTERNAL_ID}. */
        public Builder linkByExternalId(boolean v) {
            return set(LINK_BY_EXTERNAL_ID, v);
        }

        /** Default none: see {@link MigrationConfig#LISTENER_CLASS}. Not together with {@link #listener}. */
        public Builder listenerClass(String v) {
            return parse(LISTENER_CLASS, v);
        }

        /** Receives every outcome; must be fast and must not throw (a throwing listener never fails a login). */
        public Builder listener(MigrationListener v) {
            this.listener = v;
            return this;
        }

        /** Validates and builds. @throws IllegalArgumentException naming the param */
        public MigrationConfig build() {
            return new MigrationConfig(this);
        }
    }
}
