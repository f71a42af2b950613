package io.github.stytchmigration.internal.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.github.stytchmigration.internal.jdbc.SchemaCheck.emailWarning;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.missingTable;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.normalizeExpression;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.notUnique;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.phoneWarning;
import static io.github.stytchmigration.internal.jdbc.SchemaCheck.requireColumns;

/** Any other database, through {@link DatabaseMetaData}: the email index check is approximate. */
final class GenericSchema {
    private final Connection c;
    private final UserTableMapping m;

    GenericSchema(Connection c, UserTableMapping m) {
        this.c = c;
        this.m = m;
    }

    TableReport run() throws SQLException {
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
        }, Dialect.OTHER);

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
        Set<String> unique = new LinkedHashSet<>();
        for (Map.Entry<String, List<String>> index : uniqueIndexes.entrySet()) {
            List<String> cols = index.getValue();
            if (cols.size() == 1 && normalizeExpression(cols.get(0)).equals(normalizeExpression(stytch))) {
                unique.add(index.getKey());
            }
        }
        if (unique.isEmpty()) {
            throw notUnique(m, Dialect.OTHER);
        }
        List<String> warnings = new ArrayList<>(2);
        String email = normalizeExpression(m.emailColumn());
        if (firstColumns.values().stream().noneMatch(col -> normalizeExpression(col).contains(email))) {
            warnings.add(emailWarning(m, Dialect.OTHER));
        }
        if (m.phoneColumn() != null) {
            String phone = normalizeExpression(m.phoneColumn());
            if (firstColumns.values().stream().noneMatch(col -> normalizeExpression(col).equals(phone))) {
                warnings.add(phoneWarning(m, Dialect.OTHER));
            }
        }
        return new TableReport(Dialect.OTHER, unique, "lower(" + m.emailColumn() + ")", warnings);
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
