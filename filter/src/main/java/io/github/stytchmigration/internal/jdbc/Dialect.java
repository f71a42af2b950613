package io.github.stytchmigration.internal.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/** The SQL the store and the schema check speak, detected from the connection's metadata. */
enum Dialect {
    /** Array parameters ({@code = ANY(?)}), {@code INSERT … RETURNING}, the catalog through {@code to_regclass}. */
    POSTGRESQL,
    /**
     * MariaDB and MySQL: {@code IN (?, …)} lists, generated keys (MySQL 8 has no {@code RETURNING}),
     * {@code information_schema}, collations that may be case-insensitive.
     */
    MYSQL,
    /** Any other database: {@code IN (?, …)} lists, generated keys, {@link java.sql.DatabaseMetaData}. */
    OTHER;

    static Dialect of(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName();
        String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
        if (p.contains("postgresql")) {
            return POSTGRESQL;
        }
        if (p.contains("mariadb") || p.contains("mysql")) {
            return MYSQL;
        }
        return OTHER;
    }
}
