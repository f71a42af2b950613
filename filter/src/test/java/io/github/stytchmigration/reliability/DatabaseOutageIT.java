package io.github.stytchmigration.reliability;

import io.github.stytchmigration.emulator.StytchEmulator;
import io.github.stytchmigration.testing.Browser;
import io.github.stytchmigration.testing.Deployment;
import io.github.stytchmigration.testing.InitParams;
import io.github.stytchmigration.testing.ServletContainer;
import io.github.stytchmigration.testing.TestDatabase;
import io.github.stytchmigration.testing.TestMariaDb;
import io.github.stytchmigration.testing.UsersTable;
import io.github.stytchmigration.testing.WebApp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database stopped under a running app (the filter's own HikariCP pool, declared in a real web.xml, in
 * Jetty), on PostgreSQL and on MariaDB: callbacks answer 503 {@code database_unavailable} with Retry-After,
 * bounded by the pool's connection timeout plus Stytch's time, and write nothing; once the server is back,
 * logins work again without a restart.
 *
 * <p>Each embedded server is shared by every test class of this JVM: it is started again in a
 * {@code finally} block, whatever happens here.
 */
class DatabaseOutageIT {
    private static final long CONNECTION_TIMEOUT_MILLIS = 1000;
    private static final long STYTCH_TIMEOUT_MILLIS = 2000;
    /** The pool's wait for a connection, plus at most the Stytch call before it. */
    private static final long BOUND_MILLIS = CONNECTION_TIMEOUT_MILLIS + STYTCH_TIMEOUT_MILLIS;

    private final HttpClient http = Browser.newClient();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PostgreSQL", "MariaDB"})
    void answersDatabaseUnavailableDuringAnOutageAndRecoversWithoutARestart(String database) throws Exception {
        Path dir = Files.createTempDirectory("stytch-migration-outage");
        try (StytchEmulator emulator = StytchEmulator.start();
             OutageDb db = OutageDb.of(database)) {
            Path webapp = WebApp.withMigrationFilter(db.jdbc(InitParams.stytch(emulator))
                            .put("stytchTimeoutMillis", Long.toString(STYTCH_TIMEOUT_MILLIS))
                            .put("jdbcConnectionTimeoutMillis", Long.toString(CONNECTION_TIMEOUT_MILLIS)))
                    .writeTo(dir.resolve("webapp"));
            Deployment app = ServletContainer.JETTY.deploy(webapp, "/app");
            try {
                outageThenRecovery(database, db, emulator, app.appUrl());
            } finally {
                app.close();
            }
        } finally {
            TestDatabase.deleteTree(dir);
        }
    }

    private void outageThenRecovery(String database, OutageDb db, StytchEmulator emulator, String appUrl) throws Exception {
        long alice = db.seed("alice@example.com");
        db.seed("bob@example.com");
        // the pool is warm and working before the outage. A JVM's first SDK call (Kotlin, Moshi, OkHttp) can
        // outlive the short stytchTimeoutMillis on a loaded machine: Stytch's timeout writes nothing, so that
        // login is tried again with a new token (as AppStack.warmUp does).
        HttpResponse<String> warm = login(emulator, appUrl, "bob@example.com");
        for (int attempt = 1; attempt < 5 && warm.body().contains("<code>stytch_unavailable</code>"); attempt++) {
            warm = login(emulator, appUrl, "bob@example.com");
        }
        assertThat(warm.statusCode()).as(warm.body()).isEqualTo(200);
        assertThat(Browser.field(warm, "outcome")).isEqualTo("LINKED");
        String before = db.snapshot();

        List<String> timings = new ArrayList<>();
        try {
            db.stopServer();
            // an existing unlinked row, a new person, and a linked one: none may be half-written
            for (String email : new String[] {"alice@example.com", "carol.new@example.com", "bob@example.com",
                    "alice@example.com"}) {
                long started = System.nanoTime();
                HttpResponse<String> r = login(emulator, appUrl, email);
                long took = (System.nanoTime() - started) / 1_000_000;
                timings.add(email + "=" + r.statusCode() + "/" + took + "ms");
                assertThat(r.statusCode()).as("during the outage, " + email).isEqualTo(503);
                assertThat(r.body()).contains("<code>database_unavailable</code>")
                        .doesNotContain("org.postgresql").doesNotContain("org.mariadb").doesNotContain("Exception")
                        .doesNotContain("SELECT").doesNotContain("Connection refused");
                assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(
                        v -> assertThat(Long.parseLong(v)).isPositive());
                assertThat(took).as("bounded by jdbcConnectionTimeoutMillis + Stytch time").isLessThan(BOUND_MILLIS);
            }
        } finally {
            db.startServer();
        }
        System.out.println("DatabaseOutageIT[" + database + "]: during the outage " + timings);
        assertThat(db.snapshot()).as("no partial rows").isEqualTo(before);

        // back: the same app (same pool) logs people in again once the pool has reconnected
        long restarted = System.nanoTime();
        HttpResponse<String> r = null;
        int attempts = 0;
        while (System.nanoTime() - restarted < 10_000_000_000L) {
            attempts++;
            r = login(emulator, appUrl, "alice@example.com");
            if (r.statusCode() == 200) {
                break;
            }
            assertThat(r.statusCode()).as("while reconnecting").isEqualTo(503);
            Thread.sleep(250);
        }
        System.out.println("DatabaseOutageIT[" + database + "]: first login after the restart succeeded on attempt "
                + attempts + " after " + (System.nanoTime() - restarted) / 1_000_000 + " ms");
        assertThat(r.statusCode()).as("a login within 10 s of " + database + " coming back").isEqualTo(200);
        assertThat(Browser.field(r, "outcome")).isEqualTo("LINKED");
        assertThat(Browser.field(r, "userId")).isEqualTo(Long.toString(alice));

        HttpResponse<String> created = login(emulator, appUrl, "carol.new@example.com");
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(Browser.field(created, "outcome")).isEqualTo("CREATED");
        assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(3);
        assertThat(db.count("SELECT count(*) FROM users WHERE stytch_user_id IS NOT NULL")).isEqualTo(3);
    }

    private HttpResponse<String> login(StytchEmulator emulator, String appUrl, String email) throws Exception {
        return new Browser(http).callback(appUrl + "/authenticate", "magic_links", emulator.magicLinkToken(email));
    }

    /** One database of each kind with the contract's users table, and its shared server that the test stops and starts. */
    private abstract static class OutageDb implements AutoCloseable {
        static OutageDb of(String database) {
            return database.equals("MariaDB") ? new MariaDb(TestMariaDb.create()) : Postgres.create();
        }

        /** The init-params of the filter's own pool on this database. */
        abstract InitParams jdbc(InitParams params);

        /** Inserts an unlinked user with only an email; returns its id. */
        abstract long seed(String email);

        /** Every row as {@code id:email:stytch_user_id}, ordered by id. */
        abstract String snapshot();

        abstract long count(String sql);

        abstract void stopServer();

        abstract void startServer();

        @Override
        public abstract void close();
    }

    private static final class Postgres extends OutageDb {
        private final TestDatabase db;
        private final UsersTable users;

        private Postgres(TestDatabase db) {
            this.db = db;
            this.users = UsersTable.create(db);
        }

        static Postgres create() {
            Assumptions.assumeTrue(TestDatabase.canRestartServer(),
                    "DatabaseOutageIT needs the embedded PostgreSQL, which it stops and restarts; an external server ("
                            + TestDatabase.ENV_URL + ") cannot be stopped by a test");
            return new Postgres(TestDatabase.create());
        }

        @Override
        InitParams jdbc(InitParams params) {
            return params.jdbc(db);
        }

        @Override
        long seed(String email) {
            return users.seed(email);
        }

        @Override
        String snapshot() {
            return users.snapshot();
        }

        @Override
        long count(String sql) {
            return db.count(sql);
        }

        @Override
        void stopServer() {
            TestDatabase.stopServer();
        }

        @Override
        void startServer() {
            TestDatabase.startServer();
        }

        @Override
        public void close() {
            db.close();
        }
    }

    private static final class MariaDb extends OutageDb {
        private final TestMariaDb db;

        private MariaDb(TestMariaDb db) {
            this.db = db;
            db.createDefaultUsersTable();
        }

        @Override
        InitParams jdbc(InitParams params) {
            return params.put("jdbcUrl", db.jdbcUrl()).put("jdbcUsername", db.user()).put("jdbcPassword", db.password());
        }

        @Override
        long seed(String email) {
            return db.insert("INSERT INTO users (email) VALUES ('" + email.replace("'", "''") + "')");
        }

        @Override
        String snapshot() {
            StringBuilder s = new StringBuilder();
            for (var row : db.query("SELECT id, email, stytch_user_id FROM users ORDER BY id")) {
                s.append(s.length() == 0 ? "" : ",").append(row.get("id")).append(':').append(row.get("email")).append(':')
                        .append(row.get("stytch_user_id") == null ? "" : row.get("stytch_user_id"));
            }
            return s.toString();
        }

        @Override
        long count(String sql) {
            return db.count(sql);
        }

        @Override
        void stopServer() {
            TestMariaDb.stopServer();
        }

        @Override
        void startServer() {
            TestMariaDb.startServer();
        }

        @Override
        public void close() {
            db.close();
        }
    }
}
