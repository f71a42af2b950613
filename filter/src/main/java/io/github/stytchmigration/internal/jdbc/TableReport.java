package io.github.stytchmigration.internal.jdbc;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the schema check found that the store needs: the dialect, the names of the Stytch id column's
 * unique indexes (to tell a lost race from an app's own constraint), the expression the email lookup
 * compares with lower-cased emails, and the warnings for the operator.
 */
final class TableReport {
    private final Dialect dialect;
    private final Set<String> stytchUniqueIndexes;
    private final String emailLookup;
    private final List<String> warnings;
    private int idJdbcType = java.sql.Types.OTHER;
    private String idTypeName = "";

    /**
     * @param stytchUniqueIndexes the single-column unique indexes (or constraints) on the Stytch id column
     * @param emailLookup         a SQL expression over the table: rows whose value is IN the lower-cased
     *                            emails are the candidates (a superset is fine: the rules re-check in Java)
     */
    TableReport(Dialect dialect, Set<String> stytchUniqueIndexes, String emailLookup, List<String> warnings) {
        this.dialect = dialect;
        Set<String> names = new LinkedHashSet<>();
        for (String name : stytchUniqueIndexes) {
            names.add(name.toLowerCase(Locale.ROOT));
        }
        this.stytchUniqueIndexes = Collections.unmodifiableSet(names);
        this.emailLookup = emailLookup;
        this.warnings = List.copyOf(warnings);
    }

    Dialect dialect() {
        return dialect;
    }

    /** Lower-cased names. */
    Set<String> stytchUniqueIndexes() {
        return stytchUniqueIndexes;
    }

    String emailLookup() {
        return emailLookup;
    }

    List<String> warnings() {
        return warnings;
    }

    /** Records the id column's type (from the driver's metadata): how an external_id is bound against it. */
    TableReport withIdType(int jdbcType, String typeName) {
        this.idJdbcType = jdbcType;
        this.idTypeName = typeName == null ? "" : typeName;
        return this;
    }

    /**
     * An external_id as a value of the id column's type, for {@code id = ?}: a number for integer columns, a UUID for
     * PostgreSQL's uuid, else the text itself; null when it cannot be one (then it matches no row, and nothing fails).
     */
    Object idValueOf(String externalId) {
        if (externalId == null) {
            return null;
        }
        switch (idJdbcType) {
            case java.sql.Types.TINYINT:
            case java.sql.Types.SMALLINT:
            case java.sql.Types.INTEGER:
            case java.sql.Types.BIGINT:
            case java.sql.Types.NUMERIC:
            case java.sql.Types.DECIMAL:
                // canonical decimal only: "042" is not the id "42" (rule 1 compares the text)
                return externalId.matches("-?[1-9][0-9]{0,17}|0") ? Long.valueOf(externalId) : null;
            default:
                if ("uuid".equalsIgnoreCase(idTypeName)) {
                    try {
                        return java.util.UUID.fromString(externalId);
                    } catch (IllegalArgumentException e) {
                        return null;
                    }
                }
                return externalId;
        }
    }

    /** The id column's JDBC type, for binding NULL. */
    int idJdbcType() {
        return idJdbcType;
    }
}
