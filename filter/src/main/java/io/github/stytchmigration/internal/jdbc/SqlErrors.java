package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.internal.MigrationException.DatabaseException;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Classifies {@link SQLException}s by SQLState (and by the JDBC 4 subclasses) and turns them into
 * our exceptions. Messages carry the task and the SQL text, never a bound value: the driver's own
 * message is withheld except for syntax/access errors (class 42), which speak about the SQL text.
 */
final class SqlErrors {
    /** unique_violation: someone else inserted or linked first; re-read and decide again. */
    static final String UNIQUE_VIOLATION = "23505";
    /** serialization_failure: a concurrent transaction won; retry the (idempotent) unit. */
    static final String SERIALIZATION_FAILURE = "40001";
    /** deadlock_detected (PostgreSQL): the server aborted us to break a deadlock; retry. */
    static final String DEADLOCK_DETECTED = "40P01";
    /** Class 08, connection exception: no connection, or it broke. */
    static final String CONNECTION_EXCEPTION_CLASS = "08";
    /** admin_shutdown (PostgreSQL): the server is shutting down. */
    static final String ADMIN_SHUTDOWN = "57P01";
    /** crash_shutdown (PostgreSQL): another backend crashed, the server restarts. */
    static final String CRASH_SHUTDOWN = "57P02";
    /** cannot_connect_now (PostgreSQL): the server is starting up or in recovery. */
    static final String CANNOT_CONNECT_NOW = "57P03";
    /** query_canceled (PostgreSQL): our {@code setQueryTimeout} fired; the database is too slow to answer. */
    static final String QUERY_CANCELED = "57014";
    /** too_many_connections (PostgreSQL): the server has no connection slot left. */
    static final String TOO_MANY_CONNECTIONS = "53300";
    /** Class 42, syntax error or access rule violation: the message speaks about the SQL text, not values. */
    static final String SYNTAX_OR_ACCESS_CLASS = "42";

    /** What {@code Retry-After} a database outage answers with. */
    static final long RETRY_AFTER_SECONDS = 5;

    /** How many throwables of a cause / next-exception graph we look at. */
    private static final int MAX_DEPTH = 16;

    enum Kind {
        /** 23505: re-read and decide again. */
        UNIQUE_VIOLATION,
        /** 40001, 40P01: retry. */
        RETRYABLE,
        /** No connection, broken connection, timeout, server shutting down. */
        UNAVAILABLE,
        /** Anything else: a bug, a broken {@code createUserSql}, a constraint of the app. */
        OTHER
    }

    private SqlErrors() {
    }

    /** Walks {@code getNextException()} and {@code getCause()} (bounded) and returns the first telling kind. */
    static Kind classify(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Throwable> queue = new ArrayDeque<>();
        queue.add(failure);
        while (!queue.isEmpty() && seen.size() < MAX_DEPTH) {
            Throwable t = queue.poll();
            if (!seen.add(t)) {
                continue;
            }
            Kind kind = classifyOne(t);
            if (kind != null) {
                return kind;
            }
            if (t instanceof SQLException && ((SQLException) t).getNextException() != null) {
                queue.add(((SQLException) t).getNextException());
            }
            if (t.getCause() != null) {
                queue.add(t.getCause());
            }
        }
        return Kind.OTHER;
    }

    private static Kind classifyOne(Throwable t) {
        // HikariCP: "Connection is not available, request timed out after ...ms"
        if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                || t instanceof SQLTimeoutException) {
            return Kind.UNAVAILABLE;
        }
        if (t instanceof ConnectException || t instanceof SocketTimeoutException || t instanceof UnknownHostException) {
            return Kind.UNAVAILABLE;
        }
        if (!(t instanceof SQLException)) {
            return null;
        }
        String state = ((SQLException) t).getSQLState();
        if (state == null) {
            return null;
        }
        if (UNIQUE_VIOLATION.equals(state)) {
            return Kind.UNIQUE_VIOLATION;
        }
        if (SERIALIZATION_FAILURE.equals(state) || DEADLOCK_DETECTED.equals(state)) {
            return Kind.RETRYABLE;
        }
        if (state.startsWith(CONNECTION_EXCEPTION_CLASS) || ADMIN_SHUTDOWN.equals(state)
                || CRASH_SHUTDOWN.equals(state) || CANNOT_CONNECT_NOW.equals(state)
                || QUERY_CANCELED.equals(state) || TOO_MANY_CONNECTIONS.equals(state)) {
            return Kind.UNAVAILABLE;
        }
        return null;
    }

    /**
     * Our exception for a failure that will not be retried.
     *
     * @param task what we were doing, e.g. {@code "link a user row"}
     * @param sql  the SQL text (never with values), or null when no statement was involved
     */
    static RuntimeException translate(String task, String sql, SQLException failure) {
        String where = sql == null ? "" : "; SQL [" + sql + "]";
        if (classify(failure) == Kind.UNAVAILABLE) {
            return new DatabaseUnavailableException("Database unavailable: unable to " + task + " ("
                    + describe(failure) + ")" + where, failure, RETRY_AFTER_SECONDS);
        }
        return new DatabaseException("Unable to " + task + " (" + describe(failure) + ")" + where,
                withheld(failure));
    }

    /** SQLState, vendor code and, for class 42 only, the first line of the driver's message. */
    static String describe(SQLException failure) {
        String state = failure.getSQLState();
        StringBuilder b = new StringBuilder("SQLState ").append(state == null ? "none" : state);
        if (failure.getErrorCode() != 0) {
            b.append(", vendor code ").append(failure.getErrorCode());
        }
        if (state != null && state.startsWith(SYNTAX_OR_ACCESS_CLASS) && failure.getMessage() != null) {
            String first = failure.getMessage().split("\\R", 2)[0];
            b.append(": ").append(first);
        } else if (failure instanceof SQLTransientConnectionException || failure instanceof SQLTimeoutException
                || (state != null && state.startsWith(CONNECTION_EXCEPTION_CLASS))) {
            // connection failures name hosts and timeouts, never row values
            b.append(": ").append(String.valueOf(failure.getMessage()).split("\\R", 2)[0]);
        }
        return b.toString();
    }

    /**
     * A copy of the failure without the driver's message, which may quote row values (PostgreSQL's
     * "Failing row contains (...)", "Key (email)=(...) already exists"); keeps the stack trace.
     */
    static SQLException withheld(SQLException failure) {
        SQLException copy = new SQLException(failure.getClass().getName() + ": " + describe(failure)
                + " (driver message withheld: it may quote row values)", failure.getSQLState(), failure.getErrorCode());
        copy.setStackTrace(failure.getStackTrace());
        return copy;
    }
}
