package io.github.stytchmigration.reliability;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.AppNode;
import io.github.stytchmigration.testing.AppNodes;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.Deployment;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.LogCapture;
import io.github.stytchmigration.testing.PostgresPair;
import io.github.stytchmigration.testing.ServletContainer;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.UsersTable;
import io.github.stytchmigration.testing.WebApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL failover under running app servers: a primary and a streaming standby ({@link PostgresPair}),
 * and two app nodes, each a JVM of its own ({@link AppNode}) whose filter owns a HikariCP pool on a
 * multi-host URL with {@code targetServerType=primary}. Stopping the primary turns logins into
 * {@code 503 database_unavailable} with {@code Retry-After} within the pool's wait, never a 500 and never
 * a hang; promoting the standby makes every node log people in again, without a restart, with the rows
 * written before the failover. A pool pointed at the standby alone refuses what must be written
 * (SQLState 25006) with a 503 and writes nothing, while returning users, who need no write, log in.
 *
 * <p>The order matters: the standby is promoted in the last test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverIT {
    private static final int NODES = 2;
    private static final long CONNECTION_TIMEOUT_MILLIS = 2000;
    private static final long STYTCH_TIMEOUT_MILLIS = 3000;
    /** The contract's bound on an answer during an outage: the pool's wait, plus at most the Stytch call before it. */
    private static final long BOUND_MILLIS = CONNECTION_TIMEOUT_MILLIS + STYTCH_TIMEOUT_MILLIS;
    /** How long the nodes may take to log people in after the promotion before the test gives up (not a target). */
    private static final long RECOVERY_DEADLINE_MILLIS = 60_000;

    private Path dir;
    private PostgresPair pair;
    private StytchEmulator emulator;
    private AppNodes nodes;
    private final HttpClient http = Browser.newClient();

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("stytch-migration-failover");
        long started = System.nanoTime();
        pair = PostgresPair.start(UsersTable::create);
        System.out.println("FailoverIT: primary on " + pair.primaryPort() + " and streaming standby on " + pair.standbyPort()
                + " after " + millisSince(started) + " ms");
        emulator = StytchEmulator.start();
        Path webapp = WebApp.withMigrationFilter(InitParams.stytch(emulator)
                        .put("jdbcUrl", pair.failoverUrl())
                        .put("jdbcUsername", pair.user())
                        .put("jdbcPassword", pair.password())
                        .put("jdbcConnectionTimeoutMillis", Long.toString(CONNECTION_TIMEOUT_MILLIS))
                        .put("stytchTimeoutMillis", Long.toString(STYTCH_TIMEOUT_MILLIS)))
                .writeTo(dir.resolve("webapp"));
        nodes = AppNodes.start(NODES, webapp, "/app");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (nodes != null) {
                nodes.close();
            }
        } finally {
            if (emulator != null) {
                emulator.close();
            }
            if (pair != null) {
                pair.close();
            }
            if (dir != null) {
                TestDatabase.deleteTree(dir);
            }
        }
    }

    @Test
    @Order(1)
    void aPoolOnTheReadOnlyStandbyRefusesLoginsThatMustWriteAndWritesNothing() throws Exception {
        UsersTable onPrimary = new UsersTable(pair.primary());
        String returningStytchId = emulator.createUser("ro-returning@example.com", true, null, false);
        long returning = onPrimary.seed("ro-returning@example.com", null, returningStytchId);
        long unlinked = onPrimary.seed("ro-unlinked@example.com");
        pair.awaitStandbyCaughtUp();
        String before = onPrimary.snapshot();
        Path webapp = WebApp.withMigrationFilter(InitParams.stytch(emulator)
                        .put("jdbcUrl", pair.standbyUrl())
                        .put("jdbcUsername", pair.user())
                        .put("jdbcPassword", pair.password())
                        .put("jdbcConnectionTimeoutMillis", Long.toString(CONNECTION_TIMEOUT_MILLIS)))
                .writeTo(dir.resolve("standby-webapp"));

        try (LogCapture logs = LogCapture.start(); Deployment onStandby = ServletContainer.JETTY.deploy(webapp, "/standby")) {
            HttpResponse<String> create = login(onStandby.appUrl(), "ro-new@example.com");
            HttpResponse<String> link = login(onStandby.appUrl(), "ro-unlinked@example.com");
            HttpResponse<String> already = login(onStandby.appUrl(), "ro-returning@example.com");

            assertDatabaseUnavailable(create, "a first login that must create a row");
            assertDatabaseUnavailable(link, "a first login that must link a row");
            assertThat(already.statusCode()).as("a returning user needs no write").isEqualTo(200);
            assertThat(Browser.field(already, "outcome")).isEqualTo("ALREADY_LINKED");
            assertThat(Browser.field(already, "userId")).isEqualTo(Long.toString(returning));
            assertThat(logs.text()).as("the standby refused the writes as read-only")
                    .contains("SQLState 25006").doesNotContain("internal_error");
        }
        assertThat(onPrimary.snapshot()).as("nothing written").isEqualTo(before);
        assertThat(onPrimary.stytchUserIdOf(unlinked)).isNull();
    }

    @Test
    @Order(2)
    void failsOverToThePromotedStandbyOnEveryNodeWithoutARestart() throws Exception {
        UsersTable onPrimary = new UsersTable(pair.primary());
        long alice = onPrimary.seed("alice@example.com");
        long bob = onPrimary.seed("bob@example.com");
        HttpResponse<String> created = login(nodes.node(0).appUrl(), "carol@example.com");
        HttpResponse<String> linked = login(nodes.node(1).appUrl(), "bob@example.com");
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(Browser.field(created, "outcome")).isEqualTo("CREATED");
        assertThat(linked.statusCode()).isEqualTo(200);
        assertThat(Browser.field(linked, "userId")).isEqualTo(Long.toString(bob));
        String carol = Browser.field(created, "userId");
        pair.awaitStandbyCaughtUp();

        // the primary goes away: every node answers 503 within the pool's wait, whatever the login needs
        long down = System.nanoTime();
        pair.stopPrimary();
        List<String> outage = new ArrayList<>();
        for (AppNode node : nodes.nodes()) {
            for (String email : new String[] {"dave@example.com", "alice@example.com", "carol@example.com"}) {
                long started = System.nanoTime();
                HttpResponse<String> r = login(node.appUrl(), email);
                long took = millisSince(started);
                outage.add("node " + node.port() + " " + email + "=" + r.statusCode() + "/" + took + "ms");
                assertDatabaseUnavailable(r, "during the outage, " + email + " on " + node);
                assertThat(took).as("answered within jdbcConnectionTimeoutMillis + the Stytch call").isLessThan(BOUND_MILLIS);
            }
        }
        System.out.println("FailoverIT: with the primary down " + outage);

        long promoting = System.nanoTime();
        pair.promoteStandby();
        long promoted = System.nanoTime();
        System.out.println("FailoverIT: primary stopped, outage answers taken and standby promoted in "
                + (promoted - down) / 1_000_000 + " ms (pg_promote " + (promoted - promoting) / 1_000_000 + " ms)");

        // every node logs people in again, on the same pool, once pgjdbc finds the new primary; the nodes
        // are asked at once, so each one's time is its own
        ExecutorService askers = Executors.newFixedThreadPool(NODES);
        List<Future<String>> recovered = new ArrayList<>();
        try {
            for (AppNode node : nodes.nodes()) {
                recovered.add(askers.submit(() -> firstLoginAfter(promoted, node, carol)));
            }
            List<String> recovery = new ArrayList<>();
            for (Future<String> f : recovered) {
                recovery.add(f.get(RECOVERY_DEADLINE_MILLIS + 30_000, TimeUnit.MILLISECONDS));
            }
            System.out.println("FailoverIT: first login served after the promotion: " + recovery);
        } finally {
            askers.shutdownNow();
        }

        HttpResponse<String> linkedAfter = login(nodes.node(1).appUrl(), "alice@example.com");
        HttpResponse<String> createdAfter = login(nodes.node(0).appUrl(), "dave@example.com");
        assertThat(linkedAfter.statusCode()).isEqualTo(200);
        assertThat(Browser.field(linkedAfter, "outcome")).isEqualTo("LINKED");
        assertThat(Browser.field(linkedAfter, "userId")).isEqualTo(Long.toString(alice));
        assertThat(createdAfter.statusCode()).isEqualTo(200);
        assertThat(Browser.field(createdAfter, "outcome")).isEqualTo("CREATED");

        TestDatabase newPrimary = pair.standby();
        for (String email : new String[] {"alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"}) {
            assertThat(newPrimary.count("SELECT count(*) FROM users WHERE email = ? AND stytch_user_id IS NOT NULL", email))
                    .as("one linked row of " + email + " on the new primary").isEqualTo(1);
        }
        assertThat(newPrimary.count("SELECT count(*) FROM users WHERE email LIKE '%@example.com' AND email NOT LIKE 'ro-%'"))
                .as("nothing half-written during the outage").isEqualTo(4);
    }

    /**
     * Logs carol in on {@code node} until it answers 200 (every other answer must be a 503), at most
     * {@link #RECOVERY_DEADLINE_MILLIS}; returns how long that took after {@code promotedNanos}.
     */
    private String firstLoginAfter(long promotedNanos, AppNode node, String carol) throws Exception {
        int attempts = 0;
        HttpResponse<String> r;
        do {
            attempts++;
            r = login(node.appUrl(), "carol@example.com");
            if (r.statusCode() != 200) {
                assertDatabaseUnavailable(r, "while " + node + " reconnects");
                Thread.sleep(100);
            }
        } while (r.statusCode() != 200 && millisSince(promotedNanos) < RECOVERY_DEADLINE_MILLIS);
        String took = "node " + node.port() + " after " + millisSince(promotedNanos) + " ms, attempt " + attempts;
        assertThat(r.statusCode()).as(node + " logs people in again after the promotion").isEqualTo(200);
        assertThat(Browser.field(r, "outcome")).as("the row written before the failover").isEqualTo("ALREADY_LINKED");
        assertThat(Browser.field(r, "userId")).isEqualTo(carol);
        return took;
    }

    private void assertDatabaseUnavailable(HttpResponse<String> r, String what) {
        assertThat(r.statusCode()).as(what).isEqualTo(503);
        assertThat(r.body()).as(what).contains("<code>database_unavailable</code>")
                .doesNotContain("org.postgresql").doesNotContain("Exception").doesNotContain("SQLState");
        assertThat(r.headers().firstValue("Retry-After")).as(what).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
    }

    private HttpResponse<String> login(String appUrl, String email) throws Exception {
        return new Browser(http).callback(appUrl + "/authenticate", "magic_links", emulator.magicLinkToken(email));
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
