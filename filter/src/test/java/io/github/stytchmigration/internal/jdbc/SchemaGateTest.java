package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.internal.MigrationException.DatabaseException;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import io.github.stytchmigration.internal.jdbc.SchemaCheck.SchemaException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gate's bookkeeping without a database; {@code SchemaGateIT} runs it against real outages. */
class SchemaGateTest {
    static final TableReport REPORT = new TableReport(Dialect.POSTGRESQL, Set.of("users_stytch_user_id_key"), "lower(email)", List.of());

    /** Counts its runs; answers what {@link #answer} supplies. */
    static final class StubCheck implements Supplier<TableReport> {
        final AtomicInteger runs = new AtomicInteger();
        volatile Supplier<TableReport> answer;

        StubCheck(Supplier<TableReport> answer) {
            this.answer = answer;
        }

        @Override
        public TableReport get() {
            runs.incrementAndGet();
            return answer.get();
        }
    }

    static DatabaseUnavailableException down() {
        return new DatabaseUnavailableException("Database unavailable: connection refused", null, 5);
    }

    @Test
    void oncePassedItNeverChecksAgain() {
        StubCheck check = new StubCheck(() -> REPORT);
        SchemaGate gate = new SchemaGate("users", check, 1000);

        assertThat(gate.open()).isSameAs(REPORT);
        assertThat(gate.open()).isSameAs(REPORT);
        assertThat(gate.checkAtInit()).isSameAs(REPORT);
        assertThat(check.runs).hasValue(1);
        assertThat(gate.isOpen()).isTrue();
    }

    @Test
    void anOutageIsCheckedAgainAtTheNextLogin() {
        StubCheck check = new StubCheck(() -> {
            throw down();
        });
        SchemaGate gate = new SchemaGate("users", check, 1000);

        assertThatThrownBy(gate::checkAtInit).isInstanceOf(DatabaseUnavailableException.class);
        assertThatThrownBy(gate::open).isInstanceOf(DatabaseUnavailableException.class);
        check.answer = () -> REPORT;
        assertThat(gate.open()).isSameAs(REPORT);
        assertThat(check.runs).hasValue(3);
    }

    @Test
    void loginsThatWaitedForAFailingCheckTakeItsAnswerInsteadOfRunningItAgain() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StubCheck check = new StubCheck(() -> {
            running.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw down();
        });
        SchemaGate gate = new SchemaGate("users", check, 10_000);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> logins = new ArrayList<>();
            logins.add(pool.submit(gate::open));
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 7; i++) {
                logins.add(pool.submit(gate::open));
            }
            Thread.sleep(200); // let the seven reach the lock: without it the test proves less, never a false failure
            release.countDown();
            for (Future<?> login : logins) {
                assertThatThrownBy(() -> login.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(DatabaseUnavailableException.class);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(check.runs).hasValue(1);
    }

    @Test
    void aWrongSchemaFailsInitAndThenRefusesLoginsWithoutCheckingAgainAtOnce() {
        StubCheck check = new StubCheck(() -> {
            throw new SchemaException("stytchUserIdColumn [stytch_user_id] ... CREATE UNIQUE INDEX ...");
        });
        SchemaGate gate = new SchemaGate("users", check, 1000);

        assertThatThrownBy(gate::checkAtInit).isInstanceOf(SchemaException.class);
        assertThatThrownBy(gate::open).isInstanceOf(DatabaseException.class)
                .hasMessage("Logins are refused: the schema check of table [users] failed (logged at ERROR with the DDL to run)");
        assertThatThrownBy(gate::open).isInstanceOf(DatabaseException.class);
        assertThat(check.runs).as("re-checked only after the recheck interval").hasValue(1);
    }
}
