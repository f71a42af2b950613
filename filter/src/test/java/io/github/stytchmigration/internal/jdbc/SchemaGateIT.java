package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.testing.LogCapture;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.internal.LinkResult;
import io.github.stytchmigration.internal.MigrationException.DatabaseException;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.StytchIdentity.Identifier;
import io.github.stytchmigration.testing.CountingDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The store writes nothing until the schema check has passed; a database that was down at init is
 * checked once when it is back. The outage is real: connections go to a port where no server listens.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("databases")
class SchemaGateIT {
    static final StoreDb POSTGRES = StoreDb.postgres();
    static final StoreDb MARIADB = StoreDb.mariaDb();

    @Parameter
    StoreDb db;

    LogCapture logs;

    /** What {@link SchemaGate} logged during the test. */
    List<LogCapture.Line> logged() {
        return logs.lines().stream().filter(l -> l.logger().equals(SchemaGate.class.getName())).toList();
    }

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
        logs = LogCapture.start();
    }

    @AfterEach
    void detach() {
        logs.close();
    }

    static StytchIdentity verifiedEmail(String stytchUserId, String email) {
        return new StytchIdentity(stytchUserId, List.of(Identifier.verified(email)), List.of(), null, null);
    }

    /** The real database, or a port where nothing listens while {@link #down} is set. */
    static final class Outage implements DataSource {
        final DataSource up;
        final DataSource nowhere;
        volatile boolean down = true;

        Outage(DataSource up, DataSource nowhere) {
            this.up = up;
            this.nowhere = nowhere;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return (down ? nowhere : up).getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return (down ? nowhere : up).getConnection(user, password);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }

    /** How many schema checks ran: each starts by looking the table up in the catalog. */
    static long checks(CountingDataSource counting) {
        return counting.executedSql().stream()
                .filter(sql -> sql.contains("FROM pg_class") || sql.contains("FROM information_schema.TABLES")).count();
    }

    @Test
    void writesNothingUntilTheCheckPassesThenChecksOnceWhenTheDatabaseIsBack() {
        CountingDataSource counting = new CountingDataSource(db.dataSource());
        Outage outage = new Outage(counting, db.unreachable());
        JdbcUserStore store = new JdbcUserStore(outage, UserTableMapping.defaults(), false, 5);

        assertThatThrownBy(store::checkSchema).isInstanceOf(DatabaseUnavailableException.class); // at filter init
        DatabaseUnavailableException down = catchThrowableOfType(DatabaseUnavailableException.class,
                () -> store.linkOrCreate(verifiedEmail("user-test-a", "a@example.com")));
        assertThat(down.retryAfterSeconds()).isPositive();
        assertThat(down.getMessage()).contains("schema check of table [users]");

        outage.down = false;
        LinkResult first = store.linkOrCreate(verifiedEmail("user-test-a", "a@example.com"));
        LinkResult second = store.linkOrCreate(verifiedEmail("user-test-b", "b@example.com"));

        assertThat(first.outcome()).isEqualTo(MigrationOutcome.CREATED);
        assertThat(second.outcome()).isEqualTo(MigrationOutcome.CREATED);
        assertThat(checks(counting)).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(2);
    }

    @Test
    void aMissingUniqueIndexFoundWhenTheDatabaseIsBackRefusesLoginsAndLogsTheDdlAtError() {
        CountingDataSource counting = new CountingDataSource(db.dataSource());
        Outage outage = new Outage(counting, db.unreachable());
        JdbcUserStore store = new JdbcUserStore(outage, UserTableMapping.defaults(), false, 5);
        assertThatThrownBy(store::checkSchema).isInstanceOf(DatabaseUnavailableException.class);
        // while the database was down, someone rebuilt the table without the unique index
        db.exec("DROP TABLE users", "CREATE TABLE users (" + db.autoIdColumn() + ", email VARCHAR(320), stytch_user_id VARCHAR(255))");
        outage.down = false;

        DatabaseException e = catchThrowableOfType(DatabaseException.class,
                () -> store.linkOrCreate(verifiedEmail("user-test-a", "a@example.com")));
        DatabaseException again = catchThrowableOfType(DatabaseException.class,
                () -> store.linkOrCreate(verifiedEmail("user-test-a", "a@example.com")));

        assertThat(e.errorCode().status()).isEqualTo(500);
        assertThat(e.getMessage()).contains("schema check of table [users] failed");
        assertThat(again).isNotNull();
        assertThat(checks(counting)).as("checked again only after the recheck interval").isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM users")).isZero();
        assertThat(logged()).filteredOn(r -> r.level() == Level.SEVERE).singleElement().satisfies(r ->
                assertThat(r.message()).contains("CREATE UNIQUE INDEX")
                        .contains("users_stytch_user_id_key ON users (stytch_user_id);"));
    }

    @Test
    void concurrentLoginsAfterTheOutageRunTheCheckOnce() throws Exception {
        CountingDataSource counting = new CountingDataSource(db.dataSource());
        Outage outage = new Outage(counting, db.unreachable());
        JdbcUserStore store = new JdbcUserStore(outage, UserTableMapping.defaults(), false, 5);
        assertThatThrownBy(store::checkSchema).isInstanceOf(DatabaseUnavailableException.class);
        outage.down = false;
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<LinkResult>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String n = Integer.toString(i);
                futures.add(pool.submit(() -> {
                    start.await();
                    return store.linkOrCreate(verifiedEmail("user-test-" + n, "u" + n + "@example.com"));
                }));
            }
            start.countDown();
            for (Future<LinkResult> f : futures) {
                assertThat(f.get(60, TimeUnit.SECONDS).outcome()).isEqualTo(MigrationOutcome.CREATED);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(checks(counting)).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(threads);
    }
}
