package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.internal.MigrationException.DatabaseException;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs one read-decide-write unit until it settles, at most {@code maxAttempts} times (JDBI's
 * transaction runner, apart from the callback it runs):
 * <ul>
 *   <li>the unit answers null: a guarded write found the row changed (a concurrent login won) → run again;</li>
 *   <li>a unique violation: a concurrent login inserted or linked first → run again at once. A violation
 *       of a constraint that is not the Stytch id column's unique index may be such a race too (the same
 *       person's two first logins can trip a unique email index first: the re-read then finds the row),
 *       but when it persists after one re-read it is the app's own constraint (e.g. a username derived in
 *       {@code createUserSql}): {@link DatabaseException} at once, naming the constraint;</li>
 *   <li>a serialization failure or deadlock → run again after a short randomised pause;</li>
 *   <li>anything else → translated at once ({@link SqlErrors#translate}).</li>
 * </ul>
 * Out of attempts after failures (lost races, serialization failures, deadlocks, lock wait timeouts: all
 * contention, which passes), it throws {@link DatabaseUnavailableException} — the login answers
 * {@code 503 database_unavailable} with a short {@code Retry-After}, not a 500 that says "bug" — whose cause
 * is the last failure and whose suppressed exceptions are the earlier ones (driver messages withheld:
 * they may quote row values). A unit that kept answering null with no failure (the rows kept changing,
 * or {@code createUserSql} yielded no id) throws {@link DatabaseException}.
 */
final class Attempts {
    private static final Logger LOG = LoggerFactory.getLogger(Attempts.class);

    /** Retry-After when contention outlasted the attempts: it is usually gone within a second. */
    static final long CONTENTION_RETRY_AFTER_SECONDS = 1;

    private Attempts() {
    }

    /** One round of the unit. {@code at} names the statement about to run, for messages. */
    interface Unit<T> {
        T run(int attempt, Statement at) throws SQLException;
    }

    /** What the unit is doing: the task and the SQL text (never values) of the statement it runs. */
    static final class Statement {
        private String task = "start";
        private String sql;

        /** Names the next statement; returns its SQL for the caller to prepare. */
        String at(String task, String sql) {
            this.task = task;
            this.sql = sql;
            return sql;
        }
    }

    /** {@link #run(int, String, Set, Unit)} when the Stytch id column's unique indexes are not known. */
    static <T> T run(int maxAttempts, String what, Unit<T> unit) {
        return run(maxAttempts, what, null, unit);
    }

    /**
     * @param raceConstraints lower-cased names of the Stytch id column's unique indexes; null when unknown
     *                        (then every unique violation counts as a lost race)
     */
    static <T> T run(int maxAttempts, String what, Set<String> raceConstraints, Unit<T> unit) {
        List<SQLException> failures = new ArrayList<>();
        Statement at = new Statement();
        String lastTask = null;
        String lastSql = null;
        String appConstraint = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                T settled = unit.run(attempt, at);
                if (settled != null) {
                    return settled;
                }
                appConstraint = null;
                LOG.debug("{}: the row changed while trying to {}; reading again (attempt {})", what, at.task, attempt);
            } catch (SQLException e) {
                SqlErrors.Kind kind = SqlErrors.classify(e);
                if (kind == SqlErrors.Kind.UNIQUE_VIOLATION) {
                    String constraint = SqlErrors.violatedConstraint(e);
                    boolean app = raceConstraints != null && constraint != null && !raceConstraints.contains(constraint);
                    if (app && appConstraint != null) {
                        throw appConstraint(what, at, constraint, e);
                    }
                    appConstraint = app ? constraint : null;
                    LOG.debug("{}: unique violation of [{}] while trying to {}; reading again (attempt {})", what,
                            constraint, at.task, attempt);
                } else if (kind == SqlErrors.Kind.RETRYABLE) {
                    LOG.debug("{}: SQLState {} while trying to {}; retrying (attempt {})", what, e.getSQLState(), at.task, attempt);
                    if (attempt < maxAttempts && !backOff(attempt)) {
                        throw SqlErrors.translate(at.task, at.sql, e);
                    }
                } else {
                    throw SqlErrors.translate(at.task, at.sql, e);
                }
                failures.add(e);
                lastTask = at.task;
                lastSql = at.sql;
            }
        }
        throw exhausted(maxAttempts, what, failures, lastTask, lastSql);
    }

    private static DatabaseException appConstraint(String what, Statement at, String constraint, SQLException e) {
        return new DatabaseException("Unable to " + what + ": unique constraint [" + constraint + "] of the table, not the"
                + " Stytch id column's unique index, refused the row again after a re-read, while trying to " + at.task
                + " (" + SqlErrors.describe(e) + "); check createUserSql and the table's unique constraints; SQL ["
                + at.sql + "]", SqlErrors.withheld(e));
    }

    private static RuntimeException exhausted(int maxAttempts, String what, List<SQLException> failures,
                                              String lastTask, String lastSql) {
        String message = "Unable to " + what + " after " + maxAttempts + " attempts";
        if (failures.isEmpty()) {
            return new DatabaseException(message + " (the rows kept changing, or createUserSql yielded no id)", null);
        }
        SQLException last = failures.get(failures.size() - 1);
        String detail = message + " (last: " + lastTask + ", " + SqlErrors.describe(last) + "; SQL [" + lastSql + "])";
        // every failure kept here is a lost race or a retryable conflict (an app constraint throws at once)
        DatabaseUnavailableException e = new DatabaseUnavailableException("Database busy: " + detail,
                SqlErrors.withheld(last), CONTENTION_RETRY_AFTER_SECONDS);
        for (SQLException earlier : failures.subList(0, failures.size() - 1)) {
            e.addSuppressed(SqlErrors.withheld(earlier));
        }
        return e;
    }

    /** A short randomised pause before retrying a serialization failure; false when interrupted. */
    private static boolean backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt + 6));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
