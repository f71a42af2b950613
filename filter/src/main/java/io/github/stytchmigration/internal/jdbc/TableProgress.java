package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.internal.MigrationException;
import io.github.stytchmigration.internal.jdbc.SchemaCheck.SchemaException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * How far a migration has come, read from the users table in a few aggregate statements (one pass for the
 * counts, one grouped pass per identifier column for the ambiguous groups), never one statement per row, so
 * it takes seconds on millions of rows. The SQL is built from the validated mapping only.
 *
 * <p>What the table alone cannot tell: whether a linked row was created by the filter or existed before and
 * was linked. Given a {@code createdCondition} (e.g. {@code origin = 'stytch'}, a column the app's
 * {@code createUserSql} sets), the created rows are counted; without it they are unknown.
 */
public final class TableProgress {
    /** An identifier shared by several unlinked rows: a login with it is refused as ambiguous. */
    public static final class Group {
        private final String kind;
        private final String value;
        private final long rows;
        private final String ids;

        Group(String kind, String value, long rows, String ids) {
            this.kind = kind;
            this.value = value;
            this.rows = rows;
            this.ids = ids;
        }

        /** {@code email} or {@code phone}. */
        public String kind() {
            return kind;
        }

        /** The shared identifier, lower-cased for emails: personal data, mask it unless asked. */
        public String value() {
            return value;
        }

        public long rows() {
            return rows;
        }

        /** The rows' ids, comma-separated, lowest first. */
        public String ids() {
            return ids;
        }
    }

    /** The counts; {@code created} is -1 when no created condition was given. */
    public static final class Counts {
        public long total;
        public long linked;
        public long created = -1;
        public long notMigrated;
        public long notMigratedUnreachable;
        public long emailsWithSurroundingWhitespace;
        public long inactive = -1;
        public long inactiveNotMigrated = -1;
        public long ambiguousGroups;
        public long ambiguousRows;
        public final List<Group> sampleGroups = new ArrayList<>();
        /** {@code ok}, {@code failed} or {@code unavailable}. */
        public String schemaVerdict;
        public List<String> schemaMessages = Collections.emptyList();
    }

    private final DataSource dataSource;
    private final UserTableMapping m;
    private final String createdCondition;
    private final int sampleGroups;
    private final int timeoutSeconds;

    /**
     * @param createdCondition SQL condition over the table, true for rows the migration created; null when unknown
     * @param sampleGroups     how many ambiguous groups to keep for display
     * @param timeoutSeconds   bound on each statement; 0 for none
     */
    public TableProgress(DataSource dataSource, UserTableMapping mapping, String createdCondition, int sampleGroups,
                         int timeoutSeconds) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.m = Objects.requireNonNull(mapping, "mapping");
        this.createdCondition = createdCondition;
        this.sampleGroups = sampleGroups;
        this.timeoutSeconds = timeoutSeconds;
    }

    /**
     * Runs the schema check, then the counts.
     *
     * @throws MigrationException.DatabaseUnavailableException no connection
     * @throws MigrationException.DatabaseException any other failure (the SQL is in the message, no values)
     */
    public Counts read() {
        Counts c = new Counts();
        try {
            c.schemaMessages = SchemaCheck.verify(dataSource, m, Math.max(1, timeoutSeconds) * 1000L);
            c.schemaVerdict = "ok";
        } catch (SchemaException e) {
            c.schemaVerdict = "failed";
            c.schemaMessages = List.of(e.getMessage());
        }
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw SqlErrors.translate("obtain a database connection for the progress report", null, e);
        }
        try (Connection conn = connection) {
            Dialect dialect = Dialect.of(conn);
            counts(conn, c);
            groups(conn, dialect, c, m.emailColumn(), "email", "lower(" + m.emailColumn() + ")", usableEmail());
            if (m.phoneColumn() != null) {
                groups(conn, dialect, c, m.phoneColumn(), "phone", m.phoneColumn(), usablePhone());
            }
            return c;
        } catch (SQLException e) {
            throw SqlErrors.translate("read the progress of table [" + m.table() + "]", lastSql, e);
        }
    }

    private String lastSql;

    // Usable: something that can equal an address Stytch verified. Surrounding whitespace never matches.
    private String usableEmail() {
        String e = m.emailColumn();
        return e + " IS NOT NULL AND " + e + " LIKE '%_@_%' AND " + e + " = TRIM(" + e + ")";
    }

    // E.164 as Stytch stores it: '+' and digits, compared exactly.
    private String usablePhone() {
        String p = m.phoneColumn();
        return p + " IS NOT NULL AND " + p + " LIKE '+_%' AND " + p + " = TRIM(" + p + ")";
    }

    private static String count(String condition) {
        return "SUM(CASE WHEN " + condition + " THEN 1 ELSE 0 END)";
    }

    private void counts(Connection conn, Counts c) throws SQLException {
        String stytch = m.stytchUserIdColumn();
        String unlinked = stytch + " IS NULL";
        String unreachable = "NOT (" + usableEmail() + ")" + (m.phoneColumn() == null ? "" : " AND NOT (" + usablePhone() + ")");
        String email = m.emailColumn();
        StringBuilder sql = new StringBuilder("SELECT COUNT(*), COUNT(").append(stytch).append("), ")
                .append(count(unlinked + " AND " + "(" + unreachable + ")")).append(", ")
                .append(count(email + " IS NOT NULL AND " + email + " <> TRIM(" + email + ")"));
        if (createdCondition != null) {
            sql.append(", ").append(count(stytch + " IS NOT NULL AND (" + createdCondition + ")"));
        }
        if (m.activeUserCondition() != null) {
            String inactive = m.activeColumnSql() + " = 0";
            sql.append(", ").append(count(inactive)).append(", ").append(count(unlinked + " AND " + inactive));
        }
        sql.append(" FROM ").append(m.table());
        lastSql = sql.toString();
        try (PreparedStatement ps = conn.prepareStatement(lastSql)) {
            timeout(ps);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int i = 1;
                c.total = rs.getLong(i++);
                c.linked = rs.getLong(i++);
                c.notMigrated = c.total - c.linked;
                c.notMigratedUnreachable = rs.getLong(i++);
                c.emailsWithSurroundingWhitespace = rs.getLong(i++);
                if (createdCondition != null) {
                    c.created = rs.getLong(i++);
                }
                if (m.activeUserCondition() != null) {
                    c.inactive = rs.getLong(i++);
                    c.inactiveNotMigrated = rs.getLong(i);
                }
            }
        }
    }

    // Rows share an identifier (emails case-insensitively, as the filter matches them) and none of them is linked:
    // the first login with it finds several rows and is refused. A group with a linked row is settled (rule 1).
    // One grouped pass counts the groups; the ids of the few listed groups come from one more indexed statement.
    private void groups(Connection conn, Dialect dialect, Counts c, String column, String kind, String key,
                        String usable) throws SQLException {
        String id = m.idColumn();
        lastSql = "SELECT k, n FROM (SELECT " + key + " AS k, COUNT(*) AS n, MIN(" + id + ") AS lo FROM " + m.table()
                + " WHERE " + usable + " GROUP BY " + key + " HAVING COUNT(*) > 1 AND COUNT(" + m.stytchUserIdColumn()
                + ") = 0) g ORDER BY lo";
        List<String> keys = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(lastSql)) {
            timeout(ps);
            ps.setFetchSize(500);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long rows = rs.getLong(2);
                    c.ambiguousGroups++;
                    c.ambiguousRows += rows;
                    if (keys.size() < sampleGroups) {
                        keys.add(rs.getString(1));
                        sizes.add(rows);
                    }
                }
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        lastSql = "SELECT " + key + ", " + id + " FROM " + m.table() + " WHERE " + usable + " AND " + key + " IN ("
                + String.join(", ", Collections.nCopies(keys.size(), "?")) + ") AND " + m.stytchUserIdColumn()
                + " IS NULL ORDER BY " + id;
        java.util.Map<String, StringBuilder> ids = new java.util.HashMap<>();
        try (PreparedStatement ps = conn.prepareStatement(lastSql)) {
            timeout(ps);
            for (int i = 0; i < keys.size(); i++) {
                ps.setString(i + 1, keys.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    StringBuilder b = ids.computeIfAbsent(groupKey(kind, rs.getString(1)), k -> new StringBuilder());
                    b.append(b.length() == 0 ? "" : ",").append(rs.getString(2));
                }
            }
        }
        for (int i = 0; i < keys.size(); i++) {
            StringBuilder b = ids.get(groupKey(kind, keys.get(i)));
            c.sampleGroups.add(new Group(kind, keys.get(i), sizes.get(i), b == null ? "" : b.toString()));
        }
    }

    // A case-insensitive collation may hand back the key in another case than the grouped one.
    private static String groupKey(String kind, String value) {
        return "email".equals(kind) ? value.toLowerCase(java.util.Locale.ROOT) : value;
    }

    private void timeout(PreparedStatement ps) throws SQLException {
        if (timeoutSeconds > 0) {
            ps.setQueryTimeout(timeoutSeconds);
        }
    }
}
