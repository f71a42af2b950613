package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
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

/**
 * Checks the users table once at filter init: the table and the mapped columns exist, and the Stytch
 * user id column carries a single-column UNIQUE index (the concurrency guarantee of link-or-create
 * rests on it); otherwise {@link SchemaException} with the DDL to run. A missing index for the
 * email lookup ({@code lower(email)}) or the phone lookup is only a WARN: logins work, slowly.
 *
 * <p>On PostgreSQL the catalog is read through {@code to_regclass}, which applies the server's own
 * rules: {@code search_path}, schema-qualified names, folding of unquoted identifiers to lower case.
 * Elsewhere {@link DatabaseMetaData} is used and the email index check is approximate.
 *
 * <p>The check never hangs: it runs on a daemon thread and gives up after a timeout with
 * {@link DatabaseUnavailableException}, also thrown when no connection can be had.
 */
public final class SchemaCheck {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaCheck.class);

    /** Default bound on the whole check, connection included. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 15_000;

    private static final String PG_TABLE =
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.oid = to_regclass(?::text)";
    private static final String PG_COLUMNS =
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?::text) AND attnum > 0 AND NOT attisdropped";
    private static final String PG_INDEXES =
            "SELECT ic.relname, i.indisunique, i.indisvalid, i.indnatts, i.indpred IS NOT NULL,"
                    + " pg_get_indexdef(i.indexrelid, 1, true)"
                    + " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                    + " WHERE i.indrelid = to_regclass(?::text)";

    private SchemaCheck() {
    }

    /** {@link #verify(DataSource, UserTableMapping, long)} with {@value #DEFAULT_TIMEOUT_MILLIS} ms. */
    public static List<String> verify(DataSource dataSource, UserTableMapping mapping) {
        return verify(dataSource, mapping, DEFAULT_TIMEOUT_MILLIS);
    }

    /**
     * Runs the check; logs each warning at WARN and returns them.
     *
     * @return the warnings (missing lookup indexes), empty when all is well
     * @throws SchemaException              the table or a column is missing, or the Stytch id column is not unique
     * @throws DatabaseUnavailableException no connection, or the check did not finish within {@code timeoutMillis}
     * @throws io.github.stytchmigration.internal.MigrationException.DatabaseException any other database failure
     */
    public static List<String> verify(DataSource dataSource, UserTableMapping mapping, long timeoutMillis) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(mapping, "mapping");
        FutureTask<List<String>> task = new FutureTask<>(() -> check(dataSource, mapping, timeoutMillis));
        Thread thread = new Thread(task, "stytch-migration-schema-check");
        thread.setDaemon(true);
        thread.start();
        List<String> warnings;
        try {
            warnings = task.get(timeoutMillis, TimeUnit.MILLISECONDS);
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
        for (String warning : warnings) {
            LOG.warn(warning);
        }
        return warnings;
    }

    private static List<String> check(DataSource dataSource, UserTableMapping mapping, long timeoutMillis) {
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw SqlErrors.translate("obtain a database connection for the schema check", null, e);
        }
        try (Connection c = connection) {
            String product = c.getMetaData().getDatabaseProductName();
            boolean postgres = product != null && product.toLowerCase(Locale.ROOT).contains("postgresql");
            int timeoutSeconds = (int) Math.max(1, TimeUnit.MILLISECONDS.toSeconds(timeoutMillis));
            return postgres ? new Postgres(c, mapping, timeoutSeconds).run() : new Generic(c, mapping).run();
        } catch (SQLException e) {
            throw SqlErrors.translate("check the schema of table [" + mapping.table() + "]", null, e);
        }
    }

    /** PostgreSQL folds unquoted names to lower case (the config accepts unquoted identifiers only). */
    static String pgName(String identifier) {
        return identifier.toLowerCase(Locale.ROOT);
    }

    /** The table part of a possibly schema-qualified name: for index names in DDL. */
    private static String bareTable(String table) {
        return table.substring(table.lastIndexOf('.') + 1);
    }

    /** Index expression text without quotes, blanks, parentheses and casts to text types, lower-cased. */
    static String normalizeExpression(String expression) {
        return expression.toLowerCase(Locale.ROOT)
                .replace("::character varying", "")
                .replace("::text", "")
                .replace("::varchar", "")
                .replaceAll("[\"()\\s]", "");
    }

    static String addColumnDdl(UserTableMapping m) {
        return "ALTER TABLE " + m.table() + " ADD COLUMN " + m.stytchUserIdColumn() + " VARCHAR(255);";
    }

    static String uniqueIndexDdl(UserTableMapping m, boolean postgres) {
        return "CREATE UNIQUE INDEX " + (postgres ? "CONCURRENTLY " : "") + bareTable(m.table()) + "_"
                + m.stytchUserIdColumn() + "_key ON " + m.table() + " (" + m.stytchUserIdColumn() + ");";
    }

    static String emailIndexDdl(UserTableMapping m, boolean postgres) {
        return "CREATE INDEX " + (postgres ? "CONCURRENTLY " : "") + bareTable(m.table()) + "_lower_"
                + m.emailColumn() + "_idx ON " + m.table() + " (lower(" + m.emailColumn() + "));";
    }

    static String phoneIndexDdl(UserTableMapping m, boolean postgres) {
        return "CREATE INDEX " + (postgres ? "CONCURRENTLY " : "") + bareTable(m.table()) + "_"
                + m.phoneColumn() + "_idx ON " + m.table() + " (" + m.phoneColumn() + ");";
    }

    private static SchemaException missingTable(UserTableMapping m, String detail) {
        return new SchemaException("userTable [" + m.table() + "] not found" + detail
                + "; create it or set userTable (it may be schema-qualified, e.g. legacy.members)");
    }

    private static void requireColumns(UserTableMapping m, Set<String> present, java.util.function.UnaryOperator<String> norm,
                                       boolean postgres) {
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
                    + m.table() + "]; add it with a UNIQUE index:\n  " + addColumnDdl(m) + "\n  " + uniqueIndexDdl(m, postgres));
        }
    }

    private static SchemaException notUnique(UserTableMapping m, boolean postgres) {
        return new SchemaException("stytchUserIdColumn [" + m.stytchUserIdColumn() + "] of table [" + m.table()
                + "] has no valid single-column UNIQUE index (not partial); concurrent first logins could create "
                + "duplicate rows. Create it:\n  " + uniqueIndexDdl(m, postgres));
    }

    private static String emailWarning(UserTableMapping m, boolean postgres) {
        return "No index on lower(" + m.emailColumn() + ") of table [" + m.table()
                + "]: every first login scans the table. Create one:\n  " + emailIndexDdl(m, postgres);
    }

    private static String phoneWarning(UserTableMapping m, boolean postgres) {
        return "No index on phoneColumn [" + m.phoneColumn() + "] of table [" + m.table()
                + "]: every first login scans the table. Create one:\n  " + phoneIndexDdl(m, postgres);
    }

    /** The PostgreSQL catalog, read the way the server resolves names. */
    private static final class Postgres {
        private final Connection c;
        private final UserTableMapping m;
        private final int timeoutSeconds;

        Postgres(Connection c, UserTableMapping m, int timeoutSeconds) {
            this.c = c;
            this.m = m;
            this.timeoutSeconds = timeoutSeconds;
        }

        List<String> run() throws SQLException {
            if (query(PG_TABLE, rs -> rs.getString(1)).isEmpty()) {
                throw missingTable(m, " (resolved through the connection's search_path)");
            }
            Set<String> columns = new HashSet<>(query(PG_COLUMNS, rs -> rs.getString(1)));
            requireColumns(m, columns, SchemaCheck::pgName, true);

            String stytch = normalizeExpression(pgName(m.stytchUserIdColumn()));
            String lowerEmail = "lower" + normalizeExpression(pgName(m.emailColumn()));
            String phone = m.phoneColumn() == null ? null : normalizeExpression(pgName(m.phoneColumn()));
            boolean unique = false;
            boolean emailIndex = false;
            boolean phoneIndex = false;
            for (Object[] idx : query(PG_INDEXES, rs -> new Object[]{
                    rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getInt(4), rs.getBoolean(5), rs.getString(6)})) {
                boolean isUnique = (Boolean) idx[1];
                boolean valid = (Boolean) idx[2];
                int keyCount = (Integer) idx[3];
                boolean partial = (Boolean) idx[4];
                String first = idx[5] == null ? "" : normalizeExpression((String) idx[5]);
                if (!valid || partial) {
                    continue; // a failed CREATE INDEX CONCURRENTLY leaves an invalid index behind
                }
                unique |= isUnique && keyCount == 1 && first.equals(stytch);
                emailIndex |= first.equals(lowerEmail);
                phoneIndex |= phone != null && first.equals(phone);
            }
            if (!unique) {
                throw notUnique(m, true);
            }
            List<String> warnings = new ArrayList<>(2);
            if (!emailIndex) {
                warnings.add(emailWarning(m, true));
            }
            if (phone != null && !phoneIndex) {
                warnings.add(phoneWarning(m, true));
            }
            return warnings;
        }

        private <T> List<T> query(String sql, RowMapper<T> mapper) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setQueryTimeout(timeoutSeconds);
                ps.setString(1, m.table());
                List<T> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(mapper.map(rs));
                    }
                }
                return out;
            } catch (SQLException e) {
                throw new SQLException("schema check query failed: " + sql, e.getSQLState(), e.getErrorCode(), e);
            }
        }
    }

    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Any other database, through {@link DatabaseMetaData}. */
    private static final class Generic {
        private final Connection c;
        private final UserTableMapping m;

        Generic(Connection c, UserTableMapping m) {
            this.c = c;
            this.m = m;
        }

        List<String> run() throws SQLException {
            DatabaseMetaData meta = c.getMetaData();
            String table = m.table();
            int dot = table.lastIndexOf('.');
            String schema = dot < 0 ? null : name(meta, table.substring(0, dot));
            String name = name(meta, dot < 0 ? table : table.substring(dot + 1));
            String escape = meta.getSearchStringEscape();
            String schemaPattern = schema == null ? null : escape(schema, escape);
            String tablePattern = escape(name, escape);

            Set<String> columns = new HashSet<>();
            try (ResultSet rs = meta.getColumns(null, schemaPattern, tablePattern, null)) {
                while (rs.next()) {
                    if (rs.getString("TABLE_NAME").equals(name)) {
                        columns.add(rs.getString("COLUMN_NAME"));
                    }
                }
            }
            if (columns.isEmpty()) {
                throw missingTable(m, "");
            }
            requireColumns(m, columns, id -> {
                try {
                    return name(meta, id);
                } catch (SQLException e) {
                    return id;
                }
            }, false);

            String stytch = name(meta, m.stytchUserIdColumn());
            Map<String, List<String>> uniqueIndexes = new LinkedHashMap<>();
            Map<String, String> firstColumns = new LinkedHashMap<>();
            try (ResultSet rs = meta.getIndexInfo(null, schema, name, false, true)) {
                while (rs.next()) {
                    String index = rs.getString("INDEX_NAME");
                    String column = rs.getString("COLUMN_NAME");
                    if (index == null || column == null) {
                        continue;
                    }
                    if (!rs.getBoolean("NON_UNIQUE")) {
                        uniqueIndexes.computeIfAbsent(index, k -> new ArrayList<>()).add(column);
                    }
                    if (rs.getInt("ORDINAL_POSITION") == 1) {
                        firstColumns.put(index, column);
                    }
                }
            }
            boolean unique = uniqueIndexes.values().stream()
                    .anyMatch(cols -> cols.size() == 1 && normalizeExpression(cols.get(0)).equals(normalizeExpression(stytch)));
            if (!unique) {
                throw notUnique(m, false);
            }
            List<String> warnings = new ArrayList<>(2);
            String email = normalizeExpression(m.emailColumn());
            if (firstColumns.values().stream().noneMatch(col -> normalizeExpression(col).contains(email))) {
                warnings.add(emailWarning(m, false));
            }
            if (m.phoneColumn() != null) {
                String phone = normalizeExpression(m.phoneColumn());
                if (firstColumns.values().stream().noneMatch(col -> normalizeExpression(col).equals(phone))) {
                    warnings.add(phoneWarning(m, false));
                }
            }
            return warnings;
        }

        private static String name(DatabaseMetaData meta, String identifier) throws SQLException {
            if (meta.storesLowerCaseIdentifiers()) {
                return identifier.toLowerCase(Locale.ROOT);
            }
            if (meta.storesUpperCaseIdentifiers()) {
                return identifier.toUpperCase(Locale.ROOT);
            }
            return identifier;
        }

        private static String escape(String name, String escape) {
            if (escape == null || escape.isEmpty()) {
                return name;
            }
            return name.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
        }
    }

    /** The users table does not fit the mapping; the message says what to run. */
    public static final class SchemaException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public SchemaException(String message) {
            super(message);
        }
    }
}
