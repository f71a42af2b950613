package io.github.stytchmigration.internal;

/** The app's users table, seen through the link-or-create rules of the contract. */
public interface UserStore extends AutoCloseable {
    /**
     * Finds the row of this Stytch user, links a matching row, or creates one: the four rules of
     * the contract, safe under concurrency across threads and servers. Nothing partial is written.
     *
     * @throws MigrationException.AccountConflictException     linked elsewhere, ambiguous, or unverified match
     * @throws MigrationException.DatabaseUnavailableException no connection, or the connection broke
     * @throws MigrationException.DatabaseException            any other database failure
     */
    LinkResult linkOrCreate(StytchIdentity identity);

    /** Closes what the store owns (a pool it created); leaves a container's DataSource alone. Idempotent. */
    @Override
    void close();
}
