package io.github.stytchmigration.internal.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.github.stytchmigration.internal.jdbc.SchemaCheck.bareTable;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.missingTable;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.normalizeExpression;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.notUnique;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.phoneWarning;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.requireColumns;

/**
 * MariaDB's and MySQL's {@code information_schema}: columns with their collation and generation
 * expression, indexes with their columns. A schema-qualified {@code userTable} names the database;
 * otherwise the connection's current database ({@code DATABASE()}) is read. Column names compare
 * case-insensitively, as the server compares them.
 *
 * <p>The email lookup compares with lower-cased emails, and must be able to use an index:
 * <ol>
 *   <li>an indexed generated column whose expression is {@code lower(email)} (MariaDB cannot index
 *       {@code lower(email)} directly, and its optimizer does not substitute the expression) → that column;</li>
 *   <li>else, under a case-insensitive collation, an index on the email column → the email column itself
 *       (the collation matches any case; the link rules re-check the exact lower-cased value);</li>
 *   <li>else {@code lower(email)}, which scans the table: a WARN prints the generated column and its index.</li>
 * </ol>
 */
final class MySqlSchema {
    private static final String WHERE = " WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?";
    private static final String TABLE = "SELECT TABLE_NAME FROM information_schema.TABLES" + WHERE;
    private static final String COLUMNS = "SELECT COLUMN_NAME, COLLATION_NAME, GENERATION_EXPRESSION, CHARACTER_MAXIMUM_LENGTH"
            + " FROM information_schema.COLUMNS" + WHERE;
    private static final String INDEXES = "SELECT INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART"
            + " FROM information_schema.STATISTICS" + WHERE + " ORDER BY INDEX_NAME, SEQ_IN_INDEX";
    /** Used when the email column's length is unknown: the longest address RFC 5321 allows in practice. */
    private static final long DEFAULT_EMAIL_LENGTH = 320;

    private final Connection c;
    private final UserTableMapping m;
    private final int timeoutSeconds;
    private final String schema;
    private final String table;

    MySqlSchema(Connection c, UserTableMapping m, int timeoutSeconds) {
        this.c = c;
        this.m = m;
        this.timeoutSeconds = timeoutSeconds;
        int dot = m.table().lastIndexOf('.');
        this.schema = dot < 0 ? null : m.table().substring(0, dot);
        this.table = m.table().substring(dot + 1);
    }

    /** One column as information_schema describes it. */
    private static final class Column {
        final String collation;
        final String generation;
        final long length;

        Column(String collation, String generation, long length) {
            this.collation = collation;
            this.generation = generation == null ? "" : generation;
            this.length = length;
        }

        boolean caseInsensitive() {
            return collation != null && collation.toLowerCase(Locale.ROOT).endsWith("_ci");
        }
    }

    /** One index: its name, uniqueness and columns in order (null when a column is indexed by prefix only). */
    private static final class Index {
        final String name;
        final boolean unique;
        final List<String> columns = new ArrayList<>(2);
        boolean prefix;

        Index(String name, boolean unique) {
            this.name = name;
            this.unique = unique;
        }

        String first() {
            return columns.get(0);
        }
    }

    TableReport run() throws SQLException {
        if (query(TABLE, rs -> rs.getString(1)).isEmpty()) {
            throw missingTable(m, schema == null ? " (in the connection's current database)" : "");
        }
        Map<String, Column> columns = new LinkedHashMap<>();
        for (Object[] row : query(COLUMNS, rs -> new Object[]{rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)})) {
            columns.put(lower((String) row[0]), new Column((String) row[1], (String) row[2], (Long) row[3]));
        }
        requireColumns(m, columns.keySet(), MySqlSchema::lower, Dialect.MYSQL);
        Map<String, Index> indexes = new LinkedHashMap<>();
        for (Object[] row : query(INDEXES, rs -> new Object[]{rs.getString(1), rs.getInt(2), rs.getString(4), rs.getObject(5)})) {
            Index index = indexes.computeIfAbsent((String) row[0], name -> new Index(name, (Integer) row[1] == 0));
            // MySQL 8's functional indexes have no column: they never match a column name below
            index.columns.add(row[2] == null ? "" : lower((String) row[2]));
            index.prefix |= row[3] != null;
        }

        String stytch = lower(m.stytchUserIdColumn());
        Set<String> unique = new LinkedHashSet<>();
        for (Index index : indexes.values()) {
            if (index.unique && !index.prefix && index.columns.size() == 1 && index.first().equals(stytch)) {
                unique.add(index.name);
            }
        }
        if (unique.isEmpty()) {
            throw notUnique(m, Dialect.MYSQL);
        }
        List<String> warnings = new ArrayList<>(3);
        if (columns.get(stytch).caseInsensitive()) {
            warnings.add("stytchUserIdColumn [" + m.stytchUserIdColumn() + "] of table [" + m.table() + "] has the"
                    + " case-insensitive collation [" + columns.get(stytch).collation + "]: its unique index treats Stytch"
                    + " ids that differ only in case as equal. Give it a binary collation (keep its other attributes):\n  "
                    + "ALTER TABLE " + m.table() + " MODIFY " + m.stytchUserIdColumn()
                    + " VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin;");
        }
        String emailLookup = emailLookup(columns, indexes, warnings);
        if (m.phoneColumn() != null && !indexedFirst(indexes, lower(m.phoneColumn()))) {
            warnings.add(phoneWarning(m, Dialect.MYSQL));
        }
        return new TableReport(Dialect.MYSQL, unique, emailLookup, warnings);
    }

    private String emailLookup(Map<String, Column> columns, Map<String, Index> indexes, List<String> warnings) {
        String email = lower(m.emailColumn());
        for (Map.Entry<String, Column> column : columns.entrySet()) {
            String generation = normalizeExpression(column.getValue().generation).replace("lcase", "lower");
            if (generation.equals("lower" + email) && indexedFirst(indexes, column.getKey())) {
                return column.getKey();
            }
        }
        if (columns.get(email).caseInsensitive() && indexedFirst(indexes, email)) {
            return m.emailColumn();
        }
        long length = columns.get(email).length > 0 ? columns.get(email).length : DEFAULT_EMAIL_LENGTH;
        String generated = m.emailColumn() + "_lower";
        warnings.add("No index serves the case-insensitive lookup of emailColumn [" + m.emailColumn() + "] of table ["
                + m.table() + "] (collation [" + columns.get(email).collation + "]): every first login scans the table."
                + " Add an indexed generated column (the filter finds it by its expression):\n  ALTER TABLE " + m.table()
                + " ADD COLUMN " + generated + " VARCHAR(" + length + ") AS (lower(" + m.emailColumn() + ")) VIRTUAL,"
                + " ADD INDEX " + bareTable(m.table()) + "_" + generated + "_idx (" + generated + ");");
        return "lower(" + m.emailColumn() + ")";
    }

    private static boolean indexedFirst(Map<String, Index> indexes, String column) {
        for (Index index : indexes.values()) {
            if (index.first().equals(column)) {
                return true;
            }
        }
        return false;
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private <T> List<T> query(String sql, SchemaCheck.RowMapper<T> mapper) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(timeoutSeconds);
            if (schema == null) {
                ps.setNull(1, Types.VARCHAR);
            } else {
                ps.setString(1, schema);
            }
            ps.setString(2, table);
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
