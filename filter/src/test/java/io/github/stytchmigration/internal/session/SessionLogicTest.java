package io.github.stytchmigration.internal.session;

import io.github.stytchmigration.ErrorCode;
import io.github.stytchmigration.MigrationConfig;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.internal.CallbackResult;
import io.github.stytchmigration.internal.ExternalIdWrite;
import io.github.stytchmigration.internal.LinkResult;
import io.github.stytchmigration.internal.Logins;
import io.github.stytchmigration.internal.MigrationMetrics;
import io.github.stytchmigration.internal.MigrationException.AccountConflictException;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import io.github.stytchmigration.internal.MigrationException.InvalidTokenException;
import io.github.stytchmigration.internal.MigrationException.StytchUnavailableException;
import io.github.stytchmigration.internal.StytchAuthenticator;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.StytchLogin;
import io.github.stytchmigration.internal.StytchSessionApi;
import io.github.stytchmigration.internal.UserStore;
import io.github.stytchmigration.internal.jwt.JwksCache;
import io.github.stytchmigration.internal.jwt.JwksFetcher;
import io.github.stytchmigration.internal.jwt.SessionJwtVerifier;
import io.github.stytchmigration.internal.jwt.TestKeys;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** The session logic with a real verifier and stubbed Stytch and store: what each request costs and decides. */
class SessionLogicTest {
    private static final Instant T0 = Instant.parse("2025-10-01T09:41:40Z");
    private static final String TOKEN = "DOYoip3rvIMMW5lgItikFK-Ak1CfMsgjuiCyI7uuU94=";
    private static final StytchIdentity ALICE = new StytchIdentity("user-test-1",
            List.of(StytchIdentity.Identifier.verified("alice@example.com")), List.of(), null, null);

    private final MutableClock clock = new MutableClock(T0);
    private final StubSessions stytch = new StubSessions();
    private final StubStore store = new StubStore();
    private final StubRevoker revoker = new StubRevoker();
    private SessionLogic logic = logic(b -> b);

    private SessionLogic logic(UnaryOperator<MigrationConfig.Builder> settings) {
        MigrationConfig config = settings.apply(MigrationConfig.builder().stytchProjectId(TestKeys.PROJECT)
                .stytchSecret("secret").dataSource(new PGSimpleDataSource()).sessionSources("cookie,bearer")).build();
        JwksFetcher keys = () -> new JwksFetcher.Jwks(TestKeys.jwks(TestKeys.KEY), -1);
        SessionJwtVerifier verifier = new SessionJwtVerifier(TestKeys.PROJECT, Set.of(TestKeys.ISSUER),
                new JwksCache(keys, System::nanoTime, 1000), config.sessionJwtMaxAgeSeconds(), clock);
        return new SessionLogic(config, verifier, stytch, new Logins(config, revoker, store), clock);
    }

    private static String jwt(Instant iat) {
        return TestKeys.sign(TestKeys.claims(iat), TestKeys.KEY);
    }

    private static SessionRequest cookies(String jwt, String token, HttpSessionLogin current) {
        return new SessionRequest(jwt, false, token, current);
    }

    private static HttpSessionLogin loggedIn(String source, String sessionId, Instant confirmedAt) {
        return new HttpSessionLogin("42", source, sessionId, confirmedAt.getEpochSecond(), null);
    }

    private void aliceLinks(MigrationOutcome outcome) {
        stytch.user = () -> ALICE;
        store.answer = () -> LinkResult.of(outcome, "42");
    }

    private StytchLogin refreshed(String sessionId) {
        return new StytchLogin(ALICE, TOKEN, jwt(clock.instant()), false, sessionId, T0.plusSeconds(3600).getEpochSecond());
    }

    @Test
    void theFirstRequestOfASessionLogsInWithTheUsersVerifiedIdentifiers() {
        aliceLinks(MigrationOutcome.LINKED);
        SessionDecision d = logic.handle(cookies(jwt(T0), null, HttpSessionLogin.NONE));
        assertThat(d.kind()).isEqualTo(SessionDecision.Kind.LOGIN);
        assertThat(d.source()).isEqualTo("cookie");
        assertThat(d.result().result().outcome()).isEqualTo(MigrationOutcome.LINKED);
        assertThat(d.result().login().sessionId()).isEqualTo("session-test-1");
        assertThat(d.confirmedAt()).isEqualTo(T0.getEpochSecond());
        assertThat(d.freshJwt()).as("the browser's JWT is fresh").isNull();
        assertThat(stytch.userCalls).containsExactly("user-test-1");
        assertThat(stytch.sessionCalls).isZero();
        assertThat(store.calls).isEqualTo(1);
    }

    @Test
    void aBearerJwtLogsInAsBearer() {
        aliceLinks(MigrationOutcome.CREATED);
        SessionDecision d = logic.handle(new SessionRequest(jwt(T0), true, null, HttpSessionLogin.NONE));
        assertThat(d.kind()).isEqualTo(SessionDecision.Kind.LOGIN);
        assertThat(d.source()).isEqualTo("bearer");
    }

    @Test
    void theSteadyStateCostsNoStytchCallAndNoSql() {
        HttpSessionLogin current = loggedIn("cookie", "session-test-1", T0);
        String jwt = jwt(T0);
        for (int i = 0; i < 3; i++) {
            clock.set(T0.plusSeconds(i * 60));
            SessionDecision d = logic.handle(cookies(jwt, TOKEN, current));
            assertThat(d.kind()).isEqualTo(SessionDecision.Kind.PASS);
            assertThat(d.endLogin()).isFalse();
            assertThat(d.confirmedAt()).as("nothing newer to record").isEqualTo(-1);
        }
        assertThat(stytch.userCalls).isEmpty();
        assertThat(stytch.sessionCalls).isZero();
        assertThat(store.calls).isZero();

        clock.set(T0.plusSeconds(200));
        assertThat(logic.handle(cookies(jwt(T0.plusSeconds(180)), TOKEN, current)).confirmedAt())
                .as("the frontend SDK's refreshed JWT is remembered").isEqualTo(T0.plusSeconds(180).getEpochSecond());
    }

    @Test
    void aForgedJwtLogsNobodyInCostsNothingAndClearsTheCookies() {
        JwtClaims claims = TestKeys.claims(T0);
        List<String> forged = List.of(TestKeys.sign(claims, TestKeys.OTHER_KEY_SAME_KID),
                TestKeys.unsigned(claims, "kid-1"), TestKeys.hs256WithPublicKey(claims, TestKeys.KEY), "garbage",
                "x".repeat(100_000));
        for (String jwt : forged) {
            SessionDecision d = logic.handle(cookies(jwt, TOKEN, loggedIn("cookie", "session-test-1", T0)));
            assertThat(d.kind()).isEqualTo(SessionDecision.Kind.PASS);
            assertThat(d.clearCookies()).isTrue();
            assertThat(d.endLogin()).as("the login made from those cookies ends").isTrue();
        }
        SessionDecision callbackLogin = logic.handle(cookies("garbage", null, loggedIn("callback", "session-x", T0)));
        assertThat(callbackLogin.endLogin()).as("a callback login is not tied to cookies").isFalse();
        assertThat(stytch.userCalls).isEmpty();
        assertThat(stytch.sessionCalls).as("not even with a session token beside it").isZero();
        assertThat(store.calls).isZero();
    }

    @Test
    void aJwtWhoseKidCannotBeCheckedYetNeitherLogsInNorOut() {
        String newKid = TestKeys.sign(TestKeys.claims(T0), TestKeys.KEY.getPrivateKey(), "RS256", "kid-new", jws -> {
        });
        logic.handle(cookies(jwt(T0), null, loggedIn("cookie", "session-test-1", T0))); // keys fetched now
        SessionDecision d = logic.handle(cookies(newKid, null, loggedIn("cookie", "session-test-1", T0)));
        assertThat(d.kind()).isEqualTo(SessionDecision.Kind.PASS);
        assertThat(d.endLogin()).isFalse();
        assertThat(d.clearCookies()).isFalse();
        assertThat(stytch.sessionCalls).isZero();

        stytch.session = () -> refreshed("session-test-1");
        assertThat(logic.handle(cookies(newKid, TOKEN, loggedIn("cookie", "session-test-1", T0))).freshJwt())
                .as("the session token can still vouch").isNotNull();
        assertThat(stytch.sessionCalls).isEqualTo(1);
    }

    @Test
    void anExpiredJwtWithoutASessionTokenCostsNoCall() {
        clock.set(T0.plusSeconds(301));
        SessionDecision d = logic.handle(cookies(jwt(T0), null, loggedIn("cookie", "session-test-1", T0)));
        assertThat(d.kind()).isEqualTo(SessionDecision.Kind.PASS);
        assertThat(d.endLogin()).isTrue();
        assertThat(d.clearCookies()).as("the frontend SDK will refresh it").isFalse();
        assertThat(logic.handle(cookies(jwt(T0), null, HttpSessionLogin.NONE)).kind()).isEqualTo(SessionDecision.Kind.PASS);
        assertThat(stytch.sessionCalls).isZero();
        assertThat(stytch.userCalls).isEmpty();
    }

    @Test
    void aTooOldJwtWithASessionTokenIsRefreshedByOneCall() {
        clock.set(T0.plusSeconds(400));
        stytch.session = () -> refreshed("session-test-1");
        SessionDecision d = logic.handle(cookies(jwt(T0), TOKEN, loggedIn("cookie", "session-test-1", T0)));
        assertThat(d.kind()).isEqualTo(SessionDecision.Kind.PASS);
        assertThat(d.freshJwt()).isNotNull();
        assertThat(d.freshJwtMaxAgeSeconds()).isEqualTo(3200);
        assertThat(d.confirmedAt()).isEqualTo(T0.plusSeconds(400).getEpochSecond());
        assertThat(stytch.sessionCalls).isEqualTo(1);
        assertThat(stytch.lastToken).isEqualTo(TOKEN);
        assertThat(store.calls).as("the same login goes on").isZero();
    }

    @Test
    void aSessionTokenAloneLogsInThroughItsRefresh() {
        stytch.session = () -> refreshed("session-test-9");
        store.answer = () -> LinkResult.of(MigrationOutcome.ALREADY_LINKED, "42");
        SessionDecision d = logic.handle(cookies(null, TOKEN, HttpSessionLogin.NONE));
        assertThat(d.kind()).isEqualTo(SessionDecision.Kind.LOGIN);
        assertThat(d.freshJwt()).isNotNull();
        assertThat(d.result().login().sessionToken()).isEqualTo(TOKEN);
        assertThat(stytch.userCalls).as("sessions.authenticate answers with the user").isEmpty();
    }

    @Test
    void aRevokedSessionEndsTheLoginAndClearsTheCookies() {
        clock.set(T0.plusSeconds(400));
        stytch.session = () -> {
            throw new InvalidTokenException("session_not_found", "Stytch authenticate session rejected the token");
        };
        SessionDecision d = logic.handle(cookies(jwt(T0), TOKEN, loggedIn("cookie", "session-test-1", T0)));
        assertThat(d.kind()).isEqualTo(SessionDecision.Kind.PASS);
        assertThat(d.endLogin()).isTrue();
        assertThat(d.clearCookies()).isTrue();
    }

    @Test
    void aMalformedSessionTokenIsNeverSentToStytch() {
        SessionDecision d = logic.handle(cookies(null, "bad token;", HttpSessionLogin.NONE));
        assertThat(d.clearCookies()).isTrue();
        assertThat(stytch.sessionCalls).isZero();
    }

    @Test
    void whileStytchIsDownALoggedInSessionKeepsWorkingForTheGracePeriodOnly() {
        stytch.session = () -> {
            throw new StytchUnavailableException("Stytch authenticate session failed (status=503)", null, 5);
        };
        HttpSessionLogin current = loggedIn("cookie", "session-test-1", T0);
        clock.set(T0.plusSeconds(400));
        assertThat(logic.handle(cookies(jwt(T0), TOKEN, current)).kind()).as("within 300 + 300 s")
                .isEqualTo(SessionDecision.Kind.PASS);
        assertThat(stytch.sessionCalls).isEqualTo(1);

        clock.set(T0.plusSeconds(450));
        assertThat(logic.handle(cookies(jwt(T0), TOKEN, current)).kind()).isEqualTo(SessionDecision.Kind.PASS);
        assertThat(stytch.sessionCalls).as("a failing Stytch is not asked again by every request").isEqualTo(1);

        clock.set(T0.plusSeconds(600));
        SessionDecision beyond = logic.handle(cookies(jwt(T0), TOKEN, current));
        assertThat(beyond.kind()).isEqualTo(SessionDecision.Kind.FAIL);
        assertThat(beyond.result().error()).isEqualTo(ErrorCode.STYTCH_UNAVAILABLE);
        assertThat(beyond.result().retryAfterSeconds()).isPositive();
        assertThat(beyond.endLogin()).as("the login is not ended by an outage").isFalse();

        SessionDecision newcomer = logic.handle(cookies(jwt(T0), TOKEN, HttpSessionLogin.NONE));
        assertThat(newcomer.kind()).as("no grace for a login being made").isEqualTo(SessionDecision.Kind.FAIL);
    }

    @Test
    void theGraceNeverCoversAnotherSession() {
        stytch.session = () -> {
            throw new StytchUnavailableException("down", null, 5);
        };
        clock.set(T0.plusSeconds(400));
        SessionDecision d = logic.handle(cookies(jwt(T0), TOKEN, loggedIn("cookie", "session-test-other", T0)));
        assertThat(d.kind()).isEqualTo(SessionDecision.Kind.FAIL);
    }

    @Test
    void whenTheCookiesAreGoneTheirLoginEnds() {
        assertThat(logic.handle(cookies(null, null, loggedIn("cookie", "session-test-1", T0))).endLogin()).isTrue();
        assertThat(logic.handle(cookies(null, null, loggedIn("callback", "session-test-1", T0))).endLogin()).isFalse();
        assertThat(logic.handle(cookies(null, null, loggedIn("app", "session-test-1", T0))).endLogin()).isFalse();
        assertThat(logic.handle(cookies(null, null, HttpSessionLogin.NONE)).kind()).isEqualTo(SessionDecision.Kind.PASS);
    }

    @Test
    void aBearerLoginOutlivesRequestsWithoutTheHeaderOnlyAsLongAsItsJwtCould() {
        HttpSessionLogin current = loggedIn("bearer", "session-test-1", T0);
        clock.set(T0.plusSeconds(299));
        assertThat(logic.handle(cookies(null, null, current)).endLogin()).isFalse();
        clock.set(T0.plusSeconds(300));
        assertThat(logic.handle(cookies(null, null, current)).endLogin()).isTrue();
    }

    @Test
    void aUserGoneFromStytchLogsNobodyIn() {
        stytch.user = () -> {
            throw new InvalidTokenException("user_not_found", "Stytch get user rejected the token");
        };
        SessionDecision d = logic.handle(cookies(jwt(T0), null, HttpSessionLogin.NONE));
        assertThat(d.kind()).isEqualTo(SessionDecision.Kind.PASS);
        assertThat(d.clearCookies()).isTrue();
        assertThat(store.calls).isZero();
    }

    @Test
    void aFailedLinkAnswersItsCodeAndNeverRevokesTheHandedSession() {
        stytch.user = () -> ALICE;
        store.answer = () -> {
            throw new DatabaseUnavailableException("no connection", null, 5);
        };
        SessionDecision down = logic.handle(cookies(jwt(T0), TOKEN, HttpSessionLogin.NONE));
        assertThat(down.kind()).isEqualTo(SessionDecision.Kind.FAIL);
        assertThat(down.result().error()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE);
        assertThat(down.result().retryAfterSeconds()).isEqualTo(5);
        assertThat(down.clearCookies()).as("worth retrying").isFalse();

        store.answer = () -> {
            throw new AccountConflictException(AccountConflictException.Reason.AMBIGUOUS, "two rows");
        };
        SessionDecision conflict = logic.handle(cookies(jwt(T0), TOKEN, HttpSessionLogin.NONE));
        assertThat(conflict.result().error()).isEqualTo(ErrorCode.ACCOUNT_CONFLICT);
        assertThat(conflict.clearCookies()).as("it would fail again on every request").isTrue();
        assertThat(revoker.revoked).isEmpty();
        assertThat(stytch.sessionCalls).isZero();
    }

    @Test
    void aLoginReplacesAnotherUsersHttpSessionAndRevokesOnlyASessionTheFilterCreated() {
        aliceLinks(MigrationOutcome.ALREADY_LINKED);
        HttpSessionLogin bobByCallback = new HttpSessionLogin("7", "callback", "session-bob", T0.getEpochSecond(), "bob-token");
        CallbackResult r = logic.handle(cookies(jwt(T0), null, bobByCallback)).result();
        assertThat(r.replacesSession()).isTrue();
        assertThat(revoker.revoked).containsExactly("bob-token");

        HttpSessionLogin bobByCookie = new HttpSessionLogin("7", "cookie", "session-bob", T0.getEpochSecond(), "bob-token-2");
        assertThat(logic.handle(cookies(jwt(T0), null, bobByCookie)).result().replacesSession()).isTrue();
        assertThat(revoker.revoked).as("a session handed to the filter is its holder's").containsExactly("bob-token");
    }

    @Test
    void stytchDownWhileALoginIsMadeAnswers503WithRetryAfter() {
        stytch.user = () -> {
            throw new StytchUnavailableException("timeout", null, 5, true);
        };
        SessionDecision d = logic.handle(cookies(jwt(T0), null, HttpSessionLogin.NONE));
        assertThat(d.kind()).isEqualTo(SessionDecision.Kind.FAIL);
        assertThat(d.result().error()).isEqualTo(ErrorCode.STYTCH_UNAVAILABLE);
        assertThat(d.result().retryAfterSeconds()).isEqualTo(5);
        assertThat(store.calls).isZero();
    }

    @Test
    void theAppsOwnLoginIsCountedAndWritesTheExternalIdThroughTheSharedLogins() {
        MigrationConfig config = MigrationConfig.builder().stytchProjectId(TestKeys.PROJECT).stytchSecret("secret")
                .dataSource(new PGSimpleDataSource()).sessionSources("cookie,bearer").writeExternalId(true).build();
        MigrationMetrics metrics = new MigrationMetrics();
        SessionLogic counted = new SessionLogic(config, new SessionJwtVerifier(TestKeys.PROJECT, Set.of(TestKeys.ISSUER),
                new JwksCache(() -> new JwksFetcher.Jwks(TestKeys.jwks(TestKeys.KEY), -1), System::nanoTime, 1000),
                config.sessionJwtMaxAgeSeconds(), clock), stytch, new Logins(config, revoker, store, metrics), clock);
        aliceLinks(MigrationOutcome.CREATED);
        stytch.session = () -> refreshed("session-test-6");

        assertThat(counted.loginForApp(TOKEN, HttpSessionLogin.NONE).isSuccess()).isTrue();
        assertThat(counted.loginForApp("not a token", HttpSessionLogin.NONE).error()).isEqualTo(ErrorCode.INVALID_REQUEST);

        assertThat(metrics.logins(MigrationOutcome.CREATED)).isEqualTo(1);
        assertThat(metrics.failures(ErrorCode.INVALID_REQUEST)).isEqualTo(1);
        assertThat(metrics.stytch().count()).isEqualTo(1);
        assertThat(metrics.database().count()).isEqualTo(1);
        assertThat(metrics.inFlight()).isZero();
        assertThat(revoker.externalIds).containsExactly("user-test-1=42");
    }

    @Test
    void theAppsOwnLoginTakesATokenOrAJwtAndRefusesForgeriesWithoutACall() {
        aliceLinks(MigrationOutcome.CREATED);
        stytch.session = () -> refreshed("session-test-5");
        CallbackResult byToken = logic.loginForApp(TOKEN, HttpSessionLogin.NONE);
        assertThat(byToken.isSuccess()).isTrue();
        assertThat(byToken.login().sessionId()).isEqualTo("session-test-5");
        assertThat(stytch.sessionCalls).isEqualTo(1);

        CallbackResult byJwt = logic.loginForApp(jwt(T0), HttpSessionLogin.NONE);
        assertThat(byJwt.isSuccess()).isTrue();
        assertThat(stytch.sessionCalls).as("a fresh JWT is verified locally").isEqualTo(1);
        assertThat(stytch.userCalls).containsExactly("user-test-1");

        assertThat(logic.loginForApp(TestKeys.sign(TestKeys.claims(T0), TestKeys.OTHER_KEY_SAME_KID), HttpSessionLogin.NONE)
                .error()).isEqualTo(ErrorCode.INVALID_TOKEN);
        assertThat(logic.loginForApp("", HttpSessionLogin.NONE).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(logic.loginForApp(null, HttpSessionLogin.NONE).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(logic.loginForApp("not a token", HttpSessionLogin.NONE).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(stytch.sessionCalls).isEqualTo(1);
        assertThat(stytch.userCalls).hasSize(1);
    }

    @Test
    void theAppsOwnLoginNeverRevokesItsSessionWhenTheLinkFails() {
        stytch.session = () -> refreshed("session-test-5");
        store.answer = () -> {
            throw new DatabaseUnavailableException("no connection", null, 5);
        };
        CallbackResult r = logic.loginForApp(TOKEN, HttpSessionLogin.NONE);
        assertThat(r.error()).isEqualTo(ErrorCode.DATABASE_UNAVAILABLE);
        assertThat(r.retryAfterSeconds()).isEqualTo(5);
        assertThat(revoker.revoked).isEmpty();
    }

    @Test
    void logoutRevokesTheHttpSessionsStytchSessionAndAGenuineJwtsNeverAForgedOnes() {
        logic.logout(loggedIn("cookie", "session-a", T0), jwt(T0), TOKEN);
        assertThat(stytch.revokedIds).containsExactly("session-a", "session-test-1");

        stytch.revokedIds.clear();
        logic.logout(HttpSessionLogin.NONE, TestKeys.sign(TestKeys.claims(T0), TestKeys.OTHER_KEY_SAME_KID), null);
        assertThat(stytch.revokedIds).isEmpty();

        logic.logout(HttpSessionLogin.NONE, null, TOKEN);
        assertThat(revoker.revoked).as("a token alone is revoked by token").containsExactly(TOKEN);
    }

    @Test
    void aFullBulkheadRefusesNewLoginsButNotTheSteadyState() throws Exception {
        logic = logic(b -> b.maxConcurrentCallbacks(1));
        // take the one permit through a login that blocks in users.get
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        stytch.user = () -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ALICE;
        };
        store.answer = () -> LinkResult.of(MigrationOutcome.ALREADY_LINKED, "42");
        Thread holder = new Thread(() -> logic.handle(cookies(jwt(T0), null, HttpSessionLogin.NONE)));
        holder.start();
        try {
            assertThat(inside.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            SessionDecision refused = logic.handle(cookies(jwt(T0), null, HttpSessionLogin.NONE));
            assertThat(refused.kind()).isEqualTo(SessionDecision.Kind.FAIL);
            assertThat(refused.result().retryAfterSeconds()).isEqualTo(1);
            assertThat(logic.handle(cookies(jwt(T0), null, loggedIn("cookie", "session-test-1", T0))).kind())
                    .isEqualTo(SessionDecision.Kind.PASS);
        } finally {
            release.countDown();
            holder.join(10_000);
        }
    }

    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static final class StubSessions implements StytchSessionApi {
        Supplier<StytchIdentity> user = () -> {
            throw new AssertionError("users.get not expected");
        };
        Supplier<StytchLogin> session = () -> {
            throw new AssertionError("sessions.authenticate not expected");
        };
        final List<String> userCalls = new CopyOnWriteArrayList<>();
        final List<String> revokedIds = new CopyOnWriteArrayList<>();
        volatile int sessionCalls;
        volatile String lastToken;

        @Override
        public StytchIdentity user(String stytchUserId) {
            userCalls.add(stytchUserId);
            return user.get();
        }

        @Override
        public synchronized StytchLogin authenticateSession(String sessionToken, String sessionJwt) {
            sessionCalls++;
            lastToken = sessionToken;
            return session.get();
        }

        @Override
        public void revokeSession(String sessionId) {
            revokedIds.add(sessionId);
        }
    }

    static final class StubRevoker implements StytchAuthenticator {
        final List<String> revoked = new CopyOnWriteArrayList<>();
        final List<String> externalIds = new CopyOnWriteArrayList<>();

        @Override
        public java.util.concurrent.CompletionStage<ExternalIdWrite> writeExternalId(String stytchUserId, String externalId) {
            externalIds.add(stytchUserId + "=" + externalId);
            return java.util.concurrent.CompletableFuture.completedFuture(ExternalIdWrite.written());
        }

        @Override
        public StytchLogin authenticate(String tokenType, String token, String codeVerifier) {
            throw new AssertionError("callbacks are not expected");
        }

        @Override
        public void revokeInBackground(String sessionToken, String reason) {
            revoked.add(sessionToken);
        }

        @Override
        public void close() {
        }
    }

    static final class StubStore implements UserStore {
        Supplier<LinkResult> answer = () -> {
            throw new AssertionError("link-or-create not expected");
        };
        volatile int calls;

        @Override
        public synchronized LinkResult linkOrCreate(StytchIdentity identity) {
            calls++;
            return answer.get();
        }

        @Override
        public void close() {
        }
    }
}
