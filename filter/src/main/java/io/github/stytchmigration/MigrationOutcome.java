package io.github.stytchmigration;

/**
 * What a successful callback did to the app's own users table. The name is the value of the
 * {@code stytchMigration.outcome} request attribute.
 */
public enum MigrationOutcome {
    /** No row matched: a new row was inserted carrying the Stytch user id. */
    CREATED,
    /** One row matched a verified email or phone and was not linked yet: the Stytch user id was added to it. */
    LINKED,
    /** A row already carried this Stytch user id: nothing was written. */
    ALREADY_LINKED
}
