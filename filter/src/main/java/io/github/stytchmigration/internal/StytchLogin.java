package io.github.stytchmigration.internal;

import java.util.Objects;

/**
 * A successful Stytch authentication: the identity plus the Stytch session it created or confirmed.
 * The session token and JWT are secrets: they stay server-side and {@link #toString()} never shows them.
 */
public final class StytchLogin {
    private final StytchIdentity identity;
    private final String sessionToken;
    private final String sessionJwt;
    private final boolean resetSessions;
    private final String sessionId;
    private final long sessionExpiresAt;

    public StytchLogin(StytchIdentity identity, String sessionToken, String sessionJwt, boolean resetSessions) {
        this(identity, sessionToken, sessionJwt, resetSessions, null, -1);
    }

    /**
     * @param sessionId        the Stytch session id, or null when unknown
     * @param sessionExpiresAt the session's {@code expires_at} in epoch seconds, or -1 when unknown
     */
    public StytchLogin(StytchIdentity identity, String sessionToken, String sessionJwt, boolean resetSessions,
                       String sessionId, long sessionExpiresAt) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.sessionToken = sessionToken == null ? "" : sessionToken;
        this.sessionJwt = sessionJwt == null ? "" : sessionJwt;
        this.resetSessions = resetSessions;
        this.sessionId = sessionId == null || sessionId.isEmpty() ? null : sessionId;
        this.sessionExpiresAt = sessionExpiresAt;
    }

    public StytchIdentity identity() {
        return identity;
    }

    /** The opaque Stytch session token; "" when unknown or Stytch created no session. Never log it. */
    public String sessionToken() {
        return sessionToken;
    }

    /** The Stytch session JWT; "" when unknown or Stytch created no session. Never log it. */
    public String sessionJwt() {
        return sessionJwt;
    }

    public boolean resetSessions() {
        return resetSessions;
    }

    /** The Stytch session id, or null when unknown. Not a secret: it cannot authenticate. */
    public String sessionId() {
        return sessionId;
    }

    /** The Stytch session's end in epoch seconds, or -1 when unknown. */
    public long sessionExpiresAt() {
        return sessionExpiresAt;
    }

    @Override
    public String toString() {
        return "StytchLogin[" + identity + ", session=" + (sessionToken.isEmpty() && sessionJwt.isEmpty() ? "none" : "present")
                + (sessionId == null ? "" : ", sessionId=" + sessionId) + ", resetSessions=" + resetSessions + "]";
    }
}
