package io.github.stytchmigration.internal.jdbc;

import io.github.stytchmigration.ConflictPolicy;
import io.github.stytchmigration.MigrationConfig;

import java.util.Objects;

/**
 * Where the users live: table and column names (already validated as SQL identifiers by the
 * config), the optional {@code createUserSql} template, the conflict policy and the optional
 * {@code activeUserCondition}.
 */
public final class UserTableMapping {
    private final String table;
    private final String idColumn;
    private final String emailColumn;
    private final String phoneColumn;
    private final String stytchUserIdColumn;
    private final String createUserSql;
    private final ConflictPolicy conflictPolicy;
    private final String activeUserCondition;
    private final String secondFactorCondition;
    private final boolean linkByExternalId;

    /**
     * @param phoneColumn   null when phone matching is off
     * @param createUserSql null for the generated INSERT
     */
    public UserTableMapping(String table, String idColumn, String emailColumn, String phoneColumn,
                            String stytchUserIdColumn, String createUserSql, ConflictPolicy conflictPolicy) {
        this(table, idColumn, emailColumn, phoneColumn, stytchUserIdColumn, createUserSql, conflictPolicy, null, null, false);
    }

    private UserTableMapping(String table, String idColumn, String emailColumn, String phoneColumn,
                             String stytchUserIdColumn, String createUserSql, ConflictPolicy conflictPolicy,
                             String activeUserCondition, String secondFactorCondition, boolean linkByExternalId) {
        this.table = Objects.requireNonNull(table, "table");
        this.idColumn = Objects.requireNonNull(idColumn, "idColumn");
        this.emailColumn = Objects.requireNonNull(emailColumn, "emailColumn");
        this.phoneColumn = phoneColumn;
        this.stytchUserIdColumn = Objects.requireNonNull(stytchUserIdColumn, "stytchUserIdColumn");
        this.createUserSql = createUserSql;
        this.conflictPolicy = Objects.requireNonNull(conflictPolicy, "conflictPolicy");
        this.activeUserCondition = activeUserCondition;
        this.secondFactorCondition = secondFactorCondition;
        this.linkByExternalId = linkByExternalId;
    }

    /** This mapping with {@code linkByExternalId}: candidates include the row whose id is the Stytch user's external_id. */
    public UserTableMapping withLinkByExternalId(boolean on) {
        return new UserTableMapping(table, idColumn, emailColumn, phoneColumn, stytchUserIdColumn, createUserSql,
                conflictPolicy, activeUserCondition, secondFactorCondition, on);
    }

    /** Whether rule 1 also links by external_id. */
    public boolean linkByExternalId() {
        return linkByExternalId;
    }

    /** This mapping with an {@code activeUserCondition} (null: every row counts as active). */
    public UserTableMapping withActiveUserCondition(String condition) {
        return new UserTableMapping(table, idColumn, emailColumn, phoneColumn, stytchUserIdColumn, createUserSql,
                conflictPolicy, condition, secondFactorCondition, linkByExternalId);
    }

    /** This mapping with a {@code secondFactorCondition} (null: no row needs a second factor). */
    public UserTableMapping withSecondFactorCondition(String condition) {
        return new UserTableMapping(table, idColumn, emailColumn, phoneColumn, stytchUserIdColumn, createUserSql,
                conflictPolicy, activeUserCondition, condition, linkByExternalId);
    }

    /** The mapping of a validated config. */
    public static UserTableMapping from(MigrationConfig config) {
        return new UserTableMapping(config.userTable(), config.userIdColumn(), config.emailColumn(), config.phoneColumn(),
                config.stytchUserIdColumn(), config.createUserSql(), config.conflictPolicy(), config.activeUserCondition(),
                config.secondFactorCondition(), config.linkByExternalId());
    }

    /** A mapping with the contract's defaults: {@code users(id, email, stytch_user_id)}, reject. */
    public static UserTableMapping defaults() {
        return new UserTableMapping("users", "id", "email", null, "stytch_user_id", null, ConflictPolicy.REJECT);
    }

    /** May be schema-qualified, e.g. {@code legacy.members}. */
    public String table() {
        return table;
    }

    public String idColumn() {
        return idColumn;
    }

    public String emailColumn() {
        return emailColumn;
    }

    /** Null when phone matching is off. */
    public String phoneColumn() {
        return phoneColumn;
    }

    public String stytchUserIdColumn() {
        return stytchUserIdColumn;
    }

    /** Null for the generated INSERT. */
    public String createUserSql() {
        return createUserSql;
    }

    public ConflictPolicy conflictPolicy() {
        return conflictPolicy;
    }

    /** The SQL condition an active row satisfies, as the config validated it; null when every row counts as active. */
    public String activeUserCondition() {
        return activeUserCondition;
    }

    /** {@code CASE WHEN (condition) THEN 1 ELSE 0 END}: 1 for an active row, 0 when the condition is false or NULL. */
    String activeColumnSql() {
        return activeUserCondition == null ? null : "CASE WHEN (" + activeUserCondition + ") THEN 1 ELSE 0 END";
    }

    /** The SQL condition of a row whose login needs a second factor, as the config validated it; null when none does. */
    public String secondFactorCondition() {
        return secondFactorCondition;
    }

    /** 1 for a row that needs a second factor, 0 when the condition is false or NULL; null without a condition. */
    String secondFactorColumnSql() {
        return secondFactorCondition == null ? null : "CASE WHEN (" + secondFactorCondition + ") THEN 1 ELSE 0 END";
    }
}
