package io.github.stytchmigration.internal.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.ConflictPolicy;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.internal.LinkResult;
import io.github.stytchmigration.internal.MigrationException.AccountConflictException;
import io.github.stytchmigration.internal.MigrationException.AccountConflictException.Reason;
import io.github.stytchmigration.internal.MigrationException.AccountDisabledException;
import io.github.stytchmigration.internal.MigrationException.DatabaseException;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.StytchIdentity.Identifier;
import io.github.stytchmigration.testing.CountingDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The store against real PostgreSQL and real MariaDB, the same tests on each: the contract's rules
 * one by one, concurrent first logins, round trips, the app's own unique constraints. PostgreSQL-only
 * behaviour (schemas, server restarts) is in {@link JdbcUserStorePostgresIT}, MariaDB-only behaviour
 * (collations, the driver's row counts) in {@link JdbcUserStoreMariaDbIT}.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("databases")
class JdbcUserStoreIT {
    static final StoreDb POSTGRES = StoreDb.postgres();
    static final StoreDb MARIADB = StoreDb.mariaDb();
    static final String SNAPSHOT = "SELECT id, email, phone, stytch_user_id FROM users ORDER BY id";

    static final UserTableMapping DEFAULTS = UserTableMapping.defaults();
    static final UserTableMapping WITH_PHONE = mapping("phone", ConflictPolicy.REJECT);
    static final UserTableMapping RELINK = mapping(null, ConflictPolicy.RELINK);

    @Parameter
    StoreDb db;

    static List<StoreDb> databases() {
        return List.of(POSTGRES, MARIADB);
    }

    @AfterAll
    static void dropDatabases() {
        POSTGRES.close();
        MARIADB.close();
    }

    @BeforeEach
    void freshTable() {
        db.exec("DROP TABLE IF EXISTS users");
        db.createDefaultUsersTable();
    }

    static UserTableMapping mapping(String phoneColumn, ConflictPolicy policy) {
        return new UserTableMapping("users", "id", "email", phoneColumn, "stytch_user_id", null, policy);
    }

    static String newStytchId() {
        return "user-test-" + UUID.randomUUID();
    }

    static StytchIdentity identity(String stytchUserId, List<Identifier> emails, List<Identifier> phones) {
        return new StytchIdentity(stytchUserId, emails, phones, null, null);
    }

    static StytchIdentity verifiedEmail(String stytchUserId, String email) {
        return identity(stytchUserId, List.of(Identifier.verified(email)), List.of());
    }

    JdbcUserStore store(UserTableMapping mapping) {
        return new JdbcUserStore(db.dataSource(), mapping, false, 5);
    }

    long insertUser(String email, String phone, String stytchUserId) {
        return db.insertUser(email, phone, stytchUserId);
    }

    String stytchIdOf(long id) {
        return (String) db.query("SELECT stytch_user_id FROM users WHERE id = " + id).get(0).get("stytch_user_id");
    }

    @Nested
    class Rules {
        @Test
        void returnsAlreadyLinkedWhenARowCarriesTheStytchUserId() {
            String stytch = newStytchId();
            long id = insertUser("alice@example.com", null, stytch);
            List<Map<String, Object>> before = db.query(SNAPSHOT);

            LinkResult result = store(DEFAULTS).linkOrCreate(verifiedEmail(stytch, "alice@example.com"));

            assertThat(result.outcome()).isEqualTo(MigrationOutcome.ALREADY_LINKED);
            assertThat(result.userId()).isEqualTo(String.valueOf(id));
            assertThat(db.query(SNAPSHOT)).isEqualTo(before);
        }

        @Test
        void alreadyLinkedWinsOverAVerifiedMatchOnAnotherRow() {
            String stytch = newStytchId();
            long linked = insertUser("old@example.com", null, stytch);
            insertUser("alice@example.com", null, null);

            LinkResult result = store(DEFAULTS).linkOrCreate(verifiedEmail(stytch, "alice@example.com"));

            assertThat(result.outcome()).isEqualTo(MigrationOutcome.ALREADY_LINKED);
            assertThat(result.userId()).isEqualTo(String.valueOf(linked));
        }

        @Test
        void linksTheOneUnlinkedRowMatchingAVerifiedEmail() {
            insertUser("bob@example.com", null, null);
            long id = insertUser("alice@example.com", null, null);
            String stytch = newStytchId();

            LinkResult result = store(DEFAULTS).linkOrCreate(verifiedEmail(stytch, "alice@example.com"));

            assertThat(result.outcome()).isEqualTo(MigrationOutcome.LINKED);
            assertThat(result.userId()).isEqualTo(String.valueOf(id));
            assertThat(result.replacedStytchUserId()).isNull();
            assertThat(stytchIdOf(id)).isEqualTo(stytch);
            assertThat(db.count("SELECT count(*) FROM users WHERE stytch_user_id IS NOT NULL")).isEqualTo(1);
            assertThat(store(DEFAULTS).linkOrCreate(verifiedEmail(stytch, "alice@example.com")).outcome())
                    .isEqualTo(MigrationOutcome.ALREADY_LINKED);
        }

        @Test
        void matchesEmailsCaseInsensitively() {
            long lowerRow = insertUser("alice@example.com", null, null);
            long mixedRow = insertUser("Carol@Example.ORG", null, null);

            LinkResult alice = store(DEFAULTS).linkOrCreate(verifiedEmail(newStytchId(), "Alice@Example.COM"));
            LinkResult carol = store(DEFAULTS).linkOrCreate(verifiedEmail(newStytchId(), "carol@example.org"));

            assertThat(alice.outcome()).isEqualTo(MigrationOutcome.LINKED);
            assertThat(alice.userId()).isEqualTo(String.valueOf(lowerRow));
            assertThat(carol.outcome()).isEqualTo(MigrationOutcome.LINKED);
            assertThat(carol.userId()).isEqualTo(String.valueOf(mixedRow));
            assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(2);
        }

        @Test
        void rejectsARowLinkedToAnotherStytchUserAndWritesNothing() {
            long id = insertUser("alice@example.com", null, "user-test-someone-else");
            List<Map<String, Object>> before = db.query(SNAPSHOT);

            AccountConflictException e = catchThrowableOfType(AccountConflictException.class,
                    () -> store(DEFAULTS).linkOrCreate(verifiedEmail(newStytchId(), "alice@example.com")));

            assertThat(e.reason()).isEqualTo(Reason.LINKED_TO_OTHER_USER);
            assertThat(e.getMessage()).contains(String.valueOf(id)).doesNotContain("alice@example.com");
            assertThat(db.query(SNAPSHOT)).isEqualTo(before);
        }

        @Test
        void relinksUnderRelinkPolicyAndReportsTheReplacedStytchUserId() {
            long id = insertUser("alice@example.com", null, "user-test-old");
            String stytch = newStytchId();

            LinkResult result = store(RELINK).linkOrCreate(verifiedEmail(stytch, "ALICE@example.com"));

            assertThat(result.outcome()).isEqualTo(MigrationOutcome.LINKED);
            assertThat(result.userId()).isEqualTo(String.valueOf(id));
            assertThat(result.replacedStytchUserId()).isEqualTo("user-test-old");
            assertThat(stytchIdOf(id)).isEqualTo(stytch);
            assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(1);
        }

        @Test
        void rejectsAsAmbiguousWhenEmailMatchesOneRowAndPhoneAnother() {
            insertUser("alice@example.com", null, null);
            insertUser("other@example.com", "+15555550100", null);
            List<Map<String, Object>> before = db.query(SNAPSHOT);
            StytchIdentity alice = identity(newStytchId(), List.of(Identifier.verified("alice@example.com")),
                    List.of(Identifier.verified("+15555550100")));

            AccountConflictException e = catchThrowableOfType(AccountConflictException.class,
                    () -> store(WITH_PHONE).linkOrCreate(alice));

            assertThat(e.reason()).isEqualTo(Reason.AMBIGUOUS);
            assertThat(db.query(SNAPSHOT)).isEqualTo(before);
        }

        @Test
        void rejectsAsAmbiguousWhenTwoRowsShareTheLowerCasedEmail() {
            insertUser("alice@example.com", null, null);
            insertUser("Alice@Example.com", null, null);
            List<Map<String, Object>> before = db.query(SNAPSHOT);

            AccountConflictException e = catchThrowableOfType(AccountConflictException.class,
                    () -> store(DEFAULTS).linkOrCreate(verifiedEmail(newStytchId(), "alice@example.com")));

            assertThat(e.reason()).isEqualTo(Reason.AMBIGUOUS);
            assertThat(db.query(SNAPSHOT)).isEqualTo(before);
        }

        @Test
        void rejectsAsAmbiguousEvenUnderRelinkPolicy() {
            insertUser("alice@example.com", null, "user-test-a");
            insertUser("ALICE@example.com", null, null);
            List<Map<String, Object>> before = db.query(SNAPSHOT);

            assertThatThrownBy(() -> store(RELINK).linkOrCreate(verifiedEmail(newStytchId(), "alice@example.com")))
                    .isInstanceOfSatisfying(AccountConflictException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AMBIGUOUS));
            assertThat(db.query(SNAPSHOT)).isEqualTo(before);
        }

        @Test
        void rejectsAMatchOnAnUnverifiedEmailAndWritesNothing() {
            insertUser("alice@example.com", null, null);
            List<Map<String, Object>> before = db.query(SNAPSHOT);
            StytchIdentity mallory = identity(newStytchId(),
                    List.of(Identifier.verified("mallory@example.com"), Identifier.unverified("Alice@example.com")), List.of());

            AccountConflictException e = catchThrowableOfType(AccountConflictException.class,
                    () -> store(DEFAULTS).linkOrCreate(mallory));

            assertThat(e.reason()).isEqualTo(Reason.UNVERIFIED_MATCH);
            assertThat(db.query(SNAPSHOT)).isEqualTo(before);
        }

        @Test
        void rejectsAMatchOnAnUnverifiedPhoneAndWritesNothing() {
            insertUser("alice@example.com", "+15555550100", null);
            List<Map<String, Object>> before = db.query(SNAPSHOT);
            StytchIdentity mallory = identity(newStytchId(), List.of(Identifier.verified("mallory@example.com")),
                    List.of(Identifier.unverified("+15555550100")));

            AccountConflictException e = catchThrowableOfType(AccountConflictException.class,
                    () -> store(WITH_PHONE).linkOrCreate(mallory));

            assertThat(e.reason()).isEqualTo(Reason.UNVERIFIED_MATCH);
            assertThat(db.query(SNAPSHOT)).isEqualTo(before);
        }

        @Test
        void aVerifiedMatchIsLinkedEvenWhenAnUnverifiedEmailMatchesAnotherRow() {
            long alice = insertUser("alice@example.com", null, null);
            insertUser("bob@example.com", null, null);
            StytchIdentity identity = identity(newStytchId(),
                    List.of(Identifier.verified("alice@example.com"), Identifier.unverified("bob@example.com")), List.of());

            LinkResult result = store(DEFAULTS).linkOrCreate(identity);

            assertThat(result.outcome()).isEqualTo(MigrationOutcome.LINKED);
            assertThat(result.userId()).isEqualTo(String.valueOf(alice));
        }

        @Test
        void matchesPhoneNumbersOnlyWhenPhoneColumnIsSet() {
            long phoneRow = insertUser("old-address@example.com", "+15555550100", null);
            StytchIdentity withoutPhoneColumn = identity(newStytchId(), List.of(Identifier.verified("new@example.com")),
                    List.of(Identifier.verified("+15555550100")));
            StytchIdentity withPhoneColumn = identity(newStytchId(), List.of(Identifier.verified("new2@example.com")),
                    List.of(Identifier.verified("+15555550100")));

            LinkResult ignored = store(DEFAULTS).linkOrCreate(withoutPhoneColumn);
            LinkResult linked = store(WITH_PHONE).linkOrCreate(withPhoneColumn);

            assertThat(ignored.outcome()).isEqualTo(MigrationOutcome.CREATED);
            assertThat(ignored.userId()).isNotEqualTo(String.valueOf(phoneRow));
            assertThat(linked.outcome()).isEqualTo(MigrationOutcome.LINKED);
            assertThat(linked.userId()).isEqualTo(String.valueOf(phoneRow));
        }

        @Test
        void unverifiedPhoneIsIgnoredWhenPhoneColumnIsNotSet() {
            insertUser("alice@example.com", "+15555550100", null);
            StytchIdentity identity = identity(newStytchId(), List.of(Identifier.verified("new@example.com")),
                    List.of(Identifier.unverified("+15555550100")));

            assertThat(store(DEFAULTS).linkOrCreate(identity).outcome()).isEqualTo(MigrationOutcome.CREATED);
        }

        @Test
        void createsARowWithTheGeneratedInsertKeepingTheEmailAsStytchSentIt() {
            insertUser("someone@example.com", null, null);
            String stytch = newStytchId();
            StytchIdentity bob = identity(stytch, List.of(Identifier.unverified("bob-old@example.com"),
                    Identifier.verified("Bob@Example.com")), List.of(Identifier.verified("+15555550111")));

            LinkResult result = store(WITH_PHONE).linkOrCreate(bob);

            assertThat(result.outcome()).isEqualTo(MigrationOutcome.CREATED);
            List<Map<String, Object>> rows = db.query("SELECT id, email, phone FROM users WHERE stytch_user_id = '" + stytch + "'");
            assertThat(rows).hasSize(1);
            assertThat(String.valueOf(rows.get(0).get("id"))).isEqualTo(result.userId());
            assertThat(rows.get(0).get("email")).isEqualTo("Bob@Example.com");
            assertThat(rows.get(0).get("phone")).isEqualTo("+15555550111");
            assertThat(store(WITH_PHONE).linkOrCreate(bob).outcome()).isEqualTo(MigrationOutcome.ALREADY_LINKED);
        }
    }

    /** Rule 0: {@code activeUserCondition}. */
    @Nested
    class ActiveUserCondition {
        final UserTableMapping active = DEFAULTS.withActiveUserCondition("status = 'active' AND deleted_at IS NULL");

        @BeforeEach
        void statusColumns() {
            db.exec("ALTER TABLE users ADD COLUMN status VARCHAR(16) DEFAULT 'active'",
                    "ALTER TABLE users ADD COLUMN deleted_at TIMESTAMP NULL");
        }

        @Test
        void refusesAnAlreadyLinkedRowThatIsNotActiveAndWritesNothing() {
            String stytch = newStytchId();
            long id = insertUser("alice@example.com", null, stytch);
            db.exec("UPDATE users SET status = 'suspended' WHERE id = " + id);
            List<Map<String, Object>> before = db.query(SNAPSHOT);

            AccountDisabledException e = catchThrowableOfType(AccountDisabledException.class,
                    () -> store(active).linkOrCreate(verifiedEmail(stytch, "alice@example.com")));

            assertThat(e.errorCode().code()).isEqualTo("account_disabled");
            assertThat(e.errorCode().status()).isEqualTo(403);
            assertThat(e.getMessage()).contains("Row " + id).contains("activeUserCondition").doesNotContain("alice@");
            assertThat(db.query(SNAPSHOT)).isEqualTo(before);
        }

        @Test
        void doesNotLinkAMatchedRowThatIsNotActive() {
            long id = insertUser("bob@example.com", null, null);
            db.exec("UPDATE users SET deleted_at = CURRENT_TIMESTAMP WHERE id = " + id);

            assertThatThrownBy(() -> store(active).linkOrCreate(verifiedEmail(newStytchId(), "bob@example.com")))
                    .isInstanceOf(AccountDisabledException.class);
            assertThat(stytchIdOf(id)).isNull();
            assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(1);
        }

        @Test
        void doesNotRelinkARowThatIsNotActive() {
            long id = insertUser("carol@example.com", null, "user-test-old");
            db.exec("UPDATE users SET status = 'closed' WHERE id = " + id);

            assertThatThrownBy(() -> store(active).linkOrCreate(verifiedEmail(newStytchId(), "carol@example.com")))
                    .isInstanceOf(AccountConflictException.class); // reject policy: still a conflict, not a relink
            UserTableMapping relink = new UserTableMapping("users", "id", "email", null, "stytch_user_id", null,
                    ConflictPolicy.RELINK).withActiveUserCondition(active.activeUserCondition());
            assertThatThrownBy(() -> store(relink).linkOrCreate(verifiedEmail(newStytchId(), "carol@example.com")))
                    .isInstanceOf(AccountDisabledException.class);
            assertThat(stytchIdOf(id)).isEqualTo("user-test-old");
        }

        @Test
        void aConditionThatIsNullForTheRowCountsAsNotSatisfied() {
            String stytch = newStytchId();
            long id = insertUser("dan@example.com", null, stytch);
            db.exec("UPDATE users SET status = NULL WHERE id = " + id);

            assertThatThrownBy(() -> store(active).linkOrCreate(verifiedEmail(stytch, "dan@example.com")))
                    .isInstanceOf(AccountDisabledException.class);
        }

        @Test
        void activeRowsLinkAndReturnInOneStatementAndNewRowsAreNotChecked() {
            db.exec("ALTER TABLE users ALTER COLUMN status SET DEFAULT 'pending'"); // a created row is not active yet
            long id = insertUser("eve@example.com", null, null);
            db.exec("UPDATE users SET status = 'active' WHERE id = " + id);
            CountingDataSource counting = new CountingDataSource(db.dataSource());
            JdbcUserStore store = new JdbcUserStore(counting, active, false, 5);
            store.checkSchema();
            String stytch = newStytchId();

            assertThat(store.linkOrCreate(verifiedEmail(stytch, "eve@example.com")).outcome()).isEqualTo(MigrationOutcome.LINKED);
            counting.reset();
            assertThat(store.linkOrCreate(verifiedEmail(stytch, "eve@example.com")).outcome())
                    .isEqualTo(MigrationOutcome.ALREADY_LINKED);
            assertThat(counting.statements()).isEqualTo(1);
            assertThat(counting.executedSql().get(0)).contains("CASE WHEN (status = 'active' AND deleted_at IS NULL) THEN 1 ELSE 0 END");
            assertThat(store.linkOrCreate(verifiedEmail(newStytchId(), "new@example.com")).outcome())
                    .isEqualTo(MigrationOutcome.CREATED);
        }
    }

    /** {@code secondFactorCondition}: the store reports it from the same one statement, and writes as usual. */
    @Nested
    class SecondFactorCondition {
        final UserTableMapping mfa = DEFAULTS.withActiveUserCondition("legacy_totp IS NOT NULL OR legacy_totp IS NULL")
                .withSecondFactorCondition("legacy_totp");

        @BeforeEach
        void legacyTotpColumn() {
            db.exec("ALTER TABLE users ADD COLUMN legacy_totp BOOLEAN DEFAULT FALSE");
        }

        @Test
        void reportsARowThatNeedsASecondFactorWhenLinkingAndWhenReturningInOneStatement() {
            long id = insertUser("tess@example.com", null, null);
            db.exec("UPDATE users SET legacy_totp = TRUE WHERE id = " + id);
            CountingDataSource counting = new CountingDataSource(db.dataSource());
            JdbcUserStore store = new JdbcUserStore(counting, mfa, false, 5);
            store.checkSchema();
            String stytch = newStytchId();

            LinkResult linked = store.linkOrCreate(verifiedEmail(stytch, "tess@example.com"));
            assertThat(linked.outcome()).isEqualTo(MigrationOutcome.LINKED);
            assertThat(linked.secondFactorRequired()).isTrue();
            assertThat(stytchIdOf(id)).as("linked all the same").isEqualTo(stytch);
            counting.reset();
            LinkResult again = store.linkOrCreate(verifiedEmail(stytch, "tess@example.com"));
            assertThat(again.outcome()).isEqualTo(MigrationOutcome.ALREADY_LINKED);
            assertThat(again.secondFactorRequired()).isTrue();
            assertThat(counting.statements()).isEqualTo(1);
        }

        @Test
        void otherRowsAndNewRowsNeedNone() {
            insertUser("uma@example.com", null, null);
            JdbcUserStore store = store(mfa);
            assertThat(store.linkOrCreate(verifiedEmail(newStytchId(), "uma@example.com")).secondFactorRequired()).isFalse();
            assertThat(store.linkOrCreate(verifiedEmail(newStytchId(), "new.person@example.com")).secondFactorRequired()).isFalse();
        }
    }

    @Nested
    class Concurrency {
        static final int THREADS = 32;

        List<LinkResult> race(JdbcUserStore store, StytchIdentity identity) throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                CountDownLatch ready = new CountDownLatch(THREADS);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<LinkResult>> futures = new ArrayList<>();
                for (int i = 0; i < THREADS; i++) {
                    futures.add(pool.submit(() -> {
                        ready.countDown();
                        start.await();
                        return store.linkOrCreate(identity);
                    }));
                }
                assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
                start.countDown();
                List<LinkResult> results = new ArrayList<>();
                for (Future<LinkResult> f : futures) {
                    results.add(f.get(60, TimeUnit.SECONDS)); // an exception here fails the test
                }
                return results;
            } finally {
                pool.shutdownNow();
            }
        }

        HikariDataSource pool() {
            return DataSources.pool(db.jdbcUrl(), db.user(), db.password(), THREADS, 10_000);
        }

        @Test
        void thirtyTwoSimultaneousFirstLoginsOfANewUserCreateOneRow() throws Exception {
            try (HikariDataSource pool = pool(); JdbcUserStore store = new JdbcUserStore(pool, DEFAULTS, false, 10)) {
                for (int round = 0; round < 3; round++) {
                    String stytch = newStytchId();
                    List<LinkResult> results = race(store, verifiedEmail(stytch, "new" + round + "@example.com"));

                    assertThat(db.count("SELECT count(*) FROM users WHERE stytch_user_id = '" + stytch + "'")).isEqualTo(1);
                    assertThat(db.count("SELECT count(*) FROM users WHERE lower(email) = 'new" + round + "@example.com'")).isEqualTo(1);
                    assertThat(results).extracting(LinkResult::userId).containsOnly(results.get(0).userId());
                    assertThat(results).filteredOn(r -> r.outcome() == MigrationOutcome.CREATED).hasSize(1);
                    assertThat(results).filteredOn(r -> r.outcome() == MigrationOutcome.ALREADY_LINKED).hasSize(THREADS - 1);
                }
            }
        }

        @Test
        void simultaneousFirstLoginsSettleWhenAUniqueEmailIndexRefusesTheRowFirst() throws Exception {
            // the app's unique email index is checked before (or after) the Stytch id's: either way a lost race
            db.exec("CREATE UNIQUE INDEX users_email_key ON users (email)");
            try (HikariDataSource pool = pool(); JdbcUserStore store = new JdbcUserStore(pool, DEFAULTS, false, 10)) {
                for (int round = 0; round < 3; round++) {
                    String stytch = newStytchId();
                    List<LinkResult> results = race(store, verifiedEmail(stytch, "twice" + round + "@example.com"));

                    assertThat(db.count("SELECT count(*) FROM users WHERE stytch_user_id = '" + stytch + "'")).isEqualTo(1);
                    assertThat(results).filteredOn(r -> r.outcome() == MigrationOutcome.CREATED).hasSize(1);
                    assertThat(results).extracting(LinkResult::userId).containsOnly(results.get(0).userId());
                }
            }
        }

        @Test
        void thirtyTwoSimultaneousLoginsLinkingOneExistingRowLinkItOnce() throws Exception {
            try (HikariDataSource pool = pool(); JdbcUserStore store = new JdbcUserStore(pool, DEFAULTS, false, 10)) {
                for (int round = 0; round < 3; round++) {
                    long id = insertUser("legacy" + round + "@example.com", null, null);
                    String stytch = newStytchId();
                    List<LinkResult> results = race(store, verifiedEmail(stytch, "Legacy" + round + "@example.com"));

                    assertThat(stytchIdOf(id)).isEqualTo(stytch);
                    assertThat(results).extracting(LinkResult::userId).containsOnly(String.valueOf(id));
                    assertThat(results).filteredOn(r -> r.outcome() == MigrationOutcome.LINKED).hasSize(1);
                    assertThat(results).filteredOn(r -> r.outcome() == MigrationOutcome.ALREADY_LINKED).hasSize(THREADS - 1);
                }
                assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(3);
            }
        }
    }

    /** A unique constraint of the app (not the Stytch id's) is not a race: one re-read, then a clear failure. */
    @Nested
    class AppConstraints {
        @BeforeEach
        void usernames() {
            db.exec("ALTER TABLE users ADD COLUMN username VARCHAR(64)",
                    "CREATE UNIQUE INDEX users_username_key ON users (username)");
        }

        @Test
        void aViolationThatPersistsAfterOneReReadFailsAtOnceNamingTheConstraint() {
            db.exec("INSERT INTO users (email, username) VALUES ('ann.old@example.com', 'Ann')");
            CountingDataSource counting = new CountingDataSource(db.dataSource());
            JdbcUserStore store = new JdbcUserStore(counting, new UserTableMapping("users", "id", "email", null,
                    "stytch_user_id", "INSERT INTO users (email, username, stytch_user_id) VALUES (:email, :first_name, :stytch_user_id)",
                    ConflictPolicy.REJECT), false, 5);
            store.checkSchema();
            counting.reset();
            StytchIdentity ann = new StytchIdentity(newStytchId(), List.of(Identifier.verified("ann.new@example.com")),
                    List.of(), "Ann", "Example");

            DatabaseException e = catchThrowableOfType(DatabaseException.class, () -> store.linkOrCreate(ann));

            assertThat(e.getMessage()).contains("unique constraint [users_username_key]").contains("create a user row")
                    .contains("INSERT INTO users (email, username, stytch_user_id) VALUES (?, ?, ?)");
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain("ann.new").doesNotContain("'Ann'").doesNotContain("(Ann)");
            }
            // probe, candidates, insert; then one re-read: candidates, insert
            assertThat(counting.statements()).isEqualTo(5);
            assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(1);
        }
    }

    @Nested
    class RoundTrips {
        @Test
        void alreadyLinkedCostsOneStatementLinkedAndCreatedAtMostThree() {
            CountingDataSource counting = new CountingDataSource(db.dataSource());
            JdbcUserStore store = new JdbcUserStore(counting, DEFAULTS, false, 5);
            store.checkSchema(); // at filter init
            insertUser("ivy@example.com", null, null);
            counting.reset();

            LinkResult linked = store.linkOrCreate(verifiedEmail("user-test-ivy", "ivy@example.com"));
            int linkedStatements = counting.statements();
            counting.reset();
            LinkResult already = store.linkOrCreate(verifiedEmail("user-test-ivy", "ivy@example.com"));
            int alreadyStatements = counting.statements();
            counting.reset();
            LinkResult created = store.linkOrCreate(verifiedEmail("user-test-jon", "jon@example.com"));
            int createdStatements = counting.statements();

            assertThat(linked.outcome()).isEqualTo(MigrationOutcome.LINKED);
            assertThat(already.outcome()).isEqualTo(MigrationOutcome.ALREADY_LINKED);
            assertThat(created.outcome()).isEqualTo(MigrationOutcome.CREATED);
            assertThat(alreadyStatements).isEqualTo(1);
            assertThat(linkedStatements).isLessThanOrEqualTo(3);
            assertThat(createdStatements).isLessThanOrEqualTo(3);
            assertThat(counting.connections()).isEqualTo(1);
        }

        @Test
        void createThroughATemplateWithoutReturningCostsAtMostThreeStatements() {
            CountingDataSource counting = new CountingDataSource(db.dataSource());
            JdbcUserStore store = new JdbcUserStore(counting, new UserTableMapping("users", "id", "email", null,
                    "stytch_user_id", "INSERT INTO users (email, stytch_user_id) VALUES (:email, :stytch_user_id)",
                    ConflictPolicy.REJECT), false, 5);
            store.checkSchema();
            counting.reset();

            LinkResult created = store.linkOrCreate(verifiedEmail("user-test-kim", "kim@example.com"));

            assertThat(created.outcome()).isEqualTo(MigrationOutcome.CREATED);
            assertThat(db.count("SELECT id FROM users WHERE stytch_user_id = 'user-test-kim'")).isEqualTo(Long.parseLong(created.userId()));
            assertThat(counting.statements()).isLessThanOrEqualTo(3);
        }
    }

    @Nested
    class ExternalIds {
        final UserTableMapping byExternalId = DEFAULTS.withLinkByExternalId(true);

        StytchIdentity imported(String stytchUserId, String externalId, String email) {
            return new StytchIdentity(stytchUserId, List.of(Identifier.verified(email)), List.of(), null, null, externalId);
        }

        @Test
        void linksTheRowWhoseIdIsTheExternalIdWhenTheEmailMatchesAnotherRow() {
            long bob = insertUser("bob@example.com", null, null);
            long imported = insertUser("robert@old.example", null, null);
            LinkResult r = store(byExternalId).linkOrCreate(imported("user-test-rob", Long.toString(imported), "bob@example.com"));
            assertThat(r.outcome()).isEqualTo(MigrationOutcome.LINKED);
            assertThat(r.userId()).isEqualTo(Long.toString(imported));
            assertThat(stytchIdOf(imported)).isEqualTo("user-test-rob");
            assertThat(stytchIdOf(bob)).isNull();
        }

        @Test
        void linksTheRowWhoseIdIsTheExternalIdWhenTheEmailMatchesNone() {
            long imported = insertUser("old@example.com", null, null);
            LinkResult r = store(byExternalId).linkOrCreate(imported("user-test-new", Long.toString(imported), "new@example.com"));
            assertThat(r.outcome()).isEqualTo(MigrationOutcome.LINKED);
            assertThat(r.userId()).isEqualTo(Long.toString(imported));
            assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(1);
        }

        @Test
        void aRowLinkedToAnotherStytchUserIsRefusedAndNothingIsWritten() {
            long imported = insertUser("old@example.com", null, "user-test-someone");
            insertUser("new@example.com", null, null);
            assertThatThrownBy(() -> store(byExternalId).linkOrCreate(imported("user-test-new", Long.toString(imported),
                    "new@example.com"))).isInstanceOf(AccountConflictException.class)
                    .hasMessageContaining("is linked to Stytch user user-test-someone");
            assertThat(stytchIdOf(imported)).isEqualTo("user-test-someone");
        }

        @Test
        void isOffByDefaultAndAnExternalIdThatIsNoIdOfTheColumnsTypeMatchesNoRow() {
            long bob = insertUser("bob@example.com", null, null);
            long other = insertUser("other@example.com", null, null);
            LinkResult off = store(DEFAULTS).linkOrCreate(imported("user-test-a", Long.toString(other), "bob@example.com"));
            assertThat(off.userId()).isEqualTo(Long.toString(bob));
            LinkResult text = store(byExternalId).linkOrCreate(imported("user-test-b", "crm|9f2c", "carol@example.com"));
            assertThat(text.outcome()).as("a non-numeric external_id against a BIGINT id: no row, no SQL error")
                    .isEqualTo(MigrationOutcome.CREATED);
        }

        @Test
        void linkingByExternalIdCostsAtMostThreeStatementsAndReturningOne() {
            CountingDataSource counting = new CountingDataSource(db.dataSource());
            JdbcUserStore store = new JdbcUserStore(counting, byExternalId, false, 5);
            store.checkSchema();
            long imported = insertUser("old@example.com", null, null);
            counting.reset();
            LinkResult linked = store.linkOrCreate(imported("user-test-c", Long.toString(imported), "new@example.com"));
            int linkedStatements = counting.statements();
            counting.reset();
            store.linkOrCreate(imported("user-test-c", Long.toString(imported), "new@example.com"));
            assertThat(linked.outcome()).isEqualTo(MigrationOutcome.LINKED);
            assertThat(linkedStatements).isLessThanOrEqualTo(3);
            assertThat(counting.statements()).isEqualTo(1);
        }
    }
}
