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
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies {@link SQLException}s by SQLState, vendor code and type (the JDBC 4 subclasses, and the
 * pools' own exceptions recognised by name, so that no pool is a compile-time dependency) and turns
 * them into our exceptions. Messages carry the task and the SQL text, never a bound value: the
 * driver's own message is withheld except for syntax/access errors (class 42) and connection and pool
 * failures, which speak about the SQL text, hosts and timeouts.
 */
final class SqlErrors {
    /** unique_violation (PostgreSQL, DB2): someone else inserted or linked first; re-read and decide again. */
    static final String UNIQUE_VIOLATION = "23505";
    /** Class 23, integrity constraint violation: MySQL, MariaDB, SQL Server and Oracle report duplicates as 23000. */
    static final String INTEGRITY_CONSTRAINT_CLASS = "23";
    /** ER_DUP_ENTRY (MySQL, MariaDB, SQLState 23000): duplicate entry for a unique key. */
    static final int MYSQL_DUP_ENTRY = 1062;
    /** ER_DUP_ENTRY_WITH_KEY_NAME (MySQL, MariaDB): the same, raised by some storage engines. */
    static final int MYSQL_DUP_ENTRY_WITH_KEY_NAME = 1586;
    /** SQL Server 2627: violation of a PRIMARY KEY or UNIQUE constraint. */
    static final int SQLSERVER_UNIQUE_CONSTRAINT = 2627;
    /** SQL Server 2601: duplicate key row in a unique index. */
    static final int SQLSERVER_UNIQUE_INDEX = 2601;
    /** Oracle ORA-00001: unique constraint violated. */
    static final int ORACLE_UNIQUE_CONSTRAINT = 1;
    /** serialization_failure; also MySQL/MariaDB's deadlock (vendor code 1213): a concurrent transaction won; retry the (idempotent) unit. */
    static final String SERIALIZATION_FAILURE = "40001";
    /** deadlock_detected (PostgreSQL): the server aborted us to break a deadlock; retry. */
    static final String DEADLOCK_DETECTED = "40P01";
    /** ER_LOCK_WAIT_TIMEOUT (MySQL, MariaDB; SQLState HY000): a row lock was held too long; retry the single statement. */
    static final int MYSQL_LOCK_WAIT_TIMEOUT = 1205;
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
    /** Class 70 (MySQL, MariaDB), query interrupted: our {@code setQueryTimeout} ({@code max_statement_time}) fired. */
    static final String MYSQL_INTERRUPTED_CLASS = "70";
    /** too_many_connections (PostgreSQL): the server has no connection slot left. */
    static final String TOO_MANY_CONNECTIONS = "53300";
    /** read_only_sql_transaction: a standby after failover, or a database set read-only; nothing can be written now. */
    static final String READ_ONLY_SQL_TRANSACTION = "25006";
    /** ER_OPTION_PREVENTS_STATEMENT (MySQL, MariaDB): for our INSERT/UPDATE, the server runs with --read-only. */
    static final int MYSQL_OPTION_PREVENTS_STATEMENT = 1290;
    /** ER_READ_ONLY_MODE (MySQL, MariaDB): the server is in read-only mode. */
    static final int MYSQL_READ_ONLY_MODE = 1836;
    /** General error (MySQL, MariaDB): the vendor code tells what happened. */
    static final String MYSQL_GENERAL_ERROR = "HY000";
    /** Class 42, syntax error or access rule violation: the message speaks about the SQL text, not values. */
    static final String SYNTAX_OR_ACCESS_CLASS = "42";

    /** tomcat-jdbc's "no connection within maxWait" (a SQLException without SQLState). */
    static final String TOMCAT_JDBC_POOL_EXHAUSTED = "org.apache.tomcat.jdbc.pool.PoolExhaustedException";
    /**
     * Commons Pool 2, under DBCP2 (Apache's and Tomcat's repackaged copy): its {@code borrowObject}
     * throws {@link NoSuchElementException} when no connection was free within {@code maxWait}; DBCP2
     * wraps it in a SQLException without SQLState.
     */
    private static final String[] COMMONS_POOL_PACKAGES = {"org.apache.commons.pool2.", "org.apache.tomcat.dbcp.pool2."};

    /** What {@code Retry-After} a database outage answers with. */
    static final long RETRY_AFTER_SECONDS = 5;

    /** How many throwables of a cause / next-exception graph we look at. */
    private static final int MAX_DEPTH = 16;

    // Only the constraint or key name is taken from a duplicate-key message, never the values it quotes.
    // PostgreSQL: duplicate key value violates unique constraint "users_email_key" (the Key (...)=(...) detail follows).
    private static final Pattern POSTGRES_CONSTRAINT = Pattern.compile("unique constraint \"([^\"]{1,128})\"");
    // SQL Server: Violation of UNIQUE KEY constraint 'name'. / ... with unique index 'name'.
    private static final Pattern SQLSERVER_CONSTRAINT = Pattern.compile("(?:constraint|unique index) '([^']{1,128})'");
    // Oracle: ORA-00001: unique constraint (SCHEMA.NAME) violated
    private static final Pattern ORACLE_CONSTRAINT = Pattern.compile("ORA-00001: unique constraint \\(([^)]{1,260})\\)");
    // MySQL/MariaDB: Duplicate entry '<values>' for key '<name>' (MySQL 8 writes 'table.name'); the key comes last.
    private static final String MYSQL_KEY = " for key '";

    enum Kind {
        /** A unique index refused the row: re-read and decide again. */
        UNIQUE_VIOLATION,
        /** Serialization failure, deadlock, lock wait timeout: retry. */
        RETRYABLE,
        /** No connection (down, or the pool exhausted), broken connection, timeout, shutting down, read-only. */
        UNAVAILABLE,
        /** Anything else: a bug, a broken {@code createUserSql}, a constraint of the app. */
        OTHER
    }

    private SqlErrors() {
    }

    /** Walks {@code getNextException()} and {@code getCause()} (bounded) and returns the first telling kind. */
    static Kind classify(Throwable failure) {
        Kind kind = firstInChain(failure, SqlErrors::classifyOne);
        return kind == null ? Kind.OTHER : kind;
    }

    /**
     * The first non-null answer of {@code look} over {@code failure}, its next exceptions and causes,
     * breadth first; each throwable once (a chain may loop), at most {@code MAX_DEPTH} of them; null when none.
     */
    private static <T> T firstInChain(Throwable failure, Function<Throwable, T> look) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Throwable> queue = new ArrayDeque<>();
        queue.add(failure);
        while (!queue.isEmpty() && seen.size() < MAX_DEPTH) {
            Throwable t = queue.poll();
            if (!seen.add(t)) {
                continue;
            }
            T found = look.apply(t);
            if (found != null) {
                return found;
            }
            if (t instanceof SQLException && ((SQLException) t).getNextException() != null) {
                queue.add(((SQLException) t).getNextException());
            }
            if (t.getCause() != null) {
                queue.add(t.getCause());
            }
        }
        return null;
    }

    private static Kind classifyOne(Throwable t) {
        // HikariCP: "Connection is not available, request timed out after ...ms" is a SQLTransientConnectionException
        if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                || t instanceof SQLTimeoutException || isPoolExhausted(t)) {
            return Kind.UNAVAILABLE;
        }
        if (t instanceof ConnectException || t instanceof SocketTimeoutException || t instanceof UnknownHostException) {
            return Kind.UNAVAILABLE;
        }
        if (!(t instanceof SQLException)) {
            return null;
        }
        SQLException e = (SQLException) t;
        if (isUniqueViolation(e)) {
            return Kind.UNIQUE_VIOLATION;
        }
        String state = e.getSQLState();
        int code = e.getErrorCode();
        if (SERIALIZATION_FAILURE.equals(state) || DEADLOCK_DETECTED.equals(state)
                || (isMysqlGeneralError(e) && code == MYSQL_LOCK_WAIT_TIMEOUT)) {
            return Kind.RETRYABLE;
        }
        if (isReadOnly(e)) {
            return Kind.UNAVAILABLE;
        }
        if (state == null) {
            return null;
        }
        if (state.startsWith(CONNECTION_EXCEPTION_CLASS) || ADMIN_SHUTDOWN.equals(state)
                || CRASH_SHUTDOWN.equals(state) || CANNOT_CONNECT_NOW.equals(state)
                || QUERY_CANCELED.equals(state) || TOO_MANY_CONNECTIONS.equals(state)
                || state.startsWith(MYSQL_INTERRUPTED_CLASS)) {
            return Kind.UNAVAILABLE;
        }
        return null;
    }

    /** 23505, or class 23 with a vendor's duplicate-key code (a NOT NULL or foreign key violation is class 23 too). */
    static boolean isUniqueViolation(SQLException e) {
        String state = e.getSQLState();
        if (UNIQUE_VIOLATION.equals(state)) {
            return true;
        }
        if (state == null || !state.startsWith(INTEGRITY_CONSTRAINT_CLASS)) {
            return false;
        }
        int code = e.getErrorCode();
        return code == MYSQL_DUP_ENTRY || code == MYSQL_DUP_ENTRY_WITH_KEY_NAME || code == SQLSERVER_UNIQUE_CONSTRAINT
                || code == SQLSERVER_UNIQUE_INDEX || code == ORACLE_UNIQUE_CONSTRAINT;
    }

    /** The server refused a write as read-only: a standby after failover, or a database set read-only. */
    static boolean isReadOnly(SQLException e) {
        int code = e.getErrorCode();
        return READ_ONLY_SQL_TRANSACTION.equals(e.getSQLState())
                || (isMysqlGeneralError(e) && (code == MYSQL_OPTION_PREVENTS_STATEMENT || code == MYSQL_READ_ONLY_MODE));
    }

    // MySQL and MariaDB report these errors with the catch-all SQLState HY000 and say what they mean in the
    // vendor code; that code means other things on other databases, so it is read only under HY000.
    private static boolean isMysqlGeneralError(SQLException e) {
        return MYSQL_GENERAL_ERROR.equals(e.getSQLState());
    }

    /**
     * The connection died under us (class 08, the server shutting down or crashed, or the driver's own
     * connection exceptions): a pool may hand out such a stale connection once after a database restart
     * or failover. Not a pool timeout, a read-only database or a slow query: those say nothing about the
     * connection, and another one would answer the same.
     */
    static boolean isConnectionLost(Throwable failure) {
        return firstInChain(failure, t -> connectionLost(t) ? Boolean.TRUE : null) != null;
    }

    private static boolean connectionLost(Throwable t) {
        if (t instanceof SQLNonTransientConnectionException || t instanceof java.sql.SQLRecoverableException) {
            return true;
        }
        String state = t instanceof SQLException ? ((SQLException) t).getSQLState() : null;
        return state != null && (state.startsWith(CONNECTION_EXCEPTION_CLASS) || ADMIN_SHUTDOWN.equals(state)
                || CRASH_SHUTDOWN.equals(state));
    }

    /** A pool's "no connection free within its wait", recognised by type and cause, not by compile-time class. */
    static boolean isPoolExhausted(Throwable t) {
        for (Class<?> c = t.getClass(); c != null && c != Throwable.class; c = c.getSuperclass()) {
            if (TOMCAT_JDBC_POOL_EXHAUSTED.equals(c.getName())) {
                return true;
            }
        }
        if (t instanceof NoSuchElementException) {
            for (StackTraceElement frame : t.getStackTrace()) {
                for (String pkg : COMMONS_POOL_PACKAGES) {
                    if (frame.getClassName().startsWith(pkg)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * The name of the unique constraint or index a duplicate-key failure names, lower-cased; null when
     * the failure is no unique violation or its message cannot be read (another language, another
     * database). Only the name is taken: never the values the message quotes.
     */
    static String violatedConstraint(Throwable failure) {
        SQLException duplicate = firstInChain(failure,
                t -> t instanceof SQLException && isUniqueViolation((SQLException) t) ? (SQLException) t : null);
        return duplicate == null ? null : constraintName(String.valueOf(duplicate.getMessage()));
    }

    static String constraintName(String message) {
        String first = message.split("\\R", 2)[0];
        int key = first.lastIndexOf(MYSQL_KEY);
        if (first.contains("Duplicate entry") && key >= 0) {
            int end = first.indexOf('\'', key + MYSQL_KEY.length());
            if (end < 0) {
                return null;
            }
            String name = first.substring(key + MYSQL_KEY.length(), end);
            return bare(name.substring(name.lastIndexOf('.') + 1));
        }
        for (Pattern p : new Pattern[]{POSTGRES_CONSTRAINT, ORACLE_CONSTRAINT, SQLSERVER_CONSTRAINT}) {
            Matcher m = p.matcher(first);
            if (m.find()) {
                String name = m.group(1);
                return bare(name.substring(name.lastIndexOf('.') + 1));
            }
        }
        return null;
    }

    private static String bare(String name) {
        return name.isEmpty() ? null : name.toLowerCase(java.util.Locale.ROOT);
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

    /** SQLState, vendor code and, for class 42 and connection or pool failures only, the first line of the driver's message. */
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
                || (state != null && state.startsWith(CONNECTION_EXCEPTION_CLASS)) || isPoolExhausted(failure)
                || (failure.getCause() != null && isPoolExhausted(failure.getCause()))) {
            // connection and pool failures name hosts, pools and timeouts, never row values
            b.append(": ").append(String.valueOf(failure.getMessage()).split("\\R", 2)[0]);
        }
        return b.toString();
    }

    /**
     * A copy of the failure without the driver's message, which may quote row values (PostgreSQL's
     * "Failing row contains (...)", "Key (email)=(...) already exists", MariaDB's "Duplicate entry '...'");
     * keeps the stack trace.
     */
    static SQLException withheld(SQLException failure) {
        SQLException copy = new SQLException(failure.getClass().getName() + ": " + describe(failure)
                + " (driver message withheld: it may quote row values)", failure.getSQLState(), failure.getErrorCode());
        copy.setStackTrace(failure.getStackTrace());
        return copy;
    }
}
