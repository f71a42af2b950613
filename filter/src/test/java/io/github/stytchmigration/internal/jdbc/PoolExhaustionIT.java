package io.github.stytchmigration.internal.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.StytchIdentity.Identifier;
import io.github.stytchmigration.testing.TestDatabase;
import org.apache.tomcat.dbcp.dbcp2.BasicDataSource;
import org.apache.tomcat.jdbc.pool.PoolProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * "No connection within the pool's wait" and "the database is read-only" are outages (503), not
 * internal errors: proven with the real pools an operator configures (Tomcat's default JNDI pool DBCP2,
 * tomcat-jdbc, HikariCP), each exhausted by holding all its connections, and with a real read-only
 * PostgreSQL database. Nothing is ever written. A stale pooled connection (the server closed it) is
 * replaced once, so the login that got it still succeeds.
 */
class PoolExhaustionIT {
    static final TestDatabase db = TestDatabase.create();
    static final int POOL_SIZE = 2;
    static final String SNAPSHOT = "SELECT id, email, stytch_user_id FROM users ORDER BY id";

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void freshTable() {
        db.exec("DROP TABLE IF EXISTS users");
        db.createDefaultUsersTable();
        db.exec("INSERT INTO users (email) VALUES ('legacy@example.com')");
    }

    static StytchIdentity verifiedEmail(String stytchUserId, String email) {
        return new StytchIdentity(stytchUserId, List.of(Identifier.verified(email)), List.of(), null, null);
    }

    /** Checks the schema through the pool (filter init), takes every connection, then logs a new user in. */
    static DatabaseUnavailableException loginWithAllConnectionsHeld(DataSource pool) throws SQLException {
        JdbcUserStore store = new JdbcUserStore(pool, UserTableMapping.defaults(), false, 5);
        store.checkSchema();
        List<Map<String, Object>> before = db.query(SNAPSHOT);
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < POOL_SIZE; i++) {
                held.add(pool.getConnection());
            }
            DatabaseUnavailableException e = catchThrowableOfType(DatabaseUnavailableException.class,
                    () -> store.linkOrCreate(verifiedEmail("user-test-new", "new@example.com")));
            assertThat(e).as("pool exhaustion answers database_unavailable").isNotNull();
            assertThat(e.errorCode().status()).isEqualTo(503);
            assertThat(e.retryAfterSeconds()).isPositive();
            assertThat(e.getMessage()).contains("obtain a database connection").doesNotContain(db.password());
            assertThat(db.query(SNAPSHOT)).isEqualTo(before);
            return e;
        } finally {
            for (Connection c : held) {
                c.close();
            }
            // once a connection is back, logins work again
            assertThat(store.linkOrCreate(verifiedEmail("user-test-legacy", "legacy@example.com")).outcome())
                    .isEqualTo(MigrationOutcome.LINKED);
        }
    }

    @Nested
    class PoolExhausted {
        @Test
        void tomcatsDbcp2AnswersDatabaseUnavailable() throws Exception {
            try (BasicDataSource pool = new BasicDataSource()) {
                pool.setUrl(db.jdbcUrl());
                pool.setUsername(db.user());
                pool.setPassword(db.password());
                pool.setMaxTotal(POOL_SIZE);
                pool.setMaxWait(Duration.ofMillis(300));

                DatabaseUnavailableException e = loginWithAllConnectionsHeld(pool);

                // DBCP2 says it with a plain SQLException (no SQLState) caused by commons-pool's NoSuchElementException
                assertThat(e.getCause()).isExactlyInstanceOf(SQLException.class);
                assertThat(((SQLException) e.getCause()).getSQLState()).isNull();
                assertThat(e.getCause().getCause()).isInstanceOf(java.util.NoSuchElementException.class);
            }
        }

        @Test
        void tomcatJdbcAnswersDatabaseUnavailable() throws Exception {
            PoolProperties p = new PoolProperties();
            p.setUrl(db.jdbcUrl());
            p.setDriverClassName("org.postgresql.Driver");
            p.setUsername(db.user());
            p.setPassword(db.password());
            p.setMaxActive(POOL_SIZE);
            p.setMaxIdle(POOL_SIZE);
            p.setInitialSize(0);
            p.setMinIdle(0);
            p.setMaxWait(300);
            org.apache.tomcat.jdbc.pool.DataSource pool = new org.apache.tomcat.jdbc.pool.DataSource(p);
            try {
                DatabaseUnavailableException e = loginWithAllConnectionsHeld(pool);

                assertThat(e.getCause().getClass().getName()).isEqualTo("org.apache.tomcat.jdbc.pool.PoolExhaustedException");
            } finally {
                pool.close(true);
            }
        }

        @Test
        void hikariCpAnswersDatabaseUnavailable() throws Exception {
            try (HikariDataSource pool = DataSources.pool(db.jdbcUrl(), db.user(), db.password(), POOL_SIZE, 250)) {
                DatabaseUnavailableException e = loginWithAllConnectionsHeld(pool);

                assertThat(e.getCause()).isInstanceOf(java.sql.SQLTransientConnectionException.class);
            }
        }
    }

    @Nested
    class StaleConnection {
        @Test
        void aPooledConnectionTheServerClosedIsReplacedOnceAndTheLoginSucceeds() throws Exception {
            try (BasicDataSource pool = new BasicDataSource()) {
                pool.setUrl(db.jdbcUrl());
                pool.setUsername(db.user());
                pool.setPassword(db.password());
                pool.setMaxTotal(1);
                pool.setTestOnBorrow(false); // hands out the idle connection as it is, as after a restart or failover
                JdbcUserStore store = new JdbcUserStore(pool, UserTableMapping.defaults(), false, 5);
                store.checkSchema();
                assertThat(store.linkOrCreate(verifiedEmail("user-test-legacy", "legacy@example.com")).outcome())
                        .isEqualTo(MigrationOutcome.LINKED);
                // the server ends the pool's idle connection (admin_shutdown, SQLState 57P01 on its next statement)
                db.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND pid <> pg_backend_pid()");

                assertThat(store.linkOrCreate(verifiedEmail("user-test-legacy", "legacy@example.com")).outcome())
                        .isEqualTo(MigrationOutcome.ALREADY_LINKED);
                assertThat(store.linkOrCreate(verifiedEmail("user-test-new", "new@example.com")).outcome())
                        .isEqualTo(MigrationOutcome.CREATED);
            }
        }
    }

    @Nested
    class ReadOnly {
        @Test
        void aReadOnlyDatabaseAnswersUnavailableForWritesAndStillLogsReturningUsersIn() {
            db.exec("UPDATE users SET stytch_user_id = 'user-test-linked' WHERE email = 'legacy@example.com'",
                    "INSERT INTO users (email) VALUES ('unlinked@example.com')");
            JdbcUserStore store = new JdbcUserStore(db.dataSource(), UserTableMapping.defaults(), false, 5);
            store.checkSchema();
            List<Map<String, Object>> before = db.query(SNAPSHOT);
            db.exec("ALTER DATABASE " + db.databaseName() + " SET default_transaction_read_only = on");
            try {
                DatabaseUnavailableException create = catchThrowableOfType(DatabaseUnavailableException.class,
                        () -> store.linkOrCreate(verifiedEmail("user-test-new", "new@example.com")));
                DatabaseUnavailableException link = catchThrowableOfType(DatabaseUnavailableException.class,
                        () -> store.linkOrCreate(verifiedEmail("user-test-unlinked", "unlinked@example.com")));

                assertThat(create.getMessage()).contains("SQLState 25006").contains("create a user row");
                assertThat(link.getMessage()).contains("SQLState 25006").contains("link a user row");
                assertThat(store.linkOrCreate(verifiedEmail("user-test-linked", "legacy@example.com")).outcome())
                        .isEqualTo(MigrationOutcome.ALREADY_LINKED);
            } finally {
                db.exec("SET default_transaction_read_only = off",
                        "ALTER DATABASE " + db.databaseName() + " RESET default_transaction_read_only");
            }
            assertThat(db.query(SNAPSHOT)).isEqualTo(before);
        }

        @Test
        void aReadOnlyTransactionAnswersUnavailableAndWritesNothing() {
            PGSimpleDataSource readOnly = new PGSimpleDataSource();
            readOnly.setURL(db.jdbcUrl());
            readOnly.setUser(db.user());
            readOnly.setPassword(db.password());
            readOnly.setOptions("-c default_transaction_read_only=on");
            List<Map<String, Object>> before = db.query(SNAPSHOT);

            DatabaseUnavailableException e = catchThrowableOfType(DatabaseUnavailableException.class,
                    () -> new JdbcUserStore(readOnly, UserTableMapping.defaults(), false, 5)
                            .linkOrCreate(verifiedEmail("user-test-legacy", "legacy@example.com")));

            assertThat(e.getMessage()).contains("SQLState 25006");
            assertThat(db.query(SNAPSHOT)).isEqualTo(before);
        }
    }
}
