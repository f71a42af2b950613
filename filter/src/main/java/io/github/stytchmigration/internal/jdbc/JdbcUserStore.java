package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.MigrationOutcome;
import io.github.stytchmigration.internal.LinkDecision;
import io.github.stytchmigration.internal.LinkResult;
import io.github.stytchmigration.internal.LinkRules;
import io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException;
import io.github.stytchmigration.internal.StytchIdentity;
import io.github.stytchmigration.internal.UserRow;
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
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Executes the link-or-create decisions of {@link LinkRules} over a plain JDBC table.
 *
 * <p>Every write is one statement in autocommit, guarded by its own {@code WHERE} (link only an
 * unlinked, active row; relink only the link we read), so nothing partial is ever written and concurrent
 * logins across threads and servers settle on one row: a unique violation or a guarded update that
 * touched no row makes {@link Attempts} read and decide again (bounded). Round trips: {@code ALREADY_LINKED}
 * 1 (one probe of the unique Stytch id index: the steady state stays flat as the table grows),
 * {@code LINKED} and {@code CREATED} 3 (that probe, one SELECT fetching every candidate row, the write).
 *
 * <p>Nothing is read or written before the schema check has passed ({@link SchemaGate}): it runs at
 * init, or, when the database was down then, at the first login after it is back. Its report decides
 * the SQL ({@link UserSql}): PostgreSQL gets array parameters and {@code RETURNING}, MariaDB, MySQL and
 * other databases IN lists (placeholders only) and generated keys.
 */
public final class JdbcUserStore implements UserStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcUserStore.class);

    /** Attempts of the read-decide-write unit before giving up (re-reads after lost races, retries). */
    static final int MAX_ATTEMPTS = 4;

    private final DataSource dataSource;
    private final UserTableMapping mapping;
    private final boolean ownsDataSource;
    private final int queryTimeoutSeconds;
    private final NamedParameterSql createUserSql;
    private final SchemaGate gate;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Built once the gate has opened: null until then. */
    private volatile UserSql sql;

    /**
     * @param dataSource          where the users live
     * @param mapping             table, columns, {@code createUserSql}, conflict policy and {@code activeUserCondition},
     *                            as validated by the config
     * @param ownsDataSource      true when {@link #close()} should close the DataSource (a pool the
     *                            filter created); false for a container's DataSource
     * @param queryTimeoutSeconds {@code setQueryTimeout} of every statement, and the bound of a schema check
     *                            run by a login (seconds); 0 for none (then the check's default bound)
     */
    public JdbcUserStore(DataSource dataSource, UserTableMapping mapping, boolean ownsDataSource, int queryTimeoutSeconds) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.mapping = Objects.requireNonNull(mapping, "mapping");
        this.ownsDataSource = ownsDataSource;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.createUserSql = mapping.createUserSql() == null ? null
                : NamedParameterSql.parse(mapping.createUserSql(), NamedParameterSql.CREATE_USER_SQL_PARAMETERS);
        long checkMillis = queryTimeoutSeconds > 0 ? TimeUnit.SECONDS.toMillis(queryTimeoutSeconds) : SchemaCheck.DEFAULT_TIMEOUT_MILLIS;
        this.gate = new SchemaGate(mapping.table(), () -> SchemaCheck.inspect(dataSource, mapping, checkMillis), checkMillis);
    }

    /**
     * Runs the schema check now (filter init) unless it passed already.
     *
     * @return the warnings, logged at WARN
     * @throws SchemaCheck.SchemaException the table does not fit the mapping (the message has the DDL)
     * @throws io.github.stytchmigration.internal.MigrationException.DatabaseUnavailableException the database
     *         is unreachable: logins answer 503 until a later check passes
     */
    public List<String> checkSchema() {
        return gate.checkAtInit().warnings();
    }

    private UserSql sql() {
        UserSql built = sql;
        if (built == null) {
            built = new UserSql(mapping, gate.open());
            sql = built; // built from an immutable report: a second thread building it too is harmless
        }
        return built;
    }

    @Override
    public LinkResult linkOrCreate(StytchIdentity identity) {
        Objects.requireNonNull(identity, "identity");
        UserSql statements = sql();
        LinkRules.Keys keys = LinkRules.Keys.of(identity);
        try {
            return onNewConnection(statements, identity, keys);
        } catch (ConnectionLost lost) {
            // After a restart or failover a pool can hand out a connection the server already closed. The
            // unit reads before it writes and every write is guarded, so running it again on a new
            // connection is safe even if the lost statement had been applied; a second loss is an outage.
            LOG.debug("The database connection was lost ({}); trying once more on a new one", lost.getCause().getMessage());
            try {
                return onNewConnection(statements, identity, keys);
            } catch (ConnectionLost again) {
                throw again.getCause();
            }
        }
    }

    private LinkResult onNewConnection(UserSql statements, StytchIdentity identity, LinkRules.Keys keys) {
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
                return Attempts.run(MAX_ATTEMPTS, "link or create Stytch user " + identity.stytchUserId(),
                        statements.raceConstraints, (attempt, at) -> settle(c, statements, identity, keys, attempt, at));
            } finally {
                if (wasManualCommit) {
                    c.setAutoCommit(false);
                }
            }
        } catch (SQLException e) {
            // getAutoCommit / setAutoCommit / close
            throw connectionLostOr(SqlErrors.translate("use the database connection", null, e));
        } catch (DatabaseUnavailableException e) {
            throw connectionLostOr(e);
        }
    }

    private static RuntimeException connectionLostOr(RuntimeException e) {
        return e instanceof DatabaseUnavailableException && e.getCause() != null && SqlErrors.isConnectionLost(e.getCause())
                ? new ConnectionLost((DatabaseUnavailableException) e) : e;
    }

    /** A statement failed because the connection it ran on was gone: worth one more try on a new connection. */
    private static final class ConnectionLost extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConnectionLost(DatabaseUnavailableException cause) {
            super(cause.getMessage(), cause, false, false);
        }

        @Override
        public synchronized DatabaseUnavailableException getCause() {
            return (DatabaseUnavailableException) super.getCause();
        }
    }

    /** One read-decide-write round; null when a guarded write found the row changed (read again). */
    private LinkResult settle(Connection c, UserSql s, StytchIdentity identity, LinkRules.Keys keys, int attempt,
                              Attempts.Statement at) throws SQLException {
        List<UserRow> rows = List.of();
        if (attempt == 1) {
            // Hot path: a returning user (every login after the first) is one probe of the unique index on
            // the Stytch id column. Only a miss pays for the candidate query, which re-checks the Stytch id.
            rows = select(c, s, at.at("read the linked user row", s.selectLinked), identity, null);
        }
        if (rows.isEmpty()) {
            rows = select(c, s, at.at("read candidate user rows", s.selectCandidates(keys)), identity, keys);
        }
        LinkDecision decision = LinkRules.decide(rows, identity, mapping.conflictPolicy(), s.byExternalId);
        UserRow row = decision.row();
        switch (decision.kind()) {
            case ALREADY_LINKED:
                return LinkResult.of(MigrationOutcome.ALREADY_LINKED, row.idString()).needingSecondFactor(row.secondFactor());
            case LINK:
                return update(c, at.at("link a user row", s.link), identity.stytchUserId(), row.id(), null) == 1
                        ? LinkResult.of(MigrationOutcome.LINKED, row.idString()).needingSecondFactor(row.secondFactor()) : null;
            case RELINK:
                return update(c, at.at("relink a user row", s.relink), identity.stytchUserId(), row.id(), row.stytchUserId()) == 1
                        ? new LinkResult(MigrationOutcome.LINKED, row.idString(), row.stytchUserId())
                                .needingSecondFactor(row.secondFactor()) : null;
            case CREATE:
                String newId = insert(c, s, at, identity);
                return newId == null ? null : LinkResult.of(MigrationOutcome.CREATED, newId);
            case DISABLED:
                throw decision.disabledAccount();
            default:
                throw decision.rejection();
        }
    }

    /**
     * Rows by Stytch id, and, when {@code keys} is not null, by every email/phone of {@code keys} (and by the
     * external_id as an id, under {@code linkByExternalId}).
     */
    private List<UserRow> select(Connection c, UserSql s, String sql, StytchIdentity identity, LinkRules.Keys keys) throws SQLException {
        List<Array> arrays = new ArrayList<>(2);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            timeout(ps);
            int i = 1;
            ps.setString(i++, identity.stytchUserId());
            if (keys != null && s.byExternalId) {
                Object id = s.idValueOf(identity.externalId());
                if (id == null) {
                    ps.setNull(i++, s.idJdbcType()); // "id = NULL" matches no row
                } else {
                    ps.setObject(i++, id);
                }
            }
            if (keys != null && s.selectCandidatesByArrays != null) {
                Array emails = c.createArrayOf("text", keys.emails().toArray());
                arrays.add(emails);
                ps.setArray(i++, emails);
                if (s.phoneMatching) {
                    Array phones = c.createArrayOf("text", keys.phones().toArray());
                    arrays.add(phones);
                    ps.setArray(i, phones);
                }
            } else if (keys != null) {
                for (String email : keys.emails()) {
                    ps.setString(i++, email);
                }
                if (s.phoneMatching) {
                    for (String phone : keys.phones()) {
                        ps.setString(i++, phone);
                    }
                }
            }
            List<UserRow> rows = new ArrayList<>(2);
            try (ResultSet rs = ps.executeQuery()) {
                int activeIndex = s.phoneMatching ? 5 : 4;
                int secondFactorIndex = activeIndex + (s.activeColumn ? 1 : 0);
                while (rs.next()) {
                    // NULL (a condition over NULL columns) reads as 0: not active, no second factor
                    boolean active = !s.activeColumn || rs.getInt(activeIndex) == 1;
                    boolean secondFactor = s.secondFactorColumn && rs.getInt(secondFactorIndex) == 1;
                    rows.add(new UserRow(rs.getObject(1), rs.getString(2), rs.getString(3),
                            s.phoneMatching ? rs.getString(4) : null, active, secondFactor));
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
    private String insert(Connection c, UserSql s, Attempts.Statement at, StytchIdentity identity) throws SQLException {
        boolean pg = s.dialect == Dialect.POSTGRESQL;
        if (createUserSql == null) {
            String sql = at.at("create a user row", s.insert);
            try (PreparedStatement ps = pg ? c.prepareStatement(sql) : prepareForKeys(c, s, sql)) {
                timeout(ps);
                int i = 1;
                setNullable(ps, i++, identity.primaryEmail());
                if (s.phoneMatching) {
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
        String sql = at.at("create a user row", createUserSql.sql());
        PreparedStatement prepared;
        if (createUserSql.hasReturning()) {
            prepared = c.prepareStatement(sql);
        } else if (pg) {
            // the driver appends RETURNING *; we read the id column by name
            prepared = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS);
        } else {
            prepared = prepareForKeys(c, s, sql);
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

    // MariaDB's and MySQL's drivers return the AUTO_INCREMENT value (as "insert_id"), whatever columns are
    // named; other drivers are asked for the id column by name.
    private PreparedStatement prepareForKeys(Connection c, UserSql s, String sql) throws SQLException {
        return s.dialect == Dialect.MYSQL ? c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)
                : c.prepareStatement(sql, new String[]{mapping.idColumn()});
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
            if (meta.getColumnLabel(i).equalsIgnoreCase(mapping.idColumn())) {
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
}
