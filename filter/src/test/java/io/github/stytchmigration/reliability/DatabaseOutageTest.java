package io.github.stytchmigration.reliability;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL stopped under a running app (the filter's own HikariCP pool, in Jetty): callbacks answer
 * 503 {@code database_unavailable} with Retry-After, bounded by the pool's connection timeout plus
 * Stytch's time, and write nothing; once PostgreSQL is back, logins work again without a restart.
 *
 * <p>The embedded server is shared by every test class of this JVM: it is started again in a
 * {@code finally} block, whatever happens here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseOutageTest {
    private static final long CONNECTION_TIMEOUT_MILLIS = 1000;
    private static final long STYTCH_TIMEOUT_MILLIS = 2000;
    /** The pool's wait for a connection, plus at most the Stytch call before it. */
    private static final long BOUND_MILLIS = CONNECTION_TIMEOUT_MILLIS + STYTCH_TIMEOUT_MILLIS;

    @TempDir
    static Path tmp;

    private TesterWebApp.Stack stack;
    private StytchEmulator emulator;
    private TestDatabase db;
    private TesterWebApp app;
    private final HttpClient http = TesterWebApp.newClient();

    @BeforeAll
    void start() throws Exception {
        Assumptions.assumeTrue(TestDatabase.canRestartServer(),
                "DatabaseOutageTest needs the embedded PostgreSQL, which it stops and restarts; an external server ("
                        + TestDatabase.ENV_URL + ") cannot be stopped by a test");
        stack = TesterWebApp.Stack.start(tmp.resolve("webapp"), params -> {
            params.put("stytchTimeoutMillis", Long.toString(STYTCH_TIMEOUT_MILLIS));
            params.put("jdbcConnectionTimeoutMillis", Long.toString(CONNECTION_TIMEOUT_MILLIS));
        });
        emulator = stack.emulator;
        db = stack.db;
        app = stack.app;
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void answersDatabaseUnavailableDuringAnOutageAndRecoversWithoutARestart() throws Exception {
        long alice = TesterWebApp.seed(db, "alice@example.com", null);
        TesterWebApp.seed(db, "bob@example.com", null);
        // the pool is warm and working before the outage
        HttpResponse<String> warm = login("bob@example.com");
        assertThat(warm.statusCode()).isEqualTo(200);
        assertThat(TesterWebApp.field(warm.body(), "outcome")).isEqualTo("LINKED");
        String before = TesterWebApp.tableSnapshot(db);

        List<String> timings = new ArrayList<>();
        try {
            TestDatabase.stopServer();
            // an existing unlinked row, a new person, and a linked one: none may be half-written
            for (String email : new String[] {"alice@example.com", "carol.new@example.com", "bob@example.com",
                    "alice@example.com"}) {
                long started = System.nanoTime();
                HttpResponse<String> r = login(email);
                long took = (System.nanoTime() - started) / 1_000_000;
                timings.add(email + "=" + r.statusCode() + "/" + took + "ms");
                assertThat(r.statusCode()).as("during the outage, " + email).isEqualTo(503);
                assertThat(r.body()).contains("<code>database_unavailable</code>")
                        .doesNotContain("org.postgresql").doesNotContain("Exception").doesNotContain("SELECT")
                        .doesNotContain("Connection refused");
                assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(
                        v -> assertThat(Long.parseLong(v)).isPositive());
                assertThat(took).as("bounded by jdbcConnectionTimeoutMillis + Stytch time").isLessThan(BOUND_MILLIS);
            }
        } finally {
            TestDatabase.startServer();
        }
        System.out.println("DatabaseOutageTest: during the outage " + timings);
        assertThat(TesterWebApp.tableSnapshot(db)).as("no partial rows").isEqualTo(before);

        // back: the same app (same pool) logs people in again once the pool has reconnected
        long restarted = System.nanoTime();
        HttpResponse<String> r = null;
        int attempts = 0;
        while (System.nanoTime() - restarted < 10_000_000_000L) {
            attempts++;
            r = login("alice@example.com");
            if (r.statusCode() == 200) {
                break;
            }
            assertThat(r.statusCode()).as("while reconnecting").isEqualTo(503);
            Thread.sleep(250);
        }
        System.out.println("DatabaseOutageTest: first login after the restart succeeded on attempt " + attempts + " after "
                + (System.nanoTime() - restarted) / 1_000_000 + " ms");
        assertThat(r.statusCode()).as("a login within 10 s of PostgreSQL coming back").isEqualTo(200);
        assertThat(TesterWebApp.field(r.body(), "outcome")).isEqualTo("LINKED");
        assertThat(TesterWebApp.field(r.body(), "userId")).isEqualTo(Long.toString(alice));

        HttpResponse<String> created = login("carol.new@example.com");
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(TesterWebApp.field(created.body(), "outcome")).isEqualTo("CREATED");
        assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(3);
        assertThat(db.count("SELECT count(*) FROM users WHERE stytch_user_id IS NOT NULL")).isEqualTo(3);
    }

    private HttpResponse<String> login(String email) throws Exception {
        return TesterWebApp.callback(http, app.appUrl(), "magic_links", emulator.magicLinkToken(email), null);
    }
}
