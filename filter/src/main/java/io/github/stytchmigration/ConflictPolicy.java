package io.github.stytchmigration;

import java.util.Locale;

/**
 * What to do when the only row matching a verified identifier is already linked to a
 * <em>different</em> Stytch user. Init-param {@code conflictPolicy}; default {@link #REJECT}.
 */
public enum ConflictPolicy {
    /** Answer 409 {@code account_conflict} and write nothing. The safe default. */
    REJECT,
    /**
     * Move the link to the Stytch user that just authenticated (a conditional update that only
     * replaces the link it read), and log an audit event at WARN. For apps whose users may have been
     * re-created in Stytch, e.g. after a project reset.
     */
    RELINK;

    /** The init-param spelling, e.g. {@code reject}. */
    public String paramValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
