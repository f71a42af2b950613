package io.github.stytchmigration.e2e;

import io.github.stytchmigration.emulator.Fault;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.ContextXml;
import io.github.stytchmigration.testing.Deployment;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.LogCapture;
import io.github.stytchmigration.testing.ServletContainer;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.UsersTable;
import io.github.stytchmigration.testing.WebApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filter declared in a real web.xml, deployed in a real container, driven over HTTP against the
 * Stytch emulator (through the real SDK) and real PostgreSQL. Subclasses choose the container and how
 * the filter reaches the database there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EndToEndScenarios {
    AppStack stack;
    StytchEmulator emulator;
    TestDatabase db;
    UsersTable users;
    Deployment app;
    Browser browser;

    // Every secret the scenarios handle, so that the logs can be searched for them at the end.
    private final Set<String> secrets = ConcurrentHashMap.newKeySet();
    private LogCapture logs;

    abstract ServletContainer container();

    /** Adds the init-params that give a filter its database in this container (jdbcUrl or JNDI). */
    abstract InitParams withDatabase(InitParams params, TestDatabase db);

    /** The webapp's META-INF/context.xml; none unless the container provides the DataSource. */
    ContextXml contextXml(TestDatabase db) {
        return null;
    }

    @BeforeAll
    void startEverything() throws Exception {
        logs = LogCapture.start();
        stack = AppStack.builder().container(container()).webapp(this::webapp).start();
        emulator = stack.emulator();
        db = stack.db();
        users = stack.users();
        app = stack.app();
        remember(emulator.secret());
        remember(db.password());
        // the scenarios bound Stytch by 2 s: warm the SDK up first; @BeforeEach clears what it wrote
        stack.warmUp("/authenticate").forEach(this::remember);
    }

    private WebApp webapp(StytchEmulator emulator, TestDatabase db) {
        return new WebApp()
                .filter("stytchMigration", withDatabase(stytchParams(emulator), db)
                        .put("phoneColumn", "phone"))
                .filter("stytchMigrationConfirm", withDatabase(stytchParams(emulator), db)
                        .put("callbackPath", "/confirm/authenticate")
                        .put("confirmPage", "true")
                        .put("successUrl", "/account"))
                .filter("stytchMigrationRedirect", withDatabase(stytchParams(emulator), db)
                        .put("callbackPath", "/redirect/authenticate")
                        .put("successUrl", "/account")
                        .put("failureUrl", "/login?from=callback"))
                .filter("stytchMigrationBroken", withDatabase(stytchParams(emulator), db)
                        .put("callbackPath", "/broken/authenticate")
                        .put("createUserSql", "INSERT INTO users (no_such_column, stytch_user_id) VALUES (:email, :stytch_user_id) RETURNING id"))
                .filter("stytchMigrationDatabaseDown", stytchParams(emulator)
                        .put("callbackPath", "/dbdown/authenticate")
                        .put("jdbcUrl", "jdbc:postgresql://127.0.0.1:1/nowhere")
                        .put("jdbcConnectionTimeoutMillis", "500"))
                .contextXml(contextXml(db));
    }

    private static InitParams stytchParams(StytchEmulator emulator) {
        return InitParams.stytch(emulator).put("stytchTimeoutMillis", "2000");
    }

    @AfterAll
    void stopEverything() throws Exception {
        try {
            if (stack != null) {
                stack.close();
            }
        } finally {
            logs.close();
        }
        assertThat(logs.text()).as("the filter logged its outcomes").contains("LINKED userId=", "CREATED userId=");
        assertThat(secrets).as("tokens, session tokens and JWTs were collected").hasSizeGreaterThan(20);
        logs.assertNoSecretLogged(secrets);
    }

    @BeforeEach
    void freshState() {
        users.truncate();
        emulator.reset();
        browser = new Browser();
    }

    String magicLink(String email) {
        return remember(emulator.magicLinkToken(email));
    }

    String oauth(String provider, String email, boolean verified) {
        return remember(emulator.oauthToken(provider, email, verified));
    }

    String embeddable(String stytchUserId) {
        return remember(emulator.embeddableMagicLinkToken(stytchUserId));
    }

    private String remember(String token) {
        if (token != null && !token.isEmpty() && !"null".equals(token)) {
            secrets.add(token);
        }
        return token;
    }

    HttpResponse<String> callback(String path, String type, String token) throws Exception {
        HttpResponse<String> response = browser.callback(app.appUrl() + path, type, token);
        if (response.statusCode() == 200 && Browser.field(response, "outcome") != null) {
            // the app (this test's servlet) may read the Stytch session; the logs must not contain it
            HttpResponse<String> session = browser.get(app.appUrl() + "/stytch-session");
            remember(Browser.field(session, "sessionToken"));
            remember(Browser.field(session, "sessionJwt"));
        }
        return response;
    }

    @Test
    void linksExistingUserOnFirstLoginAndRotatesTheSession() throws Exception {
        long id = users.seed("Alice@Example.com");
        HttpResponse<String> start = browser.get(app.appUrl() + "/start");
        String before = browser.sessionId();
        assertThat(start.statusCode()).isEqualTo(200);
        assertThat(before).isNotNull();

        HttpResponse<String> r = callback("/authenticate", "magic_links", magicLink("alice@example.com"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Browser.field(r, "outcome")).isEqualTo("LINKED");
        assertThat(Browser.field(r, "userId")).isEqualTo(Long.toString(id));
        String stytchUserId = Browser.field(r, "stytchUserId");
        assertThat(stytchUserId).startsWith("user-test-");
        assertThat(Browser.field(r, "sessionUserId")).isEqualTo(Long.toString(id));
        assertThat(Browser.field(r, "cart")).as("attributes survive the rotation").isEqualTo("kept-across-login");
        assertThat(Browser.field(r, "hasStytchSession")).isEqualTo("true");
        assertThat(browser.sessionId()).as("session id rotated").isNotEqualTo(before);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(users.stytchUserIdOf(id)).isEqualTo(stytchUserId);

        // the old session id is worthless now
        Browser attacker = new Browser();
        HttpResponse<String> replay = attacker.send(HttpRequest.newBuilder(
                URI.create(app.appUrl() + "/account")).header("Cookie", "JSESSIONID=" + before));
        assertThat(Browser.field(replay, "sessionUserId")).isNull();
    }

    @Test
    void reportsAlreadyLinkedOnTheNextLogin() throws Exception {
        long id = users.seed("bob@example.com");
        assertThat(Browser.field(callback("/authenticate", "magic_links", magicLink("bob@example.com")), "outcome"))
                .isEqualTo("LINKED");
        HttpResponse<String> again = callback("/authenticate", "magic_links", magicLink("bob@example.com"));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(Browser.field(again, "outcome")).isEqualTo("ALREADY_LINKED");
        assertThat(Browser.field(again, "userId")).isEqualTo(Long.toString(id));
        assertThat(users.count()).isEqualTo(1);
    }

    @Test
    void createsAnUnknownUser() throws Exception {
        users.seed("someone.else@example.com");
        HttpResponse<String> r = callback("/authenticate", "magic_links", magicLink("New.Person@example.com"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Browser.field(r, "outcome")).isEqualTo("CREATED");
        String userId = Browser.field(r, "userId");
        assertThat(db.queryString("SELECT lower(email) || '|' || stytch_user_id FROM users WHERE id = ?", Long.parseLong(userId)))
                .isEqualTo("new.person@example.com|" + Browser.field(r, "stytchUserId"));
        assertThat(users.count()).isEqualTo(2);
    }

    @Test
    void linksThroughOAuthWithAVerifiedEmail() throws Exception {
        long id = users.seed("dana@example.com");
        HttpResponse<String> r = callback("/authenticate", "oauth", oauth("google", "Dana@example.com", true));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Browser.field(r, "outcome")).isEqualTo("LINKED");
        assertThat(Browser.field(r, "userId")).isEqualTo(Long.toString(id));
    }

    @Test
    void refusesToLinkOnAnUnverifiedEmail() throws Exception {
        users.seed("erin@example.com");
        String before = users.snapshot();
        HttpResponse<String> r = callback("/authenticate", "oauth", oauth("google", "erin@example.com", false));
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.body()).contains("account_conflict");
        assertThat(users.snapshot()).isEqualTo(before);
    }

    @Test
    void linksByVerifiedPhoneWhenThePhoneColumnIsSet() throws Exception {
        long id = users.seed("frank.legacy@example.com", "+15555550101", null);
        String stytchUser = emulator.createUser(null, false, "+15555550101", true);
        HttpResponse<String> r = callback("/authenticate", "magic_links", embeddable(stytchUser));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Browser.field(r, "outcome")).isEqualTo("LINKED");
        assertThat(Browser.field(r, "userId")).isEqualTo(Long.toString(id));
        assertThat(Browser.field(r, "stytchUserId")).isEqualTo(stytchUser);
    }

    @Test
    void rejectsAnAccountLinkedToAnotherStytchUser() throws Exception {
        users.seed("carol@example.com", null, "user-test-someone-else");
        String before = users.snapshot();
        HttpResponse<String> r = callback("/authenticate", "magic_links", magicLink("carol@example.com"));
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.body()).contains("account_conflict");
        assertThat(users.snapshot()).isEqualTo(before);
    }

    @Test
    void rejectsAUsedToken() throws Exception {
        String token = magicLink("gina@example.com");
        assertThat(callback("/authenticate", "magic_links", token).statusCode()).isEqualTo(200);
        String before = users.snapshot();
        HttpResponse<String> r = new Browser().callback(app.appUrl() + "/authenticate", "magic_links", token);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("invalid_token").doesNotContain(token);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(users.snapshot()).isEqualTo(before);
    }

    @Test
    void rejectsAMalformedCallbackWithoutCallingStytch() throws Exception {
        HttpResponse<String> noToken = browser.get(app.appUrl() + "/authenticate?stytch_token_type=magic_links");
        assertThat(noToken.statusCode()).isEqualTo(400);
        assertThat(noToken.body()).contains("invalid_request");
        HttpResponse<String> badType = browser.get(app.appUrl() + "/authenticate?stytch_token_type=reset_password&token=abc");
        assertThat(badType.statusCode()).isEqualTo(400);
        HttpResponse<String> repeated = browser.get(app.appUrl() + "/authenticate?stytch_token_type=oauth&token=a&token=b");
        assertThat(repeated.statusCode()).isEqualTo(400);
        assertThat(emulator.requestCount("/v1/magic_links/authenticate") + emulator.requestCount("/v1/oauth/authenticate"))
                .isZero();
        assertThat(users.count()).isZero();
    }

    @Test
    void acceptsTheCallbackByPost() throws Exception {
        String token = magicLink("hank@example.com");
        HttpResponse<String> r = browser.post(app.appUrl() + "/authenticate",
                "stytch_token_type=magic_links&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Browser.field(r, "outcome")).isEqualTo("CREATED");
    }

    @Test
    void answersRateLimitedWithRetryAfter() throws Exception {
        String token = magicLink("ivy@example.com");
        emulator.injectFault(Fault.status("/v1/magic_links/authenticate", 429, "too_many_requests"));
        HttpResponse<String> r = callback("/authenticate", "magic_links", token);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.body()).contains("rate_limited");
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(users.count()).isZero();
    }

    @Test
    void answersStytchUnavailableWithRetryAfterAndRecovers() throws Exception {
        emulator.injectFault(Fault.status("/v1/magic_links/authenticate", 503, "internal_server_error"));
        HttpResponse<String> r = callback("/authenticate", "magic_links", magicLink("jack@example.com"));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("stytch_unavailable");
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(users.count()).isZero();

        HttpResponse<String> next = callback("/authenticate", "magic_links", magicLink("jack@example.com"));
        assertThat(next.statusCode()).isEqualTo(200);
    }

    @Test
    void answersStytchUnavailableWhenStytchIsSlowerThanTheTimeout() throws Exception {
        emulator.injectFault(Fault.delay("/v1/magic_links/authenticate", 4000));
        long started = System.nanoTime();
        HttpResponse<String> r = callback("/authenticate", "magic_links", magicLink("kim@example.com"));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("stytch_unavailable");
        // the contract's bound: stytchTimeoutMillis (2000 here) + 1 s
        assertThat(tookMillis).isLessThan(3000);
    }

    @Test
    void answersDatabaseUnavailableWithRetryAfter() throws Exception {
        HttpResponse<String> r = callback("/dbdown/authenticate", "magic_links", magicLink("lou@example.com"));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("database_unavailable");
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void answersInternalErrorWithAnIncidentIdAndNoDetails() throws Exception {
        HttpResponse<String> r = callback("/broken/authenticate", "magic_links", magicLink("mia@example.com"));
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("internal_error").containsPattern("Incident: <code>[0-9a-f-]{36}</code>")
                .doesNotContain("no_such_column").doesNotContain("INSERT").doesNotContain("Exception");
        assertThat(users.count()).isZero();
    }

    @Test
    void redirectsToSuccessUrlAndFailureUrl() throws Exception {
        HttpResponse<String> ok = callback("/redirect/authenticate", "magic_links", magicLink("ned@example.com"));
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(ok.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/app/account"));
        HttpResponse<String> account = browser.get(app.appUrl() + "/account");
        assertThat(Browser.field(account, "sessionUserId")).isEqualTo(db.queryString("SELECT id::text FROM users"));

        HttpResponse<String> failed = callback("/redirect/authenticate", "magic_links", "unknown-token");
        assertThat(failed.statusCode()).isEqualTo(303);
        // a token Stytch refuses cannot work again: link=used tells the app to offer a new link, not a retry
        assertThat(failed.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/app/login?from=callback&error=invalid_token&link=used"));
    }

    @Test
    void hardensTheRotatedSessionCookie() throws Exception {
        browser.get(app.appUrl() + "/start");
        HttpResponse<String> r = callback("/authenticate", "magic_links", magicLink("olive@example.com"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Browser.sessionCookie(r)).hasValueSatisfying(cookie -> assertThat(cookie)
                .containsIgnoringCase("; HttpOnly").containsIgnoringCase("SameSite=Lax")
                .doesNotContainIgnoringCase("Secure;").doesNotEndWith("Secure"));
    }

    @Test
    void aConfirmPageKeepsTheTokenUsableUntilThePost() throws Exception {
        String token = magicLink("pia@example.com");
        String url = app.appUrl() + "/confirm/authenticate?stytch_token_type=magic_links&token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8);
        // what an email link scanner does: GET (twice)
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> page = new Browser().get(url);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<form method=\"post\">").doesNotContain(token);
            assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        }
        assertThat(emulator.requestCount("/v1/magic_links/authenticate")).as("GET never spends the token").isZero();
        assertThat(users.count()).isZero();

        // the person presses the button: the form posts to the same URL, query string included
        HttpResponse<String> done = browser.post(url, "");
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(done.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/app/account"));
        assertThat(users.count()).isEqualTo(1);
        HttpResponse<String> account = browser.get(app.appUrl() + "/account");
        assertThat(Browser.field(account, "sessionUserId")).as("logged in, CREATED").isNotNull().isNotEqualTo("null");

        HttpResponse<String> malformed = new Browser().get(app.appUrl() + "/confirm/authenticate?stytch_token_type=magic_links");
        assertThat(malformed.statusCode()).isEqualTo(400);
    }

    @Test
    void passesOtherRequestsThroughUntouched() throws Exception {
        HttpResponse<String> r = browser.get(app.appUrl() + "/somewhere?token=abc&stytch_token_type=magic_links");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Browser.field(r, "outcome")).isEqualTo("null");
        assertThat(r.headers().firstValue("Cache-Control")).isEmpty();
        assertThat(emulator.requestCount("/v1/magic_links/authenticate")).isZero();
    }
}
