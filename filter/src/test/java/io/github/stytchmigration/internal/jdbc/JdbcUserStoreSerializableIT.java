package io.github.stytchmigration.internal.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.internal.LinkResult;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.testing.CountingDataSource;
import io.github.stytchmigration.testing.LogCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The store on a PostgreSQL database whose every transaction is SERIALIZABLE
 * ({@code ALTER DATABASE … SET default_transaction_isolation = 'serializable'}), as some operators run
 * theirs. Every scenario of {@link JdbcUserStoreIT} (the contract's rules one by one, 32 concurrent
 * first logins, round trips, the app's own constraints) runs here unchanged: this class inherits them
 * and hands them this one database instead of JdbcUserStoreIT's own.
 *
 * <p>Under SERIALIZABLE a guarded {@code UPDATE} that meets a row changed by a transaction that committed
 * after its snapshot fails with SQLState {@code 40001} where READ COMMITTED re-checks the row and updates
 * nothing. {@link SerializationFailures} makes that happen on purpose and counts the {@code 40001}s the
 * database really sent, shows that the retry runner ({@link Attempts}) settles them, and that its budget
 * ({@link JdbcUserStore#MAX_ATTEMPTS} attempts, a randomised back-off of at most {@code 20 × attempt + 5} ms
 * between them) is bounded when the failure never goes away.
 */
@ExtendWith(JdbcUserStoreSerializableIT.KeepJdbcUserStoreItsDatabases.class)
class JdbcUserStoreSerializableIT extends JdbcUserStoreIT {
    static final StoreDb SERIALIZABLE = serializable(StoreDb.postgres());

    /** Hides {@link JdbcUserStoreIT#databases()}: the inherited scenarios run on this database only. */
    static List<StoreDb> databases() {
        return List.of(SERIALIZABLE);
    }

    @AfterAll
    static void dropSerializableDatabase() {
        SERIALIZABLE.close();
    }

    /**
     * JUnit runs the superclass's {@code @AfterAll} for this class too (hiding it does not stop that), and
     * JdbcUserStoreIT's drops JdbcUserStoreIT's own databases, which it may still need: when this class
     * runs first, JdbcUserStoreIT would find them gone. Skipped here; JdbcUserStoreIT drops them itself.
     */
    static final class KeepJdbcUserStoreItsDatabases implements InvocationInterceptor {
        @Override
        public void interceptAfterAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext extensionContext) throws Throwable {
            if (invocationContext.getExecutable().getDeclaringClass() == JdbcUserStoreIT.class) {
                invocation.skip();
            } else {
                invocation.proceed();
            }
        }
    }

    private static StoreDb serializable(StoreDb db) {
        // ALTER DATABASE names the database; a DO block finds it, so StoreDb need not expose it
        db.exec("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_isolation = %L',"
                + " current_database(), 'serializable'); END $$");
        // the setting applies to sessions started from now on: every connection of the tests
        if (db.count("SELECT count(*) FROM pg_settings WHERE name = 'default_transaction_isolation'"
                + " AND setting = 'serializable'") != 1) {
            throw new IllegalStateException("default_transaction_isolation is not serializable for new sessions");
        }
        return db;
    }

    @Nested
    class SerializationFailures {
        static final int WAITERS = 8;

        @Test
        void everyConnectionOfTheInheritedScenariosIsSerializable() throws Exception {
            try (Connection c = db.dataSource().getConnection();
                 HikariDataSource pool = DataSources.pool(db.jdbcUrl(), db.user(), db.password(), 1, 10_000);
                 Connection pooled = pool.getConnection()) {
                assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
                assertThat(pooled.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
            }
        }

        @Test
        void linksThatLoseToAConcurrentLinkMeetReal40001sAndSettleOnTheRetry() throws Exception {
            long id = insertUser("sam@example.com", null, null);
            String stytch = newStytchId();
            StytchIdentity sam = verifiedEmail(stytch, "Sam@Example.com");

            try (HikariDataSource pool = DataSources.pool(db.jdbcUrl(), db.user(), db.password(), WAITERS, 10_000);
                 LogCapture logs = LogCapture.start()) {
                CountingDataSource counting = new CountingDataSource(pool);
                JdbcUserStore store = new JdbcUserStore(counting, DEFAULTS, false, 10);
                store.checkSchema();
                List<LinkResult> results = whileAnotherServerLinks(id, stytch, store, sam);

                List<String> failures = counting.failedSqlStates();
                System.out.println("JdbcUserStoreSerializableIT: " + WAITERS + " links behind a concurrent link met SQLStates "
                        + failures + "; " + countLines(logs, "SQLState 40001") + " retries logged");
                assertThat(failures).as("one serialization failure per waiting link, sent by the database")
                        .hasSize(WAITERS).containsOnly("40001");
                assertThat(logs.text()).contains("SQLState 40001 while trying to link a user row; retrying (attempt 1)");
                assertThat(results).extracting(LinkResult::outcome).containsOnly(MigrationOutcome.ALREADY_LINKED);
                assertThat(results).extracting(LinkResult::userId).containsOnly(String.valueOf(id));
            }
            assertThat(stytchIdOf(id)).isEqualTo(stytch);
            assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(1);
        }

        @Test
        void underReadCommittedTheSameLinksMeetNo40001() throws Exception {
            // the control: the same schedule on a READ COMMITTED database settles through guarded updates
            // that find the row linked, so the 40001s above come from the isolation level, nothing else
            try (StoreDb readCommitted = StoreDb.postgres()) {
                readCommitted.createDefaultUsersTable();
                long id = readCommitted.insertUser("sam@example.com", null, null);
                String stytch = newStytchId();
                try (HikariDataSource pool = DataSources.pool(readCommitted.jdbcUrl(), readCommitted.user(),
                        readCommitted.password(), WAITERS, 10_000)) {
                    CountingDataSource counting = new CountingDataSource(pool);
                    JdbcUserStore store = new JdbcUserStore(counting, DEFAULTS, false, 10);
                    store.checkSchema();

                    List<LinkResult> results = whileAnotherServerLinks(readCommitted, id, stytch, store,
                            verifiedEmail(stytch, "sam@example.com"));

                    assertThat(counting.failedSqlStates()).isEmpty();
                    assertThat(results).extracting(LinkResult::outcome).containsOnly(MigrationOutcome.ALREADY_LINKED);
                }
            }
        }

        @Test
        void aSerializationFailureThatNeverEndsGivesUpAfterTheBoundedBudget() {
            // a trigger makes the server answer every write with 40001, as a pathological schedule could
            db.exec("CREATE FUNCTION always_conflict() RETURNS trigger LANGUAGE plpgsql AS"
                            + " $$ BEGIN RAISE EXCEPTION 'injected conflict' USING ERRCODE = 'serialization_failure'; END $$",
                    "CREATE TRIGGER users_always_conflict BEFORE INSERT OR UPDATE ON users"
                            + " FOR EACH ROW EXECUTE FUNCTION always_conflict()");
            try {
                CountingDataSource counting = new CountingDataSource(db.dataSource());
                JdbcUserStore store = new JdbcUserStore(counting, DEFAULTS, false, 5);
                store.checkSchema();
                counting.reset();

                long started = System.nanoTime();
                DatabaseUnavailableException e = catchThrowableOfType(DatabaseUnavailableException.class,
                        () -> store.linkOrCreate(verifiedEmail(newStytchId(), "tom@example.com")));
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

                long maxBackOffMillis = 0;
                for (int attempt = 1; attempt < JdbcUserStore.MAX_ATTEMPTS; attempt++) {
                    maxBackOffMillis += 20L * attempt + 5;
                }
                System.out.println("JdbcUserStoreSerializableIT: a write refused with 40001 every time gave up after "
                        + JdbcUserStore.MAX_ATTEMPTS + " attempts, " + counting.statements() + " statements, in " + tookMillis
                        + " ms (back-off at most " + maxBackOffMillis + " ms in all)");
                assertThat(counting.failedSqlStates()).as("one refused write per attempt, then no more")
                        .hasSize(JdbcUserStore.MAX_ATTEMPTS).containsOnly("40001");
                assertThat(e.getMessage()).contains("after " + JdbcUserStore.MAX_ATTEMPTS + " attempts").contains("40001")
                        .doesNotContain("tom@example.com");
                assertThat(e.getSuppressed()).as("the earlier failures").hasSize(JdbcUserStore.MAX_ATTEMPTS - 1);
                assertThat(e.retryAfterSeconds()).as("contention passes: 503 with a short Retry-After").isEqualTo(1);
                assertThat(db.count("SELECT count(*) FROM users")).isZero();
            } finally {
                db.exec("DROP TRIGGER users_always_conflict ON users", "DROP FUNCTION always_conflict()");
            }
        }

        private List<LinkResult> whileAnotherServerLinks(long id, String stytch, JdbcUserStore store, StytchIdentity identity)
                throws Exception {
            return whileAnotherServerLinks(db, id, stytch, store, identity);
        }

        /**
         * Another server's login of the same person links row {@code id} in a transaction left open; meanwhile
         * {@link #WAITERS} logins read the row unlinked and block on it in their guarded update. Then that
         * transaction commits. Returns the waiting logins' results.
         */
        private List<LinkResult> whileAnotherServerLinks(StoreDb on, long id, String stytch, JdbcUserStore store,
                                                         StytchIdentity identity) throws Exception {
            ExecutorService logins = Executors.newFixedThreadPool(WAITERS);
            try (Connection other = on.dataSource().getConnection();
                 PreparedStatement link = other.prepareStatement("UPDATE users SET stytch_user_id = ? WHERE id = ?")) {
                other.setAutoCommit(false);
                link.setString(1, stytch);
                link.setLong(2, id);
                assertThat(link.executeUpdate()).isEqualTo(1);
                List<Future<LinkResult>> futures = new ArrayList<>();
                for (int i = 0; i < WAITERS; i++) {
                    futures.add(logins.submit(() -> store.linkOrCreate(identity)));
                }
                assertThat(awaitBlocked(on, WAITERS)).as("every login read the row unlinked and waits to link it")
                        .isEqualTo(WAITERS);
                other.commit();
                List<LinkResult> results = new ArrayList<>();
                for (Future<LinkResult> f : futures) {
                    results.add(f.get(30, TimeUnit.SECONDS));
                }
                return results;
            } finally {
                logins.shutdownNow();
            }
        }

        /** Waits (at most 8 s: the store's statements time out after 10) until {@code n} sessions wait for a lock. */
        private long awaitBlocked(StoreDb on, int n) throws InterruptedException {
            String blocked = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            long waiting = on.count(blocked);
            while (waiting < n && System.nanoTime() < deadline) {
                Thread.sleep(10);
                waiting = on.count(blocked);
            }
            return waiting;
        }

        private long countLines(LogCapture logs, String text) {
            return logs.lines().stream().filter(l -> l.message().contains(text)).count();
        }
    }
}
