package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import org.apache.tomcat.jdbc.pool.PoolExhaustedException;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTransientConnectionException;
import java.util.NoSuchElementException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Classification without a database; the ITs prove the same with real pools and servers
 * ({@code PoolExhaustionIT}, {@code JdbcUserStoreIT}). Where a pool's exception class is on the test
 * class path it is the real one; Apache Commons DBCP2 is not, so its commons-pool frame is made up.
 */
class SqlErrorsTest {
    private static SQLException state(String sqlState, int code, String message) {
        return new SQLException(message, sqlState, code);
    }

    @Test
    void poolTimeoutsAreUnavailableWhateverThePool() {
        // tomcat-jdbc: its own SQLException subclass, no SQLState
        assertThat(SqlErrors.classify(new PoolExhaustedException("[main] Timeout: Pool empty. Unable to fetch a connection")))
                .isEqualTo(SqlErrors.Kind.UNAVAILABLE);
        // HikariCP, and any pool that says it with the JDBC type
        assertThat(SqlErrors.classify(new SQLTransientConnectionException("pool - Connection is not available")))
                .isEqualTo(SqlErrors.Kind.UNAVAILABLE);
        // Apache Commons DBCP2: a plain SQLException caused by commons-pool's NoSuchElementException
        NoSuchElementException borrow = new NoSuchElementException("Timeout waiting for idle object");
        borrow.setStackTrace(new StackTraceElement[]{
                new StackTraceElement("org.apache.commons.pool2.impl.GenericObjectPool", "borrowObject", null, 1)});
        SQLException dbcp = new SQLException("Cannot get a connection, pool error Timeout waiting for idle object", borrow);
        assertThat(SqlErrors.classify(dbcp)).isEqualTo(SqlErrors.Kind.UNAVAILABLE);
        assertThat(SqlErrors.describe(dbcp)).isEqualTo("SQLState none: Cannot get a connection, pool error Timeout waiting for idle object");
    }

    @Test
    void aNoSuchElementExceptionFromElsewhereIsNotAPoolTimeout() {
        SQLException other = new SQLException("iterator ran dry", new NoSuchElementException("x"));
        assertThat(SqlErrors.classify(other)).isEqualTo(SqlErrors.Kind.OTHER);
    }

    @Test
    void aReadOnlyDatabaseIsUnavailable() {
        assertThat(SqlErrors.classify(state("25006", 0, "cannot execute INSERT in a read-only transaction")))
                .isEqualTo(SqlErrors.Kind.UNAVAILABLE);
        assertThat(SqlErrors.classify(state("HY000", 1290, "The MariaDB server is running with the --read-only option")))
                .isEqualTo(SqlErrors.Kind.UNAVAILABLE);
        assertThat(SqlErrors.classify(state("HY000", 1836, "Running in read-only mode"))).isEqualTo(SqlErrors.Kind.UNAVAILABLE);
    }

    @Test
    void uniqueViolationsAreRecognisedByClass23AndVendorCode() {
        assertThat(SqlErrors.classify(state("23505", 0, "duplicate key"))).isEqualTo(SqlErrors.Kind.UNIQUE_VIOLATION);
        assertThat(SqlErrors.classify(new SQLIntegrityConstraintViolationException("Duplicate entry", "23000", 1062)))
                .isEqualTo(SqlErrors.Kind.UNIQUE_VIOLATION);
        assertThat(SqlErrors.classify(state("23000", 2627, "Violation of UNIQUE KEY constraint"))).isEqualTo(SqlErrors.Kind.UNIQUE_VIOLATION);
        assertThat(SqlErrors.classify(state("23000", 2601, "Cannot insert duplicate key row"))).isEqualTo(SqlErrors.Kind.UNIQUE_VIOLATION);
        assertThat(SqlErrors.classify(state("23000", 1, "ORA-00001: unique constraint"))).isEqualTo(SqlErrors.Kind.UNIQUE_VIOLATION);
        // NOT NULL (MySQL 1048), foreign key, check: class 23, but no race to re-read
        assertThat(SqlErrors.classify(state("23000", 1048, "Column 'name' cannot be null"))).isEqualTo(SqlErrors.Kind.OTHER);
        assertThat(SqlErrors.classify(state("23503", 0, "foreign key"))).isEqualTo(SqlErrors.Kind.OTHER);
    }

    @Test
    void mysqlDeadlocksAndLockWaitTimeoutsAreRetried() {
        assertThat(SqlErrors.classify(state("40001", 1213, "Deadlock found"))).isEqualTo(SqlErrors.Kind.RETRYABLE);
        assertThat(SqlErrors.classify(state("HY000", 1205, "Lock wait timeout exceeded"))).isEqualTo(SqlErrors.Kind.RETRYABLE);
        assertThat(SqlErrors.classify(state("HY000", 1048, "other"))).isEqualTo(SqlErrors.Kind.OTHER);
    }

    @Test
    void takesOnlyTheConstraintNameNeverTheValues() {
        assertThat(SqlErrors.constraintName("ERROR: duplicate key value violates unique constraint \"users_email_key\"\n"
                + "  Detail: Key (email)=(alice@example.com) already exists.")).isEqualTo("users_email_key");
        assertThat(SqlErrors.constraintName("(conn=4) Duplicate entry 'alice@example.com' for key 'users_email_key'"))
                .isEqualTo("users_email_key");
        // MySQL 8 qualifies the key with the table
        assertThat(SqlErrors.constraintName("Duplicate entry 'a' for key 'users.users_email_key'")).isEqualTo("users_email_key");
        // a value that imitates the wording cannot move the name: the key comes last
        assertThat(SqlErrors.constraintName("Duplicate entry 'x' for key 'evil'-y' for key 'users_stytch_user_id_key'"))
                .isEqualTo("users_stytch_user_id_key");
        assertThat(SqlErrors.constraintName("ORA-00001: unique constraint (APP.USERS_EMAIL_UK) violated")).isEqualTo("users_email_uk");
        assertThat(SqlErrors.constraintName("Violation of UNIQUE KEY constraint 'UQ_users_email'. Cannot insert duplicate key"))
                .isEqualTo("uq_users_email");
        assertThat(SqlErrors.constraintName("la valeur d'une clé dupliquée rompt la contrainte unique")).isNull();
    }

    @Test
    void translatedOutagesCarryRetryAfterAndNoDriverValues() {
        RuntimeException e = SqlErrors.translate("create a user row", "INSERT ...",
                state("25006", 0, "cannot execute INSERT in a read-only transaction"));
        assertThat(e).isInstanceOf(DatabaseUnavailableException.class)
                .hasMessage("Database unavailable: unable to create a user row (SQLState 25006); SQL [INSERT ...]");
        assertThat(((DatabaseUnavailableException) e).retryAfterSeconds()).isPositive();
    }
}
