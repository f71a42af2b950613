package io.github.stytchmigration.internal;

/**
 * Exchanges a callback token for a Stytch login. The only implementation speaking to Stytch lives
 * in {@code internal.stytch}; nothing else imports the SDK.
 */
public interface StytchAuthenticator extends AutoCloseable {
    /**
     * Authenticates the token with Stytch, creating a session of {@code sessionDurationMinutes}.
     *
     * @param tokenType    {@code magic_links} or {@code oauth} (already checked against the allow-list)
     * @param token        the one-time token from the redirect
     * @param codeVerifier the PKCE verifier, or null
     * @return the identity and session
     * @throws MigrationException.InvalidTokenException     Stytch rejected the token
     * @throws MigrationException.RateLimitedException      Stytch answered 429
     * @throws MigrationException.StytchUnavailableException 5xx, timeout, network or unreadable answer
     */
    StytchLogin authenticate(String tokenType, String token, String codeVerifier);

    /**
     * Revokes a Stytch session in the background, e.g. one made for a login that then failed, or the
     * previous user's when another user logs in on the same HttpSession. Never blocks the caller and
     * never throws: the outcome is logged. A blank token is a no-op.
     *
     * @param sessionToken the opaque session token
     * @param reason       why, for the log (ids only)
     */
    void revokeInBackground(String sessionToken, String reason);

    /**
     * Sets the Stytch user's {@code external_id} ({@code users.update}, nothing else sent: no roles, no metadata),
     * in the background, bounded by the Stytch timeout. Never blocks the caller and never throws: the returned
     * stage always completes normally with how it ended.
     *
     * @param stytchUserId the Stytch user id
     * @param externalId   the value to set (already checked as a valid external_id)
     */
    default java.util.concurrent.CompletionStage<ExternalIdWrite> writeExternalId(String stytchUserId, String externalId) {
        return java.util.concurrent.CompletableFuture.completedFuture(ExternalIdWrite.failed("not supported by "
                + getClass().getSimpleName()));
    }

    /** Stops every thread the client started. Idempotent. */
    @Override
    void close();
}
