package io.github.stytchmigration.internal.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.ConflictPolicy;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.internal.LinkResult;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.StytchIdentity.Identifier;
import io.github.stytchmigration.testing.CountingDataSource;
import io.github.stytchmigration.testing.TestMariaDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store on MariaDB only: the driver's row counts (found, not changed, unless
 * {@code useAffectedRows=true}), {@code INSERT … RETURNING}, and email matching under case-sensitive
 * and case-insensitive collations giving PostgreSQL's answers. The rules themselves run on every
 * database in {@link JdbcUserStoreIT}.
 */
class JdbcUserStoreMariaDbIT {
    static final TestMariaDb db = TestMariaDb.create();
    static final int THREADS = 32;

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void freshTable() {
        db.exec("DROP TABLE IF EXISTS users");
    }

    static StytchIdentity verifiedEmail(String stytchUserId, String email) {
        return new StytchIdentity(stytchUserId, List.of(Identifier.verified(email)), List.of(), null, null);
    }

    static String candidatesSql(CountingDataSource counting) {
        return counting.executedSql().stream().filter(sql -> sql.contains(" IN (")).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "useAffectedRows={0}")
    @ValueSource(booleans = {false, true})
    void linksOneExistingRowOnceWhetherTheDriverCountsFoundOrChangedRows(boolean useAffectedRows) throws Exception {
        db.createDefaultUsersTable();
        try (HikariDataSource pool = DataSources.pool(db.jdbcUrl() + "?useAffectedRows=" + useAffectedRows, db.user(),
                db.password(), THREADS, 10_000); JdbcUserStore store = new JdbcUserStore(pool, UserTableMapping.defaults(), false, 10)) {
            for (int round = 0; round < 3; round++) {
                long id = db.insert("INSERT INTO users (email) VALUES ('legacy" + round + "@example.com')");
                String stytch = "user-test-" + useAffectedRows + "-" + round;
                List<LinkResult> results = race(store, verifiedEmail(stytch, "LEGACY" + round + "@example.com"));

                assertThat(db.query("SELECT stytch_user_id FROM users WHERE id = " + id).get(0).get("stytch_user_id")).isEqualTo(stytch);
                assertThat(results).filteredOn(r -> r.outcome() == MigrationOutcome.LINKED).hasSize(1);
                assertThat(results).extracting(LinkResult::userId).containsOnly(String.valueOf(id));
            }
            // a row linked meanwhile to someone else is found by the guarded UPDATE's id but not changed: a conflict
            db.exec("INSERT INTO users (email, stytch_user_id) VALUES ('taken@example.com', 'user-test-owner')");
            assertThat(store.linkOrCreate(verifiedEmail("user-test-owner", "taken@example.com")).outcome())
                    .isEqualTo(MigrationOutcome.ALREADY_LINKED);
        }
    }

    List<LinkResult> race(JdbcUserStore store, StytchIdentity identity) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<LinkResult>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return store.linkOrCreate(identity);
                }));
            }
            start.countDown();
            List<LinkResult> results = new ArrayList<>();
            for (Future<LinkResult> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void createsThroughATemplateWithReturning() {
        db.createDefaultUsersTable();
        JdbcUserStore store = new JdbcUserStore(db.dataSource(), new UserTableMapping("users", "id", "email", null,
                "stytch_user_id", "INSERT INTO users (email, stytch_user_id) VALUES (lower(:email), :stytch_user_id) RETURNING id",
                ConflictPolicy.REJECT), false, 5);

        LinkResult created = store.linkOrCreate(verifiedEmail("user-test-ret", "Ret@Example.com"));

        assertThat(created.outcome()).isEqualTo(MigrationOutcome.CREATED);
        assertThat(db.count("SELECT id FROM users WHERE email = 'ret@example.com'")).isEqualTo(Long.parseLong(created.userId()));
    }

    @Test
    void underACaseSensitiveCollationAnIndexedGeneratedColumnMatchesAnyCase() {
        db.exec("CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(320) COLLATE utf8mb4_bin,"
                + " stytch_user_id VARCHAR(255) COLLATE ascii_bin UNIQUE,"
                + " mail_lc VARCHAR(320) AS (lower(email)) VIRTUAL, INDEX users_mail_lc_idx (mail_lc))");
        long alice = db.insert("INSERT INTO users (email) VALUES ('Alice@Example.COM')");
        CountingDataSource counting = new CountingDataSource(db.dataSource());
        JdbcUserStore store = new JdbcUserStore(counting, UserTableMapping.defaults(), false, 5);
        assertThat(store.checkSchema()).isEmpty();

        LinkResult result = store.linkOrCreate(verifiedEmail("user-test-alice", "alice@example.com"));

        assertThat(result.outcome()).isEqualTo(MigrationOutcome.LINKED);
        assertThat(result.userId()).isEqualTo(String.valueOf(alice));
        assertThat(candidatesSql(counting)).contains(" OR mail_lc IN (?)");
    }

    @Test
    void underACaseSensitiveCollationWithoutAnIndexTheLookupStillMatchesAnyCaseAndWarns() {
        db.exec("CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(320) COLLATE utf8mb4_bin,"
                + " stytch_user_id VARCHAR(255) COLLATE ascii_bin UNIQUE, INDEX users_email_idx (email))");
        long bob = db.insert("INSERT INTO users (email) VALUES ('BOB@example.com')");
        CountingDataSource counting = new CountingDataSource(db.dataSource());
        JdbcUserStore store = new JdbcUserStore(counting, UserTableMapping.defaults(), false, 5);
        assertThat(store.checkSchema()).singleElement().asString().contains("AS (lower(email)) VIRTUAL");

        LinkResult result = store.linkOrCreate(verifiedEmail("user-test-bob", "Bob@Example.com"));

        assertThat(result.outcome()).isEqualTo(MigrationOutcome.LINKED);
        assertThat(result.userId()).isEqualTo(String.valueOf(bob));
        assertThat(candidatesSql(counting)).contains(" OR lower(email) IN (?)");
    }

    @Test
    void underACaseInsensitiveCollationTheEmailIndexIsUsedAndOnlyCaseDifferencesMatch() {
        db.exec("CREATE TABLE users (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(320) COLLATE utf8mb4_unicode_ci,"
                + " stytch_user_id VARCHAR(255) COLLATE ascii_bin UNIQUE, INDEX users_email_idx (email))");
        long carol = db.insert("INSERT INTO users (email) VALUES ('Carol@Example.com')");
        // the collation also equates accents and trailing blanks: PostgreSQL's lower() does not, and neither does the filter
        db.exec("INSERT INTO users (email) VALUES ('josé@example.com'), ('dan@example.com ')");
        CountingDataSource counting = new CountingDataSource(db.dataSource());
        JdbcUserStore store = new JdbcUserStore(counting, UserTableMapping.defaults(), false, 5);
        assertThat(store.checkSchema()).isEmpty();

        LinkResult carolResult = store.linkOrCreate(verifiedEmail("user-test-carol", "carol@EXAMPLE.com"));
        LinkResult jose = store.linkOrCreate(verifiedEmail("user-test-jose", "jose@example.com"));
        LinkResult dan = store.linkOrCreate(verifiedEmail("user-test-dan", "dan@example.com"));

        assertThat(carolResult.outcome()).isEqualTo(MigrationOutcome.LINKED);
        assertThat(carolResult.userId()).isEqualTo(String.valueOf(carol));
        assertThat(candidatesSql(counting)).contains(" OR email IN (?)");
        assertThat(jose.outcome()).isEqualTo(MigrationOutcome.CREATED);
        assertThat(dan.outcome()).isEqualTo(MigrationOutcome.CREATED);
        assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(5);
    }
}
