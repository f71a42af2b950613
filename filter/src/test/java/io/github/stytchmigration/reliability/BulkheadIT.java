package io.github.stytchmigration.reliability;

import io.github.stytchmigration.emulator.Fault;
import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bulkhead through a real web.xml in Jetty: 200 concurrent callbacks against a Stytch delayed 2 s.
 * Only {@code maxConcurrentCallbacks} of them reach Stytch; every other one answers 503 at once with
 * {@code Retry-After}, its token unspent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkheadIT {
    private static final int LIMIT = 8;
    private static final int CALLBACKS = 200;
    private static final String MAGIC = "/v1/magic_links/authenticate";

    @AutoClose
    private AppStack stack;
    private StytchEmulator emulator;

    @BeforeAll
    void start() throws Exception {
        stack = AppStack.startWithFilter(params -> params.put("maxConcurrentCallbacks", Integer.toString(LIMIT))
                .put("stytchTimeoutMillis", "10000"));
        emulator = stack.emulator();
    }

    @Test
    void onlyTheLimitReachesStytchAndTheRestAnswer503AtOnce() throws Exception {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < CALLBACKS; i++) {
            tokens.add(emulator.magicLinkToken("storm" + i + "@example.com"));
        }
        emulator.injectFault(Fault.delay(MAGIC, 2000).times(CALLBACKS));
        HttpClient http = Browser.newClient();
        ExecutorService pool = Executors.newFixedThreadPool(CALLBACKS);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (String token : tokens) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return new Browser(http).callback(stack.appUrl() + "/authenticate", "magic_links", token);
                }));
            }
            go.countDown();
            int ok = 0;
            int refused = 0;
            for (Future<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertThat(r.statusCode()).isEqualTo(503);
                    assertThat(r.body()).contains("stytch_unavailable").contains("try again shortly");
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                    refused++;
                }
            }
            assertThat(emulator.requestCount(MAGIC)).as("callbacks that reached Stytch")
                    .isLessThanOrEqualTo(ok).isGreaterThanOrEqualTo(LIMIT);
            assertThat(ok).as("logged in").isEqualTo((int) emulator.requestCount(MAGIC));
            assertThat(ok + refused).isEqualTo(CALLBACKS);
            assertThat(refused).as("refused at the bulkhead").isGreaterThanOrEqualTo(CALLBACKS - 4 * LIMIT);
            assertThat(stack.users().count()).isEqualTo(ok);
        } finally {
            pool.shutdownNow();
        }
    }
}
