package io.github.stytchmigration.internal.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static io.github.stytchmigration.internal.jdbc.SchemaCheck.emailWarning;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.missingTable;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.normalizeExpression;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.notUnique;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.pgName;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.phoneWarning;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.requireColumns;

/** The PostgreSQL catalog, read the way the server resolves names. */
final class PostgresSchema {
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

    private final Connection c;
    private final UserTableMapping m;
    private final int timeoutSeconds;

    PostgresSchema(Connection c, UserTableMapping m, int timeoutSeconds) {
        this.c = c;
        this.m = m;
        this.timeoutSeconds = timeoutSeconds;
    }

    TableReport run() throws SQLException {
        if (query(PG_TABLE, rs -> rs.getString(1)).isEmpty()) {
            throw missingTable(m, " (resolved through the connection's search_path)");
        }
        Set<String> columns = new HashSet<>(query(PG_COLUMNS, rs -> rs.getString(1)));
        requireColumns(m, columns, SchemaCheck::pgName, Dialect.POSTGRESQL);

        String stytch = normalizeExpression(pgName(m.stytchUserIdColumn()));
        String lowerEmail = "lower" + normalizeExpression(pgName(m.emailColumn()));
        String phone = m.phoneColumn() == null ? null : normalizeExpression(pgName(m.phoneColumn()));
        Set<String> unique = new LinkedHashSet<>();
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
            if (isUnique && keyCount == 1 && first.equals(stytch)) {
                unique.add((String) idx[0]);
            }
            emailIndex |= first.equals(lowerEmail);
            phoneIndex |= phone != null && first.equals(phone);
        }
        if (unique.isEmpty()) {
            throw notUnique(m, Dialect.POSTGRESQL);
        }
        List<String> warnings = new ArrayList<>(2);
        if (!emailIndex) {
            warnings.add(emailWarning(m, Dialect.POSTGRESQL));
        }
        if (phone != null && !phoneIndex) {
            warnings.add(phoneWarning(m, Dialect.POSTGRESQL));
        }
        return new TableReport(Dialect.POSTGRESQL, unique, "lower(" + m.emailColumn() + ")", warnings);
    }

    private <T> List<T> query(String sql, SchemaCheck.RowMapper<T> mapper) throws SQLException {
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
