package io.github.stytchmigration.e2e;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.ContextXml;
import io.github.stytchmigration.testing.Deployment;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.LogCapture;
import io.github.stytchmigration.testing.ServletContainer;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.TestMariaDb;
import io.github.stytchmigration.testing.WebApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MariaDB end to end, as a Tomcat operator on MariaDB deploys the filter: web.xml, a context.xml DBCP2
 * resource on {@code org.mariadb.jdbc.Driver}, found through JNDI, against a real MariaDB server and the
 * emulator. The store's MariaDB specifics (found-not-changed row counts, the default case-insensitive
 * collation) must give the same outcomes as PostgreSQL through the whole stack.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MariaDbTomcatIT {
    private static final int CONCURRENT = 16;

    private Path dir;
    private StytchEmulator emulator;
    private TestMariaDb db;
    private Deployment app;
    private LogCapture logs;
    private final List<String> secrets = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        logs = LogCapture.start();
        dir = Files.createTempDirectory("stytch-migration-mariadb-app");
        emulator = StytchEmulator.start();
        db = TestMariaDb.create();
        db.createDefaultUsersTable(); // the schema check at init needs the table
        secrets.add(emulator.secret());
        secrets.add(db.password());
        Path webapp = WebApp.withMigrationFilter(InitParams.stytch(emulator).jndi("java:comp/env/jdbc/users"))
                .contextXml(new ContextXml().resource("jdbc/users", ContextXml.dbcpDataSource(
                        "org.mariadb.jdbc.Driver", db.jdbcUrl(), db.user(), db.password(), 8)))
                .writeTo(dir.resolve("webapp"));
        app = ServletContainer.TOMCAT.deploy(webapp, "/app");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (app != null) {
                app.close();
            }
        } finally {
            emulator.close();
            db.close();
            TestDatabase.deleteTree(dir);
            logs.close();
        }
    }

    @BeforeEach
    void freshState() {
        db.exec("DELETE FROM users");
        emulator.reset();
    }

    @Test
    void linksAnExistingUserThenFindsItLinkedAndCreatesANewOne() throws Exception {
        // mixed case in the legacy table: the default collation must still match the lower-case Stytch email
        long lena = db.insert("INSERT INTO users (email) VALUES ('Legacy.Lena@Example.com')");
        secrets.add("Legacy.Lena@Example.com");
        secrets.add("legacy.lena@example.com");
        secrets.add("new.mario@example.com");

        HttpResponse<String> linked = login("legacy.lena@example.com");
        assertThat(linked.statusCode()).as(linked.body()).isEqualTo(200);
        assertThat(Browser.field(linked, "outcome")).isEqualTo("LINKED");
        assertThat(Browser.field(linked, "userId")).isEqualTo(Long.toString(lena));
        String stytchUserId = Browser.field(linked, "stytchUserId");
        assertThat(db.count("SELECT count(*) FROM users WHERE id = " + lena + " AND stytch_user_id = '" + stytchUserId + "'"))
                .as("the legacy row now carries the Stytch user id").isEqualTo(1);

        HttpResponse<String> again = login("legacy.lena@example.com");
        assertThat(Browser.field(again, "outcome")).as(again.body()).isEqualTo("ALREADY_LINKED");
        assertThat(Browser.field(again, "userId")).isEqualTo(Long.toString(lena));

        HttpResponse<String> created = login("new.mario@example.com");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(Browser.field(created, "outcome")).isEqualTo("CREATED");
        assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM users WHERE email = 'new.mario@example.com' AND stytch_user_id = '"
                + Browser.field(created, "stytchUserId") + "'")).isEqualTo(1);
        logs.assertNoSecretLogged(secrets);
    }

    @Test
    void sixteenConcurrentFirstLoginsOfOneNewUserCreateOneRow() throws Exception {
        String email = "crowd.carla@example.com";
        secrets.add(email);
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) { // single-use tokens, all of one Stytch user
            tokens.add(emulator.magicLinkToken(email));
        }
        secrets.addAll(tokens);
        // Stytch's answers are released together, so that the sixteen reach the database at the same moment
        emulator.holdAuthenticateAnswers(CONCURRENT, Duration.ofSeconds(20));
        HttpClient http = Browser.newClient();
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
        List<HttpResponse<String>> answers = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (String token : tokens) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return new Browser(http).callback(app.appUrl() + "/authenticate", "magic_links", token);
                }));
            }
            go.countDown();
            for (Future<HttpResponse<String>> f : futures) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(200));
        String row = Browser.field(answers.get(0), "userId");
        assertThat(row).isNotNull().isNotEqualTo("null");
        assertThat(answers).extracting(r -> Browser.field(r, "userId")).as("every login reached the same row")
                .containsOnly(row);
        assertThat(answers).extracting(r -> Browser.field(r, "outcome")).as("one created it, the others found it")
                .containsOnly("CREATED", "ALREADY_LINKED").filteredOn("CREATED"::equals).hasSize(1);
        assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM users WHERE email = 'crowd.carla@example.com' AND stytch_user_id IS NOT NULL"))
                .isEqualTo(1);
        logs.assertNoSecretLogged(secrets);
    }

    private HttpResponse<String> login(String email) throws Exception {
        String token = emulator.magicLinkToken(email);
        secrets.add(token);
        return new Browser().callback(app.appUrl() + "/authenticate", "magic_links", token);
    }
}
