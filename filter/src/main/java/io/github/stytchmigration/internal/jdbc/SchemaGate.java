package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.internal.MigrationException.DatabaseException;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import io.github.stytchmigration.internal.jdbc.SchemaCheck.SchemaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The store writes nothing until the schema check has passed: the unique index on the Stytch id column
 * is what keeps concurrent first logins from creating duplicates, and {@code activeUserCondition} must
 * be valid before it decides a login. Once passed, the gate costs one volatile read.
 *
 * <p>Until then each login asks the gate, and one thread at a time runs the check; threads that waited
 * while it ran take its answer instead of running it again. An unreachable database answers
 * {@code database_unavailable} (503, retried at the next login). A check that fails on the schema
 * (a missing unique index, an invalid condition) is logged at ERROR with the DDL to run, refuses
 * logins with {@code internal_error} (500: an operator must act, retrying does not help), and is run
 * again at most every {@link #RECHECK_NANOS recheck interval}, so that the fix takes effect without a restart.
 */
final class SchemaGate {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaGate.class);

    /** A failed schema is checked again at most this often. */
    static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final String table;
    private final Supplier<TableReport> check;
    private final long timeoutMillis;
    private final ReentrantLock lock = new ReentrantLock();

    private volatile TableReport passed;
    /** Written under {@link #lock}, read without it: counts finished checks, so a waiter can tell that one ran while it waited. */
    private volatile long checks;
    /** Guarded by {@link #lock}. */
    private RuntimeException lastFailure;
    private long lastFailureNanos;

    /**
     * @param table         for messages
     * @param check         runs the schema check, bounded by {@code timeoutMillis}
     * @param timeoutMillis the check's bound: how long a login waits for a check another thread runs
     */
    SchemaGate(String table, Supplier<TableReport> check, long timeoutMillis) {
        this.table = table;
        this.check = check;
        this.timeoutMillis = timeoutMillis;
    }

    /** The report of the passed check, running it first when it has not passed yet. */
    TableReport open() {
        TableReport report = passed;
        return report != null ? report : await(false);
    }

    /**
     * At init: runs the check unless it passed. A wrong schema throws the {@link SchemaException} itself
     * (init fails, printing the DDL); an unreachable database throws {@link DatabaseUnavailableException}.
     */
    TableReport checkAtInit() {
        TableReport report = passed;
        return report != null ? report : await(true);
    }

    /** Whether the check has passed. */
    boolean isOpen() {
        return passed != null;
    }

    private TableReport await(boolean init) {
        long seen = checks;
        try {
            // the running check is itself bounded by timeoutMillis: waiting a little longer is enough
            if (!lock.tryLock(timeoutMillis + 1000, TimeUnit.MILLISECONDS)) {
                throw unavailable("another login is still checking it", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while waiting for it", e);
        }
        try {
            if (passed != null) {
                return passed;
            }
            boolean ranMeanwhile = checks != seen;
            boolean recentSchemaFailure = lastFailure instanceof SchemaException
                    && System.nanoTime() - lastFailureNanos < RECHECK_NANOS;
            if (lastFailure != null && (ranMeanwhile || recentSchemaFailure) && !init) {
                throw answer(lastFailure);
            }
            return runCheck(init);
        } finally {
            lock.unlock();
        }
    }

    // Called holding the lock.
    private TableReport runCheck(boolean init) {
        try {
            TableReport report = check.get();
            if (lastFailure != null) {
                LOG.info("The schema check of table [{}] passed: logins are accepted again", table);
            }
            lastFailure = null;
            passed = report;
            return report;
        } catch (SchemaException e) {
            if (!init) {
                LOG.error("The schema check of table [{}] failed; logins are refused (internal_error) until it"
                        + " passes, checked again at most every {} s: {}", table, TimeUnit.NANOSECONDS.toSeconds(RECHECK_NANOS),
                        e.getMessage());
            }
            failed(e);
            if (init) {
                throw e;
            }
            throw answer(e);
        } catch (RuntimeException e) {
            // DatabaseUnavailableException (503) or another database failure: this login answers it as is
            failed(e);
            throw e;
        } finally {
            checks++;
        }
    }

    private void failed(RuntimeException e) {
        lastFailure = e;
        lastFailureNanos = System.nanoTime();
    }

    private RuntimeException answer(RuntimeException failure) {
        if (failure instanceof SchemaException) {
            return new DatabaseException("Logins are refused: the schema check of table [" + table
                    + "] failed (logged at ERROR with the DDL to run)", null);
        }
        if (failure instanceof DatabaseUnavailableException) {
            return unavailable("it failed just now: " + failure.getMessage(), failure);
        }
        return new DatabaseException("Logins are refused: the schema check of table [" + table + "] failed just now", failure);
    }

    private DatabaseUnavailableException unavailable(String why, Throwable cause) {
        return new DatabaseUnavailableException("Database unavailable: the schema check of table [" + table
                + "] has not passed yet (" + why + ")", cause, SqlErrors.RETRY_AFTER_SECONDS);
    }
}
