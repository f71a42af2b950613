package io.github.stytchmigration.internal;

/**
 * The Stytch calls behind sessions made elsewhere (the frontend SDK, the app's own backend): who a user
 * is, whether a session is alive, and ending one. The only implementation speaking to Stytch lives in
 * {@code internal.stytch}. Every call is bounded by {@code stytchTimeoutMillis}.
 */
public interface StytchSessionApi {
    /**
     * {@code users.get}: the user's emails and phones with their verified flags.
     *
     * @throws MigrationException.InvalidTokenException      Stytch knows no such user
     * @throws MigrationException.RateLimitedException       Stytch answered 429
     * @throws MigrationException.StytchUnavailableException 5xx, timeout, network or unreadable answer
     */
    StytchIdentity user(String stytchUserId);

    /**
     * {@code sessions.authenticate} with exactly one of the two: whether the session is alive, with a
     * fresh JWT and the user. Does not extend the session.
     *
     * @throws MigrationException.InvalidTokenException      the session is revoked, expired or unknown
     * @throws MigrationException.RateLimitedException       Stytch answered 429
     * @throws MigrationException.StytchUnavailableException 5xx, timeout, network or unreadable answer
     */
    StytchLogin authenticateSession(String sessionToken, String sessionJwt);

    /**
     * {@code sessions.revoke} by session id, waiting for the answer. A session already gone counts as revoked.
     *
     * @throws MigrationException the session may still be alive
     */
    void revokeSession(String sessionId);
}
