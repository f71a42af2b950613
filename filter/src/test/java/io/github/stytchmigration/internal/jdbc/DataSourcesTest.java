package io.github.stytchmigration.internal.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataSourcesTest {
    @Test
    void poolConnectsWithNamedPoolAndKeepsThePasswordOutOfToString() throws Exception {
        TestDatabase db = TestDatabase.create();
        try (HikariDataSource pool = DataSources.pool(db.jdbcUrl(), db.user(), db.password(), 3, 2000)) {
            try (Connection c = pool.getConnection()) {
                assertThat(c.isValid(2)).isTrue();
                assertThat(c.getAutoCommit()).isTrue();
            }
            assertThat(pool.getPoolName()).isEqualTo("stytch-migration");
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
