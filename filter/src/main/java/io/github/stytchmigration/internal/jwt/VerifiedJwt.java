package io.github.stytchmigration.internal.jwt;

/**
 * What a session JWT with a valid signature, issuer, audience and shape says, kept so that a repeated
 * JWT costs a lookup: the Stytch session and user, and the times against which every use is checked
 * again. Holds ids and times only, never the JWT itself.
 */
public final class VerifiedJwt {
    private final String sessionId;
    private final String stytchUserId;
    private final long issuedAt;
    private final long notBefore;
    private final long expiresAt;
    private final long sessionExpiresAt;

    /**
     * @param notBefore        epoch seconds; {@link Long#MIN_VALUE} when the JWT has no {@code nbf}
     * @param sessionExpiresAt epoch seconds of the Stytch session's own end ({@code expires_at})
     */
    VerifiedJwt(String sessionId, String stytchUserId, long issuedAt, long notBefore, long expiresAt, long sessionExpiresAt) {
        this.sessionId = sessionId;
        this.stytchUserId = stytchUserId;
        this.issuedAt = issuedAt;
        this.notBefore = notBefore;
        this.expiresAt = expiresAt;
        this.sessionExpiresAt = sessionExpiresAt;
    }

    /** The Stytch session id, from the {@code https://stytch.com/session} claim. */
    public String sessionId() {
        return sessionId;
    }

    /** The Stytch user id ({@code sub}). */
    public String stytchUserId() {
        return stytchUserId;
    }

    /** {@code iat}, epoch seconds: when Stytch last vouched for the session. */
    public long issuedAt() {
        return issuedAt;
    }

    long notBefore() {
        return notBefore;
    }

    /** {@code exp}, epoch seconds. */
    public long expiresAt() {
        return expiresAt;
    }

    /** The Stytch session's {@code expires_at}, epoch seconds. */
    public long sessionExpiresAt() {
        return sessionExpiresAt;
    }

    @Override
    public String toString() {
        return "VerifiedJwt[session=" + sessionId + ", user=" + stytchUserId + ", iat=" + issuedAt + ", exp=" + expiresAt + "]";
    }
}
