package io.github.stytchmigration.internal.stytch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.stytch.java.common.OptionalClientConfig;
import com.stytch.java.common.StytchResult;
import com.stytch.java.consumer.StytchClient;
import com.stytch.java.consumer.models.magiclinksemail.LoginOrCreateRequest;
import com.stytch.java.consumer.models.magiclinksemail.LoginOrCreateResponse;
import io.github.stytchmigration.emulator.Fault;
import io.github.stytchmigration.emulator.OutboxMessage;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.internal.ExternalIdWrite;
import io.github.stytchmigration.internal.MigrationException;
import io.github.stytchmigration.internal.MigrationException.InvalidTokenException;
import io.github.stytchmigration.internal.MigrationException.RateLimitedException;
import io.github.stytchmigration.internal.MigrationException.StytchUnavailableException;
import io.github.stytchmigration.internal.StytchIdentity.Identifier;
import io.github.stytchmigration.internal.StytchLogin;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SdkStytchAuthenticatorIT {
    /** Threads started by OkHttp, Okio or kotlinx-coroutines. */
    private static final Pattern SDK_THREAD = Pattern.compile(
            "OkHttp.*|Okio Watchdog|DefaultDispatcher-worker-\\d+|kotlinx\\.coroutines\\..*");
    private static final String MAGIC_LINKS_AUTHENTICATE = "/v1/magic_links/authenticate";
    private static final long TIMEOUT_MILLIS = 10_000;

    private static StytchEmulator emu;
    /** When the last injected delay ends: the emulator cannot stop while a delayed answer is pending. */
    private static long delaysEndNanos = System.nanoTime();
    private final List<SdkStytchAuthenticator> opened = new ArrayList<>();

    @BeforeAll
    static void startEmulator() {
        emu = StytchEmulator.start();
    }

    @AfterAll
    static void stopEmulator() throws InterruptedException {
        long waitNanos = delaysEndNanos - System.nanoTime();
        if (waitNanos > 0) {
            TimeUnit.NANOSECONDS.sleep(waitNanos + TimeUnit.MILLISECONDS.toNanos(200));
        }
        emu.close();
    }

    @BeforeEach
    void resetEmulator() {
        emu.reset();
    }

    @AfterEach
    void closeAuthenticators() {
        opened.forEach(SdkStytchAuthenticator::close);
    }

    private static void injectDelay(long millis) {
        delaysEndNanos = Math.max(delaysEndNanos, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis));
        emu.injectFault(Fault.delay(MAGIC_LINKS_AUTHENTICATE, millis));
    }

    private SdkStytchAuthenticator authenticator() {
        return authenticator(emu.secret(), TIMEOUT_MILLIS);
    }

    private SdkStytchAuthenticator authenticator(String secret, long timeoutMillis) {
        SdkStytchAuthenticator authenticator =
                new SdkStytchAuthenticator(emu.projectId(), secret, emu.baseUrl(), timeoutMillis, 60);
        opened.add(authenticator);
        return authenticator;
    }

    @Test
    void liftsOkHttpsLimitOfFiveConcurrentCallsPerHost() throws Exception {
        assertThat(OkHttpTuning.maxRequestsPerHost(authenticator().client))
                .isEqualTo(OkHttpTuning.MAX_REQUESTS_PER_HOST);
    }

    @Test
    void authenticatesMoreThanFiveSlowCallsAtOnce() throws Exception {
        // Each answer takes 1.5 s and each call may take 2.5 s: with OkHttp's default of 5 calls per
        // host, calls 6..12 would queue behind the first five and time out.
        int calls = 12;
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            tokens.add(emu.magicLinkToken("concurrent" + i + "@example.com"));
        }
        delaysEndNanos = Math.max(delaysEndNanos, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500));
        emu.injectFault(Fault.delay(MAGIC_LINKS_AUTHENTICATE, 1500).times(calls));
        SdkStytchAuthenticator authenticator = authenticator(emu.secret(), 2500);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(calls);
        try {
            List<java.util.concurrent.Future<StytchLogin>> results = new ArrayList<>();
            for (String token : tokens) {
                results.add(pool.submit(() -> authenticator.authenticate("magic_links", token, null)));
            }
            for (java.util.concurrent.Future<StytchLogin> result : results) {
                assertThat(result.get().identity().stytchUserId()).startsWith("user-test-");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void authenticatesMagicLinkIntoVerifiedEmailAndSession() {
        String token = emu.magicLinkToken("alice@example.com");

        StytchLogin login = authenticator().authenticate("magic_links", token, null);

        assertThat(login.identity().stytchUserId()).isNotBlank();
        assertThat(login.identity().emails()).contains(Identifier.verified("alice@example.com"));
        assertThat(login.identity().primaryEmail()).isEqualTo("alice@example.com");
        assertThat(login.sessionToken()).isNotEmpty();
        assertThat(login.sessionJwt()).isNotEmpty();
        assertThat(login.toString()).doesNotContain(login.sessionToken()).doesNotContain(login.sessionJwt());
    }

    @Test
    void carriesEveryEmailAndPhoneWithItsVerifiedFlag() {
        String userId = emu.createUser("carol@example.com", false, "+15005550006", true);
        String token = emu.embeddableMagicLinkToken(userId);

        StytchLogin login = authenticator().authenticate("magic_links", token, null);

        assertThat(login.identity().stytchUserId()).isEqualTo(userId);
        // an embeddable magic link verifies nothing
        assertThat(login.identity().emails()).containsExactly(Identifier.unverified("carol@example.com"));
        assertThat(login.identity().phoneNumbers()).containsExactly(Identifier.verified("+15005550006"));
    }

    @Test
    void authenticatesOAuthWithVerifiedEmailAndSessionFromUserSession() {
        String token = emu.oauthToken("google", "bob@example.com", true);

        StytchLogin login = authenticator().authenticate("oauth", token, null);

        assertThat(login.identity().emails()).contains(Identifier.verified("bob@example.com"));
        assertThat(login.sessionToken()).isNotEmpty();
    }

    @Test
    void carriesUnverifiedOAuthEmailAsUnverified() {
        String token = emu.oauthToken("google", "dave@example.com", false);

        StytchLogin login = authenticator().authenticate("oauth", token, null);

        assertThat(login.identity().emails()).contains(Identifier.unverified("dave@example.com"));
        assertThat(login.identity().primaryEmail()).isNull();
    }

    @Test
    void rejectsUsedMagicLinkAsInvalidToken() {
        SdkStytchAuthenticator authenticator = authenticator();
        String token = emu.magicLinkToken("alice@example.com");
        authenticator.authenticate("magic_links", token, null);

        Throwable thrown = catchThrowable(() -> authenticator.authenticate("magic_links", token, null));

        assertThat(thrown).isInstanceOf(InvalidTokenException.class);
        assertThat(((InvalidTokenException) thrown).stytchErrorType()).isEqualTo("unable_to_auth_magic_link");
        assertThat(thrown.getMessage()).contains("unable_to_auth_magic_link").doesNotContain(token);
    }

    @Test
    void rejectsUnknownMagicLinkAsInvalidToken() {
        Throwable thrown = catchThrowable(() -> authenticator().authenticate("magic_links", "no-such-token", null));

        assertThat(thrown).isInstanceOf(InvalidTokenException.class);
        assertThat(((InvalidTokenException) thrown).stytchErrorType()).isEqualTo("magic_link_not_found");
        assertThat(thrown.getMessage()).doesNotContain("no-such-token");
    }

    @Test
    void rejectsUnknownOAuthTokenAsInvalidToken() {
        Throwable thrown = catchThrowable(() -> authenticator().authenticate("oauth", "no-such-token", null));

        assertThat(thrown).isInstanceOf(InvalidTokenException.class);
        assertThat(((InvalidTokenException) thrown).stytchErrorType()).isEqualTo("oauth_token_not_found");
    }

    @Test
    void mapsStytch429ToRateLimitedWithRetryAfter() {
        emu.injectFault(Fault.status(MAGIC_LINKS_AUTHENTICATE, 429, "too_many_requests"));

        Throwable thrown = catchThrowable(() -> authenticator().authenticate("magic_links", "tok", null));

        assertThat(thrown).isInstanceOf(RateLimitedException.class);
        assertThat(((MigrationException) thrown).retryAfterSeconds()).isPositive();
        assertThat(thrown.getMessage()).contains("too_many_requests");
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503})
    void mapsStytch5xxToUnavailable(int status) {
        emu.injectFault(Fault.status(MAGIC_LINKS_AUTHENTICATE, status, "internal_server_error"));

        Throwable thrown = catchThrowable(() -> authenticator().authenticate("magic_links", "tok", null));

        assertThat(thrown).isInstanceOf(StytchUnavailableException.class);
        assertThat(((MigrationException) thrown).retryAfterSeconds()).isPositive();
        assertThat(thrown.getMessage()).contains("status=" + status);
    }

    @Test
    void mapsMalformedAnswerToUnavailable() {
        emu.injectFault(Fault.malformed(MAGIC_LINKS_AUTHENTICATE));

        assertThatThrownBy(() -> authenticator().authenticate("magic_links", emu.magicLinkToken("a@example.com"), null))
                .isInstanceOf(StytchUnavailableException.class);
    }

    @Test
    void mapsConnectionResetToUnavailable() {
        // times(2): OkHttp may silently retry a connection failure once
        emu.injectFault(Fault.connectionReset(MAGIC_LINKS_AUTHENTICATE).times(2));

        assertThatThrownBy(() -> authenticator().authenticate("magic_links", emu.magicLinkToken("a@example.com"), null))
                .isInstanceOf(StytchUnavailableException.class);
    }

    @Test
    void mapsUnreachableStytchToUnavailable() {
        SdkStytchAuthenticator authenticator =
                new SdkStytchAuthenticator(emu.projectId(), emu.secret(), "http://127.0.0.1:1/", 5000, 60);
        opened.add(authenticator);

        assertThatThrownBy(() -> authenticator.authenticate("magic_links", "tok", null))
                .isInstanceOf(StytchUnavailableException.class)
                .hasCauseInstanceOf(java.io.IOException.class);
    }

    @Test
    void boundsSlowStytchByTimeout() {
        long timeoutMillis = 500;
        injectDelay(3000);
        SdkStytchAuthenticator authenticator = authenticator(emu.secret(), timeoutMillis);

        long start = System.nanoTime();
        Throwable thrown = catchThrowable(() -> authenticator.authenticate("magic_links", "tok", null));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(thrown).isInstanceOf(StytchUnavailableException.class).hasMessageContaining("timed out");
        assertThat(elapsedMillis).isLessThan(timeoutMillis + 1000);
    }

    @Test
    void revokesTheSessionOfAnAnswerThatArrivesAfterTheTimeout() throws Exception {
        String token = emu.magicLinkToken("late@example.com");
        injectDelay(1500);
        SdkStytchAuthenticator authenticator = authenticator(emu.secret(), 300);

        Throwable thrown = catchThrowable(() -> authenticator.authenticate("magic_links", token, null));

        assertThat(thrown).isInstanceOf(StytchUnavailableException.class);
        assertThat(((StytchUnavailableException) thrown).mayHaveSpentToken()).isTrue();
        assertThat(emu.requestCount("/v1/sessions/revoke")).as("nothing to revoke yet").isZero();
        awaitRevokes(1);
        assertThatThrownBy(() -> authenticator.authenticate("magic_links", token, null))
                .as("the late answer spent the one-time token").isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void boundsEveryHttpCallByTheTimeoutPlusTheLateAnswerWindow() throws Exception {
        assertThat(OkHttpTuning.callTimeoutMillis(authenticator(emu.secret(), 2000).client))
                .isEqualTo(2000 + SdkStytchAuthenticator.LATE_ANSWER_WINDOW.toMillis());
    }

    @Test
    void revokesASessionInTheBackgroundAndToleratesOneAlreadyGone() throws Exception {
        SdkStytchAuthenticator authenticator = authenticator();
        StytchLogin login = authenticator.authenticate("magic_links", emu.magicLinkToken("alice@example.com"), null);

        authenticator.revokeInBackground(login.sessionToken(), "a test");
        authenticator.revokeInBackground(login.sessionToken(), "a test, again");
        authenticator.revokeInBackground("", "nothing");

        awaitRevokes(2);
    }

    private static void awaitRevokes(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (emu.requestCount("/v1/sessions/revoke") < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(emu.requestCount("/v1/sessions/revoke")).isEqualTo(expected);
    }

    @Test
    void keepsInterruptFlagWhenInterruptedWhileWaiting() {
        injectDelay(3000);
        SdkStytchAuthenticator authenticator = authenticator();

        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> authenticator.authenticate("magic_links", "tok", null))
                    .isInstanceOf(StytchUnavailableException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void treatsWrongSecretAsUnavailableNotAsBadToken() {
        String token = emu.magicLinkToken("alice@example.com");

        Throwable thrown = catchThrowable(() -> authenticator("wrong-secret", TIMEOUT_MILLIS)
                .authenticate("magic_links", token, null));

        assertThat(thrown).isInstanceOf(StytchUnavailableException.class)
                .hasMessageContaining("unauthorized_credentials")
                .hasMessageContaining("stytchSecret");
        assertThat(thrown.getMessage()).doesNotContain("wrong-secret").doesNotContain(token);
        assertThat(((MigrationException) thrown).retryAfterSeconds()).isPositive();
    }

    @Test
    void acceptsPkceVerifierMatchingTheChallenge() throws Exception {
        String verifier = "00000000000000000000000000000000";
        String token = startMagicLinkWithChallenge("pkce@example.com", challengeOf(verifier));

        StytchLogin login = authenticator().authenticate("magic_links", token, verifier);

        assertThat(login.identity().emails()).contains(Identifier.verified("pkce@example.com"));
    }

    @Test
    void rejectsPkceVerifierNotMatchingTheChallenge() throws Exception {
        String token = startMagicLinkWithChallenge("pkce@example.com", challengeOf("right-verifier"));

        Throwable thrown = catchThrowable(() -> authenticator().authenticate("magic_links", token, "wrong-verifier"));

        assertThat(thrown).isInstanceOf(InvalidTokenException.class);
        assertThat(((InvalidTokenException) thrown).stytchErrorType()).startsWith("pkce_");
        assertThat(thrown.getMessage()).doesNotContain("wrong-verifier");
    }

    @Test
    void rejectsUnknownTokenTypeWithoutCallingStytch() {
        assertThatThrownBy(() -> authenticator().authenticate("reset_password", "tok", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reset_password");
        assertThat(emu.requestCount(MAGIC_LINKS_AUTHENTICATE)).isZero();
    }

    @Test
    void failsAsUnavailableAfterClose() {
        SdkStytchAuthenticator authenticator = authenticator();
        authenticator.close();
        authenticator.close();

        assertThatThrownBy(() -> authenticator.authenticate("magic_links", "tok", null))
                .isInstanceOf(StytchUnavailableException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void closeStopsEveryNonDaemonThreadTheSdkStarted() throws Exception {
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        SdkStytchAuthenticator authenticator = authenticator(emu.secret(), 3000);
        // a successful call first (a cold SDK call may take a while on a loaded machine), then one that
        // times out and keeps an OkHttp call in flight at close()
        authenticator.authenticate("oauth", emu.oauthToken("google", "bob@example.com", true), null);
        injectDelay(6000);
        catchThrowable(() -> authenticator.authenticate("magic_links", "tok", null));

        authenticator.close();

        List<Thread> nonDaemon = awaitSdkThreads(before, false, 5000);
        assertThat(nonDaemon).as("non-daemon SDK threads after close").isEmpty();
        // Daemon ones are process-wide (kotlinx Dispatchers, OkHttp TaskRunner, Okio Watchdog): printed for the record
        System.out.println("SDK daemon threads still alive after close (plain JVM): "
                + names(awaitSdkThreads(before, true, 0)));
    }

    @Test
    void closingInAPlainJvmLeavesCoroutineDispatchersUsableForOthers() {
        authenticator().close();

        // a second client in the same class loader still works: nothing process-wide was shut down
        assertThat(authenticator().authenticate("magic_links", emu.magicLinkToken("alice@example.com"), null)
                .sessionToken()).isNotEmpty();
    }

    /**
     * Mimics a webapp with the SDK in WEB-INF/lib: the adapter, the SDK and its libraries load in their own
     * class loader, which is the thread context class loader while the last authenticator closes.
     */
    @Test
    void closingLastAuthenticatorOfAWebappLoaderStopsItsSharedSdkThreads() throws Exception {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader webapp = webappLoader()) {
            Thread.currentThread().setContextClassLoader(webapp);
            Class<?> type = webapp.loadClass(SdkStytchAuthenticator.class.getName());
            assertThat(type).isNotSameAs(SdkStytchAuthenticator.class);
            AutoCloseable authenticator = (AutoCloseable) type
                    .getConstructor(String.class, String.class, String.class, long.class, int.class)
                    .newInstance(emu.projectId(), emu.secret(), emu.baseUrl(), TIMEOUT_MILLIS, 60);
            Object login = type.getMethod("authenticate", String.class, String.class, String.class)
                    .invoke(authenticator, "magic_links", emu.magicLinkToken("alice@example.com"), null);
            assertThat(login.toString()).contains("session=present");
            List<String> startedByCall = names(threadsOf(webapp));
            assertThat(startedByCall).anyMatch(name -> name.startsWith("DefaultDispatcher-worker"));

            authenticator.close();

            List<Thread> left = awaitThreadsOf(webapp, 5000);
            System.out.println("SDK threads of the webapp loader before close: " + startedByCall
                    + "; after close: " + names(left));
            // Okio's watchdog has no stop API; it exits on its own 60 s after its last socket timeout
            assertThat(names(left)).allMatch(name -> name.startsWith("Okio Watchdog"));
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    /**
     * The same webapp, but the app also keeps its own {@code StytchClient} (as the sample does for TOTP),
     * which it closes in its {@code contextDestroyed()}, after the filter's {@code destroy()}. Closing the
     * filter must not stop what that client still uses; {@code SdkThreadsCleanupListener} does, once the
     * app's client is closed.
     */
    @Test
    void anAppClientStillOpenKeepsTheSharedThreadsUntilTheCleanupListenerReleasesThem() throws Exception {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader webapp = webappLoader()) {
            Thread.currentThread().setContextClassLoader(webapp);
            Object config = webapp.loadClass("com.stytch.java.common.OptionalClientConfig")
                    .getConstructor(String.class).newInstance(emu.baseUrl());
            AutoCloseable appClient = (AutoCloseable) webapp.loadClass("com.stytch.java.consumer.StytchClient")
                    .getConstructor(String.class, String.class, config.getClass())
                    .newInstance(emu.projectId(), emu.secret(), config);
            Class<?> type = webapp.loadClass(SdkStytchAuthenticator.class.getName());
            AutoCloseable authenticator = (AutoCloseable) type
                    .getConstructor(String.class, String.class, String.class, long.class, int.class)
                    .newInstance(emu.projectId(), emu.secret(), emu.baseUrl(), TIMEOUT_MILLIS, 60);
            type.getMethod("authenticate", String.class, String.class, String.class)
                    .invoke(authenticator, "magic_links", emu.magicLinkToken("alice@example.com"), null);

            authenticator.close(); // the filter's destroy()

            // Dispatchers.shutdown() now would have thrown on the app client's pending JWKS refresh after
            // switching DefaultExecutor off: every later delay/timeout of the app would be rejected.
            Class<?> defaultExecutor = webapp.loadClass("kotlinx.coroutines.DefaultExecutor");
            java.lang.reflect.Method isShutDown = defaultExecutor.getDeclaredMethod("isShutDown");
            isShutDown.setAccessible(true);
            assertThat((Boolean) isShutDown.invoke(defaultExecutor.getField("INSTANCE").get(null))).isFalse();
            assertThat(names(threadsOf(webapp))).anyMatch(name -> name.startsWith("DefaultDispatcher-worker"));

            appClient.close(); // the app's contextDestroyed()
            boolean released = (Boolean) type.getMethod("releaseSharedThreads").invoke(null); // the listener, last

            assertThat(released).isTrue();
            List<Thread> left = awaitThreadsOf(webapp, 5000);
            assertThat(names(left)).allMatch(name -> name.startsWith("Okio Watchdog"));
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    /** A loader of its own over the whole test class path, as a webapp's over its WEB-INF/lib. */
    private static URLClassLoader webappLoader() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(new File(entry).toURI().toURL());
        }
        return new URLClassLoader("webapp", urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }

    private static String startMagicLinkWithChallenge(String email, String challenge) throws Exception {
        try (StytchClient client = new StytchClient(emu.projectId(), emu.secret(),
                new OptionalClientConfig(emu.baseUrl()))) {
            StytchResult<LoginOrCreateResponse> result = client.getMagicLinks().getEmail().loginOrCreateCompletable(
                    new LoginOrCreateRequest(email, "http://localhost:3000/authenticate",
                            "http://localhost:3000/authenticate", null, null, null, null, null, null, challenge,
                            null)).get(10, TimeUnit.SECONDS);
            assertThat(result).isInstanceOf(StytchResult.Success.class);
        }
        List<OutboxMessage> messages = emu.outbox(email);
        assertThat(messages).isNotEmpty();
        return messages.get(messages.size() - 1).token();
    }

    private static String challengeOf(String verifier) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }

    /** SDK-pattern threads not in {@code before}, of the given daemon-ness, waiting up to {@code waitMillis} for none. */
    private static List<Thread> awaitSdkThreads(Set<Thread> before, boolean daemon, long waitMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (true) {
            List<Thread> found = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive() && t.isDaemon() == daemon)
                    .filter(t -> SDK_THREAD.matcher(t.getName()).matches())
                    .collect(Collectors.toList());
            if (found.isEmpty() || System.nanoTime() >= deadline) {
                return found;
            }
            Thread.sleep(100);
        }
    }

    private static List<Thread> threadsOf(ClassLoader loader) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getContextClassLoader() == loader)
                .filter(t -> SDK_THREAD.matcher(t.getName()).matches())
                .collect(Collectors.toList());
    }

    private static List<Thread> awaitThreadsOf(ClassLoader loader, long waitMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (true) {
            List<Thread> found = threadsOf(loader);
            if (found.stream().allMatch(t -> t.getName().equals("Okio Watchdog")) || System.nanoTime() >= deadline) {
                return found;
            }
            Thread.sleep(100);
        }
    }

    @Test
    void anExternalIdWriteStillInFlightWhenTheClientClosesEndsCancelledNotFailed() throws Exception {
        String userId = emu.createUser("closing@example.com", true, null, false);
        long delay = 3000;
        delaysEndNanos = Math.max(delaysEndNanos, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay));
        emu.injectFault(Fault.delay("/v1/users/" + userId, delay));
        SdkStytchAuthenticator authenticator = authenticator();

        java.util.concurrent.CompletableFuture<ExternalIdWrite> write =
                authenticator.writeExternalId(userId, "42").toCompletableFuture();
        long waited = 0;
        while (emu.requestCount("/v1/users/" + userId) == 0 && waited < 5000) {
            Thread.sleep(20); // the request reached the emulator and waits on the delay
            waited += 20;
        }
        authenticator.close(); // an undeploy while the write is in flight

        ExternalIdWrite ended = write.get(10, TimeUnit.SECONDS);
        assertThat(ended.status()).as(ended.toString()).isEqualTo(ExternalIdWrite.Status.CANCELLED);
    }

    private static List<String> names(List<Thread> threads) {
        return threads.stream().map(t -> t.getName() + (t.isDaemon() ? "(daemon)" : "")).sorted()
                .collect(Collectors.toList());
    }
}
