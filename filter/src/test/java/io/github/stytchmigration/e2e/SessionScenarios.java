package io.github.stytchmigration.e2e;

import io.github.stytchmigration.emulator.FrontendSession;
import io.github.stytchmigration.emulator.Hold;
import io.github.stytchmigration.emulator.SessionRecord;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stytch sessions made elsewhere, end to end: the filter declared in a real web.xml with
 * {@code sessionSources=cookie,bearer} and a {@code logoutPath}, in a real container, against the emulator
 * (through the real SDK) and real PostgreSQL. A browser holds the frontend SDK's cookies as the SDK would;
 * the app's own backend logins go through {@code MigrationLogin} ({@code /app-login} of the app servlet).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SessionScenarios {
    static final String JWT_COOKIE = "stytch_session_jwt";
    static final String TOKEN_COOKIE = "stytch_session";

    AppStack stack;
    StytchEmulator emulator;
    TestDatabase db;
    UsersTable users;
    String appUrl;
    private final Set<String> secrets = ConcurrentHashMap.newKeySet();
    private LogCapture logs;

    abstract ServletContainer container();

    @BeforeAll
    void startEverything() throws Exception {
        logs = LogCapture.start();
        stack = AppStack.builder().container(container()).webapp((emu, database) -> WebApp.withMigrationFilter(
                InitParams.stytch(emu).jdbc(database)
                        .put("sessionSources", "cookie,bearer")
                        .put("logoutPath", "/logout"))).start();
        emulator = stack.emulator();
        db = stack.db();
        users = stack.users();
        appUrl = stack.appUrl();
        secrets.add(emulator.secret());
        secrets.add(db.password());
    }

    @BeforeEach
    void cleanSlate() {
        emulator.reset();
        users.truncate();
    }

    @AfterAll
    void stopEverything() throws Exception {
        try {
            logs.assertNoSecretLogged(secrets);
        } finally {
            logs.close();
            stack.close();
        }
    }

    /** A session as the frontend SDK leaves it after a login by email; its token and JWT go on the secrets list. */
    FrontendSession frontendLogin(String email) {
        return remember(emulator.startSessionForEmail(email));
    }

    FrontendSession remember(FrontendSession session) {
        secrets.add(session.sessionToken());
        secrets.add(session.sessionJwt());
        return session;
    }

    void remember(AppBackend.Session session) {
        secrets.add(session.sessionToken());
        secrets.add(session.sessionJwt());
    }

    static Browser withCookies(FrontendSession session) {
        return new Browser().cookie(TOKEN_COOKIE, session.sessionToken()).cookie(JWT_COOKIE, session.sessionJwt());
    }

    HttpResponse<String> page(Browser browser) throws Exception {
        return browser.get(appUrl + "/page");
    }

    HttpResponse<String> bearer(Browser browser, String jwt) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create(appUrl + "/api")).header("Authorization", "Bearer " + jwt));
    }

    /** Calls of the session path to Stytch: sessions.authenticate, users.get of this user, and the JWKS. */
    long stytchCalls(String userId) {
        return emulator.requestCount("/v1/sessions/authenticate") + emulator.requestCount("/v1/users/" + userId)
                + emulator.requestCount("/v1/sessions/jwks/" + emulator.projectId());
    }

    /**
     * Runs {@code requests} while another transaction holds the users table locked: any statement the filter
     * sent would wait out its query timeout and answer 503, so answers that come back logged out (or
     * logged in from the HttpSession) prove the filter ran no SQL.
     */
    void withoutSql(ThrowingRunnable requests) throws Exception {
        try (Connection lock = db.dataSource().getConnection()) {
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
            }
            try {
                requests.run();
            } finally {
                lock.rollback();
            }
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aFrontendSdkSessionLinksTheExistingUserOnItsFirstRequestThenCostsNothing() throws Exception {
        long alice = users.seed("alice@example.com");
        FrontendSession session = frontendLogin("alice@example.com");
        Browser browser = withCookies(session);

        HttpResponse<String> first = page(browser);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(Browser.field(first, "outcome")).isEqualTo("LINKED");
        assertThat(Browser.field(first, "userId")).isEqualTo(Long.toString(alice));
        assertThat(Browser.field(first, "sessionUserId")).isEqualTo(Long.toString(alice));
        assertThat(Browser.field(first, "loginSource")).isEqualTo("cookie");
        assertThat(Browser.field(first, "stytchSessionId")).isEqualTo(session.sessionId());
        assertThat(users.stytchUserIdOf(alice)).isEqualTo(session.userId());
        assertThat(Browser.sessionCookie(first)).as("the session id rotates at login").isPresent();
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(emulator.requestCount("/v1/users/" + session.userId())).isEqualTo(1);
        assertThat(emulator.requestCount("/v1/sessions/authenticate")).isZero();

        long calls = stytchCalls(session.userId());
        withoutSql(() -> {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> steady = page(browser);
                assertThat(steady.statusCode()).isEqualTo(200);
                assertThat(Browser.field(steady, "outcome")).as("no new login").isEqualTo("null");
                assertThat(Browser.field(steady, "sessionUserId")).isEqualTo(Long.toString(alice));
                assertThat(Browser.sessionCookie(steady)).isEmpty();
            }
        });
        assertThat(stytchCalls(session.userId())).as("steady state: no Stytch call").isEqualTo(calls);
    }

    @Test
    void aBearerJwtCreatesANewUser() throws Exception {
        FrontendSession session = frontendLogin("newcomer@example.com");
        Browser browser = new Browser();
        HttpResponse<String> first = bearer(browser, session.sessionJwt());
        assertThat(Browser.field(first, "outcome")).isEqualTo("CREATED");
        assertThat(Browser.field(first, "loginSource")).isEqualTo("bearer");
        assertThat(users.count()).isEqualTo(1);

        HttpResponse<String> again = bearer(browser, session.sessionJwt());
        assertThat(Browser.field(again, "outcome")).isEqualTo("null");
        assertThat(Browser.field(again, "sessionUserId")).isEqualTo(Browser.field(first, "userId"));
        assertThat(emulator.requestCount("/v1/users/" + session.userId())).isEqualTo(1);
    }

    @Test
    void aUserLinkedBeforeIsAlreadyLinked() throws Exception {
        String stytchUserId = emulator.createUser("linked@example.com", true, null, false);
        long row = users.seed("linked@example.com", null, stytchUserId);
        FrontendSession session = remember(emulator.startSession(stytchUserId));
        HttpResponse<String> r = page(withCookies(session));
        assertThat(Browser.field(r, "outcome")).isEqualTo("ALREADY_LINKED");
        assertThat(Browser.field(r, "userId")).isEqualTo(Long.toString(row));
    }

    @Test
    void forgedMalformedOrStaleJwtsLogNobodyInWithoutAStytchCallOrSql() throws Exception {
        long victim = users.seed("victim@example.com");
        FrontendSession session = frontendLogin("victim@example.com");
        // the filter's keys are fetched by a genuine JWT of another user first, as on any running site
        page(withCookies(frontendLogin("warm-up@example.com")));
        Map<String, String> corpus = ForgedJwts.corpus(emulator, session);
        corpus.values().forEach(secrets::add);
        long calls = stytchCalls(session.userId());

        withoutSql(() -> {
            for (Map.Entry<String, String> forged : corpus.entrySet()) {
                HttpResponse<String> byCookie = page(new Browser().cookie(JWT_COOKIE, forged.getValue()));
                HttpResponse<String> byHeader = bearer(new Browser(), forged.getValue());
                for (HttpResponse<String> r : List.of(byCookie, byHeader)) {
                    assertThat(r.statusCode()).as(forged.getKey()).isIn(200, 400, 431);
                    assertThat(Browser.field(r, "sessionUserId")).as(forged.getKey()).isNull();
                    assertThat(Browser.sessionCookie(r)).as(forged.getKey()).isEmpty();
                }
            }
            // with a genuine token beside it a forged JWT still costs nothing: a token cannot vouch for a forgery
            HttpResponse<String> withToken = page(new Browser().cookie(TOKEN_COOKIE, session.sessionToken())
                    .cookie(JWT_COOKIE, corpus.get("other key, same kid")));
            assertThat(Browser.field(withToken, "sessionUserId")).isNull();
            assertThat(Browser.setCookies(withToken, JWT_COOKIE)).as("stale cookies cleared")
                    .singleElement().satisfies(c -> assertThat(c).contains("Max-Age=0"));
            assertThat(Browser.setCookies(withToken, TOKEN_COOKIE)).singleElement()
                    .satisfies(c -> assertThat(c).contains("Max-Age=0"));
        });
        assertThat(stytchCalls(session.userId())).as("zero Stytch calls").isEqualTo(calls);
        assertThat(users.stytchUserIdOf(victim)).isNull();
    }

    @Test
    void manyOrHugeCookiesCostNoCall() throws Exception {
        Browser crowded = new Browser();
        for (int i = 0; i < 150; i++) {
            crowded.cookie("c" + i, "v" + i);
        }
        HttpResponse<String> r = page(crowded.cookie(JWT_COOKIE, "x".repeat(3000)));
        assertThat(r.statusCode()).isIn(200, 400, 431);
        assertThat(Browser.field(r, "sessionUserId")).isNull();
        assertThat(emulator.requestCount("/v1/sessions/authenticate")).isZero();
    }

    @Test
    void aTooOldJwtIsRefreshedByOneCallWithTheSessionTokenAndTheFreshJwtIsSetAsTheSdkWould() throws Exception {
        FrontendSession session = frontendLogin("refresh@example.com");
        String aged = emulator.mintSessionJwt(session.sessionId(), Duration.ofMinutes(6));
        secrets.add(aged);
        Browser browser = new Browser().cookie(TOKEN_COOKIE, session.sessionToken()).cookie(JWT_COOKIE, aged);
        java.time.Instant expiresAt = emulator.session(session.sessionId()).orElseThrow().expiresAt();

        HttpResponse<String> first = page(browser);
        assertThat(Browser.field(first, "outcome")).isEqualTo("CREATED");
        assertThat(emulator.requestCount("/v1/sessions/authenticate")).isEqualTo(1);
        assertThat(Browser.setCookies(first, JWT_COOKIE)).singleElement().satisfies(c -> {
            assertThat(c).contains("; Path=/", "SameSite=Lax").doesNotContainIgnoringCase("HttpOnly");
            assertThat(c).containsPattern("Max-Age=(3[0-5]\\d\\d|3600)");
        });
        String fresh = browser.cookie(JWT_COOKIE);
        secrets.add(fresh);
        assertThat(fresh).isNotEqualTo(aged);
        assertThat(emulator.session(session.sessionId()).orElseThrow().expiresAt())
                .as("the re-check does not extend the session").isEqualTo(expiresAt);

        HttpResponse<String> steady = page(browser);
        assertThat(Browser.field(steady, "sessionUserId")).isEqualTo(Browser.field(first, "userId"));
        assertThat(emulator.requestCount("/v1/sessions/authenticate")).as("the fresh JWT is trusted").isEqualTo(1);
    }

    @Test
    void aRevokedSessionLogsInUntilItsJwtIsTooOldThenEndsTheLoginAndClearsTheCookies() throws Exception {
        FrontendSession session = frontendLogin("revoked@example.com");
        Browser browser = withCookies(session);
        String userId = Browser.field(page(browser), "userId");
        assertThat(userId).isNotNull();

        emulator.revokeSession(session.sessionId());
        assertThat(Browser.field(page(browser), "sessionUserId"))
                .as("a fresh JWT is trusted until sessionJwtMaxAgeSeconds: the documented bound").isEqualTo(userId);

        String aged = emulator.mintSessionJwt(session.sessionId(), Duration.ofMinutes(6));
        secrets.add(aged);
        HttpResponse<String> after = page(browser.cookie(JWT_COOKIE, aged));
        assertThat(emulator.requestCount("/v1/sessions/authenticate")).isEqualTo(1);
        assertThat(Browser.field(after, "sessionUserId")).isNull();
        assertThat(Browser.field(after, "outcome")).isEqualTo("null");
        assertThat(browser.cookie(JWT_COOKIE)).isNull();
        assertThat(browser.cookie(TOKEN_COOKIE)).isNull();
        assertThat(Browser.field(page(browser), "sessionUserId")).isNull();
    }

    @Test
    void anExpiredJwtWithoutASessionTokenLogsNobodyInAndCostsNoCall() throws Exception {
        FrontendSession session = frontendLogin("expired@example.com");
        String aged = emulator.mintSessionJwt(session.sessionId(), Duration.ofMinutes(10));
        secrets.add(aged);
        HttpResponse<String> r = page(new Browser().cookie(JWT_COOKIE, aged));
        assertThat(Browser.field(r, "sessionUserId")).isNull();
        assertThat(emulator.requestCount("/v1/sessions/authenticate")).isZero();
        assertThat(emulator.requestCount("/v1/users/" + session.userId())).isZero();
    }

    @Test
    void anotherUsersSessionOnTheSameHttpSessionStartsAFreshOne() throws Exception {
        FrontendSession alice = frontendLogin("alice2@example.com");
        FrontendSession bob = frontendLogin("bob2@example.com");
        Browser browser = new Browser();
        browser.get(appUrl + "/start");
        HttpResponse<String> asAlice = page(browser.cookie(TOKEN_COOKIE, alice.sessionToken()).cookie(JWT_COOKIE, alice.sessionJwt()));
        assertThat(Browser.field(asAlice, "cart")).as("the same visitor keeps the session's attributes")
                .isEqualTo("kept-across-login");
        String aliceSessionId = browser.sessionId();

        HttpResponse<String> asBob = page(browser.cookie(TOKEN_COOKIE, bob.sessionToken()).cookie(JWT_COOKIE, bob.sessionJwt()));
        assertThat(Browser.field(asBob, "outcome")).isEqualTo("CREATED");
        assertThat(Browser.field(asBob, "sessionUserId")).isEqualTo(Browser.field(asBob, "userId"))
                .isNotEqualTo(Browser.field(asAlice, "userId"));
        assertThat(Browser.field(asBob, "cart")).as("nothing of alice's session carries over").isEqualTo("null");
        assertThat(browser.sessionId()).isNotEqualTo(aliceSessionId);
        assertThat(emulator.session(alice.sessionId()).orElseThrow().revoked())
                .as("a session handed to the filter is its holder's").isFalse();
    }

    @Test
    void theFrontendSdksLogoutClearingItsCookiesEndsTheLoginButNotACallbacksLogin() throws Exception {
        FrontendSession session = frontendLogin("leaver@example.com");
        Browser browser = withCookies(session);
        assertThat(Browser.field(page(browser), "sessionUserId")).isNotNull();

        browser.cookie(TOKEN_COOKIE, null).cookie(JWT_COOKIE, null);
        assertThat(Browser.field(page(browser), "sessionUserId")).isNull();
        assertThat(Browser.field(page(browser), "sessionUserId")).isNull();

        Browser byLink = new Browser();
        String token = emulator.magicLinkToken("linker@example.com");
        secrets.add(token);
        HttpResponse<String> callback = byLink.callback(appUrl + "/authenticate", "magic_links", token);
        assertThat(Browser.field(callback, "outcome")).isEqualTo("CREATED");
        assertThat(Browser.field(page(byLink), "sessionUserId")).as("a callback login has no cookies to lose")
                .isEqualTo(Browser.field(callback, "userId"));
    }

    @Test
    void theLogoutPathRevokesTheSessionClearsTheCookiesAndInvalidatesTheHttpSession() throws Exception {
        FrontendSession session = frontendLogin("logout@example.com");
        Browser browser = withCookies(session);
        assertThat(Browser.field(page(browser), "sessionUserId")).isNotNull();
        String loggedInSessionId = browser.sessionId();

        HttpResponse<String> get = browser.get(appUrl + "/logout");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        assertThat(emulator.session(session.sessionId()).orElseThrow().revoked()).isFalse();

        HttpResponse<String> post = browser.post(appUrl + "/logout", "");
        assertThat(post.statusCode()).isEqualTo(303);
        assertThat(post.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/app/"));
        assertThat(emulator.session(session.sessionId()).orElseThrow().revokedVia()).isEqualTo(SessionRecord.VIA_API);
        assertThat(browser.cookie(TOKEN_COOKIE)).isNull();
        assertThat(browser.cookie(JWT_COOKIE)).isNull();

        Browser oldSession = new Browser().withSession(loggedInSessionId);
        assertThat(Browser.field(page(oldSession), "sessionUserId")).isNull();

        HttpResponse<String> crossSite = withCookies(frontendLogin("other@example.com")).send(HttpRequest.newBuilder(
                URI.create(appUrl + "/logout")).header("Sec-Fetch-Site", "cross-site").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(crossSite.statusCode()).isEqualTo(403);
    }

    @Test
    void twentyFirstRequestsOfOneNewUserAtOnceOnSeparateHttpSessionsMakeOneRow() throws Exception {
        FrontendSession session = frontendLogin("crowd@example.com");
        int n = 20;
        // all twenty users.get answers leave together, so every login reaches the database at once
        Hold hold = emulator.holdAnswers(n, Duration.ofSeconds(20), Set.of("/v1/users/" + session.userId()));
        HttpClient shared = Browser.newClient();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                answers.add(pool.submit(() -> page(new Browser(shared).cookie(TOKEN_COOKIE, session.sessionToken())
                        .cookie(JWT_COOKIE, session.sessionJwt()))));
            }
            Set<String> userIds = ConcurrentHashMap.newKeySet();
            List<String> outcomes = new ArrayList<>();
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> r = answer.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                userIds.add(Browser.field(r, "sessionUserId"));
                outcomes.add(Browser.field(r, "outcome"));
            }
            assertThat(userIds).hasSize(1).doesNotContainNull();
            assertThat(outcomes).containsOnly("CREATED", "ALREADY_LINKED").contains("CREATED");
            assertThat(users.count()).isEqualTo(1);
        } finally {
            hold.release();
            pool.shutdownNow();
        }
    }

    @Test
    void theAppsOwnOtpLoginGoesThroughMigrationLogin() throws Exception {
        // the test plays the app's backend with the SDK, which a one-jar cell of the container matrix keeps
        // inside the webapp only
        org.junit.jupiter.api.Assumptions.assumeTrue(sdkOnTheTestClassPath(), "the Stytch SDK is on the test class path");
        long carol = users.seed("carol@example.com");
        AppBackend.Session otp = AppBackend.emailOtpLogin(emulator, "carol@example.com");
        remember(otp);
        Browser browser = new Browser();
        browser.get(appUrl + "/start");
        HttpResponse<String> r = browser.post(appUrl + "/app-login", "credential="
                + URLEncoder.encode(otp.sessionToken(), StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Browser.field(r, "outcome")).isEqualTo("LINKED");
        assertThat(Browser.field(r, "userId")).isEqualTo(Long.toString(carol));
        assertThat(Browser.field(r, "loginSource")).isEqualTo("app");
        assertThat(Browser.field(r, "cart")).isEqualTo("kept-across-login");
        assertThat(Browser.sessionCookie(r)).as("rotated").isPresent();
        assertThat(Browser.field(page(browser), "sessionUserId")).as("not tied to cookies").isEqualTo(Long.toString(carol));

        AppBackend.Session byJwt = AppBackend.emailOtpLogin(emulator, "dan@example.com");
        remember(byJwt);
        HttpResponse<String> jwtLogin = new Browser().post(appUrl + "/app-login", "credential="
                + URLEncoder.encode(byJwt.sessionJwt(), StandardCharsets.UTF_8));
        assertThat(Browser.field(jwtLogin, "outcome")).isEqualTo("CREATED");
        HttpResponse<String> forged = new Browser().post(appUrl + "/app-login", "credential=eyJhbGciOiJub25lIn0.e30.");
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(Browser.field(forged, "error")).isEqualTo("invalid_token");
        HttpResponse<String> malformed = new Browser().post(appUrl + "/app-login", "credential=not+a+token");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(Browser.field(malformed, "error")).isEqualTo("invalid_request");
        assertThat(users.count()).isEqualTo(2);
    }

    private static boolean sdkOnTheTestClassPath() {
        try {
            Class.forName("com.stytch.java.consumer.StytchClient", false, SessionScenarios.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

}
