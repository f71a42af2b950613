package io.github.stytchmigration.internal.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.ConflictPolicy;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.internal.LinkResult;
import io.github.stytchmigration.internal.MigrationException.DatabaseException;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.StytchIdentity.Identifier;
import io.github.stytchmigration.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The store on PostgreSQL only: schema-qualified legacy tables with {@code createUserSql} (casts,
 * {@code RETURNING}), server restarts, owned pools. The rules, races and round trips run on every
 * database in {@link JdbcUserStoreIT}.
 */
class JdbcUserStorePostgresIT {
    static final TestDatabase db = TestDatabase.create();

    static final UserTableMapping DEFAULTS = UserTableMapping.defaults();

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void freshTable() {
        db.exec("DROP TABLE IF EXISTS users", "DROP SCHEMA IF EXISTS legacy CASCADE");
        db.createDefaultUsersTable();
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
                // the server may still be starting (57P03) for a moment: unavailable, then back, no restart of ours
                LinkResult after = null;
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                while (after == null) {
                    try {
                        after = store.linkOrCreate(verifiedEmail("user-test-lee", "lee@example.com"));
                    } catch (DatabaseUnavailableException e) {
                        if (System.nanoTime() > deadline) {
                            throw e;
                        }
                    }
                }
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
