package io.github.stytchmigration.internal.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataSourcesIT {
    @Test
    void poolConnectsWithNamedPoolAndKeepsThePasswordOutOfToString() throws Exception {
        TestDatabase db = TestDatabase.create();
        try (HikariDataSource pool = DataSources.pool(db.jdbcUrl(), db.user(), db.password(), 3, 2000)) {
            try (Connection c = pool.getConnection()) {
                assertThat(c.isValid(2)).isTrue();
                assertThat(c.getAutoCommit()).isTrue();
            }
            assertThat(pool.getPoolName()).matches("stytch-migration-[0-9]+");
            assertThat(pool.getMaximumPoolSize()).isEqualTo(3);
            assertThat(pool.getConnectionTimeout()).isEqualTo(2000);
            assertThat(pool.getValidationTimeout()).isLessThanOrEqualTo(2000);
            assertThat(pool.getDriverClassName()).isEqualTo("org.postgresql.Driver");
            assertThat(pool.toString()).doesNotContain(db.password());
        } finally {
            db.close();
        }
    }

    @Test
    void closeOwnedReturnsOnlyAfterThePoolsThreadsHaveEnded() throws Exception {
        TestDatabase db = TestDatabase.create();
        try {
            HikariDataSource pool = DataSources.pool(db.jdbcUrl(), db.user(), db.password(), 3, 2000);
            try (Connection c = pool.getConnection()) {
                assertThat(c.isValid(2)).isTrue();
            }
            String prefix = pool.getPoolName() + ":";
            assertThat(threadsNamed(prefix)).as("the pool runs its housekeeper").isNotEmpty();

            DataSources.closeOwned(pool);

            // what Tomcat checks right after a filter's destroy(): none may be left, not even exiting
            assertThat(threadsNamed(prefix)).isEmpty();
            assertThat(pool.isClosed()).isTrue();
        } finally {
            db.close();
        }
    }

    @Test
    void closeOwnedAlsoEndsTheConnectionAdderRetryingAnUnreachableDatabase() throws Exception {
        HikariDataSource pool = DataSources.pool("jdbc:postgresql://127.0.0.1:1/nothing", "u", "p", 2, 1000);
        String prefix = pool.getPoolName() + ":";
        // The adder keeps trying to fill minimumIdle, sleeping in a growing back-off between attempts.
        // After 4 s its sleeps outlast HikariCP's own wait in close() (the 1 s login timeout): measured,
        // a plain close() then returns with the adder still sleeping.
        Thread.sleep(4000);
        assertThat(threadsNamed(prefix)).as("the adder is retrying").anyMatch(n -> n.endsWith("connection-adder"));

        DataSources.closeOwned(pool);

        assertThat(threadsNamed(prefix)).isEmpty();
    }

    private static java.util.List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).collect(java.util.stream.Collectors.toList());
    }

    @Test
    void aConnectionThatRefusedAWriteAsReadOnlyIsDroppedNotKept() throws Exception {
        // As after a failover that demoted its server to a standby: this one connection is read-only now, a new one
        // would not be. HikariCP alone keeps it (25006 is not among the states it evicts on) until maxLifetime.
        TestDatabase db = TestDatabase.create();
        try (HikariDataSource pool = DataSources.pool(db.jdbcUrl(), db.user(), db.password(), 1, 2000)) {
            int demoted;
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS eviction_probe (x int)");
                demoted = backendPid(s);
                s.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
            }
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                assertThat(backendPid(s)).as("the pool's only connection comes back").isEqualTo(demoted);
                assertThatThrownBy(() -> s.executeUpdate("INSERT INTO eviction_probe VALUES (1)"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
            }
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                assertThat(backendPid(s)).as("a new connection, not the read-only one").isNotEqualTo(demoted);
                assertThat(s.executeUpdate("INSERT INTO eviction_probe VALUES (2)")).isEqualTo(1);
            }
        } finally {
            db.close();
        }
    }

    private static int backendPid(Statement s) throws SQLException {
        try (ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        }
    }

    @Test
    void poolStartsEvenWhenTheDatabaseIsDown() {
        try (HikariDataSource pool = DataSources.pool("jdbc:postgresql://127.0.0.1:1/nothing", "u", "p", 1, 250)) {
            assertThat(pool.isRunning()).isTrue();
            assertThatThrownBy(pool::getConnection).isInstanceOf(java.sql.SQLTransientConnectionException.class);
        }
    }

    @Test
    void lookupNamesTheParamWhenNothingIsBound() {
        assertThatThrownBy(() -> DataSources.lookup("java:comp/env/jdbc/missing"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("dataSourceJndiName [java:comp/env/jdbc/missing]");
    }
}
