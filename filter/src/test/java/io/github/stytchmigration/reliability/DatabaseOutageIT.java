package io.github.stytchmigration.reliability;

import io.github.stytchmigration.testing.AppStack;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.UsersTable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

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
class DatabaseOutageIT {
    private static final long CONNECTION_TIMEOUT_MILLIS = 1000;
    private static final long STYTCH_TIMEOUT_MILLIS = 2000;
    /** The pool's wait for a connection, plus at most the Stytch call before it. */
    private static final long BOUND_MILLIS = CONNECTION_TIMEOUT_MILLIS + STYTCH_TIMEOUT_MILLIS;

    @AutoClose
    private AppStack stack;
    private final HttpClient http = Browser.newClient();

    @BeforeAll
    void start() throws Exception {
        Assumptions.assumeTrue(TestDatabase.canRestartServer(),
                "DatabaseOutageIT needs the embedded PostgreSQL, which it stops and restarts; an external server ("
                        + TestDatabase.ENV_URL + ") cannot be stopped by a test");
        stack = AppStack.startWithFilter(params -> params
                .put("stytchTimeoutMillis", Long.toString(STYTCH_TIMEOUT_MILLIS))
                .put("jdbcConnectionTimeoutMillis", Long.toString(CONNECTION_TIMEOUT_MILLIS)));
    }

    @Test
    void answersDatabaseUnavailableDuringAnOutageAndRecoversWithoutARestart() throws Exception {
        UsersTable users = stack.users();
        long alice = users.seed("alice@example.com");
        users.seed("bob@example.com");
        // the pool is warm and working before the outage
        HttpResponse<String> warm = login("bob@example.com");
        assertThat(warm.statusCode()).isEqualTo(200);
        assertThat(Browser.field(warm, "outcome")).isEqualTo("LINKED");
        String before = users.snapshot();

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
        System.out.println("DatabaseOutageIT: during the outage " + timings);
        assertThat(users.snapshot()).as("no partial rows").isEqualTo(before);

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
        System.out.println("DatabaseOutageIT: first login after the restart succeeded on attempt " + attempts + " after "
                + (System.nanoTime() - restarted) / 1_000_000 + " ms");
        assertThat(r.statusCode()).as("a login within 10 s of PostgreSQL coming back").isEqualTo(200);
        assertThat(Browser.field(r, "outcome")).isEqualTo("LINKED");
        assertThat(Browser.field(r, "userId")).isEqualTo(Long.toString(alice));

        HttpResponse<String> created = login("carol.new@example.com");
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(Browser.field(created, "outcome")).isEqualTo("CREATED");
        assertThat(users.count()).isEqualTo(3);
        assertThat(stack.db().count("SELECT count(*) FROM users WHERE stytch_user_id IS NOT NULL")).isEqualTo(3);
    }

    private HttpResponse<String> login(String email) throws Exception {
        return new Browser(http).callback(stack.appUrl() + "/authenticate", "magic_links", stack.emulator().magicLinkToken(email));
    }
}
