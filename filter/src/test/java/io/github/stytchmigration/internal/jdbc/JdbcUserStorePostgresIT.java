package io.github.stytchmigration.internal.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.ConflictPolicy;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.internal.LinkResult;
import io.github.stytchmigration.internal.MigrationException.AccountConflictException;
import io.github.stytchmigration.internal.MigrationException.AccountConflictException.Reason;
import io.github.stytchmigration.internal.MigrationException.DatabaseException;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.StytchIdentity.Identifier;
import io.github.stytchmigration.testing.CountingDataSource;
import io.github.stytchmigration.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.net.ServerSocket;
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

class JdbcUserStoreIT {
    static final TestDatabase db = TestDatabase.create();
    static final String SNAPSHOT = "SELECT id, email, phone, stytch_user_id FROM users ORDER BY id";

    static final UserTableMapping DEFAULTS = UserTableMapping.defaults();
    static final UserTableMapping WITH_PHONE = mapping("phone", ConflictPolicy.REJECT);
    static final UserTableMapping RELINK = mapping(null, ConflictPolicy.RELINK);

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void freshTable() {
        db.exec("DROP TABLE IF EXISTS users", "DROP SCHEMA IF EXISTS legacy CASCADE");
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

    static JdbcUserStore store(UserTableMapping mapping) {
        return new JdbcUserStore(db.dataSource(), mapping, false, 5);
    }

    static long insertUser(String email, String phone, String stytchUserId) {
        return db.count("INSERT INTO users (email, phone, stytch_user_id) VALUES ("
                + literal(email) + ", " + literal(phone) + ", " + literal(stytchUserId) + ") RETURNING id");
    }

    static String literal(String value) {
        return value == null ? "NULL" : "'" + value.replace("'", "''") + "'";
    }

    static String stytchIdOf(long id) {
        Object value = db.query("SELECT stytch_user_id FROM users WHERE id = " + id).get(0).get("stytch_user_id");
        return (String) value;
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

        @Test
        void thirtyTwoSimultaneousFirstLoginsOfANewUserCreateOneRow() throws Exception {
            try (HikariDataSource pool = DataSources.pool(db.jdbcUrl(), db.user(), db.password(), THREADS, 10_000);
                 JdbcUserStore store = new JdbcUserStore(pool, DEFAULTS, false, 10)) {
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
        void thirtyTwoSimultaneousLoginsLinkingOneExistingRowLinkItOnce() throws Exception {
            try (HikariDataSource pool = DataSources.pool(db.jdbcUrl(), db.user(), db.password(), THREADS, 10_000);
                 JdbcUserStore store = new JdbcUserStore(pool, DEFAULTS, false, 10)) {
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

    @Nested
    class LegacyTableWithCreateUserSql {
        @BeforeEach
        void legacyTable() {
            db.exec("CREATE SCHEMA legacy",
                    "CREATE TABLE legacy.members (member_no SERIAL PRIMARY KEY, mail VARCHAR(320) NOT NULL,"
                            + " display_name VARCHAR(200) NOT NULL, created_on TIMESTAMPTZ NOT NULL DEFAULT now(),"
                            + " stytch_ref VARCHAR(255) UNIQUE)",
                    "CREATE INDEX members_lower_mail_idx ON legacy.members (lower(mail))");
        }

        UserTableMapping legacy(String createUserSql) {
            return new UserTableMapping("legacy.members", "member_no", "mail", null, "stytch_ref", createUserSql,
                    ConflictPolicy.REJECT);
        }

        @Test
        void createsThroughTheTemplateWithRepeatedParametersAndNullFirstName() {
            JdbcUserStore store = store(legacy("INSERT INTO legacy.members (mail, display_name, stytch_ref)"
                    + " VALUES (:email, COALESCE(:first_name, :email), :stytch_user_id) RETURNING member_no"));
            String stytch = newStytchId();

            LinkResult result = store.linkOrCreate(verifiedEmail(stytch, "Dora@Example.com"));

            assertThat(result.outcome()).isEqualTo(MigrationOutcome.CREATED);
            List<Map<String, Object>> rows = db.query("SELECT member_no, mail, display_name, stytch_ref FROM legacy.members");
            assertThat(rows).hasSize(1);
            assertThat(String.valueOf(rows.get(0).get("member_no"))).isEqualTo(result.userId());
            assertThat(rows.get(0).get("display_name")).isEqualTo("Dora@Example.com");
            assertThat(rows.get(0).get("stytch_ref")).isEqualTo(stytch);
            assertThat(store.linkOrCreate(verifiedEmail(stytch, "dora@example.com")).outcome())
                    .isEqualTo(MigrationOutcome.ALREADY_LINKED);
        }

        @Test
        void usesFirstAndLastNameAndCastsInTheTemplate() {
            JdbcUserStore store = store(legacy("INSERT INTO legacy.members (mail, display_name, stytch_ref) VALUES"
                    + " (lower(:email), CONCAT_WS(' ', :first_name::text, :last_name::text, '(a '':quoted:'' text)'),"
                    + " :stytch_user_id) RETURNING member_no"));
            StytchIdentity eve = new StytchIdentity(newStytchId(), List.of(Identifier.verified("Eve@Example.com")), List.of(),
                    "Eve", "Adams");

            LinkResult result = store.linkOrCreate(eve);

            assertThat(result.outcome()).isEqualTo(MigrationOutcome.CREATED);
            Map<String, Object> row = db.query("SELECT mail, display_name FROM legacy.members").get(0);
            assertThat(row.get("mail")).isEqualTo("eve@example.com");
            assertThat(row.get("display_name")).isEqualTo("Eve Adams (a ':quoted:' text)");
        }

        @Test
        void readsTheNewIdFromGeneratedKeysWhenTheTemplateHasNoReturning() {
            JdbcUserStore store = store(legacy("INSERT INTO legacy.members (mail, display_name, stytch_ref)"
                    + " VALUES (:email, :email, :stytch_user_id);"));

            LinkResult result = store.linkOrCreate(verifiedEmail(newStytchId(), "fay@example.com"));

            assertThat(result.outcome()).isEqualTo(MigrationOutcome.CREATED);
            assertThat(db.count("SELECT member_no FROM legacy.members")).isEqualTo(Long.parseLong(result.userId()));
        }

        @Test
        void linksALegacyRowNamedInUpperCaseIdentifiers() {
            db.exec("INSERT INTO legacy.members (mail, display_name) VALUES ('gus@example.com', 'Gus')");
            UserTableMapping upper = new UserTableMapping("LEGACY.MEMBERS", "MEMBER_NO", "MAIL", null, "STYTCH_REF", null,
                    ConflictPolicy.REJECT);
            String stytch = newStytchId();

            LinkResult result = store(upper).linkOrCreate(verifiedEmail(stytch, "GUS@example.com"));

            assertThat(result.outcome()).isEqualTo(MigrationOutcome.LINKED);
            assertThat(db.count("SELECT count(*) FROM legacy.members WHERE stytch_ref = '" + stytch + "'")).isEqualTo(1);
        }

        @Test
        void aFailingTemplateNamesTaskAndSqlButNoValue() {
            // display_name gets NULL: PostgreSQL's message would quote the failing row, email included
            String template = "INSERT INTO legacy.members (mail, display_name, stytch_ref)"
                    + " VALUES (:email, :first_name, :stytch_user_id) RETURNING member_no";
            JdbcUserStore store = store(legacy(template));

            DatabaseException e = catchThrowableOfType(DatabaseException.class,
                    () -> store.linkOrCreate(verifiedEmail(newStytchId(), "secret-person@example.com")));

            assertThat(e.getMessage()).contains("create a user row").contains("23502")
                    .contains("INSERT INTO legacy.members (mail, display_name, stytch_ref) VALUES (?, ?, ?) RETURNING member_no");
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain("secret-person");
            }
            assertThat(db.count("SELECT count(*) FROM legacy.members")).isZero();
        }

        @Test
        void aTemplateThatInsertsNothingIsReportedAfterBoundedAttempts() {
            JdbcUserStore store = store(legacy("INSERT INTO legacy.members (mail, display_name, stytch_ref)"
                    + " SELECT :email, :email, :stytch_user_id WHERE false RETURNING member_no"));

            assertThatThrownBy(() -> store.linkOrCreate(verifiedEmail(newStytchId(), "hal@example.com")))
                    .isInstanceOf(DatabaseException.class).hasMessageContaining("createUserSql");
        }
    }

    @Nested
    class RoundTrips {
        @Test
        void alreadyLinkedCostsOneStatementLinkedAndCreatedAtMostThree() {
            CountingDataSource counting = new CountingDataSource(db.dataSource());
            JdbcUserStore store = new JdbcUserStore(counting, DEFAULTS, false, 5);
            insertUser("ivy@example.com", null, null);

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
        void createThroughATemplateCostsAtMostThreeStatements() {
            db.exec("CREATE SCHEMA legacy", "CREATE TABLE legacy.members (member_no SERIAL PRIMARY KEY, mail TEXT NOT NULL,"
                    + " stytch_ref VARCHAR(255) UNIQUE)");
            CountingDataSource counting = new CountingDataSource(db.dataSource());
            JdbcUserStore store = new JdbcUserStore(counting, new UserTableMapping("legacy.members", "member_no", "mail", null,
                    "stytch_ref", "INSERT INTO legacy.members (mail, stytch_ref) VALUES (:email, :stytch_user_id)",
                    ConflictPolicy.REJECT), false, 5);

            assertThat(store.linkOrCreate(verifiedEmail("user-test-kim", "kim@example.com")).outcome())
                    .isEqualTo(MigrationOutcome.CREATED);
            assertThat(counting.statements()).isLessThanOrEqualTo(3);
        }
    }

    @Nested
    class DatabaseUnavailable {
        @Test
        void aClosedPortIsReportedAsDatabaseUnavailable() throws Exception {
            PGSimpleDataSource nowhere = new PGSimpleDataSource();
            nowhere.setURL("jdbc:postgresql://127.0.0.1:" + closedPort() + "/nothing");
            nowhere.setConnectTimeout(2);

            DatabaseUnavailableException e = catchThrowableOfType(DatabaseUnavailableException.class,
                    () -> new JdbcUserStore(nowhere, DEFAULTS, false, 5).linkOrCreate(verifiedEmail(newStytchId(), "a@example.com")));

            assertThat(e.retryAfterSeconds()).isPositive();
        }

        @Test
        void aPoolThatCannotConnectIsReportedAsDatabaseUnavailable() throws Exception {
            try (HikariDataSource pool = DataSources.pool("jdbc:postgresql://127.0.0.1:" + closedPort() + "/nothing",
                    "u", "p", 2, 500)) {
                assertThatThrownBy(() -> new JdbcUserStore(pool, DEFAULTS, false, 5)
                        .linkOrCreate(verifiedEmail(newStytchId(), "a@example.com")))
                        .isInstanceOf(DatabaseUnavailableException.class);
            }
        }

        @Test
        void aStoppedServerIsUnavailableAndThePoolRecoversAfterRestart() {
            org.junit.jupiter.api.Assumptions.assumeTrue(TestDatabase.canRestartServer(), "external server");
            long id = insertUser("lee@example.com", null, "user-test-lee");
            try (HikariDataSource pool = DataSources.pool(db.jdbcUrl(), db.user(), db.password(), 2, 1000);
                 JdbcUserStore store = new JdbcUserStore(pool, DEFAULTS, true, 5)) {
                assertThat(store.linkOrCreate(verifiedEmail("user-test-lee", "lee@example.com")).outcome())
                        .isEqualTo(MigrationOutcome.ALREADY_LINKED);
                TestDatabase.stopServer();
                try {
                    assertThatThrownBy(() -> store.linkOrCreate(verifiedEmail("user-test-lee", "lee@example.com")))
                            .isInstanceOf(DatabaseUnavailableException.class);
                } finally {
                    TestDatabase.startServer();
                }
                LinkResult after = store.linkOrCreate(verifiedEmail("user-test-lee", "lee@example.com"));
                assertThat(after.userId()).isEqualTo(String.valueOf(id));
            }
        }

        private int closedPort() throws Exception {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            }
        }
    }

    @Test
    void closeClosesAnOwnedPoolOnlyOnce() {
        HikariDataSource owned = DataSources.pool(db.jdbcUrl(), db.user(), db.password(), 1, 1000);
        HikariDataSource borrowed = DataSources.pool(db.jdbcUrl(), db.user(), db.password(), 1, 1000);
        try {
            JdbcUserStore owning = new JdbcUserStore(owned, DEFAULTS, true, 5);
            JdbcUserStore borrowing = new JdbcUserStore(borrowed, DEFAULTS, false, 5);
            owning.close();
            owning.close();
            borrowing.close();

            assertThat(owned.isClosed()).isTrue();
            assertThat(borrowed.isClosed()).isFalse();
        } finally {
            borrowed.close();
        }
    }
}
