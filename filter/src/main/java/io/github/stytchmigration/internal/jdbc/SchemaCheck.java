package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * Checks the users table: the table and the mapped columns exist, the Stytch user id column carries a
 * single-column UNIQUE index (the concurrency guarantee of link-or-create rests on it), and
 * {@code activeUserCondition}, when set, is a valid condition over the table; otherwise
 * {@link SchemaException} with the DDL to run or the database's complaint. A lookup that cannot use an
 * index (email, phone) is only a WARN: logins work, slowly.
 *
 * <p>PostgreSQL's catalog is read through {@code to_regclass}, which applies the server's own rules
 * ({@code search_path}, schema-qualified names, folding of unquoted names to lower case); MariaDB's and
 * MySQL's through {@code information_schema}, which also tells collations and generated columns; any
 * other database's through {@link java.sql.DatabaseMetaData}, where the email index check is approximate.
 *
 * <p>The check never hangs: it runs on a daemon thread and gives up after a timeout with
 * {@link DatabaseUnavailableException}, also thrown when no connection can be had.
 */
public final class SchemaCheck {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaCheck.class);

    /** Default bound on the whole check, connection included. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 15_000;

    private SchemaCheck() {
    }

    /** {@link #verify(DataSource, UserTableMapping, long)} with {@value #DEFAULT_TIMEOUT_MILLIS} ms. */
    public static List<String> verify(DataSource dataSource, UserTableMapping mapping) {
        return verify(dataSource, mapping, DEFAULT_TIMEOUT_MILLIS);
    }

    /**
     * Runs the check; logs each warning at WARN and returns them.
     *
     * @return the warnings (missing lookup indexes, a case-insensitive Stytch id column), empty when all is well
     * @throws SchemaException              the table or a column is missing, the Stytch id column is not unique,
     *                                      or {@code activeUserCondition} is not a valid condition over the table
     * @throws DatabaseUnavailableException no connection, or the check did not finish within {@code timeoutMillis}
     * @throws io.github.stytchmigration.internal.MigrationException.DatabaseException any other database failure
     */
    public static List<String> verify(DataSource dataSource, UserTableMapping mapping, long timeoutMillis) {
        return inspect(dataSource, mapping, timeoutMillis).warnings();
    }

    /** {@link #verify(DataSource, UserTableMapping, long)}, answering what the store needs to know. */
    static TableReport inspect(DataSource dataSource, UserTableMapping mapping, long timeoutMillis) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(mapping, "mapping");
        FutureTask<TableReport> task = new FutureTask<>(() -> check(dataSource, mapping, timeoutMillis));
        Thread thread = new Thread(task, "stytch-migration-schema-check");
        thread.setDaemon(true);
        thread.start();
        TableReport report;
        try {
            report = task.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw new DatabaseUnavailableException("Database unavailable: the schema check of table ["
                    + mapping.table() + "] did not finish within " + timeoutMillis + " ms", e, SqlErrors.RETRY_AFTER_SECONDS);
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking table [" + mapping.table() + "]", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException("Schema check of table [" + mapping.table() + "] failed", cause);
        }
        for (String warning : report.warnings()) {
            LOG.warn(warning);
        }
        return report;
    }

    private static TableReport check(DataSource dataSource, UserTableMapping mapping, long timeoutMillis) {
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw SqlErrors.translate("obtain a database connection for the schema check of table [" + mapping.table() + "]", null, e);
        }
        try (Connection c = connection) {
            int timeoutSeconds = (int) Math.max(1, TimeUnit.MILLISECONDS.toSeconds(timeoutMillis));
            Dialect dialect = Dialect.of(c);
            TableReport report;
            switch (dialect) {
                case POSTGRESQL:
                    report = new PostgresSchema(c, mapping, timeoutSeconds).run();
                    break;
                case MYSQL:
                    report = new MySqlSchema(c, mapping, timeoutSeconds).run();
                    break;
                default:
                    report = new GenericSchema(c, mapping).run();
            }
            if (mapping.linkByExternalId()) {
                readIdType(c, mapping, report, timeoutSeconds);
            }
            checkCondition(c, mapping, "activeUserCondition", mapping.activeUserCondition(), mapping.activeColumnSql(), timeoutSeconds);
            checkCondition(c, mapping, "secondFactorCondition", mapping.secondFactorCondition(),
                    mapping.secondFactorColumnSql(), timeoutSeconds);
            return report;
        } catch (SQLException e) {
            throw SqlErrors.translate("check the schema of table [" + mapping.table() + "]", null, e);
        }
    }

    // The driver's own account of the id column's type, over no row: how linkByExternalId binds an external_id
    // (one statement more at init, only with linkByExternalId).
    private static void readIdType(Connection c, UserTableMapping m, TableReport report, int timeoutSeconds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + m.idColumn() + " FROM " + m.table() + " WHERE 1 = 0")) {
            ps.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = ps.executeQuery()) {
                report.withIdType(rs.getMetaData().getColumnType(1), rs.getMetaData().getColumnTypeName(1));
            }
        }
    }

    // Prepared and run over no row: the database parses and types the condition as the store will use it.
    private static void checkCondition(Connection c, UserTableMapping m, String param, String condition, String column,
                                       int timeoutSeconds) throws SQLException {
        if (condition == null) {
            return;
        }
        String sql = "SELECT " + column + " FROM " + m.table() + " WHERE 1 = 0";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        } catch (SQLException e) {
            if (SqlErrors.classify(e) == SqlErrors.Kind.UNAVAILABLE) {
                throw e;
            }
            // class 42 messages speak about the SQL text (an unknown column, a type), and no row was read
            throw new SchemaException(param + " [" + condition + "] is not a valid condition over table ["
                    + m.table() + "] (" + SqlErrors.describe(e) + ")");
        }
    }

    /** PostgreSQL folds unquoted names to lower case (the config accepts unquoted identifiers only). */
    static String pgName(String identifier) {
        return identifier.toLowerCase(Locale.ROOT);
    }

    /** The table part of a possibly schema-qualified name: for index names in DDL. */
    static String bareTable(String table) {
        return table.substring(table.lastIndexOf('.') + 1);
    }

    /** Index expression text without quotes, backticks, blanks, parentheses and casts to text types, lower-cased. */
    static String normalizeExpression(String expression) {
        return expression.toLowerCase(Locale.ROOT)
                .replace("::character varying", "")
                .replace("::text", "")
                .replace("::varchar", "")
                .replaceAll("[\"`()\\s]", "");
    }

    static String addColumnDdl(UserTableMapping m, Dialect d) {
        // MariaDB/MySQL default to case-insensitive collations: Stytch ids compare exactly in a binary one
        return "ALTER TABLE " + m.table() + " ADD COLUMN " + m.stytchUserIdColumn() + " VARCHAR(255)"
                + (d == Dialect.MYSQL ? " CHARACTER SET ascii COLLATE ascii_bin" : "") + ";";
    }

    static String uniqueIndexDdl(UserTableMapping m, Dialect d) {
        return "CREATE UNIQUE INDEX " + concurrently(d) + bareTable(m.table()) + "_"
                + m.stytchUserIdColumn() + "_key ON " + m.table() + " (" + m.stytchUserIdColumn() + ");";
    }

    static String emailIndexDdl(UserTableMapping m, Dialect d) {
        return "CREATE INDEX " + concurrently(d) + bareTable(m.table()) + "_lower_"
                + m.emailColumn() + "_idx ON " + m.table() + " (lower(" + m.emailColumn() + "));";
    }

    static String phoneIndexDdl(UserTableMapping m, Dialect d) {
        return "CREATE INDEX " + concurrently(d) + bareTable(m.table()) + "_"
                + m.phoneColumn() + "_idx ON " + m.table() + " (" + m.phoneColumn() + ");";
    }

    private static String concurrently(Dialect d) {
        return d == Dialect.POSTGRESQL ? "CONCURRENTLY " : "";
    }

    static SchemaException missingTable(UserTableMapping m, String detail) {
        return new SchemaException("userTable [" + m.table() + "] not found" + detail
                + "; create it or set userTable (it may be schema-qualified, e.g. legacy.members)");
    }

    static void requireColumns(UserTableMapping m, Set<String> present, UnaryOperator<String> norm, Dialect d) {
        Map<String, String> required = new LinkedHashMap<>();
        required.put("userIdColumn", m.idColumn());
        required.put("emailColumn", m.emailColumn());
        if (m.phoneColumn() != null) {
            required.put("phoneColumn", m.phoneColumn());
        }
        for (Map.Entry<String, String> e : required.entrySet()) {
            if (!present.contains(norm.apply(e.getValue()))) {
                throw new SchemaException(e.getKey() + " [" + e.getValue() + "] not found in table [" + m.table() + "]");
            }
        }
        if (!present.contains(norm.apply(m.stytchUserIdColumn()))) {
            throw new SchemaException("stytchUserIdColumn [" + m.stytchUserIdColumn() + "] not found in table ["
                    + m.table() + "]; add it with a UNIQUE index:\n  " + addColumnDdl(m, d) + "\n  " + uniqueIndexDdl(m, d));
        }
    }

    static SchemaException notUnique(UserTableMapping m, Dialect d) {
        return new SchemaException("stytchUserIdColumn [" + m.stytchUserIdColumn() + "] of table [" + m.table()
                + "] has no valid single-column UNIQUE index (not partial, not a prefix); concurrent first logins could"
                + " create duplicate rows. Create it:\n  " + uniqueIndexDdl(m, d));
    }

    static String emailWarning(UserTableMapping m, Dialect d) {
        return "No index on lower(" + m.emailColumn() + ") of table [" + m.table()
                + "]: every first login scans the table. Create one:\n  " + emailIndexDdl(m, d);
    }

    static String phoneWarning(UserTableMapping m, Dialect d) {
        return "No index on phoneColumn [" + m.phoneColumn() + "] of table [" + m.table()
                + "]: every first login scans the table. Create one:\n  " + phoneIndexDdl(m, d);
    }

    /** Reads one row of a catalog query. */
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** The users table does not fit the mapping; the message says what to run. */
    public static final class SchemaException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public SchemaException(String message) {
            super(message);
        }
    }
}
