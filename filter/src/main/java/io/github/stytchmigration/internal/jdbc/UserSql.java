package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.internal.LinkRules;

import java.util.Collections;
import java.util.Set;

/**
 * The store's SQL for one table on one database, built once from the validated mapping and what the
 * schema check found (identifiers only: nothing from a request is concatenated). Every SELECT returns
 * {@code id, stytch id, email[, phone][, active][, second factor]}; {@code active} is
 * {@code CASE WHEN (activeUserCondition) THEN 1 ELSE 0 END}, the second-factor flag likewise over
 * {@code secondFactorCondition}, so a returning user stays one statement.
 *
 * <p>Guarded writes: link only a row still unlinked, relink only a row still holding the link read, and
 * either only while the row is active. A matched row is therefore always changed by the SET, so the
 * update count means "changed the row" whether the driver counts rows changed or rows found (MariaDB
 * and MySQL count found rows unless {@code useAffectedRows=true}).
 */
final class UserSql {
    final Dialect dialect;
    final boolean phoneMatching;
    final boolean activeColumn;
    final boolean secondFactorColumn;
    /** The one probe of the unique Stytch id index: a returning user's only statement. */
    final String selectLinked;
    /** PostgreSQL: candidates by Stytch id, {@code = ANY(?)} emails and phones; null elsewhere. */
    final String selectCandidatesByArrays;
    final String link;
    final String relink;
    /** The generated INSERT; on PostgreSQL with {@code RETURNING id}, elsewhere read through generated keys. */
    final String insert;
    final Set<String> raceConstraints;
    /** {@code linkByExternalId}: the candidates also include the row whose id is the external_id (one more parameter). */
    final boolean byExternalId;
    private final TableReport report;

    private final String emailLookup;
    private final String phoneColumn;
    private final String idColumn;

    UserSql(UserTableMapping m, TableReport report) {
        this.dialect = report.dialect();
        this.phoneMatching = m.phoneColumn() != null;
        this.activeColumn = m.activeUserCondition() != null;
        this.secondFactorColumn = m.secondFactorCondition() != null;
        this.emailLookup = report.emailLookup();
        this.phoneColumn = m.phoneColumn();
        this.idColumn = m.idColumn();
        this.raceConstraints = Collections.unmodifiableSet(report.stytchUniqueIndexes());
        this.byExternalId = m.linkByExternalId();
        this.report = report;

        String table = m.table();
        String id = m.idColumn();
        String stytch = m.stytchUserIdColumn();
        String active = activeColumn ? " AND (" + m.activeUserCondition() + ")" : "";
        this.selectLinked = "SELECT " + id + ", " + stytch + ", " + m.emailColumn() + (phoneMatching ? ", " + phoneColumn : "")
                + (activeColumn ? ", " + m.activeColumnSql() : "")
                + (secondFactorColumn ? ", " + m.secondFactorColumnSql() : "") + " FROM " + table + " WHERE " + stytch + " = ?";
        String byId = byExternalId ? " OR " + id + " = ?" : "";
        this.selectCandidatesByArrays = dialect != Dialect.POSTGRESQL ? null
                : selectLinked + byId + " OR " + emailLookup + " = ANY(?)" + (phoneMatching ? " OR " + phoneColumn + " = ANY(?)" : "");
        this.link = "UPDATE " + table + " SET " + stytch + " = ? WHERE " + id + " = ? AND " + stytch + " IS NULL" + active;
        this.relink = "UPDATE " + table + " SET " + stytch + " = ? WHERE " + id + " = ? AND " + stytch + " = ?" + active;
        String insert = "INSERT INTO " + table + " (" + m.emailColumn() + (phoneMatching ? ", " + phoneColumn : "")
                + ", " + stytch + ") VALUES (?, " + (phoneMatching ? "?, " : "") + "?)";
        this.insert = dialect == Dialect.POSTGRESQL ? insert + " RETURNING " + id : insert;
    }

    /** Candidates by Stytch id and every email and phone of {@code keys}: arrays on PostgreSQL, else IN lists. */
    String selectCandidates(LinkRules.Keys keys) {
        if (selectCandidatesByArrays != null) {
            return selectCandidatesByArrays;
        }
        StringBuilder b = new StringBuilder(selectLinked);
        if (byExternalId) {
            b.append(" OR ").append(idColumn).append(" = ?");
        }
        if (!keys.emails().isEmpty()) {
            b.append(" OR ").append(emailLookup).append(" IN (").append(placeholders(keys.emails().size())).append(')');
        }
        if (phoneMatching && !keys.phones().isEmpty()) {
            b.append(" OR ").append(phoneColumn).append(" IN (").append(placeholders(keys.phones().size())).append(')');
        }
        return b.toString();
    }

    /** The external_id as a value of the id column's type; null when it has none or cannot be one. */
    Object idValueOf(String externalId) {
        return report.idValueOf(externalId);
    }

    int idJdbcType() {
        return report.idJdbcType();
    }

    private static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }
}
