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
}
