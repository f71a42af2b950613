package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.ConflictPolicy;
import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.internal.LinkResult;
import io.github.stytchmigration.internal.MigrationException.AccountConflictException;
import io.github.stytchmigration.internal.MigrationException.DatabaseException;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.UserStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * The link-or-create rules of the contract over a plain JDBC table.
 *
 * <p>Every write is one statement in autocommit, guarded by its own {@code WHERE} (link only an
 * unlinked row; relink only the link we read), so nothing partial is ever written and concurrent
 * logins across threads and servers settle on one row: a unique violation or a guarded update that
 * touched no row makes us re-read and decide again (bounded). Round trips: {@code ALREADY_LINKED}
 * 1 (one probe of the unique Stytch id index: the steady state stays flat as the table grows),
 * {@code LINKED} and {@code CREATED} 3 (that probe, one SELECT fetching every candidate row, the write).
 *
 * <p>All SQL is built in the constructor from the mapping's validated identifiers; nothing from a
 * request is concatenated into SQL. PostgreSQL is detected through {@link java.sql.DatabaseMetaData}
 * on first use and gets array parameters and {@code RETURNING}; other databases get IN lists
 * (placeholders only) and generated keys.
 */
public final class JdbcUserStore implements UserStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcUserStore.class);

    /** Attempts of the read-decide-write loop before giving up (re-reads after lost races, retries). */
    static final int MAX_ATTEMPTS = 4;

    /** Parameter names a {@code createUserSql} template may use. */
    public static final Set<String> CREATE_USER_SQL_PARAMETERS =
            Set.of("email", "phone_number", "first_name", "last_name", "stytch_user_id");

    /** A plain or double-quoted SQL identifier; a table may carry one schema qualifier. */
    private static final String IDENTIFIER = "(?:[A-Za-z_][A-Za-z0-9_$]*|\"[^\"\\x00]+\")";
    private static final Pattern COLUMN = Pattern.compile(IDENTIFIER);
    private static final Pattern TABLE = Pattern.compile(IDENTIFIER + "(?:\\." + IDENTIFIER + ")?");

    private final DataSource dataSource;
    private final UserTableMapping mapping;
    private final boolean ownsDataSource;
    private final int queryTimeoutSeconds;
    private final boolean phoneMatching;
    private final NamedParameterSql createUserSql;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final String selectColumns;
    private final String selectPostgres;
    private final String linkSql;
    private final String relinkSql;
    private final String insertReturning;
    private final String insertGeneratedKeys;
    private final String unquotedIdColumn;

    /** Detected on first connection: null until then. */
    private volatile Boolean postgres;

    /**
     * @param dataSource          where the users live
     * @param mapping             table, columns, {@code createUserSql} and conflict policy
     * @param ownsDataSource      true when {@link #close()} should close the DataSource (a pool the
     *                            filter created); false for a container's DataSource
     * @param queryTimeoutSeconds {@code setQueryTimeout} of every statement; 0 for none
     * @throws IllegalArgumentException a name is not an SQL identifier, or {@code createUserSql} is
     *                                  malformed (the message names {@code createUserSql})
     */
    public JdbcUserStore(DataSource dataSource, UserTableMapping mapping, boolean ownsDataSource, int queryTimeoutSeconds) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.mapping = Objects.requireNonNull(mapping, "mapping");
        this.ownsDataSource = ownsDataSource;
        if (queryTimeoutSeconds < 0) {
            throw new IllegalArgumentException("queryTimeoutSeconds [" + queryTimeoutSeconds + "] must be >= 0");
        }
        this.queryTimeoutSeconds = queryTimeoutSeconds;

        String table = require(TABLE, mapping.table(), "userTable");
        String id = require(COLUMN, mapping.idColumn(), "userIdColumn");
        String email = require(COLUMN, mapping.emailColumn(), "emailColumn");
        String stytch = require(COLUMN, mapping.stytchUserIdColumn(), "stytchUserIdColumn");
        String phone = mapping.phoneColumn() == null ? null : require(COLUMN, mapping.phoneColumn(), "phoneColumn");
        this.phoneMatching = phone != null;
        this.unquotedIdColumn = id.startsWith("\"") ? id.substring(1, id.length() - 1) : id;

        this.selectColumns = "SELECT " + id + ", " + stytch + ", " + email + (phoneMatching ? ", " + phone : "")
                + " FROM " + table + " WHERE " + stytch + " = ?";
        this.selectPostgres = selectColumns + " OR lower(" + email + ") = ANY(?)"
                + (phoneMatching ? " OR " + phone + " = ANY(?)" : "");
        this.linkSql = "UPDATE " + table + " SET " + stytch + " = ? WHERE " + id + " = ? AND " + stytch + " IS NULL";
        this.relinkSql = "UPDATE " + table + " SET " + stytch + " = ? WHERE " + id + " = ? AND " + stytch + " = ?";
        this.insertGeneratedKeys = "INSERT INTO " + table + " (" + email + (phoneMatching ? ", " + phone : "")
                + ", " + stytch + ") VALUES (?, " + (phoneMatching ? "?, " : "") + "?)";
        this.insertReturning = insertGeneratedKeys + " RETURNING " + id;

        if (mapping.createUserSql() == null) {
            this.createUserSql = null;
        } else {
            this.createUserSql = NamedParameterSql.parse(mapping.createUserSql(), CREATE_USER_SQL_PARAMETERS);
            if (!createUserSql.parameterNames().contains("stytch_user_id")) {
                throw new IllegalArgumentException(NamedParameterSql.PARAM
                        + " must store :stytch_user_id, or the new row would never be found again");
            }
        }
    }

    private static String require(Pattern pattern, String value, String param) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(param + " [" + value + "] is not an SQL identifier");
        }
        return value;
    }

    /** The mapping this store was built with. */
    public UserTableMapping mapping() {
        return mapping;
    }

    @Override
    public LinkResult linkOrCreate(StytchIdentity identity) {
        Objects.requireNonNull(identity, "identity");
        Candidates candidates = new Candidates(identity, phoneMatching);
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw SqlErrors.translate("obtain a database connection", null, e);
        }
        try (Connection c = connection) {
            boolean wasManualCommit = !c.getAutoCommit();
            if (wasManualCommit) {
                // each write is one guarded statement: autocommit makes it atomic and visible at once
                c.setAutoCommit(true);
            }
            try {
                return settle(c, identity, candidates);
            } finally {
                if (wasManualCommit) {
                    c.setAutoCommit(false);
                }
            }
        } catch (SQLException e) {
            // getAutoCommit / setAutoCommit / close
            throw SqlErrors.translate("use the database connection", null, e);
        }
    }

    /** The read-decide-write loop: re-reads after a lost race, retries a serialization failure. */
    private LinkResult settle(Connection c, StytchIdentity identity, Candidates candidates) {
        String stytchUserId = identity.stytchUserId();
        SQLException lastRace = null;
        String lastSql = null;
        String lastTask = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            String sql = null;
            String task = "read candidate user rows";
            try {
                if (attempt == 1) {
                    // Hot path: a returning user (every login after the first) is one probe of the unique
                    // index on the Stytch id column. Only a miss pays for the candidate query, which also
                    // re-checks the Stytch id, so a link made meanwhile is still seen.
                    task = "read the linked user row";
                    sql = selectColumns;
                    Row linked = selectLinked(c, stytchUserId);
                    if (linked != null) {
                        return LinkResult.of(MigrationOutcome.ALREADY_LINKED, linked.idString());
                    }
                    task = "read candidate user rows";
                }
                sql = selectSql(c, candidates);
                List<Row> rows = select(c, sql, stytchUserId, candidates);

                Row linked = find(rows, r -> stytchUserId.equals(r.stytchUserId));
                if (linked != null) {
                    return LinkResult.of(MigrationOutcome.ALREADY_LINKED, linked.idString());
                }
                List<Row> verified = filter(rows, r -> candidates.matchesVerified(r));
                if (verified.size() > 1) {
                    throw new AccountConflictException(AccountConflictException.Reason.AMBIGUOUS,
                            verified.size() + " rows match verified identifiers of Stytch user " + stytchUserId
                                    + ": ids " + ids(verified));
                }
                if (verified.size() == 1) {
                    Row row = verified.get(0);
                    if (row.stytchUserId == null) {
                        task = "link a user row";
                        sql = linkSql;
                        if (update(c, sql, stytchUserId, row.id, null) == 1) {
                            return LinkResult.of(MigrationOutcome.LINKED, row.idString());
                        }
                        LOG.debug("Row {} was linked concurrently; re-reading (attempt {})", row.idString(), attempt);
                        continue;
                    }
                    if (mapping.conflictPolicy() == ConflictPolicy.REJECT) {
                        throw new AccountConflictException(AccountConflictException.Reason.LINKED_TO_OTHER_USER,
                                "Row " + row.idString() + " matches Stytch user " + stytchUserId
                                        + " but is linked to Stytch user " + row.stytchUserId);
                    }
                    task = "relink a user row";
                    sql = relinkSql;
                    if (update(c, sql, stytchUserId, row.id, row.stytchUserId) == 1) {
                        return new LinkResult(MigrationOutcome.LINKED, row.idString(), row.stytchUserId);
                    }
                    LOG.debug("Row {} changed concurrently; re-reading (attempt {})", row.idString(), attempt);
                    continue;
                }
                List<Row> unverified = filter(rows, r -> candidates.matchesUnverified(r));
                if (!unverified.isEmpty()) {
                    throw new AccountConflictException(AccountConflictException.Reason.UNVERIFIED_MATCH,
                            "Only unverified identifiers of Stytch user " + stytchUserId + " match rows " + ids(unverified));
                }
                task = "create a user row";
                sql = createUserSql != null ? createUserSql.sql() : isPostgres(c) ? insertReturning : insertGeneratedKeys;
                String newId = insert(c, sql, identity);
                if (newId != null) {
                    return LinkResult.of(MigrationOutcome.CREATED, newId);
                }
                LOG.debug("{} yielded no id; re-reading (attempt {})", NamedParameterSql.PARAM, attempt);
            } catch (SQLException e) {
                SqlErrors.Kind kind = SqlErrors.classify(e);
                if (kind == SqlErrors.Kind.UNIQUE_VIOLATION) {
                    LOG.debug("Unique violation while trying to {}; re-reading (attempt {})", task, attempt);
                } else if (kind == SqlErrors.Kind.RETRYABLE) {
                    LOG.debug("Serialization failure or deadlock while trying to {} (SQLState {}); retrying (attempt {})",
                            task, e.getSQLState(), attempt);
                    if (!backOff(attempt)) {
                        throw SqlErrors.translate(task, sql, e);
                    }
                } else {
                    throw SqlErrors.translate(task, sql, e);
                }
                lastRace = e;
                lastSql = sql;
                lastTask = task;
            }
        }
        String message = "Unable to settle link-or-create for Stytch user " + stytchUserId + " after "
                + MAX_ATTEMPTS + " attempts";
        if (lastRace != null) {
            throw new DatabaseException(message + " (last: " + lastTask + ", " + SqlErrors.describe(lastRace)
                    + "; SQL [" + lastSql + "])", SqlErrors.withheld(lastRace));
        }
        throw new DatabaseException(message + " (rows kept changing, or " + NamedParameterSql.PARAM
                + " yielded no id)", null);
    }

    /** A short randomized pause before retrying a serialization failure; false when interrupted. */
    private static boolean backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt + 6));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean isPostgres(Connection c) throws SQLException {
        Boolean known = postgres;
        if (known == null) {
            String product = c.getMetaData().getDatabaseProductName();
            known = product != null && product.toLowerCase(Locale.ROOT).contains("postgresql");
            postgres = known;
        }
        return known;
    }

    private String selectSql(Connection c, Candidates candidates) throws SQLException {
        if (isPostgres(c)) {
            return selectPostgres;
        }
        // placeholders only: the identifiers come from the validated mapping
        StringBuilder b = new StringBuilder(selectColumns);
        if (!candidates.allEmails.isEmpty()) {
            b.append(" OR lower(").append(mapping.emailColumn()).append(") IN (")
                    .append(placeholders(candidates.allEmails.size())).append(')');
        }
        if (phoneMatching && !candidates.allPhones.isEmpty()) {
            b.append(" OR ").append(mapping.phoneColumn()).append(" IN (")
                    .append(placeholders(candidates.allPhones.size())).append(')');
        }
        return b.toString();
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    private Row selectLinked(Connection c, String stytchUserId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(selectColumns)) {
            timeout(ps);
            ps.setString(1, stytchUserId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Row(rs.getObject(1), rs.getString(2), rs.getString(3),
                        phoneMatching ? rs.getString(4) : null) : null;
            }
        }
    }

    private List<Row> select(Connection c, String sql, String stytchUserId, Candidates candidates) throws SQLException {
        boolean pg = isPostgres(c);
        List<Array> arrays = new ArrayList<>(2);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            timeout(ps);
            int i = 1;
            ps.setString(i++, stytchUserId);
            if (pg) {
                Array emails = c.createArrayOf("text", candidates.allEmails.toArray());
                arrays.add(emails);
                ps.setArray(i++, emails);
                if (phoneMatching) {
                    Array phones = c.createArrayOf("text", candidates.allPhones.toArray());
                    arrays.add(phones);
                    ps.setArray(i++, phones);
                }
            } else {
                for (String email : candidates.allEmails) {
                    ps.setString(i++, email);
                }
                if (phoneMatching) {
                    for (String phone : candidates.allPhones) {
                        ps.setString(i++, phone);
                    }
                }
            }
            List<Row> rows = new ArrayList<>(2);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getObject(1), rs.getString(2), rs.getString(3),
                            phoneMatching ? rs.getString(4) : null));
                }
            }
            return rows;
        } finally {
            for (Array a : arrays) {
                try {
                    a.free();
                } catch (SQLException | RuntimeException ignored) {
                    // freeing a client-side array cannot fail in a way that matters
                }
            }
        }
    }

    private int update(Connection c, String sql, String stytchUserId, Object id, String expectedOld) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            timeout(ps);
            ps.setString(1, stytchUserId);
            ps.setObject(2, id);
            if (expectedOld != null) {
                ps.setString(3, expectedOld);
            }
            return ps.executeUpdate();
        }
    }

    /** Inserts the row; returns its id, or null when the statement inserted nothing. */
    private String insert(Connection c, String sql, StytchIdentity identity) throws SQLException {
        boolean pg = isPostgres(c);
        if (createUserSql == null) {
            try (PreparedStatement ps = pg ? c.prepareStatement(sql) : c.prepareStatement(sql, new String[]{unquotedIdColumn})) {
                timeout(ps);
                int i = 1;
                setNullable(ps, i++, identity.primaryEmail());
                if (phoneMatching) {
                    setNullable(ps, i++, identity.primaryPhoneNumber());
                }
                ps.setString(i, identity.stytchUserId());
                if (pg) {
                    try (ResultSet rs = ps.executeQuery()) {
                        return firstId(rs);
                    }
                }
                ps.executeUpdate();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    return firstId(rs);
                }
            }
        }
        PreparedStatement prepared;
        if (createUserSql.hasReturning()) {
            prepared = c.prepareStatement(sql);
        } else if (pg) {
            // the driver appends RETURNING *; we read the id column by name
            prepared = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS);
        } else {
            prepared = c.prepareStatement(sql, new String[]{unquotedIdColumn});
        }
        try (PreparedStatement ps = prepared) {
            timeout(ps);
            List<String> names = createUserSql.parameterNames();
            for (int i = 0; i < names.size(); i++) {
                setNullable(ps, i + 1, valueOf(names.get(i), identity));
            }
            if (createUserSql.hasReturning()) {
                if (!ps.execute()) {
                    return null;
                }
                try (ResultSet rs = ps.getResultSet()) {
                    return firstId(rs);
                }
            }
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                return firstId(rs);
            }
        }
    }

    private static String valueOf(String name, StytchIdentity identity) {
        switch (name) {
            case "email":
                return identity.primaryEmail();
            case "phone_number":
                return identity.primaryPhoneNumber();
            case "first_name":
                return identity.firstName();
            case "last_name":
                return identity.lastName();
            case "stytch_user_id":
                return identity.stytchUserId();
            default:
                throw new IllegalStateException("unknown parameter " + name); // parse() rejected it already
        }
    }

    /** The id column by name when the result has it (RETURNING *), else the first column; null when no row. */
    private String firstId(ResultSet rs) throws SQLException {
        if (rs == null || !rs.next()) {
            return null;
        }
        ResultSetMetaData meta = rs.getMetaData();
        int column = 1;
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            if (meta.getColumnLabel(i).equalsIgnoreCase(unquotedIdColumn)) {
                column = i;
                break;
            }
        }
        Object id = rs.getObject(column);
        return id == null ? null : id.toString();
    }

    private static void setNullable(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }

    private void timeout(Statement statement) throws SQLException {
        if (queryTimeoutSeconds > 0) {
            statement.setQueryTimeout(queryTimeoutSeconds);
        }
    }

    private static Row find(List<Row> rows, java.util.function.Predicate<Row> p) {
        for (Row r : rows) {
            if (p.test(r)) {
                return r;
            }
        }
        return null;
    }

    private static List<Row> filter(List<Row> rows, java.util.function.Predicate<Row> p) {
        List<Row> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            if (p.test(r)) {
                out.add(r);
            }
        }
        return out;
    }

    private static String ids(List<Row> rows) {
        List<String> ids = new ArrayList<>(rows.size());
        for (Row r : rows) {
            ids.add(r.idString());
        }
        return ids.toString();
    }

    /** Closes the DataSource when this store owns it (a pool the filter created). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true) || !ownsDataSource) {
            return;
        }
        if (dataSource instanceof AutoCloseable) {
            try {
                DataSources.closeOwned((AutoCloseable) dataSource);
            } catch (Exception e) {
                LOG.warn("Closing the user store's DataSource failed", e);
            }
        }
    }

    /** One candidate row: only the columns the rules look at. */
    private static final class Row {
        final Object id;
        final String stytchUserId;
        final String emailLower;
        final String phone;

        Row(Object id, String stytchUserId, String email, String phone) {
            this.id = id;
            this.stytchUserId = stytchUserId;
            this.emailLower = email == null ? null : email.toLowerCase(Locale.ROOT);
            this.phone = phone;
        }

        String idString() {
            return String.valueOf(id);
        }
    }

    /** The Stytch user's identifiers, split by verified flag; emails lower-cased with {@link Locale#ROOT}. */
    private static final class Candidates {
        final Set<String> verifiedEmails = new LinkedHashSet<>();
        final Set<String> unverifiedEmails = new LinkedHashSet<>();
        final Set<String> verifiedPhones = new LinkedHashSet<>();
        final Set<String> unverifiedPhones = new LinkedHashSet<>();
        final Set<String> allEmails = new LinkedHashSet<>();
        final Set<String> allPhones = new LinkedHashSet<>();

        Candidates(StytchIdentity identity, boolean phoneMatching) {
            for (StytchIdentity.Identifier e : identity.emails()) {
                String lower = e.value().trim().toLowerCase(Locale.ROOT);
                (e.verified() ? verifiedEmails : unverifiedEmails).add(lower);
            }
            unverifiedEmails.removeAll(verifiedEmails);
            if (phoneMatching) {
                for (StytchIdentity.Identifier p : identity.phoneNumbers()) {
                    (p.verified() ? verifiedPhones : unverifiedPhones).add(p.value().trim());
                }
                unverifiedPhones.removeAll(verifiedPhones);
            }
            allEmails.addAll(verifiedEmails);
            allEmails.addAll(unverifiedEmails);
            allPhones.addAll(verifiedPhones);
            allPhones.addAll(unverifiedPhones);
        }

        boolean matchesVerified(Row r) {
            return (r.emailLower != null && verifiedEmails.contains(r.emailLower))
                    || (r.phone != null && verifiedPhones.contains(r.phone));
        }

        boolean matchesUnverified(Row r) {
            return (r.emailLower != null && unverifiedEmails.contains(r.emailLower))
                    || (r.phone != null && unverifiedPhones.contains(r.phone));
        }
    }
}
