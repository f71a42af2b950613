package io.github.stytchmigration.reliability;

import io.github.stytchmigration.emulator.Fault;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.UsersTable;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stytch failing in every way the emulator can fail, behind the filter in Jetty: each answers 503
 * {@code stytch_unavailable} or 429 {@code rate_limited} with a Retry-After, within the contract's
 * bound of {@code stytchTimeoutMillis} + 1 s, writes nothing, and the next good login succeeds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamFaultsIT {
    private static final long STYTCH_TIMEOUT_MILLIS = 1500;
    /** The contract: a callback is answered within stytchTimeoutMillis + 1 s whatever Stytch does. */
    private static final long BOUND_MILLIS = STYTCH_TIMEOUT_MILLIS + 1000;
    private static final String MAGIC = "/v1/magic_links/authenticate";
    private static final String OAUTH = "/v1/oauth/authenticate";

    @AutoClose
    private AppStack stack;
    private StytchEmulator emulator;
    private UsersTable users;
    private final HttpClient http = Browser.newClient();

    @BeforeAll
    void start() throws Exception {
        stack = AppStack.startWithFilter(params -> params.put("stytchTimeoutMillis", Long.toString(STYTCH_TIMEOUT_MILLIS)));
        emulator = stack.emulator();
        users = stack.users();
        // logins first, so the bound is measured on a warm JVM (SDK and Kotlin classes loaded)
        stack.warmUp("/authenticate");
    }

    @BeforeEach
    void freshState() {
        users.truncate();
        emulator.reset();
        users.seed("existing@example.com");
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("500", "magic_links", Fault.status(MAGIC, 500, null), 503, "stytch_unavailable"),
                Arguments.of("502", "magic_links", Fault.status(MAGIC, 502, null), 503, "stytch_unavailable"),
                Arguments.of("503", "magic_links", Fault.status(MAGIC, 503, null), 503, "stytch_unavailable"),
                Arguments.of("429", "magic_links", Fault.status(MAGIC, 429, null), 429, "rate_limited"),
                Arguments.of("429 user_lock_limit_reached", "magic_links", Fault.status(MAGIC, 429, "user_lock_limit_reached"),
                        429, "rate_limited"),
                Arguments.of("malformed JSON", "magic_links", Fault.malformed(MAGIC), 503, "stytch_unavailable"),
                Arguments.of("connection reset", "magic_links", Fault.connectionReset(MAGIC).times(10), 503, "stytch_unavailable"),
                Arguments.of("delay past the timeout", "magic_links", Fault.delay(MAGIC, 4000), 503, "stytch_unavailable"),
                Arguments.of("OAuth 503", "oauth", Fault.status(OAUTH, 503, null), 503, "stytch_unavailable"),
                Arguments.of("OAuth delay past the timeout", "oauth", Fault.delay(OAUTH, 4000), 503, "stytch_unavailable"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void answersAFailingStytchWithinTheBoundWithRetryAfterWritesNothingAndRecovers(
            String name, String type, Fault fault, int status, String code) throws Exception {
        String before = users.snapshot();
        String token = token(type, "existing@example.com");
        emulator.injectFault(fault);

        long started = System.nanoTime();
        HttpResponse<String> r = callback(type, token);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("UpstreamFaultsIT: " + name + " -> " + r.statusCode() + " in " + tookMillis + " ms");

        assertThat(r.statusCode()).as(name).isEqualTo(status);
        assertThat(r.body()).contains("<code>" + code + "</code>").doesNotContain(token)
                .doesNotContain("Exception").doesNotContain("at io.");
        assertThat(r.headers().firstValue("Retry-After")).as("Retry-After").hasValueSatisfying(
                v -> assertThat(Long.parseLong(v)).isPositive());
        assertThat(tookMillis).as("answered within stytchTimeoutMillis + 1 s").isLessThan(BOUND_MILLIS);
        assertThat(emulator.requestCount(type.equals("oauth") ? OAUTH : MAGIC)).as("Stytch was really called").isPositive();
        assertThat(users.snapshot()).as("nothing written").isEqualTo(before);

        // no fault left over (OkHttp retries a reset on each pooled connection, so a reset fault is injected
        // more often than it can be used): the next login meets a Stytch that works
        emulator.reset();
        HttpResponse<String> next = callback(type, token(type, "existing@example.com"));
        assertThat(next.statusCode()).as("the next good login").isEqualTo(200);
        assertThat(Browser.field(next, "outcome")).isEqualTo("LINKED");
        assertThat(Browser.field(next, "userId")).isEqualTo("1");
        assertThat(users.count()).isEqualTo(1);
    }

    @Test
    void holdsNoServletThreadLongerThanTheBoundWhenStytchHangs() throws Exception {
        int callbacks = 20;
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < callbacks; i++) {
            tokens.add(emulator.magicLinkToken("slow" + i + "@example.com"));
        }
        emulator.injectFault(Fault.delay(MAGIC, 5000).times(callbacks));
        String before = users.snapshot();

        ExecutorService pool = Executors.newFixedThreadPool(callbacks);
        CountDownLatch gate = new CountDownLatch(1);
        try {
            List<Future<long[]>> answers = new ArrayList<>();
            for (String token : tokens) {
                Callable<long[]> call = () -> {
                    gate.await();
                    long started = System.nanoTime();
                    HttpResponse<String> r = callback("magic_links", token);
                    long took = (System.nanoTime() - started) / 1_000_000;
                    boolean retryAfter = r.headers().firstValue("Retry-After").isPresent();
                    boolean named = r.body().contains("<code>stytch_unavailable</code>");
                    return new long[] {r.statusCode(), took, retryAfter && named ? 1 : 0};
                };
                answers.add(pool.submit(call));
            }
            gate.countDown();
            long max = 0;
            List<Long> times = new ArrayList<>();
            for (Future<long[]> f : answers) {
                long[] a = f.get(30, TimeUnit.SECONDS);
                assertThat(a[0]).as("status").isEqualTo(503);
                assertThat(a[2]).as("stytch_unavailable with Retry-After").isEqualTo(1);
                assertThat(a[1]).as("each answered within stytchTimeoutMillis + 1 s").isLessThan(BOUND_MILLIS);
                times.add(a[1]);
                max = Math.max(max, a[1]);
            }
            System.out.println("UpstreamFaultsIT: 20 concurrent callbacks, Stytch delayed 5 s: times (ms) " + times
                    + ", max " + max);
        } finally {
            pool.shutdownNow();
        }
        assertThat(emulator.requestCount(MAGIC)).as("all 20 reached Stytch").isEqualTo(callbacks);
        assertThat(users.snapshot()).isEqualTo(before);

        emulator.reset();
        HttpResponse<String> next = callback("magic_links", emulator.magicLinkToken("existing@example.com"));
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(Browser.field(next, "outcome")).isEqualTo("LINKED");
    }

    private HttpResponse<String> callback(String type, String token) throws Exception {
        return new Browser(http).callback(stack.appUrl() + "/authenticate", type, token);
    }

    private String token(String type, String email) {
        return "oauth".equals(type) ? emulator.oauthToken("google", email, true) : emulator.magicLinkToken(email);
    }
}
