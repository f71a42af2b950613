package io.github.stytchmigration;

import io.github.stytchmigration.internal.Placeholders;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MigrationConfigTest {
    private static final String SECRET = "secret-test-Sup3rS3cretValue";

    private static Map<String, String> essentials() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("stytchProjectId", "project-test-00000000-0000-4000-8000-000000000000");
        p.put("stytchSecret", SECRET);
        p.put("jdbcUrl", "jdbc:postgresql://localhost/app");
        return p;
    }

    private static MigrationConfig parse(Map<String, String> params) {
        return MigrationConfig.fromInitParams(params, new Placeholders(
                name -> Map.of("STYTCH_SECRET", SECRET, "EMPTY", "").get(name),
                name -> Map.of("app.table", "members").get(name)));
    }

    private static void assertRejected(Map<String, String> params, String message) {
        assertThatThrownBy(() -> parse(params)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void appliesTheContractDefaults() {
        MigrationConfig c = parse(essentials());
        assertThat(c.stytchTimeoutMillis()).isEqualTo(10_000);
        assertThat(c.callbackPaths()).containsExactly("/authenticate");
        assertThat(c.tokenTypes()).containsExactly("magic_links", "oauth");
        assertThat(c.sessionDurationMinutes()).isEqualTo(60);
        assertThat(c.jdbcMaximumPoolSize()).isEqualTo(10);
        assertThat(c.userTable()).isEqualTo("users");
        assertThat(c.userIdColumn()).isEqualTo("id");
        assertThat(c.emailColumn()).isEqualTo("email");
        assertThat(c.phoneColumn()).isNull();
        assertThat(c.stytchUserIdColumn()).isEqualTo("stytch_user_id");
        assertThat(c.conflictPolicy()).isEqualTo(ConflictPolicy.REJECT);
        assertThat(c.successUrl()).isNull();
        assertThat(c.failureUrl()).isNull();
        assertThat(c.sessionUserIdAttribute()).isEqualTo("stytchMigration.userId");
        assertThat(c.stytchApiBaseUrl()).isNull();
    }

    @Test
    void resolvesEnvironmentAndSystemPlaceholdersWithDefaults() {
        Map<String, String> p = essentials();
        p.put("stytchSecret", "${env:STYTCH_SECRET}");
        p.put("userTable", "legacy.${sys:app.table}");
        p.put("callbackPath", "${env:UNSET_CALLBACK:-/login/callback}");
        p.put("phoneColumn", "${env:EMPTY:-}");
        MigrationConfig c = parse(p);
        assertThat(c.stytchSecret()).isEqualTo(SECRET);
        assertThat(c.userTable()).isEqualTo("legacy.members");
        assertThat(c.callbackPaths()).containsExactly("/login/callback");
        assertThat(c.phoneColumn()).as("empty counts as absent").isNull();
    }

    @Test
    void rejectsAnUnsetPlaceholderWithoutDefault() {
        Map<String, String> p = essentials();
        p.put("stytchSecret", "${env:NOT_SET}");
        assertRejected(p, "stytchSecret refers to ${env:NOT_SET}, which is not set (give a default with ${env:NOT_SET:-value})");
    }

    @Test
    void rejectsAnUnknownParam() {
        Map<String, String> p = essentials();
        p.put("callbackPaths", "/x");
        assertThatThrownBy(() -> parse(p)).hasMessageStartingWith("unknown init-param [callbackPaths]; known init-params are [");
    }

    @Test
    void requiresTheEssentials() {
        Map<String, String> p = essentials();
        p.remove("stytchProjectId");
        assertRejected(p, "stytchProjectId is required");
        Map<String, String> q = essentials();
        q.put("stytchSecret", "  ");
        assertRejected(q, "stytchSecret is required");
    }

    @Test
    void requiresExactlyOneDataSource() {
        Map<String, String> p = essentials();
        p.put("dataSourceJndiName", "java:comp/env/jdbc/users");
        assertRejected(p, "exactly one of dataSourceJndiName / jdbcUrl must be set, found 2");
        Map<String, String> q = essentials();
        q.remove("jdbcUrl");
        assertRejected(q, "exactly one of dataSourceJndiName / jdbcUrl / a programmatic DataSource must be set, found 0");
    }

    @Test
    void rejectsCredentialsWithoutJdbcUrl() {
        Map<String, String> p = essentials();
        p.remove("jdbcUrl");
        p.put("dataSourceJndiName", "java:comp/env/jdbc/users");
        p.put("jdbcPassword", "hunter2");
        assertRejected(p, "jdbcPassword requires jdbcUrl");
    }

    @Test
    void rejectsACallbackPathWithoutLeadingSlash() {
        Map<String, String> p = essentials();
        p.put("callbackPath", "authenticate");
        assertRejected(p, "callbackPath [authenticate] must start with '/'");
    }

    @Test
    void acceptsSeveralCallbackPaths() {
        Map<String, String> p = essentials();
        p.put("callbackPath", "/authenticate, /oauth/callback");
        assertThat(parse(p).callbackPaths()).containsExactly("/authenticate", "/oauth/callback");
    }

    @Test
    void rejectsAWildcardCallbackPath() {
        Map<String, String> p = essentials();
        p.put("callbackPath", "/auth/*");
        assertRejected(p, "callbackPath [/auth/*] must be an exact context-relative path without wildcards or query");
    }

    @Test
    void rejectsTokenTypesOutsideTheSupportedSet() {
        Map<String, String> p = essentials();
        p.put("tokenTypes", "magic_links,reset_password");
        assertRejected(p, "tokenTypes [reset_password] is not supported; supported are [magic_links, oauth]");
    }

    @Test
    void rejectsNumbersOutOfRangeOrMalformed() {
        Map<String, String> p = essentials();
        p.put("sessionDurationMinutes", "4");
        assertRejected(p, "sessionDurationMinutes [4] must be between 5 and 527040");
        p.put("sessionDurationMinutes", "527041");
        assertRejected(p, "sessionDurationMinutes [527041] must be between 5 and 527040");
        p.put("sessionDurationMinutes", "sixty");
        assertRejected(p, "sessionDurationMinutes [sixty] must be an integer");
        Map<String, String> q = essentials();
        q.put("stytchTimeoutMillis", "0");
        assertRejected(q, "stytchTimeoutMillis [0] must be between 100 and 120000");
        Map<String, String> r = essentials();
        r.put("jdbcMaximumPoolSize", "0");
        assertRejected(r, "jdbcMaximumPoolSize [0] must be between 1 and 1000");
    }

    @Test
    void rejectsTableAndColumnNamesThatAreNotIdentifiers() {
        Map<String, String> p = essentials();
        p.put("userTable", "users; drop table users");
        assertRejected(p, "userTable [users; drop table users] must be a SQL identifier, optionally schema-qualified (letters, digits, _)");
        Map<String, String> q = essentials();
        q.put("emailColumn", "legacy.email");
        assertRejected(q, "emailColumn [legacy.email] must be a SQL identifier (letters, digits, _)");
        Map<String, String> r = essentials();
        r.put("stytchUserIdColumn", "\"stytch\"");
        assertRejected(r, "stytchUserIdColumn [\"stytch\"] must be a SQL identifier (letters, digits, _)");
    }

    @Test
    void acceptsASchemaQualifiedTable() {
        Map<String, String> p = essentials();
        p.put("userTable", "legacy.members");
        assertThat(parse(p).userTable()).isEqualTo("legacy.members");
    }

    @Test
    void rejectsRedirectTargetsThatLeaveTheApp() {
        for (String bad : new String[] {"https://evil.example/", "//evil.example/x", "/\\evil.example", "account", "/a b"}) {
            Map<String, String> p = essentials();
            p.put("successUrl", bad);
            assertRejected(p, "successUrl [" + bad.trim() + "] must be a context-relative path starting with a single '/'");
        }
        Map<String, String> q = essentials();
        q.put("failureUrl", "//evil.example");
        assertRejected(q, "failureUrl [//evil.example] must be a context-relative path starting with a single '/'");
    }

    @Test
    void parsesTheConflictPolicy() {
        Map<String, String> p = essentials();
        p.put("conflictPolicy", "relink");
        assertThat(parse(p).conflictPolicy()).isEqualTo(ConflictPolicy.RELINK);
        p.put("conflictPolicy", "overwrite");
        assertRejected(p, "conflictPolicy [overwrite] must be one of reject, relink");
    }

    @Test
    void parsesTheConfirmPageSwitch() {
        Map<String, String> p = essentials();
        assertThat(parse(p).confirmPage()).isFalse();
        p.put("successUrl", "/account");
        p.put("confirmPage", "TRUE");
        assertThat(parse(p).confirmPage()).isTrue();
        p.put("confirmPage", "yes");
        assertRejected(p, "confirmPage [yes] must be true or false");
    }

    @Test
    void acceptsAnActiveUserConditionAndShowsItInTheInitLine() {
        Map<String, String> p = essentials();
        assertThat(parse(p).activeUserCondition()).isNull();
        p.put("activeUserCondition", " status = 'active;' AND (deleted_at IS NULL OR \"Note\" = ')') ");
        MigrationConfig c = parse(p);
        assertThat(c.activeUserCondition()).isEqualTo("status = 'active;' AND (deleted_at IS NULL OR \"Note\" = ')')");
        assertThat(c.toString()).contains("activeUserCondition=status = 'active;' AND");
        assertThat(MigrationConfig.builder().stytchProjectId("project-test-x").stytchSecret("s").jdbcUrl("jdbc:x:y")
                .activeUserCondition("enabled").build().activeUserCondition()).isEqualTo("enabled");
    }

    @Test
    void rejectsAnActiveUserConditionThatCouldLeaveItsParentheses() {
        String rule = " must be one SQL boolean expression over the user table's columns"
                + " (no ';', '?', comments, or unbalanced quotes or parentheses)";
        for (String bad : new String[]{"status = 'active'; DROP TABLE users", "status = ?", "1 = 1) OR (1 = 1",
                "status = 'active", "enabled -- comment", "enabled /* x */", "(enabled", "enabled # x"}) {
            Map<String, String> p = essentials();
            p.put("activeUserCondition", bad);
            assertRejected(p, "activeUserCondition [" + bad + "]" + rule);
        }
    }

    @Test
    void requiresCreateUserSqlToBindTheStytchUserId() {
        Map<String, String> p = essentials();
        p.put("createUserSql", "INSERT INTO users (email) VALUES (:email) RETURNING id");
        assertRejected(p, "createUserSql must bind :stytch_user_id");
    }

    @Test
    void stripsATrailingSlashFromTheApiBaseUrl() {
        Map<String, String> p = essentials();
        p.put("stytchApiBaseUrl", "http://127.0.0.1:9999/");
        assertThat(parse(p).stytchApiBaseUrl()).isEqualTo("http://127.0.0.1:9999");
        p.put("stytchApiBaseUrl", "ftp://x");
        assertRejected(p, "stytchApiBaseUrl [ftp://x] must be an http(s) URL without query, e.g. https://test.stytch.com");
    }

    @Test
    void neverEchoesSecretsInMessagesOrToString() {
        Map<String, String> p = essentials();
        p.put("jdbcUrl", "postgresql://db/app?password=" + SECRET);
        assertThatThrownBy(() -> parse(p)).hasMessage("jdbcUrl must start with 'jdbc:'")
                .hasMessageNotContaining(SECRET);
        Map<String, String> q = essentials();
        q.put("jdbcUrl", "jdbc:postgresql://db/app?password=" + SECRET);
        q.put("jdbcPassword", SECRET);
        String shown = parse(q).toString();
        assertThat(shown).doesNotContain(SECRET).contains("stytchSecret=****").contains("jdbcPassword=****");
    }

    @Test
    void theBuilderValidatesLikeInitParams() {
        assertThatThrownBy(() -> MigrationConfig.builder().stytchProjectId("project-test-x").stytchSecret("s")
                .jdbcUrl("jdbc:postgresql://x/y").callbackPath("cb").build())
                .hasMessage("callbackPath [cb] must start with '/'");
        MigrationConfig c = MigrationConfig.builder().stytchProjectId("project-test-x").stytchSecret("s")
                .dataSource(new org.postgresql.ds.PGSimpleDataSource()).build();
        assertThat(c.dataSource()).isNotNull();
    }

    @Test
    void rejectsACreateUserSqlTemplateWithAnUnknownParameter() {
        Map<String, String> p = essentials();
        p.put("createUserSql", "INSERT INTO legacy.members (mail, stytch_ref) VALUES (:mail, :stytch_user_id)");
        assertThatThrownBy(() -> parse(p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("createUserSql uses unknown parameter [:mail]");
        Map<String, String> q = essentials();
        q.put("createUserSql", "INSERT INTO users (email, note) VALUES (:email, ':stytch_user_id')");
        assertRejected(q, "createUserSql must bind :stytch_user_id");
    }

    @Test
    void masksCredentialsInsideUrlsInToString() {
        Map<String, String> p = essentials();
        p.put("jdbcUrl", "jdbc:mysql://app:" + SECRET + "@db/app?sslmode=require");
        p.put("stytchApiBaseUrl", "https://proxy:" + SECRET + "@stytch.internal");
        String shown = parse(p).toString();
        assertThat(shown).doesNotContain(SECRET)
                .contains("jdbcUrl=jdbc:mysql://app:****@db/app?sslmode=require")
                .contains("stytchApiBaseUrl=https://proxy:****@stytch.internal");
    }

    @Test
    void theKnownParamsAreTheTableAndEverySecretIsMaskedByItsFlag() {
        assertThat(MigrationConfig.KNOWN_PARAMS).startsWith("stytchProjectId", "stytchSecret").contains("confirmPage",
                "activeUserCondition", "secondFactorCondition", "secondFactorUrl", "sessionSources", "logoutPath",
                "listenerClass", "writeExternalId", "linkByExternalId")
                .hasSize(38);
        assertThat(MigrationConfig.STYTCH_SECRET.isSecret()).isTrue();
        assertThat(MigrationConfig.JDBC_PASSWORD.isSecret()).isTrue();
        assertThat(MigrationConfig.CALLBACK_PATH.defaultValue()).containsExactly("/authenticate");
        Map<String, String> p = essentials();
        p.put("jdbcPassword", SECRET);
        p.put("jdbcUsername", "app");
        String shown = parse(p).toString();
        assertThat(shown).startsWith("MigrationConfig{stytchProjectId=project-test-")
                .contains("stytchSecret=****", "jdbcPassword=****", "jdbcUsername=app", "callbackPath=/authenticate",
                        "tokenTypes=magic_links,oauth", "conflictPolicy=reject", "confirmPage=false")
                .doesNotContain(SECRET).doesNotContain("phoneColumn");
        assertThatThrownBy(() -> MigrationConfig.builder().stytchProjectId("project-test-x").stytchSecret(SECRET)
                .jdbcUrl("jdbc:x").jdbcPassword(SECRET).dataSourceJndiName("java:comp/env/jdbc/users").build())
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void sessionSourcesAreOffByDefaultWithTheFrontendSdksCookieNames() {
        MigrationConfig c = parse(essentials());
        assertThat(c.sessionSources()).isEmpty();
        assertThat(c.sessionJwtCookie()).isEqualTo("stytch_session_jwt");
        assertThat(c.sessionTokenCookie()).isEqualTo("stytch_session");
        assertThat(c.sessionJwtMaxAgeSeconds()).isEqualTo(300);
        assertThat(c.sessionJwtCookieHttpOnly()).isFalse();
        assertThat(c.sessionOutageGraceSeconds()).isEqualTo(300);
        assertThat(c.logoutPath()).isNull();
        assertThat(c.toString()).doesNotContain("sessionSources").contains("sessionJwtCookie=stytch_session_jwt");
    }

    @Test
    void readsSessionSourcesAndTheirSettings() {
        Map<String, String> p = essentials();
        p.put("sessionSources", " bearer , cookie ");
        p.put("sessionJwtCookie", "app_jwt");
        p.put("sessionTokenCookie", "app_session");
        p.put("sessionJwtMaxAgeSeconds", "60");
        p.put("sessionJwtCookieHttpOnly", "true");
        p.put("sessionOutageGraceSeconds", "0");
        p.put("logoutPath", "/logout");
        MigrationConfig c = parse(p);
        assertThat(c.sessionSources()).containsExactly("bearer", "cookie");
        assertThat(c.sessionJwtCookie()).isEqualTo("app_jwt");
        assertThat(c.sessionTokenCookie()).isEqualTo("app_session");
        assertThat(c.sessionJwtMaxAgeSeconds()).isEqualTo(60);
        assertThat(c.sessionJwtCookieHttpOnly()).isTrue();
        assertThat(c.sessionOutageGraceSeconds()).isZero();
        assertThat(c.logoutPath()).isEqualTo("/logout");
        assertThat(c.toString()).contains("sessionSources=bearer,cookie", "logoutPath=/logout");
    }

    @Test
    void rejectsBadSessionSettingsNamingTheParam() {
        Map<String, String> p = essentials();
        p.put("sessionSources", "cookie,header");
        assertRejected(p, "sessionSources [header] is not supported; supported are [cookie, bearer]");
        p = essentials();
        p.put("sessionJwtCookie", "stytch session");
        assertRejected(p, "sessionJwtCookie [stytch session] must be a cookie name (letters, digits and !#$%&'*+-.^_`|~)");
        p = essentials();
        p.put("sessionTokenCookie", "stytch_session_jwt");
        assertRejected(p, "sessionJwtCookie and sessionTokenCookie must differ, both are [stytch_session_jwt]");
        p = essentials();
        p.put("sessionJwtMaxAgeSeconds", "0");
        assertRejected(p, "sessionJwtMaxAgeSeconds [0] must be between 1 and 3600");
        p = essentials();
        p.put("sessionOutageGraceSeconds", "7200");
        assertRejected(p, "sessionOutageGraceSeconds [7200] must be between 0 and 3600");
        p = essentials();
        p.put("logoutPath", "logout");
        assertRejected(p, "logoutPath [logout] must start with '/'");
        p = essentials();
        p.put("logoutPath", "/authenticate");
        assertRejected(p, "logoutPath [/authenticate] must differ from every callbackPath");
        p = essentials();
        p.put("sessionJwtCookieHttpOnly", "yes");
        assertRejected(p, "sessionJwtCookieHttpOnly [yes] must be true or false");
    }

    @Test
    void emptyBuilderValuesCountAsAbsent() {
        MigrationConfig c = MigrationConfig.builder().stytchProjectId("project-test-x").stytchSecret("s")
                .jdbcUrl("jdbc:postgresql://x/y").callbackPath(" ").phoneColumn("").successUrl(null).build();
        assertThat(c.callbackPaths()).containsExactly("/authenticate");
        assertThat(c.phoneColumn()).isNull();
        assertThat(c.successUrl()).isNull();
    }

    @Test
    void refusesAConfirmPageWithoutSuccessUrl() {
        Map<String, String> p = essentials();
        p.put("confirmPage", "true");
        assertRejected(p, "confirmPage=true requires successUrl (where to send the browser after the confirming POST)");
    }

    @Test
    void boundsTheCallbacksInFlight() {
        assertThat(parse(essentials()).maxConcurrentCallbacks()).isEqualTo(64);
        Map<String, String> p = essentials();
        p.put("maxConcurrentCallbacks", "0");
        assertRejected(p, "maxConcurrentCallbacks [0] must be between 1 and 10000");
        p.put("maxConcurrentCallbacks", "200");
        assertThat(parse(p).maxConcurrentCallbacks()).isEqualTo(200);
    }

    @Test
    void theSecondFactorConditionAndUrlGoTogether() {
        Map<String, String> p = essentials();
        p.put("secondFactorCondition", "legacy_totp");
        assertRejected(p, "secondFactorCondition and secondFactorUrl go together: set both or neither");
        p.put("secondFactorUrl", "https://evil.example/mfa");
        assertRejected(p, "secondFactorUrl [https://evil.example/mfa] must be a context-relative path starting with a single '/'");
        p.put("secondFactorUrl", "/mfa");
        assertThat(parse(p).secondFactorUrl()).isEqualTo("/mfa");
        p.put("secondFactorCondition", "legacy_totp; DROP TABLE users");
        assertThatThrownBy(() -> parse(p)).hasMessageStartingWith("secondFactorCondition [legacy_totp; DROP TABLE users] must be");
    }

    /** A listener an operator names by init-param. */
    public static final class AuditListener implements MigrationListener {
    }

    /** No public no-arg constructor. */
    public static final class NeedsArgumentsListener implements MigrationListener {
        public NeedsArgumentsListener(String where) {
        }
    }

    @Test
    void makesTheListenerNamedByListenerClass() {
        Map<String, String> p = essentials();
        p.put("listenerClass", AuditListener.class.getName());
        MigrationConfig c = parse(p);
        assertThat(c.listener()).isInstanceOf(AuditListener.class);
        assertThat(c.listenerClass()).isEqualTo(AuditListener.class.getName());
        assertThat(parse(essentials()).listener()).isSameAs(MigrationListener.NONE);
    }

    @Test
    void rejectsAListenerClassThatCannotBeMadeNamingTheParam() {
        Map<String, String> p = essentials();
        p.put("listenerClass", "com.example.MissingListener");
        assertRejected(p, "listenerClass [com.example.MissingListener] could not be loaded by the webapp's class loader"
                + " (ClassNotFoundException)");
        p.put("listenerClass", "java.lang.String");
        assertRejected(p, "listenerClass [java.lang.String] does not implement io.github.stytchmigration.MigrationListener");
        p.put("listenerClass", NeedsArgumentsListener.class.getName());
        assertRejected(p, "listenerClass [" + NeedsArgumentsListener.class.getName() + "] has no public no-arg constructor");
        p.put("listenerClass", "not a class");
        assertRejected(p, "listenerClass [not a class] is not a Java class name like com.example.AuditListener");
    }

    @Test
    void rejectsListenerClassBesideAProgrammaticListener() {
        assertThatThrownBy(() -> MigrationConfig.builder().stytchProjectId("project-test-x").stytchSecret("s")
                .jdbcUrl("jdbc:postgresql://localhost/app").listenerClass(AuditListener.class.getName())
                .listener(MigrationListener.NONE).build())
                .hasMessage("listenerClass and a programmatic listener: set one of them");
    }
}
