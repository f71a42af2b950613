package io.github.stytchmigration.internal;

import io.github.stytchmigration.internal.MigrationException.AccountConflictException;
import io.github.stytchmigration.internal.MigrationException.AccountDisabledException;

import java.util.Objects;

/**
 * What the link rules decided for one login, before anything is written: see {@link LinkRules}.
 * The store executes it; a guarded write that finds the row changed means "read again".
 */
public final class LinkDecision {
    /** The kinds of decision, one per branch of the contract's link-or-create rules. */
    public enum Kind {
        /** Rule 1: a row already carries this Stytch user id; write nothing. */
        ALREADY_LINKED,
        /** Rule 2: link the one matching row, only if it is still unlinked. */
        LINK,
        /** Rule 2 under {@code conflictPolicy=relink}: move the row's link, only if it still holds the one read. */
        RELINK,
        /** Rule 4: nothing matches; create the row. */
        CREATE,
        /** Rules 2 and 3: refuse, write nothing ({@code account_conflict}). */
        REJECT,
        /** Rule 0: the row rules 1 and 2 chose does not satisfy {@code activeUserCondition}; write nothing ({@code account_disabled}). */
        DISABLED
    }

    private final Kind kind;
    private final UserRow row;
    private final AccountConflictException.Reason reason;
    private final String detail;

    private LinkDecision(Kind kind, UserRow row, AccountConflictException.Reason reason, String detail) {
        this.kind = kind;
        this.row = row;
        this.reason = reason;
        this.detail = detail;
    }

    static LinkDecision alreadyLinked(UserRow row) {
        return new LinkDecision(Kind.ALREADY_LINKED, Objects.requireNonNull(row), null, null);
    }

    static LinkDecision link(UserRow row) {
        return new LinkDecision(Kind.LINK, Objects.requireNonNull(row), null, null);
    }

    static LinkDecision relink(UserRow row) {
        return new LinkDecision(Kind.RELINK, Objects.requireNonNull(row), null, null);
    }

    static LinkDecision disabled(UserRow row, String detail) {
        return new LinkDecision(Kind.DISABLED, Objects.requireNonNull(row), null, detail);
    }

    static LinkDecision create() {
        return new LinkDecision(Kind.CREATE, null, null, null);
    }

    static LinkDecision reject(AccountConflictException.Reason reason, String detail) {
        return new LinkDecision(Kind.REJECT, null, Objects.requireNonNull(reason), detail);
    }

    public Kind kind() {
        return kind;
    }

    /**
     * The row to report, link or relink, or the disabled row; null for CREATE and REJECT. For RELINK it
     * holds the link to replace.
     */
    public UserRow row() {
        return row;
    }

    /** Why a REJECT refuses; null otherwise. */
    public AccountConflictException.Reason reason() {
        return reason;
    }

    /** The exception a REJECT answers with (ids only, never an email). */
    public AccountConflictException rejection() {
        if (kind != Kind.REJECT) {
            throw new IllegalStateException(kind + " is not a rejection");
        }
        return new AccountConflictException(reason, detail);
    }

    /** The exception a DISABLED answers with (ids only). */
    public AccountDisabledException disabledAccount() {
        if (kind != Kind.DISABLED) {
            throw new IllegalStateException(kind + " is not a disabled account");
        }
        return new AccountDisabledException(detail);
    }

    @Override
    public String toString() {
        return "LinkDecision[" + kind + (row == null ? "" : ", " + row) + (reason == null ? "" : ", " + reason) + "]";
    }
}
