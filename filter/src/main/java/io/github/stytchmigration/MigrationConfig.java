package io.github.stytchmigration;

import io.github.stytchmigration.internal.Placeholders;

import javax.sql.DataSource;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The filter's configuration: built once (from web.xml init-params or the {@link Builder}),
 * validated, then never mutated. Every validation failure names the param and the broken
 * condition, and never echoes a secret.
 */
public final class MigrationConfig {
    // --- init-param names (contract) and their defaults ---
    public static final String PARAM_STYTCH_PROJECT_ID = "stytchProjectId";
    public static final String PARAM_STYTCH_SECRET = "stytchSecret";
    public static final String PARAM_STYTCH_API_BASE_URL = "stytchApiBaseUrl";
    public static final String PARAM_STYTCH_TIMEOUT_MILLIS = "stytchTimeoutMillis";
    public static final long DEFAULT_STYTCH_TIMEOUT_MILLIS = 10_000;
    public static final String PARAM_CALLBACK_PATH = "callbackPath";
    public static final String DEFAULT_CALLBACK_PATH = "/authenticate";
    public static final String PARAM_TOKEN_TYPES = "tokenTypes";
    public static final String DEFAULT_TOKEN_TYPES = "magic_links,oauth";
    public static final String PARAM_SESSION_DURATION_MINUTES = "sessionDurationMinutes";
    public static final int DEFAULT_SESSION_DURATION_MINUTES = 60;
    public static final String PARAM_DATA_SOURCE_JNDI_NAME = "dataSourceJndiName";
    public static final String PARAM_JDBC_URL = "jdbcUrl";
    public static final String PARAM_JDBC_USERNAME = "jdbcUsername";
    public static final String PARAM_JDBC_PASSWORD = "jdbcPassword";
    public static final String PARAM_JDBC_MAXIMUM_POOL_SIZE = "jdbcMaximumPoolSize";
    public static final int DEFAULT_JDBC_MAXIMUM_POOL_SIZE = 10;
    public static final String PARAM_JDBC_CONNECTION_TIMEOUT_MILLIS = "jdbcConnectionTimeoutMillis";
    public static final long DEFAULT_JDBC_CONNECTION_TIMEOUT_MILLIS = 3_000;
    public static final String PARAM_USER_TABLE = "userTable";
    public static final String DEFAULT_USER_TABLE = "users";
    public static final String PARAM_USER_ID_COLUMN = "userIdColumn";
    public static final String DEFAULT_USER_ID_COLUMN = "id";
    public static final String PARAM_EMAIL_COLUMN = "emailColumn";
    public static final String DEFAULT_EMAIL_COLUMN = "email";
    public static final String PARAM_PHONE_COLUMN = "phoneColumn";
    public static final String PARAM_STYTCH_USER_ID_COLUMN = "stytchUserIdColumn";
    public static final String DEFAULT_STYTCH_USER_ID_COLUMN = "stytch_user_id";
    public static final String PARAM_CREATE_USER_SQL = "createUserSql";
    public static final String PARAM_CONFLICT_POLICY = "conflictPolicy";
    public static final ConflictPolicy DEFAULT_CONFLICT_POLICY = ConflictPolicy.REJECT;
    public static final String PARAM_SUCCESS_URL = "successUrl";
    public static final String PARAM_FAILURE_URL = "failureUrl";
    public static final String PARAM_SESSION_USER_ID_ATTRIBUTE = "sessionUserIdAttribute";
    public static final String DEFAULT_SESSION_USER_ID_ATTRIBUTE = "stytchMigration.userId";
    public static final String PARAM_CONFIRM_PAGE = "confirmPage";
    public static final boolean DEFAULT_CONFIRM_PAGE = false;

    /** The {@code stytch_token_type} values this filter knows how to authenticate. */
    public static final Set<String> SUPPORTED_TOKEN_TYPES =
            Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList("magic_links", "oauth")));

    /** Every init-param the filter accepts; any other is fatal at init. */
    public static final Set<String> KNOWN_PARAMS = Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(
            PARAM_STYTCH_PROJECT_ID, PARAM_STYTCH_SECRET, PARAM_STYTCH_API_BASE_URL, PARAM_STYTCH_TIMEOUT_MILLIS,
            PARAM_CALLBACK_PATH, PARAM_TOKEN_TYPES, PARAM_SESSION_DURATION_MINUTES,
            PARAM_DATA_SOURCE_JNDI_NAME, PARAM_JDBC_URL, PARAM_JDBC_USERNAME, PARAM_JDBC_PASSWORD,
            PARAM_JDBC_MAXIMUM_POOL_SIZE, PARAM_JDBC_CONNECTION_TIMEOUT_MILLIS,
            PARAM_USER_TABLE, PARAM_USER_ID_COLUMN, PARAM_EMAIL_COLUMN, PARAM_PHONE_COLUMN,
            PARAM_STYTCH_USER_ID_COLUMN, PARAM_CREATE_USER_SQL, PARAM_CONFLICT_POLICY,
            PARAM_SUCCESS_URL, PARAM_FAILURE_URL, PARAM_SESSION_USER_ID_ATTRIBUTE, PARAM_CONFIRM_PAGE)));

    private static final Set<String> SECRET_PARAMS =
            Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(PARAM_STYTCH_SECRET, PARAM_JDBC_PASSWORD)));

    // An unquoted SQL identifier, optionally schema-qualified; PostgreSQL's limit is 63 bytes.
    private static final Pattern SQL_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final Pattern CALLBACK_PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@/%-]*");
    private static final Pattern JNDI_NAME = Pattern.compile("[A-Za-z0-9_./:-]+");

    private final String stytchProjectId;
    private final String stytchSecret;
    private final String stytchApiBaseUrl;
    private final long stytchTimeoutMillis;
    private final Set<String> callbackPaths;
    private final Set<String> tokenTypes;
    private final int sessionDurationMinutes;
    private final String dataSourceJndiName;
    private final String jdbcUrl;
    private final String jdbcUsername;
    private final String jdbcPassword;
    private final int jdbcMaximumPoolSize;
    private final long jdbcConnectionTimeoutMillis;
    private final DataSource dataSource;
    private final String userTable;
    private final String userIdColumn;
    private final String emailColumn;
    private final String phoneColumn;
    private final String stytchUserIdColumn;
    private final String createUserSql;
    private final ConflictPolicy conflictPolicy;
    private final String successUrl;
    private final String failureUrl;
    private final String sessionUserIdAttribute;
    private final boolean confirmPage;
    private final MigrationListener listener;

    private MigrationConfig(Builder b) {
        this.stytchProjectId = required(PARAM_STYTCH_PROJECT_ID, b.stytchProjectId);
        this.stytchSecret = required(PARAM_STYTCH_SECRET, b.stytchSecret);
        if (!stytchProjectId.matches("[A-Za-z0-9_-]{1,200}")) {
            throw invalid(PARAM_STYTCH_PROJECT_ID, stytchProjectId, "must look like project-test-<uuid> or project-live-<uuid>");
        }
        this.stytchApiBaseUrl = baseUrl(b.stytchApiBaseUrl);
        this.stytchTimeoutMillis = range(PARAM_STYTCH_TIMEOUT_MILLIS, b.stytchTimeoutMillis, 100, 120_000);
        this.callbackPaths = callbackPaths(b.callbackPath);
        this.tokenTypes = tokenTypes(b.tokenTypes);
        this.sessionDurationMinutes = (int) range(PARAM_SESSION_DURATION_MINUTES, b.sessionDurationMinutes, 5, 527_040);

        this.dataSourceJndiName = b.dataSourceJndiName;
        this.jdbcUrl = b.jdbcUrl;
        this.jdbcUsername = b.jdbcUsername;
        this.jdbcPassword = b.jdbcPassword;
        this.dataSource = b.dataSource;
        int sources = (dataSourceJndiName != null ? 1 : 0) + (jdbcUrl != null ? 1 : 0) + (dataSource != null ? 1 : 0);
        if (sources != 1) {
            throw new IllegalArgumentException("exactly one of " + PARAM_DATA_SOURCE_JNDI_NAME + " / " + PARAM_JDBC_URL
                    + (b.dataSource != null || sources == 0 ? " / a programmatic DataSource" : "")
                    + " must be set, found " + sources);
        }
        if (dataSourceJndiName != null && !JNDI_NAME.matcher(dataSourceJndiName).matches()) {
            throw invalid(PARAM_DATA_SOURCE_JNDI_NAME, dataSourceJndiName, "is not a JNDI name like java:comp/env/jdbc/users");
        }
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:")) {
            // the URL may embed a password: name the rule, not the value
            throw new IllegalArgumentException(PARAM_JDBC_URL + " must start with 'jdbc:'");
        }
        if (jdbcUrl == null && (jdbcUsername != null || jdbcPassword != null)) {
            throw new IllegalArgumentException((jdbcUsername != null ? PARAM_JDBC_USERNAME : PARAM_JDBC_PASSWORD)
                    + " requires " + PARAM_JDBC_URL);
        }
        this.jdbcMaximumPoolSize = (int) range(PARAM_JDBC_MAXIMUM_POOL_SIZE, b.jdbcMaximumPoolSize, 1, 1000);
        this.jdbcConnectionTimeoutMillis = range(PARAM_JDBC_CONNECTION_TIMEOUT_MILLIS, b.jdbcConnectionTimeoutMillis, 250, 60_000);

        this.userTable = identifier(PARAM_USER_TABLE, b.userTable, true);
        this.userIdColumn = identifier(PARAM_USER_ID_COLUMN, b.userIdColumn, false);
        this.emailColumn = identifier(PARAM_EMAIL_COLUMN, b.emailColumn, false);
        this.phoneColumn = b.phoneColumn == null ? null : identifier(PARAM_PHONE_COLUMN, b.phoneColumn, false);
        this.stytchUserIdColumn = identifier(PARAM_STYTCH_USER_ID_COLUMN, b.stytchUserIdColumn, false);
        this.createUserSql = b.createUserSql;
        if (createUserSql != null && !createUserSql.contains(":stytch_user_id")) {
            throw new IllegalArgumentException(PARAM_CREATE_USER_SQL + " must bind :stytch_user_id");
        }
        this.conflictPolicy = Objects.requireNonNull(b.conflictPolicy, PARAM_CONFLICT_POLICY);
        this.successUrl = b.successUrl == null ? null : contextRelativeUrl(PARAM_SUCCESS_URL, b.successUrl);
        this.failureUrl = b.failureUrl == null ? null : contextRelativeUrl(PARAM_FAILURE_URL, b.failureUrl);
        this.sessionUserIdAttribute = required(PARAM_SESSION_USER_ID_ATTRIBUTE, b.sessionUserIdAttribute);
        this.confirmPage = b.confirmPage;
        this.listener = b.listener == null ? MigrationListener.NONE : b.listener;
    }

    /** A builder with every default of the contract. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds the config from init-params (web.xml), resolving {@code ${env:…}} / {@code ${sys:…}}
     * placeholders. An unknown param, a missing essential or a bad value is an
     * {@link IllegalArgumentException} naming the param.
     */
    public static MigrationConfig fromInitParams(Map<String, String> params, Placeholders placeholders) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : params.entrySet()) {
            String name = e.getKey();
            if (!KNOWN_PARAMS.contains(name)) {
                throw new IllegalArgumentException("unknown init-param [" + name + "]; known init-params are " + KNOWN_PARAMS);
            }
            String value = placeholders.resolve(name, e.getValue());
            value = value == null ? null : value.trim();
            if (value != null && !value.isEmpty()) {
                values.put(name, value);
            }
        }
        Builder b = builder();
        b.stytchProjectId(values.get(PARAM_STYTCH_PROJECT_ID));
        b.stytchSecret(values.get(PARAM_STYTCH_SECRET));
        b.stytchApiBaseUrl(values.get(PARAM_STYTCH_API_BASE_URL));
        ifPresent(values, PARAM_STYTCH_TIMEOUT_MILLIS, v -> b.stytchTimeoutMillis(parseLong(PARAM_STYTCH_TIMEOUT_MILLIS, v)));
        ifPresent(values, PARAM_CALLBACK_PATH, b::callbackPath);
        ifPresent(values, PARAM_TOKEN_TYPES, b::tokenTypes);
        ifPresent(values, PARAM_SESSION_DURATION_MINUTES,
                v -> b.sessionDurationMinutes((int) parseLong(PARAM_SESSION_DURATION_MINUTES, v)));
        b.dataSourceJndiName(values.get(PARAM_DATA_SOURCE_JNDI_NAME));
        b.jdbcUrl(values.get(PARAM_JDBC_URL));
        b.jdbcUsername(values.get(PARAM_JDBC_USERNAME));
        b.jdbcPassword(values.get(PARAM_JDBC_PASSWORD));
        ifPresent(values, PARAM_JDBC_MAXIMUM_POOL_SIZE,
                v -> b.jdbcMaximumPoolSize((int) parseLong(PARAM_JDBC_MAXIMUM_POOL_SIZE, v)));
        ifPresent(values, PARAM_JDBC_CONNECTION_TIMEOUT_MILLIS,
                v -> b.jdbcConnectionTimeoutMillis(parseLong(PARAM_JDBC_CONNECTION_TIMEOUT_MILLIS, v)));
        ifPresent(values, PARAM_USER_TABLE, b::userTable);
        ifPresent(values, PARAM_USER_ID_COLUMN, b::userIdColumn);
        ifPresent(values, PARAM_EMAIL_COLUMN, b::emailColumn);
        b.phoneColumn(values.get(PARAM_PHONE_COLUMN));
        ifPresent(values, PARAM_STYTCH_USER_ID_COLUMN, b::stytchUserIdColumn);
        b.createUserSql(values.get(PARAM_CREATE_USER_SQL));
        ifPresent(values, PARAM_CONFLICT_POLICY, v -> b.conflictPolicy(conflictPolicy(v)));
        b.successUrl(values.get(PARAM_SUCCESS_URL));
        b.failureUrl(values.get(PARAM_FAILURE_URL));
        ifPresent(values, PARAM_SESSION_USER_ID_ATTRIBUTE, b::sessionUserIdAttribute);
        ifPresent(values, PARAM_CONFIRM_PAGE, v -> b.confirmPage(parseBoolean(PARAM_CONFIRM_PAGE, v)));
        return b.build();
    }

    private static void ifPresent(Map<String, String> values, String name, java.util.function.Consumer<String> setter) {
        String v = values.get(name);
        if (v != null) {
            setter.accept(v);
        }
    }

    private static long parseLong(String param, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw invalid(param, value, "must be an integer");
        }
    }

    private static boolean parseBoolean(String param, String value) {
        if ("true".equalsIgnoreCase(value)) {
            return true;
        }
        if ("false".equalsIgnoreCase(value)) {
            return false;
        }
        throw invalid(param, value, "must be true or false");
    }

    private static ConflictPolicy conflictPolicy(String value) {
        for (ConflictPolicy p : ConflictPolicy.values()) {
            if (p.paramValue().equals(value.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw invalid(PARAM_CONFLICT_POLICY, value, "must be one of reject, relink");
    }

    private static IllegalArgumentException invalid(String param, String value, String condition) {
        String shown = SECRET_PARAMS.contains(param) ? "****" : value;
        return new IllegalArgumentException(param + " [" + shown + "] " + condition);
    }

    private static String required(String param, String value) {
        if (value == null || value.trim().isEmpty()) {
            throw new IllegalArgumentException(param + " is required");
        }
        return value.trim();
    }

    private static long range(String param, long value, long min, long max) {
        if (value < min || value > max) {
            throw invalid(param, Long.toString(value), "must be between " + min + " and " + max);
        }
        return value;
    }

    private static String baseUrl(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (!(v.startsWith("https://") || v.startsWith("http://")) || v.contains("?") || v.contains("#")
                || v.chars().anyMatch(c -> c <= ' ')) {
            throw invalid(PARAM_STYTCH_API_BASE_URL, v, "must be an http(s) URL without query, e.g. https://test.stytch.com");
        }
        // the SDK concatenates "$baseUrl$path": a trailing slash would produce //v1/...
        while (v.endsWith("/")) {
            v = v.substring(0, v.length() - 1);
        }
        return v;
    }

    private static Set<String> callbackPaths(String value) {
        Set<String> paths = new LinkedHashSet<>();
        for (String raw : value.split(",")) {
            String p = raw.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (!p.startsWith("/")) {
                throw invalid(PARAM_CALLBACK_PATH, p, "must start with '/'");
            }
            if (p.contains("*") || !CALLBACK_PATH.matcher(p).matches()) {
                throw invalid(PARAM_CALLBACK_PATH, p, "must be an exact context-relative path without wildcards or query");
            }
            paths.add(p);
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException(PARAM_CALLBACK_PATH + " is required");
        }
        return Collections.unmodifiableSet(paths);
    }

    private static Set<String> tokenTypes(String value) {
        Set<String> types = new LinkedHashSet<>();
        for (String raw : value.split(",")) {
            String t = raw.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (!SUPPORTED_TOKEN_TYPES.contains(t)) {
                throw invalid(PARAM_TOKEN_TYPES, t, "is not supported; supported are " + SUPPORTED_TOKEN_TYPES);
            }
            types.add(t);
        }
        if (types.isEmpty()) {
            throw new IllegalArgumentException(PARAM_TOKEN_TYPES + " is required");
        }
        return Collections.unmodifiableSet(types);
    }

    private static String identifier(String param, String value, boolean schemaQualified) {
        String v = required(param, value);
        String[] parts = v.split("\\.", -1);
        boolean ok = parts.length == 1 || (schemaQualified && parts.length == 2);
        for (String part : parts) {
            ok &= SQL_IDENTIFIER.matcher(part).matches();
        }
        if (!ok) {
            throw invalid(param, v, schemaQualified ? "must be a SQL identifier, optionally schema-qualified (letters, digits, _)"
                    : "must be a SQL identifier (letters, digits, _)");
        }
        return v;
    }

    // Open redirects: only same-origin, context-relative paths are accepted.
    private static String contextRelativeUrl(String param, String value) {
        String v = value.trim();
        if (!v.startsWith("/") || v.startsWith("//") || v.contains("\\") || v.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            throw invalid(param, v, "must be a context-relative path starting with a single '/'");
        }
        return v;
    }

    public String stytchProjectId() {
        return stytchProjectId;
    }

    /** The Stytch secret. Never log it. */
    public String stytchSecret() {
        return stytchSecret;
    }

    /** Null: derive from the project id (test or live). */
    public String stytchApiBaseUrl() {
        return stytchApiBaseUrl;
    }

    public long stytchTimeoutMillis() {
        return stytchTimeoutMillis;
    }

    public Set<String> callbackPaths() {
        return callbackPaths;
    }

    public Set<String> tokenTypes() {
        return tokenTypes;
    }

    public int sessionDurationMinutes() {
        return sessionDurationMinutes;
    }

    public String dataSourceJndiName() {
        return dataSourceJndiName;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String jdbcUsername() {
        return jdbcUsername;
    }

    /** Never log it. */
    public String jdbcPassword() {
        return jdbcPassword;
    }

    public int jdbcMaximumPoolSize() {
        return jdbcMaximumPoolSize;
    }

    public long jdbcConnectionTimeoutMillis() {
        return jdbcConnectionTimeoutMillis;
    }

    /** A DataSource handed over programmatically (not closed by the filter), or null. */
    public DataSource dataSource() {
        return dataSource;
    }

    public String userTable() {
        return userTable;
    }

    public String userIdColumn() {
        return userIdColumn;
    }

    public String emailColumn() {
        return emailColumn;
    }

    /** Null when phone matching is off. */
    public String phoneColumn() {
        return phoneColumn;
    }

    public String stytchUserIdColumn() {
        return stytchUserIdColumn;
    }

    /** Null for the generated INSERT. */
    public String createUserSql() {
        return createUserSql;
    }

    public ConflictPolicy conflictPolicy() {
        return conflictPolicy;
    }

    /** Context-relative, or null to pass the request on. */
    public String successUrl() {
        return successUrl;
    }

    /** Context-relative, or null to answer the failure directly. */
    public String failureUrl() {
        return failureUrl;
    }

    public String sessionUserIdAttribute() {
        return sessionUserIdAttribute;
    }

    /**
     * When true, a GET on the callback only renders a confirmation page whose button POSTs; only the
     * POST consumes the token. Protects one-time links from email link scanners. Default false.
     */
    public boolean confirmPage() {
        return confirmPage;
    }

    /** {@link MigrationListener#NONE} unless one was set. */
    public MigrationListener listener() {
        return listener;
    }

    /** The effective configuration for the init log line: secrets masked, JDBC URL query stripped. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("MigrationConfig{");
        s.append(PARAM_STYTCH_PROJECT_ID).append('=').append(stytchProjectId);
        s.append(", ").append(PARAM_STYTCH_SECRET).append("=****");
        s.append(", ").append(PARAM_STYTCH_API_BASE_URL).append('=').append(stytchApiBaseUrl == null ? "(by project id)" : stytchApiBaseUrl);
        s.append(", ").append(PARAM_STYTCH_TIMEOUT_MILLIS).append('=').append(stytchTimeoutMillis);
        s.append(", ").append(PARAM_CALLBACK_PATH).append('=').append(String.join(",", callbackPaths));
        s.append(", ").append(PARAM_TOKEN_TYPES).append('=').append(String.join(",", tokenTypes));
        s.append(", ").append(PARAM_SESSION_DURATION_MINUTES).append('=').append(sessionDurationMinutes);
        if (dataSourceJndiName != null) {
            s.append(", ").append(PARAM_DATA_SOURCE_JNDI_NAME).append('=').append(dataSourceJndiName);
        } else if (jdbcUrl != null) {
            int q = jdbcUrl.indexOf('?');
            s.append(", ").append(PARAM_JDBC_URL).append('=').append(q < 0 ? jdbcUrl : jdbcUrl.substring(0, q) + "?…");
            s.append(", ").append(PARAM_JDBC_USERNAME).append('=').append(jdbcUsername);
            s.append(", ").append(PARAM_JDBC_PASSWORD).append('=').append(jdbcPassword == null ? "(none)" : "****");
            s.append(", ").append(PARAM_JDBC_MAXIMUM_POOL_SIZE).append('=').append(jdbcMaximumPoolSize);
            s.append(", ").append(PARAM_JDBC_CONNECTION_TIMEOUT_MILLIS).append('=').append(jdbcConnectionTimeoutMillis);
        } else {
            s.append(", dataSource=(programmatic)");
        }
        s.append(", ").append(PARAM_USER_TABLE).append('=').append(userTable);
        s.append(", ").append(PARAM_USER_ID_COLUMN).append('=').append(userIdColumn);
        s.append(", ").append(PARAM_EMAIL_COLUMN).append('=').append(emailColumn);
        s.append(", ").append(PARAM_PHONE_COLUMN).append('=').append(phoneColumn == null ? "(off)" : phoneColumn);
        s.append(", ").append(PARAM_STYTCH_USER_ID_COLUMN).append('=').append(stytchUserIdColumn);
        s.append(", ").append(PARAM_CREATE_USER_SQL).append('=').append(createUserSql == null ? "(generated)" : "(custom)");
        s.append(", ").append(PARAM_CONFLICT_POLICY).append('=').append(conflictPolicy.paramValue());
        s.append(", ").append(PARAM_SUCCESS_URL).append('=').append(successUrl == null ? "(pass on)" : successUrl);
        s.append(", ").append(PARAM_FAILURE_URL).append('=').append(failureUrl == null ? "(answer)" : failureUrl);
        s.append(", ").append(PARAM_SESSION_USER_ID_ATTRIBUTE).append('=').append(sessionUserIdAttribute);
        s.append(", ").append(PARAM_CONFIRM_PAGE).append('=').append(confirmPage);
        return s.append('}').toString();
    }

    /**
     * Builds a {@link MigrationConfig} in code (embedded Jetty, Spring Boot). Starts with every
     * default of the contract; {@link #build()} validates exactly as the init-params are validated.
     */
    public static final class Builder {
        private String stytchProjectId;
        private String stytchSecret;
        private String stytchApiBaseUrl;
        private long stytchTimeoutMillis = DEFAULT_STYTCH_TIMEOUT_MILLIS;
        private String callbackPath = DEFAULT_CALLBACK_PATH;
        private String tokenTypes = DEFAULT_TOKEN_TYPES;
        private int sessionDurationMinutes = DEFAULT_SESSION_DURATION_MINUTES;
        private String dataSourceJndiName;
        private String jdbcUrl;
        private String jdbcUsername;
        private String jdbcPassword;
        private int jdbcMaximumPoolSize = DEFAULT_JDBC_MAXIMUM_POOL_SIZE;
        private long jdbcConnectionTimeoutMillis = DEFAULT_JDBC_CONNECTION_TIMEOUT_MILLIS;
        private DataSource dataSource;
        private String userTable = DEFAULT_USER_TABLE;
        private String userIdColumn = DEFAULT_USER_ID_COLUMN;
        private String emailColumn = DEFAULT_EMAIL_COLUMN;
        private String phoneColumn;
        private String stytchUserIdColumn = DEFAULT_STYTCH_USER_ID_COLUMN;
        private String createUserSql;
        private ConflictPolicy conflictPolicy = DEFAULT_CONFLICT_POLICY;
        private String successUrl;
        private String failureUrl;
        private String sessionUserIdAttribute = DEFAULT_SESSION_USER_ID_ATTRIBUTE;
        private boolean confirmPage = DEFAULT_CONFIRM_PAGE;
        private MigrationListener listener;

        private Builder() {
        }

        private static String emptyToNull(String v) {
            return v == null || v.trim().isEmpty() ? null : v.trim();
        }

        /** Required. */
        public Builder stytchProjectId(String v) {
            this.stytchProjectId = emptyToNull(v);
            return this;
        }

        /** Required. */
        public Builder stytchSecret(String v) {
            this.stytchSecret = emptyToNull(v);
            return this;
        }

        /** Default: derived from the project id. */
        public Builder stytchApiBaseUrl(String v) {
            this.stytchApiBaseUrl = emptyToNull(v);
            return this;
        }

        /** Default 10000; 100..120000. */
        public Builder stytchTimeoutMillis(long v) {
            this.stytchTimeoutMillis = v;
            return this;
        }

        /** Comma-separated exact context-relative paths; default {@code /authenticate}. */
        public Builder callbackPath(String v) {
            this.callbackPath = v == null ? DEFAULT_CALLBACK_PATH : v;
            return this;
        }

        /** Comma-separated; default {@code magic_links,oauth}. */
        public Builder tokenTypes(String v) {
            this.tokenTypes = v == null ? DEFAULT_TOKEN_TYPES : v;
            return this;
        }

        /** Default 60; 5..527040. */
        public Builder sessionDurationMinutes(int v) {
            this.sessionDurationMinutes = v;
            return this;
        }

        public Builder dataSourceJndiName(String v) {
            this.dataSourceJndiName = emptyToNull(v);
            return this;
        }

        public Builder jdbcUrl(String v) {
            this.jdbcUrl = emptyToNull(v);
            return this;
        }

        public Builder jdbcUsername(String v) {
            this.jdbcUsername = emptyToNull(v);
            return this;
        }

        public Builder jdbcPassword(String v) {
            this.jdbcPassword = emptyToNull(v);
            return this;
        }

        /** Default 10; 1..1000. */
        public Builder jdbcMaximumPoolSize(int v) {
            this.jdbcMaximumPoolSize = v;
            return this;
        }

        /** How long a callback waits for a pooled connection; default 3000; 250..60000. */
        public Builder jdbcConnectionTimeoutMillis(long v) {
            this.jdbcConnectionTimeoutMillis = v;
            return this;
        }

        /** An application-owned DataSource (e.g. Spring's); the filter never closes it. */
        public Builder dataSource(DataSource v) {
            this.dataSource = v;
            return this;
        }

        public Builder userTable(String v) {
            this.userTable = v;
            return this;
        }

        public Builder userIdColumn(String v) {
            this.userIdColumn = v;
            return this;
        }

        public Builder emailColumn(String v) {
            this.emailColumn = v;
            return this;
        }

        /** Null (default) turns phone matching off. */
        public Builder phoneColumn(String v) {
            this.phoneColumn = emptyToNull(v);
            return this;
        }

        public Builder stytchUserIdColumn(String v) {
            this.stytchUserIdColumn = v;
            return this;
        }

        /** Null (default) for the generated INSERT. */
        public Builder createUserSql(String v) {
            this.createUserSql = emptyToNull(v);
            return this;
        }

        public Builder conflictPolicy(ConflictPolicy v) {
            this.conflictPolicy = v;
            return this;
        }

        public Builder successUrl(String v) {
            this.successUrl = emptyToNull(v);
            return this;
        }

        public Builder failureUrl(String v) {
            this.failureUrl = emptyToNull(v);
            return this;
        }

        public Builder sessionUserIdAttribute(String v) {
            this.sessionUserIdAttribute = v;
            return this;
        }

        /** Default false: see {@link MigrationConfig#confirmPage()}. */
        public Builder confirmPage(boolean v) {
            this.confirmPage = v;
            return this;
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
